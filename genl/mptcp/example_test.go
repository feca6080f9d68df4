package mptcp_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/genl/mptcp"
)

// Add an endpoint, like `ip mptcp endpoint add 192.0.2.1 signal`.
func ExampleConn_AddEndpoint() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.AddEndpoint(context.Background(), mptcp.Endpoint{Addr: netip.MustParseAddr("192.0.2.1"), Flags: mptcp.Signal})
	if errors.Is(err, fs.ErrExist) {
		fmt.Println("already there")
	} else if err != nil {
		log.Fatal(err)
	}
}

// List the endpoints, like `ip mptcp endpoint show`.
func ExampleConn_Endpoints() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for e, err := range c.Endpoints(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e)
	}
}

// Look up one endpoint by id.
func ExampleConn_Endpoint() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	e, err := c.Endpoint(context.Background(), 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Addr, e.Flags)
}

// Delete one endpoint by id, like `ip mptcp endpoint delete id 1`.
func ExampleConn_DeleteEndpoint() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.DeleteEndpoint(context.Background(), 1); err != nil {
		log.Fatal(err)
	}
}

// Change an endpoint's backup flag, like `ip mptcp endpoint change id 1 backup`.
func ExampleConn_SetEndpointFlags() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SetEndpointFlags(context.Background(), 1, mptcp.Backup); err != nil {
		log.Fatal(err)
	}
}

// Remove every endpoint, like `ip mptcp endpoint flush`.
func ExampleConn_FlushEndpoints() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.FlushEndpoints(context.Background()); err != nil {
		log.Fatal(err)
	}
}

// Read and change the limits, like `ip mptcp limits`.
func ExampleConn_SetLimits() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	l, err := c.Limits(ctx)
	if err != nil {
		log.Fatal(err)
	}
	l.Subflows = 4
	if err := c.SetLimits(ctx, l); err != nil {
		log.Fatal(err)
	}
}

// Read the limits.
func ExampleConn_Limits() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	l, err := c.Limits(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(l) // add_addr_accepted 0 subflows 2
}

// Follow MPTCP events, like `ip mptcp monitor`.
func ExampleConn_Events() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, mptcp.GroupEvents); err != nil {
		log.Fatal(err)
	}
	for ev, err := range c.Events(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev)
	}
}
