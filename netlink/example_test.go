package netlink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"slices"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
	"golang.org/x/sys/unix"
)

// rtmGetLink and friends come from linux/rtnetlink.h; package rtnl models
// them, these examples speak the raw protocol.
const (
	rtmNewLink   = 16
	rtmGetLink   = 18
	rtmNewAddr   = 20
	iflaIfname   = 3
	iflaLinkinfo = 18
	iflaInfoKind = 1
	rtnlgrpLink  = 1
)

// Encoding and parsing messages needs no socket.
func ExampleAppendMessage() {
	b, _ := netlink.AppendMessage(nil, netlink.Header{Type: rtmGetLink, Flags: netlink.Request | netlink.Dump, Sequence: 1}, make([]byte, 16))
	msgs, err := netlink.AppendParse(nil, b)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(b), msgs[0].Header)
	// Output: 32 {len=32 type=type(18) flags=request|root|match seq=1 pid=0}
}

// Dump lists the links of a fresh network namespace.
func ExampleConn_Dump() {
	ns, err := netns.New()
	if err != nil {
		log.Fatal(err)
	}
	defer ns.Close()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	req := netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: make([]byte, 16)} // struct ifinfomsg
	for m, err := range c.Dump(context.Background(), req) {
		if err != nil {
			log.Fatal(err)
		}
		d := nlattr.NewDecoder(m.Data[16:])
		for d.Next() {
			if d.Type() == iflaIfname {
				fmt.Println(d.String())
			}
		}
	}
}

// Execute sends one request and waits for its acknowledgement; the kernel's
// refusal comes back as *netlink.Error with its explanation.
func ExampleConn_Execute() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	e := nlattr.NewEncoder(make([]byte, 16)) // struct ifinfomsg, no index
	e.String(iflaIfname, "no-such-link0")
	body, _ := e.Finish()
	_, err = c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: body})
	var ne *netlink.Error
	if errors.As(err, &ne) {
		fmt.Println(ne.Errno, ne.Message)
	}
}

// Batch adds many objects with one sendmsg per few thousand and reports
// which failed.
func ExampleConn_Batch() {
	ns, _ := netns.New()
	defer ns.Close()
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var reqs []netlink.Message
	for i := range 1000 {
		e := nlattr.NewEncoder([]byte{unix.AF_INET, 32, 0, 0, 1, 0, 0, 0}) // ifaddrmsg on lo
		e.Bytes(2 /* IFA_LOCAL */, []byte{198, 18, byte(i >> 8), byte(i)})
		body, _ := e.Finish()
		reqs = append(reqs, netlink.Message{Header: netlink.Header{Type: rtmNewAddr, Flags: netlink.Create | netlink.Excl}, Data: body})
	}
	reqs = append(reqs, reqs[0]) // a duplicate: fails with EEXIST
	err = c.Batch(context.Background(), slices.Values(reqs))
	var be *netlink.BatchError
	if errors.As(err, &be) {
		for _, f := range be.Failures {
			fmt.Println(f.Index, errors.Is(f.Err, fs.ErrExist))
		}
	}
}

// Receive streams notifications; on ErrOverrun some were lost, and the
// consumer dumps again and goes on: nothing older than the loss follows
// the error, so a copy rebuilt then and updated by what follows is right.
// This runs on rtnltest's fake kernel, which can force an overrun; with the
// kernel, the Conn comes from netlink.Dial(unix.NETLINK_ROUTE, cfg).
func ExampleConn_Receive() {
	fake := rtnltest.NewFake()
	c, err := fake.Dial(&netlink.Config{Groups: []uint32{rtnlgrpLink}}) // joined before the dump
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	dump := func() {
		msgs, err := c.DumpAll(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: make([]byte, 16)}, 5)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("dumped", len(msgs), "links")
	}
	dump()
	// Another program adds a link; its notification is lost.
	other, _ := fake.Dial(nil)
	e := nlattr.NewEncoder(make([]byte, 16))
	e.String(iflaIfname, "r0")
	e.Nest(iflaLinkinfo)
	e.String(iflaInfoKind, "ifb")
	e.End()
	body, _ := e.Finish()
	if _, err := other.Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmNewLink, Flags: netlink.Create | netlink.Excl}, Data: body}); err != nil {
		log.Fatal(err)
	}
	other.Close()
	fake.Server().Overrun()

	rctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	for n, err := range c.Receive(rctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Println("notifications were lost")
			dump()
			continue
		}
		if err != nil {
			break // rctx's end, or Close
		}
		fmt.Println("notification", n.Header.Type)
	}
	// Output:
	// dumped 1 links
	// notifications were lost
	// dumped 2 links
}

