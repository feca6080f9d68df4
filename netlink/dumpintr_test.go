package netlink

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDumpInterrupted: a dump of thousands of addresses while another
// goroutine keeps changing them. The kernel flags some dumps with
// NLM_F_DUMP_INTR: each must end in ErrDumpInterrupted, never in success;
// RetryInterrupted/DumpAll get a consistent dump within a bound once the
// changes stop.
func TestDumpInterrupted(t *testing.T) {
	c, ns := dialRoute(t, nil)
	writer := dialIn(t, ns, nil)
	const n = 3000
	req := Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}
	add := func(i int) Message {
		return Message{Header: Header{Type: rtmNewAddr, Flags: Create | Excl}, Data: addrMessage(1, i)}
	}
	if err := writer.Batch(testCtx(t), func(yield func(Message) bool) {
		for i := range n {
			if !yield(add(i)) {
				return
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(testCtx(t))
	var wg sync.WaitGroup
	var changes atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := n; ctx.Err() == nil; i++ {
			j := n + i%50
			del := Message{Header: Header{Type: rtmDelAddr}, Data: addrMessage(1, j)}
			writer.Execute(ctx, add(j))
			writer.Execute(ctx, del)
			changes.Add(2)
		}
	}()
	var interrupted, complete, partialAsSuccess int
	for range 200 {
		count := 0
		var err error
		for m, e := range c.Dump(testCtx(t), req) {
			if e != nil {
				err = e
				break
			}
			if m.Header.Type == rtmNewAddr {
				count++
			}
		}
		switch {
		case errors.Is(err, ErrDumpInterrupted):
			interrupted++
		case err != nil:
			t.Fatal(err)
		default:
			complete++
			if count < n+1 {
				partialAsSuccess++
			}
		}
		if interrupted >= 3 {
			break
		}
	}
	stop()
	wg.Wait()
	t.Logf("dumps: %d interrupted, %d complete, %d partial reported as success; %d concurrent changes",
		interrupted, complete, partialAsSuccess, changes.Load())
	if partialAsSuccess != 0 {
		t.Fatalf("%d partial dumps were reported as success", partialAsSuccess)
	}
	if interrupted == 0 {
		t.Fatalf("no dump was interrupted in %d tries; the kernel did not flag NLM_F_DUMP_INTR", complete)
	}
	// With the changes stopped, the bounded retry gets a consistent dump.
	msgs, err := c.DumpAll(testCtx(t), req, 5)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(msgs); got < n+1 {
		t.Fatalf("DumpAll: %d addresses, want at least %d", got, n+1)
	}
}
