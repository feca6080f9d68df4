//go:build linux

package rtnl_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

// The examples change the current network namespace (rtnl.Dial(nil);
// netlink.Config.NetNS picks another) and need CAP_NET_ADMIN, so go test
// compiles them without running them.

// List the links of a namespace, as `ip link show` does.
func ExampleConn_Links() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	for l, err := range c.Links(context.Background(), rtnl.LinkFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d: %s: <%s> mtu %d state %s\n", l.Index, l.Name, l.Flags, l.MTU, l.OperState)
	}
}

// The links as a slice: here only the ports of bridge 3, as `ip link show
// master br0`.
func ExampleConn_LinkList() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ports, err := c.LinkList(context.Background(), rtnl.LinkFilter{Master: 3})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(ports), "ports")
}

// Look a link up by index.
func ExampleConn_Link() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	lo, err := c.Link(context.Background(), 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lo.Name, lo.Type, lo.Flags.Words(), lo.Stats.RxPackets)
}

// Look a link up by name.
func ExampleConn_LinkByName() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	lo, err := c.LinkByName(context.Background(), "lo")
	if err != nil {
		log.Fatal(err) // errors.Is(err, syscall.ENODEV) if there is none
	}
	fmt.Println(lo.Index, lo.MTU, lo.HardwareAddr)
}

// Create a veth pair, up, with chosen names and MTU: ip link add v0 mtu
// 1400 up type veth peer name v1 mtu 1400.
func ExampleConn_AddLink() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	err = c.AddLink(ctx, rtnl.Link{
		Name:  "v0",
		MTU:   1400,
		Flags: rtnl.LinkUp,
		Info:  &rtnl.Veth{PeerName: "v1", PeerMTU: 1400},
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, fs.ErrExist) if v0 exists
	}
	v0, err := c.LinkByName(ctx, "v0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v0.Kind, v0.Parent) // veth, and the index of v1
}

// Create a bridge with STP and a VXLAN endpoint, kinds with settings.
func ExampleConn_AddLink_kinds() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	// ip link add br0 type bridge stp_state 1 forward_delay 400
	err = c.AddLink(ctx, rtnl.Link{Name: "br0", Info: &rtnl.Bridge{
		StpState:     new(uint32(1)),
		ForwardDelay: new(4 * time.Second),
	}})
	if err != nil {
		log.Fatal(err)
	}
	// ip link add vx0 type vxlan id 42 remote 198.18.0.2 dstport 4789 nolearning
	err = c.AddLink(ctx, rtnl.Link{Name: "vx0", Info: &rtnl.Vxlan{
		VNI:      42,
		Remote:   netip.MustParseAddr("198.18.0.2"),
		Port:     4789,
		Learning: new(false),
	}})
	if err != nil {
		log.Fatal(err)
	}
	// Kinds without settings: ip link add ifb0 type ifb
	if err := c.AddLink(ctx, rtnl.Link{Name: "ifb0", Kind: "ifb"}); err != nil {
		log.Fatal(err)
	}
	vx, err := c.LinkByName(ctx, "vx0")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(vx.Info.(*rtnl.Vxlan).VNI)
}

// Change several things of a link in one request: ip link set v0 name
// left mtu 9000 address 02:00:00:00:00:01 up.
func ExampleConn_SetLink() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.AddLink(ctx, rtnl.Link{Name: "v0", Info: &rtnl.Veth{PeerName: "v1"}}); err != nil {
		log.Fatal(err)
	}
	v0, err := c.LinkByName(ctx, "v0")
	if err != nil {
		log.Fatal(err)
	}

	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	err = c.SetLink(ctx, v0.Index, rtnl.LinkChange{
		Name:         "left",
		MTU:          9000,
		HardwareAddr: mac,
		Up:           new(true),
		Alias:        new("uplink"),
	})
	if err != nil {
		log.Fatal(err) // EINVAL with a Message if the MTU is out of range
	}
}

// Bring a link up: ip link set lo up.
func ExampleConn_SetLinkUp() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	if err := c.SetLinkUp(ctx, 1); err != nil {
		log.Fatal(err)
	}
	lo, err := c.Link(ctx, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lo.Flags&rtnl.LinkUp != 0)
}

