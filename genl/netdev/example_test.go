package netdev_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/genl/netdev"
	"github.com/nlkit/nlkit/netlink"
)

// List the devices of the current namespace with their XDP capabilities.
func ExampleConn_Devices() {
	c, err := netdev.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for d, err := range c.Devices(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d)
	}
}

// Look up one device by interface index.
func ExampleConn_Device() {
	c, err := netdev.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	d, err := c.Device(context.Background(), 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.XDPFeatures&netdev.XDPRedirect != 0)
}

// Hold the set of devices as they come and go: join first, then list,
// then apply Events; on netlink.ErrOverrun list again and go on (nothing
// older than the loss follows it). TestEventsRecoveryPattern runs this
// loop under forced overruns.
func ExampleConn_Events() {
	c, err := netdev.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, netdev.GroupMgmt); err != nil {
		log.Fatal(err)
	}
	devices := map[int32]netdev.Device{}
	list := func() {
		clear(devices)
		for d, err := range c.Devices(ctx) {
			if err != nil {
				log.Fatal(err)
			}
			devices[d.Index] = d
		}
	}
	list()
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			list() // some were lost: start again from a fresh list
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		switch ev.Type {
		case netdev.DeviceAdded, netdev.DeviceChanged:
			devices[ev.Device.Index] = ev.Device
		case netdev.DeviceDeleted:
			delete(devices, ev.Device.Index)
		}
		fmt.Println(ev.Type, ev.Device, len(devices), "devices")
	}
}

// Join the device notifications before listing: JoinGroup returns once
// the socket is in the group, so no change falls between the list and the
// events (ExampleConn_Events goes on from here).
func ExampleConn_JoinGroup() {
	c, err := netdev.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, netdev.GroupMgmt); err != nil {
		log.Fatal(err)
	}
	lo, err := c.Device(ctx, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(lo.Index)
	// Output: 1
}

// Stop following the devices; the Conn goes on.
func ExampleConn_LeaveGroup() {
	c, err := netdev.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, netdev.GroupMgmt); err != nil {
		log.Fatal(err)
	}
	if err := c.LeaveGroup(ctx, netdev.GroupMgmt); err != nil {
		log.Fatal(err)
	}
	d, err := c.Device(ctx, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Index)
	// Output: 1
}
