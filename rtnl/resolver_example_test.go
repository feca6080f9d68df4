package rtnl_test

import (
	"context"
	"log"
	"net"

	"github.com/nlkit/nlkit/rtnl"
)

// A Resolver answers the kernel's ARP requests on link 2 from user space.
func ExampleResolver() {
	ctx := context.Background()
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// Let user space resolve on link 2, with no ARP broadcasts of the kernel's own.
	if err := c.SetNeighborProbes(ctx, rtnl.FamilyIPv4, 2, rtnl.NeighborProbes{App: 3, SetUnicast: true, SetMulticast: true}); err != nil {
		log.Fatal(err)
	}
	r, err := rtnl.NewResolver(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	table := map[string]net.HardwareAddr{"198.18.0.2": {2, 0, 0, 0, 0, 2}}
	for req, err := range r.Requests(ctx) {
		if err != nil {
			continue
		}
		if mac, ok := table[req.Addr.String()]; ok {
			r.Answer(ctx, req, mac)
		} else {
			r.Refuse(ctx, req)
		}
	}
}
