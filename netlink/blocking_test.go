package netlink

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// TestCloseUnblocksReceive: Close while another goroutine is blocked in a
// receive makes it return ErrClosed within 100 ms; Close twice is harmless.
func TestCloseUnblocksReceive(t *testing.T) {
	c, _ := dialRoute(t, &Config{Groups: []uint32{grpLink}})
	errc := make(chan error, 1)
	started := make(chan struct{})
	go func() {
		close(started)
		for _, err := range c.Receive(context.Background()) {
			errc <- err
			return
		}
	}()
	<-started
	time.Sleep(50 * time.Millisecond) // let it block in recvmsg
	t0 := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("blocked receive returned %v, want ErrClosed", err)
		}
		if d := time.Since(t0); d > 100*time.Millisecond {
			t.Fatalf("blocked receive returned after %v, want < 100ms", d)
		}
	case <-time.After(time.Second):
		t.Fatal("blocked receive did not return after Close")
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Execute(context.Background(), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Execute after Close: %v, want ErrClosed", err)
	}
}

// TestDeadlineAndCancel: a ctx deadline or cancellation ends a blocked
// receive with the ctx error, and the Conn works afterwards.
func TestDeadlineAndCancel(t *testing.T) {
	c, _ := dialRoute(t, &Config{Groups: []uint32{grpLink}})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	t0 := time.Now()
	for _, err := range c.Receive(ctx) {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want DeadlineExceeded", err)
		}
		break
	}
	if d := time.Since(t0); d < 40*time.Millisecond || d > time.Second {
		t.Fatalf("deadline took %v", d)
	}

	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	for _, err := range c.Receive(ctx) {
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want Canceled", err)
		}
		break
	}
	// The Conn still works, for requests and for notifications.
	if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatalf("Execute after timeouts: %v", err)
	}
	// An already-expired ctx fails before doing anything.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, err := c.Execute(ctx, Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Execute with cancelled ctx: %v", err)
	}
	if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatalf("Execute after a cancelled one: %v", err)
	}
}

// TestSendWhileReceiveBlocked: a request completes promptly while another
// goroutine is blocked receiving notifications on the same Conn, and the
// notification the request causes still reaches the receiver.
func TestSendWhileReceiveBlocked(t *testing.T) {
	c, _ := dialRoute(t, &Config{Groups: []uint32{grpLink}})
	ctx := testCtx(t)
	got := make(chan Notification, 16)
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		for n, err := range c.Receive(rctx) {
			if err != nil {
				return
			}
			n.Data = append([]byte(nil), n.Data...)
			got <- n
		}
	}()
	time.Sleep(30 * time.Millisecond)
	t0 := time.Now()
	idx := addIfb(t, c, "ifb-notify")
	if d := time.Since(t0); d > 2*time.Second {
		t.Fatalf("requests took %v while a receive was blocked", d)
	}
	select {
	case n := <-got:
		if n.Group != grpLink || n.SenderPort != 0 {
			t.Fatalf("notification from group %d port %d", n.Group, n.SenderPort)
		}
		if i, name := linkName(t, n.Message); i != idx || name != "ifb-notify" {
			t.Fatalf("notification for %d %q, want %d ifb-notify", i, name, idx)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no notification")
	}
}

