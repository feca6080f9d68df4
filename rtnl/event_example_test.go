package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"maps"
	"slices"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
	"golang.org/x/sys/unix"
)

// Events prints route changes until the context ends. To keep a copy of a
// table (a dump, then its changes), use Conn.JoinGroup instead: Events cannot say
// when its subscription is in place.
func ExampleEvents() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ev, err := range rtnl.Events(ctx, &netlink.Config{ReceiveBuffer: 8 << 20}, rtnl.GroupIPv4Route, rtnl.GroupIPv6Route) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("some changes were lost")
			continue
		}
		if err != nil {
			break // ctx ended
		}
		verb := "new"
		if ev.Deleted {
			verb = "deleted"
		}
		fmt.Println(verb, ev.Route)
	}
}

// Keep a copy of the links: subscribe, then list, then apply the events.
// On netlink.ErrOverrun (changes were lost) list again and go on: nothing
// older than the loss follows it, so the copy is right again. This runs on
// rtnltest's fake kernel, which can force an overrun; with the kernel, the
// Conn comes from rtnl.Dial and the rest is the same.
func ExampleConn_JoinGroup() {
	fake := rtnltest.NewFake()
	nl, _ := fake.Dial(nil)
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx := context.Background()
	if err := c.JoinGroup(rtnl.GroupLink); err != nil {
		log.Fatal(err)
	}
	links := map[int32]string{}
	list := func() {
		all, err := c.LinkList(ctx, rtnl.LinkFilter{})
		if err != nil {
			log.Fatal(err)
		}
		clear(links)
		for _, l := range all {
			links[l.Index] = l.Name
		}
	}
	list()

	// Someone else changes links; then the kernel drops notifications
	// (with the kernel: a burst of changes fills the receive buffer), and
	// more changes come.
	change := func(name string, add bool) {
		nl, _ := fake.Dial(nil)
		other := rtnl.NewConn(nl)
		defer other.Close()
		if add {
			if err := other.AddLink(ctx, rtnl.Link{Name: name, Info: &rtnl.UnknownKind{Kind: "ifb"}}); err != nil {
				log.Fatal(err)
			}
			return
		}
		l, err := other.LinkByName(ctx, name)
		if err == nil {
			err = other.DeleteLink(ctx, l.Index)
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	change("a0", true)
	change("a1", true)
	fake.Server().Overrun()
	change("a0", false)
	change("a2", true)

	ectx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	for ev, err := range c.Events(ectx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("changes were lost: list again")
			list()
			continue
		}
		if err != nil {
			break // ectx's end
		}
		if ev.Kind != rtnl.EventLink {
			continue
		}
		if ev.Deleted {
			delete(links, ev.Link.Index)
		} else {
			links[ev.Link.Index] = ev.Link.Name
		}
	}
	names := slices.Sorted(maps.Values(links))
	fmt.Println(names)
	// Output:
	// changes were lost: list again
	// [a1 a2 lo]
}

// Conn.Events on a NewConn streams the events of a socket the caller
// opened: here one of rtnltest's fake, so that code built on events can be
// tested without root.
func ExampleConn_Events() {
	fake := rtnltest.NewFake()
	watch, _ := fake.Dial(&netlink.Config{Groups: []uint32{uint32(rtnl.GroupLink)}})
	defer watch.Close()
	nl, _ := fake.Dial(nil)
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx := context.Background()
	if err := c.AddLink(ctx, rtnl.Link{Name: "w0", Info: &rtnl.UnknownKind{Kind: "ifb"}}); err != nil {
		log.Fatal(err)
	}
	for ev, err := range rtnl.NewConn(watch).Events(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Kind, ev.Link.Name, ev.Deleted)
		break
	}
	// Output: link w0 false
}

// DecodeEvent turns notifications read with the raw netlink layer (here
// with a Conn's own Receive loop) into typed events.
func ExampleDecodeEvent() {
	nl, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: []uint32{uint32(rtnl.GroupLink)}})
	if err != nil {
		log.Fatal(err)
	}
	defer nl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	for m, err := range nl.Receive(ctx) {
		if err != nil {
			break // ctx's end; netlink.ErrOverrun would say events were lost
		}
		ev, ok, err := rtnl.DecodeEvent(m.Message)
		if err != nil || !ok {
			continue // malformed, or not a change of a modelled object
		}
		fmt.Println(ev.Kind, ev.Deleted, ev.Link.Name)
	}
}
