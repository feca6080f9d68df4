package genl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Resolve a family by name: its id, version, commands and groups.
func ExampleConn_Family() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.Family(context.Background(), "ethtool")
	if errors.Is(err, genl.ErrFamilyNotFound) {
		fmt.Println("no ethtool netlink in this kernel")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(f.Describe()) // like `genl ctrl get name ethtool`
}

// List every family, like `genl ctrl list`.
func ExampleConn_Families() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for f, err := range c.Families(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f) // "nlctrl id 0x10 version 2 hdrsize 0 maxattr 10 ops 2 groups 1"
	}
}

// Print how the kernel validates a family's requests.
func ExampleConn_Policy() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	p, err := c.Policy(context.Background(), "nlctrl")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(p)
}

// Look up the rule for one attribute of one command.
func ExampleConn_CommandPolicy() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	const ctrlCmdGetFamily, ctrlAttrFamilyName = 3, 2
	p, err := c.CommandPolicy(context.Background(), "nlctrl", ctrlCmdGetFamily)
	if err != nil {
		log.Fatal(err)
	}
	o, _ := p.Op(ctrlCmdGetFamily)
	a, _ := o.Do.Attr(ctrlAttrFamilyName)
	fmt.Println(a) // nul-string max-len 15
}

// Send a raw request to a family: here nlctrl's own CTRL_CMD_GETFAMILY.
func ExampleConn_Execute() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	e := nlattr.NewEncoder(nil)
	e.String(2, "netdev") // CTRL_ATTR_FAMILY_NAME
	body, err := e.Finish()
	if err != nil {
		log.Fatal(err)
	}
	replies, err := c.Execute(context.Background(), "nlctrl", genl.Message{Command: 3, Data: body}, 0)
	if err != nil {
		log.Fatal(err)
	}
	var f genl.Family
	if err := f.UnmarshalBinary(replies[0].Data); err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Name, f.ID)
}

// Stream a raw dump; Data is only valid inside the loop body.
func ExampleConn_Dump() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for m, err := range c.Dump(context.Background(), "netdev", genl.Message{Command: 1}) { // NETDEV_CMD_DEV_GET
		if err != nil {
			log.Fatal(err)
		}
		d := nlattr.NewDecoder(m.Data)
		for d.Next() {
			if d.Type() == 1 { // NETDEV_A_DEV_IFINDEX
				fmt.Println("ifindex", d.Uint32())
			}
		}
	}
}

// Join a multicast group by name, then receive its notifications. To hold
// state built from them (here the devices that netdev's "mgmt" group
// announces, by interface index), join first, then dump, then apply what
// Receive yields: JoinGroup returns once the socket is subscribed, so no
// change falls between the dump and the notifications. On
// netlink.ErrOverrun, dump again and go on: nothing older than the loss
// follows it. TestJoinGroupRecoveryPattern runs this loop under forced
// overruns.
func ExampleConn_JoinGroup() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
		log.Fatal(err)
	}
	// linux/netdev.h: NETDEV_CMD_DEV_GET 1, DEV_ADD_NTF 2, DEV_DEL_NTF 3,
	// DEV_CHANGE_NTF 4; NETDEV_A_DEV_IFINDEX 1.
	ifindex := func(m genl.Message) uint32 {
		d := nlattr.NewDecoder(m.Data)
		for d.Next() {
			if d.Type() == 1 {
				return d.Uint32()
			}
		}
		return 0
	}
	devices := map[uint32]bool{}
	dump := func() {
		clear(devices)
		for m, err := range c.Dump(ctx, "netdev", genl.Message{Command: 1}) {
			if err != nil {
				log.Fatal(err)
			}
			devices[ifindex(m)] = true
		}
	}
	dump()
	for n, err := range c.Receive(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			dump() // some were lost: start again from a fresh dump
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		switch n.Command {
		case 2, 4:
			devices[ifindex(n.Message)] = true
		case 3:
			delete(devices, ifindex(n.Message))
		}
		fmt.Println(n.Family, n.Group, n.Command, len(devices), "devices")
	}
}