// TestConcurrentExecute: 16 goroutines x 1000 requests on one Conn, and on
// 16 Conns, each asking for its own link: nobody gets another's reply.
func TestConcurrentExecute(t *testing.T) {
	c, ns := dialRoute(t, nil)
	const G, N = 16, 1000
	idx := make([]int32, G)
	for g := range G {
		idx[g] = addIfb(t, c, fmt.Sprintf("ifb%d", g))
	}
	run := func(t *testing.T, conn func(g int) *Conn) {
		var wg sync.WaitGroup
		errs := make(chan error, G)
		for g := range G {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cc := conn(g)
				for range N {
					msgs, err := cc.Execute(context.Background(), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, idx[g])})
					if err != nil {
						errs <- err
						return
					}
					if len(msgs) != 1 {
						errs <- fmt.Errorf("goroutine %d: %d replies", g, len(msgs))
						return
					}
					if i, name := linkName(t, msgs[0]); i != idx[g] || name != fmt.Sprintf("ifb%d", g) {
						errs <- fmt.Errorf("goroutine %d got link %d %q: misrouted reply", g, i, name)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	t.Run("one Conn", func(t *testing.T) { run(t, func(int) *Conn { return c }) })
	conns := make([]*Conn, G)
	for g := range conns {
		conns[g] = dialIn(t, ns, nil)
	}
	t.Run("16 Conns", func(t *testing.T) { run(t, func(g int) *Conn { return conns[g] }) })
	if s := c.Stats(); s.Forged != 0 || s.Malformed != 0 {
		t.Fatalf("stats %+v", s)
	}
}

// TestConcurrentDumps: two dumps on one Conn at once both complete, and a
// request in between is answered; nobody sees EBUSY.
func TestConcurrentDumps(t *testing.T) {
	c, _ := dialRoute(t, nil)
	link := uint32(1)
	const n = 300
	if err := c.Batch(testCtx(t), func(yield func(Message) bool) {
		for i := range n {
			if !yield(Message{Header: Header{Type: rtmNewAddr, Flags: Create | Excl}, Data: addrMessage(link, i)}) {
				return
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	counts := make([]int, 4)
	errs := make([]error, 4)
	for k := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m, err := range c.Dump(testCtx(t), Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}) {
				if err != nil {
					errs[k] = err
					return
				}
				if m.Header.Type == rtmNewAddr {
					counts[k]++
				}
			}
		}()
	}
	if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	for k := range 4 {
		if errs[k] != nil {
			t.Fatalf("dump %d: %v", k, errs[k])
		}
		if counts[k] != n+1 { // n plus 127.0.0.1
			t.Fatalf("dump %d listed %d addresses, want %d", k, counts[k], n+1)
		}
	}
}

// TestAbandonedDump: a dump abandoned after its first message, or at any
// point of the datagrams read ahead (held for a burst, handed over, the
// last one with the end), then a request and another dump on the same
// Conn: both get complete results.
func TestAbandonedDump(t *testing.T) {
	c, _ := dialRoute(t, nil)
	const n = 6000
	if err := c.Batch(testCtx(t), func(yield func(Message) bool) {
		for i := range n {
			if !yield(Message{Header: Header{Type: rtmNewAddr, Flags: Create | Excl}, Data: addrMessage(1, i)}) {
				return
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
	req := Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}
	for _, stop := range []int{1, 1, 1, 2, 390, 800, 1200, 1700, 2500, 3300, 4100, 5000, 5900, n - 1, n} {
		k := 0
		for _, err := range c.Dump(testCtx(t), req) {
			if err != nil {
				t.Fatal(err)
			}
			if k++; k == stop {
				break
			}
		}
		if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
			t.Fatalf("request after an abandoned dump: %v", err)
		}
		msgs, err := c.DumpAll(testCtx(t), req, 3)
		if err != nil {
			t.Fatalf("dump after an abandoned dump: %v", err)
		}
		if len(msgs) != n+1 {
			t.Fatalf("dump after an abandoned dump: %d messages, want %d", len(msgs), n+1)
		}
	}
	// A dump abandoned through its ctx, mid-way.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := 0
	for _, err := range c.Dump(ctx, req) {
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
			break
		}
		if k++; k == 10 {
			cancel()
		}
	}
	msgs, err := c.DumpAll(testCtx(t), req, 3)
	if err != nil || len(msgs) != n+1 {
		t.Fatalf("dump after a cancelled dump: %d messages, %v", len(msgs), err)
	}
}

// TestAbandonedRequest: a request abandoned before its ACK is read, then
// another request: the second gets its own reply, the first's is dropped.
func TestAbandonedRequest(t *testing.T) {
	c, _ := dialRoute(t, nil)
	w := c.register(kindRequest, 1)
	e := nlattr.NewEncoder(ifinfomsg(0, 0))
	e.String(iflaIfname, "no-such-link")
	b, _ := e.Finish()
	if _, err := c.sendRequest(Message{Header: Header{Type: rtmGetLink, Flags: Request | Acknowledge, Sequence: w.seq}, Data: b}); err != nil {
		t.Fatal(err)
	}
	c.unregister(w) // gave up before reading the ENODEV
	msgs, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)})
	if err != nil {
		t.Fatalf("second request got %v (the first one's error?)", err)
	}
	if i, name := linkName(t, msgs[0]); i != 1 || name != "lo" {
		t.Fatalf("second request got link %d %q", i, name)
	}
	if s := c.Stats(); s.Stale != 1 {
		t.Fatalf("stale replies dropped: %d, want 1", s.Stale)
	}
}

// TestCancelRaceNeverBlocks: contexts cancelled at every moment around the
// start of a receive never leave it blocked (a cancellation that fired
// between taking the reader role and setting the read deadline used to be
// undone by the deadline).
func TestCancelRaceNeverBlocks(t *testing.T) {
	c, _ := dialRoute(t, &Config{Groups: []uint32{grpLink}})
	for i := range 3000 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, err := range c.Receive(ctx) {
				if err != nil {
					return
				}
			}
		}()
		if i%3 == 0 {
			runtime.Gosched()
		}
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("cycle %d: Receive still blocked 5 s after its ctx was cancelled", i)
		}
	}
}
