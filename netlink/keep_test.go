package netlink

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"
)

// TestKeepBeforeOverrun: with Config.KeepBeforeOverrun, the notifications
// queued on the socket before a loss are yielded (from the very first one,
// in order), the loss is reported as ErrOverrun (the kernel reports it
// before the queued messages are read, so it comes first), and nothing is
// discarded.
// NFQUEUE needs this: each of its messages is a packet the kernel holds
// until it gets a verdict.
func TestKeepBeforeOverrun(t *testing.T) {
	sub, ns := dialRoute(t, &Config{Groups: []uint32{grpIPv4Addr}, ReceiveBuffer: 4096, KeepBeforeOverrun: true})
	writer := dialIn(t, ns, nil)
	addAddrs(t, writer, 0, 2000) // the storm; sub is not reading

	ctx, cancel := context.WithTimeout(testCtx(t), time.Second)
	defer cancel()
	var got []netip.Addr
	overruns := 0
	for n, err := range sub.Receive(ctx) {
		if errors.Is(err, ErrOverrun) {
			overruns++
			continue
		}
		if errors.Is(err, context.DeadlineExceeded) {
			break // the queue was read through
		}
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		got = append(got, addrKey(t, n.Message))
	}
	if overruns == 0 {
		t.Fatal("no overrun reported")
	}
	if len(got) == 0 {
		t.Fatal("nothing queued before the loss was yielded")
	}
	for i, a := range got {
		if want := netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}); a != want {
			t.Fatalf("notification %d is %v, want %v (the queue's order)", i, a, want)
		}
	}
	if s := sub.Stats(); s.Discarded != 0 {
		t.Fatalf("%d notifications discarded: %+v", s.Discarded, s)
	}
	t.Logf("%d notifications queued before the loss were yielded with %d overrun(s)", len(got), overruns)
}
