package mptcp_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/mptcp"
	"github.com/nlkit/nlkit/genl/netdev"
	"github.com/nlkit/nlkit/netlink"
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
	if err := c.DeleteEndpoint(context.Background(), mptcp.Endpoint{ID: 1}); err != nil {
		log.Fatal(err)
	}
}

// Withdraw an address from the connections that opened their first
// subflow from it, like `ip mptcp endpoint delete id 0 192.0.2.1`.
func ExampleConn_DeleteEndpoint_idZero() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.DeleteEndpoint(context.Background(), mptcp.Endpoint{ID: 0, Addr: netip.MustParseAddr("192.0.2.1")})
	if err != nil {
		log.Fatal(err)
	}
}

// Make an endpoint a backup, like `ip mptcp endpoint change id 1 backup`
// (backup and fullmesh are both set as given: here fullmesh is cleared).
func ExampleConn_SetEndpointFlags() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SetEndpointFlags(context.Background(), mptcp.Endpoint{ID: 1, Flags: mptcp.Backup}); err != nil {
		log.Fatal(err)
	}
}

// Select the endpoint by address and port, like `ip mptcp endpoint change
// 192.0.2.1 port 8080 nobackup`.
func ExampleConn_SetEndpointFlags_byAddress() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	e := mptcp.Endpoint{Addr: netip.MustParseAddr("192.0.2.1"), Port: 8080, Flags: 0}
	if err := c.SetEndpointFlags(context.Background(), e); err != nil {
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

// Change one limit and keep the other, like `ip mptcp limits set
// subflows 4`.
func ExampleConn_SetLimits() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.SetLimits(context.Background(), mptcp.LimitsChange{Subflows: new(uint32(4))}); err != nil {
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
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("events lost") // the stream goes on
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev) // [         CREATED] token=51b22cd7 remid=0 locid=0 saddr4=192.0.2.1 ...
	}
}

// Clients of two families share one genl.Conn, each joining its own
// group; Close of one leaves its group and leaves the genl.Conn open for
// the other. (The events group needs CAP_NET_ADMIN.)
func ExampleConn_JoinGroup() {
	g, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close() // the caller's: the clients leave it open
	ctx := context.Background()
	pm := mptcp.NewConn(g)
	if err := pm.JoinGroup(ctx, mptcp.GroupEvents); err != nil {
		log.Fatal(err)
	}
	devs := netdev.NewConn(g)
	if err := devs.JoinGroup(ctx, netdev.GroupMgmt); err != nil {
		log.Fatal(err)
	}
	if err := pm.Close(); err != nil { // leaves GroupEvents only
		log.Fatal(err)
	}
	n := 0
	for _, err := range devs.Devices(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n > 0) // true
}

// Stop following events and go on using the Conn.
func ExampleConn_LeaveGroup() {
	c, err := mptcp.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, mptcp.GroupEvents); err != nil {
		log.Fatal(err)
	}
	if err := c.LeaveGroup(ctx, mptcp.GroupEvents); err != nil {
		log.Fatal(err)
	}
	err = c.LeaveGroup(ctx, mptcp.GroupEvents) // one join, one leave
	fmt.Println(err != nil)                    // true
}