// Receive notifications of several families on one Conn, like `genl
// monitor`. A monitor holds no state, so a loss is only reported; a
// program that keeps state dumps again there (see ExampleConn_JoinGroup).
func ExampleConn_Receive() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for _, g := range [][2]string{{"netdev", "mgmt"}, {"mptcp_pm", "mptcp_pm_events"}} {
		if _, err := c.JoinGroup(ctx, g[0], g[1]); err != nil {
			log.Fatal(err)
		}
	}
	for n, err := range c.Receive(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("notifications lost") // the stream goes on
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s/%s: %v\n", n.Family, n.Group, n.Message)
	}
}

// Describe an attribute set once, then encode and decode value trees.
// This needs no kernel.
func ExampleAttrSet() {
	address := &genl.AttrSet{Name: "address", Attrs: []genl.Attr{
		{Name: "family", Type: 1, Kind: genl.KindU16},
		{Name: "id", Type: 2, Kind: genl.KindU8},
		{Name: "addr4", Type: 3, Kind: genl.KindIPAddr},
		{Name: "port", Type: 5, Kind: genl.KindU16BE},
	}}
	b, err := address.Append(nil, genl.Attrs{
		"family": 2, // any Go integer that fits
		"addr4":  netip.MustParseAddr("192.0.2.1"),
		"port":   uint16(443),
	})
	if err != nil {
		log.Fatal(err)
	}
	v, err := address.Decode(b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(b), "bytes:", address.Format(v))
	port, _ := genl.Value[uint16](v, "port")
	fmt.Println("port", port)
	// Output:
	// 24 bytes: family 2 addr4 192.0.2.1 port 443
	// port 443
}

// A kernel module's own family, described in Go: no hand-packed bytes.
// Suppose the module registered family "my_counter" (version 1) with
// command 1 (get: attribute 1 name string, attribute 2 value u64) and a
// multicast group "events" where command 2 reports changes.
func ExampleNewClient() {
	counter := &genl.AttrSet{Name: "counter", Attrs: []genl.Attr{
		{Name: "name", Type: 1, Kind: genl.KindString},
		{Name: "value", Type: 2, Kind: genl.KindU64},
	}}
	spec := &genl.Spec{Name: "my_counter", Version: 1, Commands: []genl.Command{
		{Name: "get", ID: 1, Attrs: counter},
		{Name: "changed", ID: 2, Attrs: counter},
	}}
	if err := spec.Validate(); err != nil {
		log.Fatal(err)
	}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cl := genl.NewClient(c, spec)
	replies, err := cl.Execute(context.Background(), "get", genl.Attrs{"name": "packets"}, 0)
	if err != nil {
		log.Fatal(err) // a *netlink.Error carries the module's extended ACK
	}
	for _, r := range replies {
		v, _ := genl.Value[uint64](r, "value")
		fmt.Println("packets =", v)
	}
}

// Dump with a Client: each reply decoded into Attrs.
func ExampleClient_Dump() {
	dev := &genl.AttrSet{Name: "dev", Attrs: []genl.Attr{
		{Name: "ifindex", Type: 1, Kind: genl.KindU32},
		{Name: "xdp-features", Type: 3, Kind: genl.KindU64},
	}}
	spec := &genl.Spec{Name: "netdev", Commands: []genl.Command{{Name: "dev-get", ID: 1, Attrs: dev}}}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for v, err := range genl.NewClient(c, spec).Dump(context.Background(), "dev-get", nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(dev.Format(v)) // "ifindex 1 xdp-features 0"
	}
}

// Execute with a Client: a change, with the kernel's explanation on failure.
func ExampleClient_Execute() {
	limits := &genl.AttrSet{Name: "attr", Attrs: []genl.Attr{
		{Name: "rcv-add-addrs", Type: 2, Kind: genl.KindU32},
		{Name: "subflows", Type: 3, Kind: genl.KindU32},
	}}
	spec := &genl.Spec{Name: "mptcp_pm", Commands: []genl.Command{{Name: "set-limits", ID: 5, Attrs: limits}}}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	_, err = genl.NewClient(c, spec).Execute(context.Background(), "set-limits", genl.Attrs{"subflows": 100}, 0)
	var ne *netlink.Error
	if errors.As(err, &ne) {
		fmt.Println(ne.Errno, ne.Message) // invalid argument: limit greater than maximum (8)
	}
}

