package ethtool_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"syscall"

	"github.com/nlkit/nlkit/genl/ethtool"
	"github.com/nlkit/nlkit/netlink"
)

// The first lines of `ethtool eth0`.
func ExampleConn_LinkInfo() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	l, err := c.LinkInfo(context.Background(), ethtool.ByName("eth0"))
	if errors.Is(err, syscall.ENODEV) {
		fmt.Println("no eth0")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Port:", l.Port, "Transceiver:", l.Transceiver)
}

// Link information of every device.
func ExampleConn_LinkInfos() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for l, err := range c.LinkInfos(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l)
	}
}

// Speed, duplex, autonegotiation and link modes.
func ExampleConn_LinkModes() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	l, err := c.LinkModes(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Speed:", l.SpeedString(), "Duplex:", l.Duplex, "Auto-negotiation:", l.Autoneg)
	fmt.Println("Supported link modes:", l.Supported())
	fmt.Println("Advertised link modes:", l.Advertised())
}

// Channel counts, like `ethtool -l eth0`.
func ExampleConn_Channels() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ch, err := c.Channels(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ch)
}

// Ring sizes, like `ethtool -g eth0`.
func ExampleConn_Rings() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	r, err := c.Rings(context.Background(), ethtool.ByName("eth0"))
	if errors.Is(err, syscall.EOPNOTSUPP) {
		fmt.Println("the driver has no rings")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r)
}

// Offload features, like `ethtool -k eth0`.
func ExampleConn_Features() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Features(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(f)
	fmt.Println("GRO on:", f.Enabled("rx-gro"))
}

// Each feature's state, for printing as one likes; unnamed (retired)
// feature bits are not in the list.
func ExampleFeatures_Named() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Features(context.Background(), ethtool.ByName("eth0"))
	if err != nil {
		log.Fatal(err)
	}
	for _, x := range f.Named() {
		if !x.Fixed {
			fmt.Println(x.Name, x.Active)
		}
	}
}

// Print the ethtool family's policy with its command names.
func ExampleCommandNames() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	names := ethtool.CommandNames()
	cmd, _ := names.Command("features-get")
	p, err := c.Genl().CommandPolicy(context.Background(), ethtool.FamilyName, cmd)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(p.Format(names)) // "  cmd 11 features-get do: policy #0" ...
}

// Set the number of receive channels, like `ethtool -L eth0 rx 2`; the
// other counts are kept.
func ExampleConn_SetChannels() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	rx := uint32(2)
	err = c.SetChannels(context.Background(), ethtool.ByName("eth0"), ethtool.ChannelsChange{Rx: &rx})
	var ne *netlink.Error
	if errors.As(err, &ne) {
		// `ethtool: set channels of "eth0": invalid argument: ...`, and
		// the kernel's explanation in ne.Message.
		fmt.Println(err)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
}

// Follow every change of the devices' ethtool settings, like `ethtool
// --monitor`: join the monitor group, then read Events.
func ExampleConn_Events() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, ethtool.GroupMonitor); err != nil {
		log.Fatal(err)
	}
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("changes lost") // the stream goes on
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		if ev.Channels != nil {
			fmt.Println(ev.Device, "channels now", ev.Channels)
			continue
		}
		fmt.Println(ev) // "features-ntf eth0"
	}
}

// Keep a device's channel counts: join first, then read them, then apply
// the changes Events announces; on netlink.ErrOverrun read them again.
func ExampleConn_JoinGroup() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	dev := ethtool.ByName("eth0")
	if err := c.JoinGroup(ctx, ethtool.GroupMonitor); err != nil {
		log.Fatal(err)
	}
	read := func() ethtool.Channels {
		ch, err := c.Channels(ctx, dev)
		if err != nil {
			log.Fatal(err)
		}
		return ch
	}
	channels := read()
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			channels = read()
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		if ev.Type == ethtool.ChannelsChanged && ev.Device.Name == "eth0" {
			channels = *ev.Channels
			fmt.Println(channels)
		}
	}
}

// Stop following changes without closing a Conn that other work goes
// through.
func ExampleConn_LeaveGroup() {
	c, err := ethtool.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, ethtool.GroupMonitor); err != nil {
		log.Fatal(err)
	}
	if err := c.LeaveGroup(ctx, ethtool.GroupMonitor); err != nil {
		log.Fatal(err)
	}
	f, err := c.Features(ctx, ethtool.ByIndex(1)) // the Conn goes on
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Device.Name)
	// Output: lo
}
