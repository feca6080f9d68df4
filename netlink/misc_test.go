package netlink

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// TestTrace: the trace hook sees every message sent and received with its
// header; SlogTrace logs them.
func TestTrace(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	var logbuf bytes.Buffer
	slogTrace := SlogTrace(slog.New(slog.NewTextHandler(&logbuf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	c, _ := dialRoute(t, &Config{Trace: func(d Direction, m Message) {
		mu.Lock()
		seen = append(seen, d.String()+" "+m.Header.Type.String())
		mu.Unlock()
		slogTrace(d, m)
	}})
	if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatal(err)
	}
	want := []string{"send type(18)", "recv type(16)", "recv error"}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("traced %q, want %q", seen, want)
	}
	if !strings.Contains(logbuf.String(), "netlink send") || !strings.Contains(logbuf.String(), "seq=1") {
		t.Fatalf("slog output: %s", logbuf.String())
	}
}

// TestListenAllNSID: with LISTEN_ALL_NSID, a notification from another
// namespace carries the id this namespace gave it.
func TestListenAllNSID(t *testing.T) {
	a := kerneltest.NetNS(t)
	b := kerneltest.NetNS(t)
	ca := dialIn(t, a, &Config{Groups: []uint32{grpLink}, ListenAllNSID: true})
	cb := dialIn(t, b, nil)
	// RTM_NEWNSID in a: give b the id 7 (struct rtgenmsg + NETNSA_FD, NETNSA_NSID).
	const rtmNewNSID, netnsaNSID, netnsaFD = 88, 1, 3
	e := nlattr.NewEncoder([]byte{unix.AF_UNSPEC, 0, 0, 0})
	e.Uint32(netnsaFD, uint32(b.Fd()))
	e.Int32(netnsaNSID, 7)
	body, _ := e.Finish()
	if _, err := ca.Execute(testCtx(t), Message{Header: Header{Type: rtmNewNSID}, Data: body}); err != nil {
		t.Fatal(err)
	}
	idx := addIfb(t, cb, "ifb-nsid")
	ctx, cancel := context.WithTimeout(testCtx(t), 5*time.Second)
	defer cancel()
	for n, err := range ca.Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n.Header.Type != rtmNewLink {
			continue
		}
		if i := int32(binary.NativeEndian.Uint32(n.Data[4:])); i != idx {
			continue
		}
		if n.NSID != 7 {
			t.Fatalf("notification from b has NSID %d, want 7", n.NSID)
		}
		return
	}
}

// TestEventsStayInNamespace: a change in namespace A is seen by a watcher
// in A and not by one in B.
func TestEventsStayInNamespace(t *testing.T) {
	a := kerneltest.NetNS(t)
	b := kerneltest.NetNS(t)
	wa := dialIn(t, a, &Config{Groups: []uint32{grpLink}})
	wb := dialIn(t, b, &Config{Groups: []uint32{grpLink}})
	addIfb(t, dialIn(t, a, nil), "ifb-a")
	ctx, cancel := context.WithTimeout(testCtx(t), 2*time.Second)
	defer cancel()
	gotA := false
	for _, err := range wa.Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		gotA = true
		break
	}
	ctxB, cancelB := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancelB()
	for n, err := range wb.Receive(ctxB) {
		if err == nil {
			t.Fatalf("watcher in B saw %v", n.Header)
		}
		break
	}
	if !gotA {
		t.Fatal("watcher in A saw nothing")
	}
}

// TestConfigSocketOptions: an explicit port ID, SOCK_DGRAM, and the
// options turned off still give a working Conn.
func TestConfigSocketOptions(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := dialIn(t, ns, &Config{PortID: 0x4e4c4b, Datagram: true, DisableStrictCheck: true, DisableExtendedAck: true, DisableCapAck: true, ReceiveBuffer: 1 << 20, SendBuffer: 1 << 20})
	if c.PortID() != 0x4e4c4b {
		t.Fatalf("port %#x", c.PortID())
	}
	if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatal(err)
	}
	// Without extended ACK the error still carries the errno.
	e := nlattr.NewEncoder(ifinfomsg(0, 0))
	e.String(iflaIfname, "missing0")
	b, _ := e.Finish()
	_, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: b})
	var ne *Error
	if !errors.As(err, &ne) || ne.Errno != unix.ENODEV || ne.Message != "" {
		t.Fatalf("got %#v", err)
	}
	// The same port twice in one namespace is refused.
	if _, err := Dial(unix.NETLINK_ROUTE, &Config{NetNS: ns, PortID: 0x4e4c4b}); !errors.Is(err, unix.EADDRINUSE) {
		t.Fatalf("second Dial on the same port: %v", err)
	}
}

// TestGroupJoinsCounted: two joins of one group need two leaves before the
// socket stops receiving it.
func TestGroupJoinsCounted(t *testing.T) {
	c, ns := dialRoute(t, nil)
	for range 2 {
		if err := c.JoinGroup(grpLink); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.LeaveGroup(grpLink); err != nil {
		t.Fatal(err)
	}
	writer := dialIn(t, ns, nil)
	addIfb(t, writer, "ifb-join")
	ctx, cancel := context.WithTimeout(testCtx(t), 2*time.Second)
	defer cancel()
	for _, err := range c.Receive(ctx) {
		if err != nil {
			t.Fatalf("still joined once, but: %v", err)
		}
		break
	}
	if err := c.LeaveGroup(grpLink); err != nil {
		t.Fatal(err)
	}
	if err := c.LeaveGroup(grpLink); err == nil {
		t.Fatal("leaving a group joined no more succeeded")
	}
	addIfb(t, writer, "ifb-join2")
	ctx2, cancel2 := context.WithTimeout(testCtx(t), 200*time.Millisecond)
	defer cancel2()
	for n, err := range c.Receive(ctx2) {
		if err == nil {
			t.Fatalf("received %v after leaving", n.Header)
		}
		break
	}
}