// SendTo and Receive connect user processes over NETLINK_USERSOCK.
func ExampleConn_SendTo() {
	a, _ := netlink.Dial(unix.NETLINK_USERSOCK, &netlink.Config{AcceptPeers: true})
	defer a.Close()
	b, _ := netlink.Dial(unix.NETLINK_USERSOCK, &netlink.Config{AcceptPeers: true})
	defer b.Close()
	ctx := context.Background()
	if err := a.SendTo(ctx, netlink.Message{Header: netlink.Header{Type: 0x20}, Data: []byte("hi")}, b.PortID(), 0); err != nil {
		log.Fatal(err)
	}
	for n, err := range b.Receive(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s from %d\n", n.Data, n.SenderPort)
		break
	}
}

// DumpAll collects a dump, redoing it when concurrent changes interrupted it.
func ExampleConn_DumpAll() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	msgs, err := c.DumpAll(context.Background(), netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: make([]byte, 16)}, 3)
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		fmt.Println("the links kept changing")
		return
	}
	fmt.Println(len(msgs) > 0, err)
}

// JoinGroup and LeaveGroup subscribe a Conn to a multicast group for a
// while; joins are counted, so each JoinGroup needs its own LeaveGroup.
func ExampleConn_JoinGroup() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.JoinGroup(rtnlgrpLink); err != nil {
		log.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	for n, err := range c.Receive(ctx) {
		if err != nil {
			break
		}
		fmt.Println("link notification", n.Header.Type)
	}
	if err := c.LeaveGroup(rtnlgrpLink); err != nil {
		log.Fatal(err)
	}
}

// LeaveGroup undoes one join; leaving a group that was not joined fails.
func ExampleConn_LeaveGroup() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: []uint32{rtnlgrpLink}})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println(c.LeaveGroup(rtnlgrpLink) == nil, c.LeaveGroup(rtnlgrpLink) == nil)
	// Output: true false
}

// Send is for protocols without acknowledgements, such as user-space
// peers on NETLINK_USERSOCK; the datagram goes to the kernel, which has
// no listener on USERSOCK and drops it.
func ExampleConn_Send() {
	c, err := netlink.Dial(unix.NETLINK_USERSOCK, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.Send(context.Background(), netlink.Message{Header: netlink.Header{Type: 0x20}, Data: []byte("ping")})
	fmt.Println(err)
}

// KernelDrops and Stats tell what was lost: by the kernel (a full receive
// buffer) and by the Conn itself (forged, stale or malformed datagrams).
func ExampleConn_KernelDrops() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: []uint32{rtnlgrpLink}, NoENOBUFS: true})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	drops, err := c.KernelDrops()
	if err != nil {
		log.Fatal(err)
	}
	s := c.Stats()
	fmt.Println(drops, s.Overruns, s.Forged, s.Malformed)
	// Output: 0 0 0 0
}

// RetryInterrupted redoes a dump that concurrent changes interrupted,
// here one that builds a map as it reads.
func ExampleRetryInterrupted() {
	c, err := netlink.Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var names map[int32]string
	err = netlink.RetryInterrupted(ctx, 3, func() error {
		names = map[int32]string{} // start afresh on every attempt
		for m, err := range c.Dump(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetLink}, Data: make([]byte, 16)}) {
			if err != nil {
				return err
			}
			if len(m.Data) < 16 {
				continue
			}
			d := nlattr.NewDecoder(m.Data[16:])
			for d.Next() {
				if d.Type() == iflaIfname {
					names[int32(binary.NativeEndian.Uint32(m.Data[4:8]))] = d.String()
				}
			}
		}
		return nil
	})
	fmt.Println(len(names) > 0, err)
}
