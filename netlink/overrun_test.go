package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestOverrun: a subscriber with a tiny receive buffer and a storm of
// changes gets a distinct ErrOverrun, its stream keeps going, and the state
// it rebuilds by dumping again equals a fresh dump.
func TestOverrun(t *testing.T) {
	sub, ns := dialRoute(t, &Config{Groups: []uint32{grpIPv4Addr}, ReceiveBuffer: 4096})
	writer := dialIn(t, ns, nil)
	addAddrs(t, writer, 0, 2000) // the storm; sub is not reading

	ctx := testCtx(t)
	state := map[netip.Addr]bool{}
	overruns, resyncs := 0, 0
	sawLast := false
	resync := func() {
		clear(state)
		msgs, err := sub.DumpAll(ctx, Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}, 5)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			state[addrKey(t, m)] = true
		}
		resyncs++
	}
	resync()
	last := netip.AddrFrom4([4]byte{198, 18, 0x0f, 0xa0}) // index 4000
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for n, err := range sub.Receive(rctx) {
		if errors.Is(err, ErrOverrun) {
			overruns++
			resync()
			if overruns == 1 {
				// After the overrun the stream still delivers: cause one more change.
				addAddrs(t, writer, 4000, 4001)
			}
			continue
		}
		if err != nil {
			t.Fatalf("receive: %v (overruns %d)", err, overruns)
		}
		a := addrKey(t, n.Message)
		switch n.Header.Type {
		case rtmNewAddr:
			state[a] = true
		case rtmDelAddr:
			delete(state, a)
		}
		if a == last {
			sawLast = true
			break
		}
	}
	if overruns == 0 {
		t.Fatal("no overrun was reported")
	}
	if !sawLast {
		t.Fatal("the stream did not deliver the change made after the overrun")
	}
	fresh, err := writer.DumpAll(ctx, Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}, 5)
	if err != nil {
		t.Fatal(err)
	}
	diff := len(fresh) - len(state)
	for _, m := range fresh {
		if !state[addrKey(t, m)] {
			diff++
		}
	}
	t.Logf("overruns induced 1 storm / detected %d / resynchronised %d; state differences %d; Stats %+v", overruns, resyncs-1, diff, sub.Stats())
	if diff != 0 {
		t.Fatalf("mirror differs from a fresh dump: %d entries vs %d", len(state), len(fresh))
	}
}

// TestNoENOBUFSDrops: with NETLINK_NO_ENOBUFS the loss is not reported as
// an error, but KernelDrops counts it.
func TestNoENOBUFSDrops(t *testing.T) {
	sub, ns := dialRoute(t, &Config{Groups: []uint32{grpIPv4Addr}, ReceiveBuffer: 4096, NoENOBUFS: true})
	writer := dialIn(t, ns, nil)
	ctx := testCtx(t)
	before, err := sub.KernelDrops()
	if err != nil {
		t.Fatal(err)
	}
	addAddrs(t, writer, 0, 1000)
	after, err := sub.KernelDrops()
	if err != nil {
		t.Fatal(err)
	}
	if after <= before {
		t.Fatalf("kernel drops %d -> %d, want growth", before, after)
	}
	rctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	for _, err := range sub.Receive(rctx) {
		if errors.Is(err, ErrOverrun) {
			t.Fatal("ErrOverrun with NoENOBUFS")
		}
		if err != nil {
			break
		}
	}
	t.Logf("kernel drops %d -> %d", before, after)
}

// TestSmallBufferBigMessages: a receive buffer far smaller than the
// datagrams: each is measured before it is read, the buffer grows, nothing
// is truncated and the dump is complete.
func TestSmallBufferBigMessages(t *testing.T) {
	c, _ := dialRoute(t, nil)
	addAddrs(t, c, 0, 500)
	c.rpool.Put(newReceiver(64))
	msgs, err := c.DumpAll(testCtx(t), Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 501 {
		t.Fatalf("got %d addresses, want 501", len(msgs))
	}
	for _, m := range msgs {
		if len(m.Data) < 8 || binary.NativeEndian.Uint32(m.Data[4:]) != 1 {
			t.Fatalf("bad message %v", m.Header)
		}
	}
}
