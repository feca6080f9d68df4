package genl_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// A family client built on FamilyConn, here a small one of netdev's: a
// FamilyInfo names the family, the words its errors begin with, its Spec
// and how its notifications become events. DialFamily gives the client a
// genl.Conn of its own, which its Close closes. A family package keeps the
// FamilyInfo in a package variable and the *FamilyConn in its Conn (see
// package netdev).
func ExampleDialFamily() {
	dev := &genl.AttrSet{Name: "dev", Attrs: []genl.Attr{{Name: "ifindex", Type: 1, Kind: genl.KindU32}}}
	info := &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev",
		Spec: &genl.Spec{Name: "netdev", Commands: []genl.Command{{Name: "dev-get", ID: 1, Attrs: dev}}}}
	c, err := genl.DialFamily(nil, info)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	n := 0
	for _, err := range c.DumpAttrs(context.Background(), "list devices", "dev-get", nil) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n > 0)
	// Output: true
}

// Clients of several families share one genl.Conn: Close of a client
// leaves the groups it joined and leaves the genl.Conn open.
func ExampleNewFamilyConn() {
	g, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close() // the caller's: the clients leave it open
	ctx := context.Background()
	c := genl.NewFamilyConn(g, &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev"})
	if err := c.JoinGroup(ctx, "mgmt"); err != nil {
		log.Fatal(err)
	}
	if err := c.Close(); err != nil { // leaves "mgmt"
		log.Fatal(err)
	}
	f, err := g.Family(ctx, "nlctrl") // g still works
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Execute(ctx, "list devices", genl.Message{Command: 1}, 0)
	fmt.Println(f.Name, errors.Is(err, netlink.ErrClosed))
	// Output: nlctrl true
}

// A raw request through the client: the error names the operation and its
// object, then gives the kernel's errno and explanation.
func ExampleFamilyConn_Execute() {
	c, err := genl.DialFamily(nil, &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	e := nlattr.NewEncoder(nil)
	e.Uint32(1, 1<<30) // NETDEV_A_DEV_IFINDEX: no such device
	b, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Execute(context.Background(), "get device ifindex 1073741824", genl.Message{Command: 1, Data: b}, 0)
	fmt.Println(err)
	// Output: netdev: get device ifindex 1073741824: no such device
}

// A raw dump through the client; Data is valid only inside the loop body.
func ExampleFamilyConn_Dump() {
	c, err := genl.DialFamily(nil, &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for m, err := range c.Dump(context.Background(), "list devices", genl.Message{Command: 1}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(len(m.Data), "bytes of attributes")
	}
}

// A request described by the FamilyInfo's Spec, its reply decoded.
func ExampleFamilyConn_ExecuteAttrs() {
	dev := &genl.AttrSet{Name: "dev", Attrs: []genl.Attr{{Name: "ifindex", Type: 1, Kind: genl.KindU32}}}
	info := &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev",
		Spec: &genl.Spec{Name: "netdev", Commands: []genl.Command{{Name: "dev-get", ID: 1, Attrs: dev}}}}
	c, err := genl.DialFamily(nil, info)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	rs, err := c.ExecuteAttrs(context.Background(), "get device ifindex 1", "dev-get", genl.Attrs{"ifindex": 1}, 0)
	if err != nil {
		log.Fatal(err)
	}
	ifindex, _ := genl.Value[uint32](rs[0], "ifindex")
	fmt.Println(ifindex)
	// Output: 1
}

// A dump described by the FamilyInfo's Spec, each reply decoded.
func ExampleFamilyConn_DumpAttrs() {
	dev := &genl.AttrSet{Name: "dev", Attrs: []genl.Attr{{Name: "ifindex", Type: 1, Kind: genl.KindU32}}}
	info := &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev",
		Spec: &genl.Spec{Name: "netdev", Commands: []genl.Command{{Name: "dev-get", ID: 1, Attrs: dev}}}}
	c, err := genl.DialFamily(nil, info)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for v, err := range c.DumpAttrs(context.Background(), "list devices", "dev-get", nil) {
		if err != nil {
			log.Fatal(err)
		}
		ifindex, _ := genl.Value[uint32](v, "ifindex")
		fmt.Println("ifindex", ifindex)
	}
}

// Typed events: FamilyInfo.Event makes them of the family's
// notifications. Hold the set of devices from them: join, then list, then
// apply Events; on netlink.ErrOverrun list again and go on.
func ExampleFamilyConn_Events() {
	type devEvent struct {
		added   bool
		ifindex uint32
	}
	info := &genl.FamilyInfo[devEvent]{Name: "netdev", Package: "netdev",
		Event: func(n genl.Notification) (devEvent, bool, error) {
			// NETDEV_CMD_DEV_ADD_NTF 2, DEV_DEL_NTF 3; NETDEV_A_DEV_IFINDEX 1.
			if n.Command != 2 && n.Command != 3 {
				return devEvent{}, false, nil
			}
			ev := devEvent{added: n.Command == 2}
			d := nlattr.NewDecoder(n.Data) // n.Data is valid only now
			for d.Next() {
				if d.Type() == 1 {
					ev.ifindex = d.Uint32()
				}
			}
			return ev, true, d.Err()
		}}
	c, err := genl.DialFamily(nil, info)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(ctx, "mgmt"); err != nil {
		log.Fatal(err)
	}
	devices := map[uint32]bool{}
	list := func() {
		clear(devices)
		for m, err := range c.Dump(ctx, "list devices", genl.Message{Command: 1}) {
			if err != nil {
				log.Fatal(err)
			}
			d := nlattr.NewDecoder(m.Data)
			for d.Next() {
				if d.Type() == 1 {
					devices[d.Uint32()] = true
				}
			}
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
		if ev.added {
			devices[ev.ifindex] = true
		} else {
			delete(devices, ev.ifindex)
		}
		fmt.Println(len(devices), "devices")
	}
}

// JoinGroup returns once the socket is in the group, so a list taken
// afterwards misses no change (see ExampleFamilyConn_Events). A group the
// family does not have is an error.
func ExampleFamilyConn_JoinGroup() {
	c, err := genl.DialFamily(nil, &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev"})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.JoinGroup(context.Background(), "nosuch")
	fmt.Println(errors.Is(err, genl.ErrGroupNotFound))
	// Output: true
}

// LeaveGroup undoes one JoinGroup of this client; a group it did not join
// is an error, and other clients' joins stay.
func ExampleFamilyConn_LeaveGroup() {
	g, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	info := &genl.FamilyInfo[struct{}]{Name: "netdev", Package: "netdev"}
	a, b := genl.NewFamilyConn(g, info), genl.NewFamilyConn(g, info)
	if err := a.JoinGroup(ctx, "mgmt"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(b.LeaveGroup(ctx, "mgmt") != nil, a.LeaveGroup(ctx, "mgmt"))
	// Output: true <nil>
}
