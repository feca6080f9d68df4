package netlink

import (
	"context"
	"errors"
	"io/fs"
	"runtime"
	"slices"
	"sync/atomic"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestBatchResults: a batch spanning several datagrams, with failures at
// known places, reports exactly those indexes with the kernel's errno, and
// applies everything else.
//
// With two processors or more, datagrams after the first are sent by a
// goroutine of their own while the caller's encodes the next; with one,
// all by the caller's: the results are the same.
func TestBatchResults(t *testing.T) {
	t.Run("pipelined", testBatchResults)
	t.Run("GOMAXPROCS=1", func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		testBatchResults(t)
	})
}

func testBatchResults(t *testing.T) {
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

// TestBatchStopsOnSendError: when a datagram's results cannot be had (here
// the context ends while the batch runs), Batch returns that error, stops
// taking requests within the datagrams already encoded, and the iterator
// never runs after Batch returned; the kernel holds no more than was taken.
func TestBatchStopsOnSendError(t *testing.T) {
	c, _ := dialRoute(t, &Config{ReceiveBuffer: 64 << 10})
	ctx, cancel := context.WithCancel(testCtx(t))
	const n, cancelAt = 20000, 3000
	var taken, afterReturn atomic.Int64
	var returned atomic.Bool
	reqs := func(yield func(Message) bool) {
		for i := range n {
			if returned.Load() {
				afterReturn.Add(1)
			}
			taken.Add(1)
			if i == cancelAt {
				cancel()
			}
			if !yield(Message{Header: Header{Type: rtmNewAddr, Flags: Create | Excl}, Data: addrMessage(1, i)}) {
				return
			}
		}
	}
	err := c.Batch(ctx, reqs)
	returned.Store(true)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if afterReturn.Load() != 0 {
		t.Fatalf("the iterator ran %d times after Batch returned", afterReturn.Load())
	}
	// 64 KiB of receive buffer: at most 64 requests a datagram. The send
	// that fails is of the datagram the context ended in or the one
	// before; the encoder stops when it has filled the next one.
	if got := taken.Load(); got > cancelAt+1+3*64 {
		t.Fatalf("%d requests taken after the context ended at #%d", got, cancelAt)
	}
	got, err := c.DumpAll(testCtx(t), Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) > taken.Load()+1 {
		t.Fatalf("%d addresses, more than the %d requests taken", len(got), taken.Load())
	}
	t.Logf("context ended at request #%d: %d taken, %d addresses applied", cancelAt, taken.Load(), len(got))
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
