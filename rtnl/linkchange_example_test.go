//go:build linux

package rtnl_test

import (
	"context"
	"log"

	"github.com/nlkit/nlkit/rtnl"
)

// Give a link alternative names and remove one, as `ip link property add
// dev eth0 altname uplink-a altname uplink-b` and `... del ...`.
func ExampleConn_AddAltNames() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	l, err := c.LinkByName(ctx, "eth0")
	if err != nil {
		log.Fatal(err)
	}
	if err := c.AddAltNames(ctx, l.Index, "uplink-a", "uplink-b"); err != nil {
		log.Fatal(err)
	}
	if err := c.DeleteAltNames(ctx, l.Index, "uplink-b"); err != nil {
		log.Fatal(err)
	}
}

// Lower the MTU of every link of interface group 5 in one request, then
// delete them all, as `ip link set group 5 mtu 1400` and `ip link delete
// group 5`.
func ExampleConn_SetLinkGroup() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.SetLinkGroup(ctx, 5, rtnl.LinkChange{MTU: 1400}); err != nil {
		log.Fatal(err)
	}
	if err := c.DeleteLinkGroup(ctx, 5); err != nil {
		log.Fatal(err)
	}
}

// Create a bridge unless it exists, as `ip link replace br0 type bridge`
// (the kernel refuses to replace an existing link: EOPNOTSUPP).
func ExampleConn_ReplaceLink() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.ReplaceLink(context.Background(), rtnl.Link{Name: "br0", Kind: "bridge"}); err != nil {
		log.Fatal(err)
	}
}

// Settings beyond the common ones in one request: clear ARP, hold the
// link down for protodown reason 3, smaller GSO packets, stable-privacy
// IPv6 addresses, detach its XDP program and set a virtual function's MAC
// address and VLAN (devices without SR-IOV refuse the last with
// EOPNOTSUPP).
func ExampleLinkChange() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	l, err := c.LinkByName(ctx, "eth0")
	if err != nil {
		log.Fatal(err)
	}
	down, gso, mode := true, uint32(16384), rtnl.AddrGenModeStablePrivacy
	err = c.SetLink(ctx, l.Index, rtnl.LinkChange{
		Flags: rtnl.LinkNoARP, FlagsMask: rtnl.LinkNoARP,
		ProtoDown: &down, ProtoDownReason: &rtnl.ProtoDownReason{Mask: 1 << 3, Value: 1 << 3},
		GSOMaxSize: &gso, AddrGenMode: &mode,
		XDP: &rtnl.LinkXDP{FD: -1, Flags: rtnl.XDPUpdateIfNoExist},
		VFs: []rtnl.VFChange{{VF: 0, HardwareAddr: []byte{2, 0, 0, 0, 0, 1}, VLAN: &rtnl.VFVLAN{ID: 100}}},
	})
	if err != nil {
		log.Fatal(err)
	}
}
