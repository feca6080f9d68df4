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

// Watch devices come and go.
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
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			continue // some were lost: list Devices again
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Type, ev.Device)
	}
}