// Bring a link down: ip link set lo down.
func ExampleConn_SetLinkDown() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	if err := c.SetLinkDown(context.Background(), 1); err != nil {
		log.Fatal(err)
	}
}

// Enslave a link to a bridge: ip link set v0 master br0.
func ExampleConn_SetLinkMaster() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.AddLink(ctx, rtnl.Link{Name: "br0", Kind: "bridge"}); err != nil {
		log.Fatal(err)
	}
	if err := c.AddLink(ctx, rtnl.Link{Name: "v0", Info: &rtnl.Veth{PeerName: "v1"}}); err != nil {
		log.Fatal(err)
	}
	br, err := c.LinkByName(ctx, "br0")
	if err != nil {
		log.Fatal(err)
	}
	v0, err := c.LinkByName(ctx, "v0")
	if err != nil {
		log.Fatal(err)
	}

	if err := c.SetLinkMaster(ctx, v0.Index, br.Index); err != nil {
		log.Fatal(err)
	}
	if v0, err = c.Link(ctx, v0.Index); err != nil {
		log.Fatal(err)
	}
	if port, ok := v0.Port.(*rtnl.BridgePort); ok {
		fmt.Println("port state", port.State)
	}
}

// Release a link from its master: ip link set v0 nomaster.
func ExampleConn_SetLinkNoMaster() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.AddLink(ctx, rtnl.Link{Name: "br0", Kind: "bridge"}); err != nil {
		log.Fatal(err)
	}
	br, err := c.LinkByName(ctx, "br0")
	if err != nil {
		log.Fatal(err)
	}
	// Created as a port of br0 right away.
	if err := c.AddLink(ctx, rtnl.Link{Name: "v0", Master: br.Index, Info: &rtnl.Veth{PeerName: "v1"}}); err != nil {
		log.Fatal(err)
	}
	v0, err := c.LinkByName(ctx, "v0")
	if err != nil {
		log.Fatal(err)
	}

	if err := c.SetLinkNoMaster(ctx, v0.Index); err != nil {
		log.Fatal(err)
	}
}

// Move a link into another namespace (ip link set v1 netns other), or
// create a veth pair across two namespaces at once.
func ExampleConn_SetLinkNetNS() {
	ns, err := netns.New()
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	other, err := netns.New()
	if err != nil {
		log.Fatal(err)
	}
	defer other.Close()
	c, err := rtnl.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	// The peer is born in the other namespace.
	if err := c.AddLink(ctx, rtnl.Link{Name: "a0", Info: &rtnl.Veth{PeerName: "b0", PeerNetNS: other}}); err != nil {
		log.Fatal(err)
	}
	// This pair is moved half over afterwards.
	if err := c.AddLink(ctx, rtnl.Link{Name: "a1", Info: &rtnl.Veth{PeerName: "b1"}}); err != nil {
		log.Fatal(err)
	}
	b1, err := c.LinkByName(ctx, "b1")
	if err != nil {
		log.Fatal(err)
	}
	if err := c.SetLinkNetNS(ctx, b1.Index, other); err != nil {
		log.Fatal(err)
	}
	a1, err := c.LinkByName(ctx, "a1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a1.HasLinkNetNSID) // true: the peer lives elsewhere
}

// Delete a link: ip link del v0 (which removes the whole veth pair).
func ExampleConn_DeleteLink() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.AddLink(ctx, rtnl.Link{Name: "v0", Info: &rtnl.Veth{PeerName: "v1"}}); err != nil {
		log.Fatal(err)
	}
	v0, err := c.LinkByName(ctx, "v0")
	if err != nil {
		log.Fatal(err)
	}

	if err := c.DeleteLink(ctx, v0.Index); err != nil {
		log.Fatal(err) // errors.Is(err, syscall.ENODEV) if it is gone already
	}
}

// Flags print the way iproute2 prints them.
func ExampleLinkFlags_Words() {
	f := rtnl.LinkUp | rtnl.LinkBroadcast | rtnl.LinkMulticast | rtnl.LinkRunning | rtnl.LinkLowerUp
	fmt.Println(f.Words())
	fmt.Println(rtnl.LinkUp | rtnl.LinkBroadcast) // up but not running
	// Output:
	// [BROADCAST MULTICAST UP LOWER_UP]
	// NO-CARRIER,BROADCAST,UP
}
