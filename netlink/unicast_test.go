package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"syscall"
	"testing"
	"time"
)

// TestKernelUnicastReachesReceive: a message the kernel sends to the
// socket's port on its own (sequence number 0; here the error answering a
// Send without a sequence number, as NFQUEUE packets, NFLOG entries and
// audit records are) is a notification, not a stale reply: Receive yields
// it, while replies to requests still go to their requests.
func TestKernelUnicastReachesReceive(t *testing.T) {
	c, _ := dialRoute(t, nil)
	ctx := testCtx(t)
	// RTM_GETLINK for an index that does not exist, no ACK asked, seq 0:
	// the kernel answers ENODEV with sequence 0.
	if err := c.Send(ctx, Message{Header: Header{Type: rtmGetLink, Flags: Request}, Data: ifinfomsg(0, 0x7ffffff0)}); err != nil {
		t.Fatal(err)
	}
	// A request meanwhile gets its own reply.
	if _, err := c.Execute(ctx, Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatalf("request beside the unicast: %v", err)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for n, err := range c.Receive(rctx) {
		if err != nil {
			t.Fatalf("receive: %v (stats %+v)", err, c.Stats())
		}
		if n.Header.Type != TypeError || n.Header.Sequence != 0 || n.SenderPort != 0 || n.Group != 0 {
			t.Fatalf("got %v from port %d group %d, want the kernel's error with sequence 0", n.Header, n.SenderPort, n.Group)
		}
		if len(n.Data) < 4 {
			t.Fatalf("error body of %d bytes", len(n.Data))
		}
		if code := int32(binary.NativeEndian.Uint32(n.Data)); syscall.Errno(-code) != syscall.ENODEV {
			t.Fatalf("errno %d, want ENODEV", -code)
		}
		break
	}
	if s := c.Stats(); s.Stale != 0 {
		t.Fatalf("the unicast was counted stale: %+v", s)
	}
}

// TestSendAllocatesNothing: sending to the kernel in steady state
// allocates nothing (NFQUEUE sends a verdict per packet).
func TestSendAllocatesNothing(t *testing.T) {
	c, _ := dialRoute(t, nil)
	ctx := context.Background()
	// NLMSG_NOOP without ACK: the kernel takes it and answers nothing.
	m := Message{Header: Header{Type: TypeNoop, Flags: Request}, Data: make([]byte, 64)}
	var err error
	allocs := testing.AllocsPerRun(1000, func() {
		if e := c.Send(ctx, m); e != nil {
			err = e
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if allocs != 0 && !raceEnabled {
		t.Fatalf("Send allocates %.1f times per call, want 0", allocs)
	}
	c.Close()
	if err := c.Send(ctx, m); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after Close: %v, want ErrClosed", err)
	}
}
