package netlink

import (
	"errors"
	"io/fs"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestBatchResults: a batch spanning several datagrams, with failures at
// known places, reports exactly those indexes with the kernel's errno, and
// applies everything else.
func TestBatchResults(t *testing.T) {
	c, _ := dialRoute(t, &Config{ReceiveBuffer: 64 << 10}) // small: many datagrams
	const n = 5000
	dups := []int{7, 2500, 4999}
	var msgs []Message
	for i := range n {
		j := i
		if slices.Contains(dups, i) {
			j = i - 1 // the same address as the previous request
		}
		msgs = append(msgs, Message{Header: Header{Type: rtmNewAddr, Flags: Create | Excl}, Data: addrMessage(1, j)})
	}
	err := c.Batch(testCtx(t), slices.Values(msgs))
	var be *BatchError
	if !errors.As(err, &be) {
		t.Fatalf("got %v, want *BatchError", err)
	}
	if be.Total != n || len(be.Failures) != len(dups) {
		t.Fatalf("total %d, failures %v", be.Total, be.Failures)
	}
	for k, f := range be.Failures {
		var ne *Error
		if f.Index != dups[k] || !errors.As(f.Err, &ne) || ne.Errno != syscall.EEXIST || ne.Op != "batch" {
			t.Fatalf("failure %d: index %d err %v", k, f.Index, f.Err)
		}
	}
	if !errors.Is(err, fs.ErrExist) {
		t.Fatal("errors.Is(batch error, fs.ErrExist) is false")
	}
	got, err := c.DumpAll(testCtx(t), Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if want := n - len(dups) + 1; len(got) != want {
		t.Fatalf("%d addresses after the batch, want %d", len(got), want)
	}
	// An empty batch is fine.
	if err := c.Batch(testCtx(t), slices.Values([]Message(nil))); err != nil {
		t.Fatal(err)
	}
}

// TestRawDumpsWithoutReading: many dump requests sent raw without reading
// the replies. The kernel refuses all but the first with EBUSY; nothing of
// it leaks into later calls, which get complete results (a typed EBUSY
// while the kernel still runs the stray dump is allowed, then it works).
func TestRawDumpsWithoutReading(t *testing.T) {
	c, _ := dialRoute(t, nil)
	addAddrs(t, c, 0, 1000)
	req := Message{Header: Header{Type: rtmGetAddr, Flags: Request | Dump, Sequence: 0xdead}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}
	for range 50 {
		if err := c.Send(testCtx(t), req); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatalf("request after raw dumps: %v", err)
	}
	busy := 0
	for {
		msgs, err := c.DumpAll(testCtx(t), Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}, 1)
		if errors.Is(err, syscall.EBUSY) {
			var ne *Error
			if !errors.As(err, &ne) {
				t.Fatalf("EBUSY not typed: %v", err)
			}
			if busy++; busy > 100 {
				t.Fatal("EBUSY forever")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(msgs) != 1001 {
			t.Fatalf("%d addresses, want 1001", len(msgs))
		}
		break
	}
	t.Logf("EBUSY seen %d times before the stray dump finished; stale messages dropped %d", busy, c.Stats().Stale)
}