// Receive decoded notifications of one family.
func ExampleClient_Events() {
	dev := &genl.AttrSet{Name: "dev", Attrs: []genl.Attr{{Name: "ifindex", Type: 1, Kind: genl.KindU32}}}
	spec := &genl.Spec{Name: "netdev", Commands: []genl.Command{
		{Name: "dev-add-ntf", ID: 2, Attrs: dev},
		{Name: "dev-del-ntf", ID: 3, Attrs: dev},
	}}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cl := genl.NewClient(c, spec)
	ctx := context.Background()
	if err := cl.JoinGroup(ctx, "mgmt"); err != nil {
		log.Fatal(err)
	}
	for ev, err := range cl.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("notifications lost") // the stream goes on
			continue
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Command.Name, dev.Format(ev.Attrs))
	}
}

// Join a group of a Client's family: its notifications then come out of
// Events. A group the family does not have is an error.
func ExampleClient_JoinGroup() {
	spec := &genl.Spec{Name: "netdev"}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cl := genl.NewClient(c, spec)
	ctx := context.Background()
	if err := cl.JoinGroup(ctx, "mgmt"); err != nil {
		log.Fatal(err)
	}
	err = cl.JoinGroup(ctx, "nosuch")
	fmt.Println(errors.Is(err, genl.ErrGroupNotFound))
	// Output: true
}

// Two Clients of one Conn join the same group; one leaving does not
// unsubscribe the other (joins are counted per Conn).
func ExampleClient_LeaveGroup() {
	spec := &genl.Spec{Name: "netdev"}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	a, b := genl.NewClient(c, spec), genl.NewClient(c, spec)
	for _, cl := range []*genl.Client{a, b} {
		if err := cl.JoinGroup(ctx, "mgmt"); err != nil {
			log.Fatal(err)
		}
	}
	if err := a.LeaveGroup(ctx, "mgmt"); err != nil {
		log.Fatal(err)
	}
	// b still receives the group's notifications through c.
}

// Check a spec against the running kernel's policy, e.g. in a test.
func ExampleAttrSet_CheckPolicy() {
	dev := &genl.AttrSet{Name: "dev", Attrs: []genl.Attr{{Name: "ifindex", Type: 1, Kind: genl.KindU32}}}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	p, err := c.CommandPolicy(context.Background(), "netdev", 1)
	if err != nil {
		log.Fatal(err)
	}
	o, _ := p.Op(1)
	if err := dev.CheckPolicy(o.Do); err != nil {
		log.Fatal(err)
	}
}

// Print a family's policy with its command names, from a Spec.
func ExamplePolicy_Format() {
	spec := &genl.Spec{Name: "netdev", Commands: []genl.Command{{Name: "dev-get", ID: 1}}}
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	p, err := c.Policy(context.Background(), spec.Name)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(p.Format(spec.CommandNames())) // "  cmd 1 dev-get do: policy #0" ...
}

// Name commands and look them up by name; no kernel needed.
func ExampleCommandNames() {
	names := genl.ControllerCommands()
	fmt.Println(names[3])
	id, ok := names.Command("getpolicy")
	fmt.Println(id, ok)
	// Output:
	// getfamily
	// 10 true
}

// Two clients of families that share one Conn join and leave the same
// group independently: joins are counted.
func ExampleConn_LeaveGroup() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for range 2 { // e.g. two Clients
		if _, err := c.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
			log.Fatal(err)
		}
	}
	if err := c.LeaveGroup(ctx, "netdev", "mgmt"); err != nil {
		log.Fatal(err)
	}
	// Still subscribed: one join is left.
}

// FamilyByID names the family behind a message type, e.g. of a
// notification; the controller itself always has id 16 (GENL_ID_CTRL).
func ExampleConn_FamilyByID() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f, err := c.FamilyByID(context.Background(), 16)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Name)
	// Output: nlctrl
}

// Forget makes the next use of a family resolve it again, e.g. after its
// module was reloaded and it got a new id.
func ExampleConn_Forget() {
	c, err := genl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	before, err := c.Family(ctx, "nlctrl")
	if err != nil {
		log.Fatal(err)
	}
	c.Forget("nlctrl")
	after, err := c.Family(ctx, "nlctrl") // asked of the kernel again
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(before.ID == after.ID)
	// Output: true
}
