package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nltest"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// Watch prints route changes until the context ends, and says when the
// kernel dropped some: state built from events must then be rebuilt.
func ExampleWatch() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ev, err := range rtnl.Watch(ctx, &netlink.Config{ReceiveBuffer: 8 << 20}, rtnl.GroupIPv4Route, rtnl.GroupIPv6Route) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("events were lost: dump the routes again")
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

// WatchConn watches a Conn the caller opened: here one of nltest's fake,
// so that code built on events can be tested without root.
func ExampleWatchConn() {
	fake := nltest.NewRouteFake()
	watch, _ := fake.Dial(&netlink.Config{Groups: []uint32{uint32(rtnl.GroupLink)}})
	defer watch.Close()
	nl, _ := fake.Dial(nil)
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx := context.Background()
	if err := c.AddLink(ctx, rtnl.Link{Name: "w0", Info: &rtnl.UnknownKind{Kind: "ifb"}}); err != nil {
		log.Fatal(err)
	}
	for ev, err := range rtnl.WatchConn(ctx, watch) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(ev.Kind, ev.Link.Name, ev.Deleted)
		break
	}
	// Output: link w0 false
}

// A Mirror keeps the tables current and resynchronises by itself.
func ExampleMirror() {
	m := rtnl.NewMirror(rtnl.MirrorConfig{Routes: true, Links: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		if err := m.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Print(err)
		}
	}()
	<-m.Ready()
	fmt.Println(len(m.Links()) > 0, len(m.Routes()) >= 0, m.Stats().Resyncs)
}

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
