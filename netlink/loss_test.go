package netlink

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// recoveringConsumer is the pattern Receive documents, run as a user would
// write it: the subscription is in place (sub joined its group at Dial);
// dump (on another Conn, as with a watcher socket of its own), apply the
// notifications; on ErrOverrun dump again and go on. start, if set, runs
// after the first dump. It returns the addresses the consumer believes
// exist once the stream has been quiet for quiet, and the overruns seen.
func recoveringConsumer(t *testing.T, sub, dumper *Conn, quiet time.Duration, start func()) (map[netip.Addr]bool, int) {
	t.Helper()
	state := kernelAddrs(t, dumper)
	if start != nil {
		start()
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	timer := time.AfterFunc(quiet, cancel)
	defer timer.Stop()
	overruns := 0
	for n, err := range sub.Receive(ctx) {
		if errors.Is(err, ErrOverrun) {
			overruns++
			state = kernelAddrs(t, dumper)
			timer.Reset(quiet)
			continue
		}
		if err != nil {
			break
		}
		timer.Reset(quiet)
		switch a := addrKey(t, n.Message); n.Header.Type {
		case rtmNewAddr:
			state[a] = true
		case rtmDelAddr:
			delete(state, a)
		}
	}
	return state, overruns
}

// changeAddrs adds (or replaces) or removes addresses from..to-1 on lo in
// one batch; removing an address that is not there fails for that index
// only.
func changeAddrs(t *testing.T, c *Conn, from, to int, add bool) {
	t.Helper()
	h := Header{Type: rtmDelAddr}
	if add {
		h = Header{Type: rtmNewAddr, Flags: Create | Replace}
	}
	err := c.Batch(testCtx(t), func(yield func(Message) bool) {
		for i := from; i < to; i++ {
			if !yield(Message{Header: h, Data: addrMessage(1, i)}) {
				return
			}
		}
	})
	var be *BatchError
	if err != nil && (add || !errors.As(err, &be)) {
		t.Fatal(err)
	}
}

// kernelAddrs dumps the IPv4 addresses the kernel has.
func kernelAddrs(t *testing.T, c *Conn) map[netip.Addr]bool {
	t.Helper()
	// Under churn dumps are often interrupted; each retry is cheap.
	msgs, err := c.DumpAll(testCtx(t), Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}, 1000)
	if err != nil {
		t.Error(err) // may run on the consumer's goroutine
		return nil
	}
	out := map[netip.Addr]bool{}
	for _, m := range msgs {
		out[addrKey(t, m)] = true
	}
	return out
}

func sameAddrs(a, b map[netip.Addr]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestOverrunDiscardsOlderNotifications: addresses are added and then all
// removed while a subscriber with a small buffer does not read. Its queue
// holds some of the additions, queued before the loss; the removals are
// lost. A consumer following the documented pattern (on ErrOverrun, dump
// again and go on) must not apply those older additions on top of its
// fresh dump: they would leave it with addresses the kernel no longer has.
func TestOverrunDiscardsOlderNotifications(t *testing.T) {
	runs, equal := 0, 0
	for run := range 5 {
		sub, ns := dialRoute(t, &Config{Groups: []uint32{grpIPv4Addr}, ReceiveBuffer: 4096})
		writer := dialIn(t, ns, nil)
		base := run * 1000
		state, overruns := recoveringConsumer(t, sub, writer, 300*time.Millisecond, func() {
			changeAddrs(t, writer, base, base+500, true)
			changeAddrs(t, writer, base, base+500, false)
		})
		runs++
		if overruns == 0 {
			t.Fatalf("run %d: no overrun reported", run)
		}
		if want := kernelAddrs(t, writer); sameAddrs(state, want) {
			equal++
		} else {
			t.Errorf("run %d: consumer has %d addresses, the kernel %d (overruns %d, %+v)", run, len(state), len(want), overruns, sub.Stats())
		}
		if sub.Stats().Discarded == 0 {
			t.Errorf("run %d: nothing was discarded though the queue held notifications older than the loss", run)
		}
	}
	t.Logf("documented recovery pattern after a storm: %d runs, %d equal to the kernel", runs, equal)
}

// TestOverrunRecoveryUnderChurn: the documented pattern while a writer keeps
// adding and removing addresses in bursts that overrun a small buffer;
// after the writer stops, the consumer's table equals the kernel's.
func TestOverrunRecoveryUnderChurn(t *testing.T) {
	runs, equal, totalOverruns := 0, 0, 0
	for run := range 4 {
		sub, ns := dialRoute(t, &Config{Groups: []uint32{grpIPv4Addr}, ReceiveBuffer: 8192})
		writer := dialIn(t, ns, nil)
		churn := dialIn(t, ns, nil)
		started := make(chan struct{})
		var wg sync.WaitGroup
		var state map[netip.Addr]bool
		var overruns int
		wg.Go(func() {
			state, overruns = recoveringConsumer(t, sub, writer, time.Second, func() { close(started) })
		})
		<-started
		for burst := range 20 {
			add := (burst % 7) * 300
			changeAddrs(t, churn, add, add+300, true)
			del := (burst*3 + run) % 7 * 300
			changeAddrs(t, churn, del, del+300, false)
		}
		wg.Wait()
		runs++
		totalOverruns += overruns
		if want := kernelAddrs(t, writer); sameAddrs(state, want) {
			equal++
		} else {
			t.Errorf("run %d: consumer has %d addresses, the kernel %d (overruns %d)", run, len(state), len(want), overruns)
		}
	}
	t.Logf("documented recovery pattern under churn: %d runs, %d equal, %d overruns", runs, equal, totalOverruns)
}

// TestDumpStopsAtCloseAndCancel: a dump with a slow consumer, on a Conn
// whose read-ahead has thousands of messages in hand, ends within one
// message of Close or of its ctx's end, with ErrClosed or ctx's error.
func TestDumpStopsAtCloseAndCancel(t *testing.T) {
	writer, ns := dialRoute(t, nil)
	changeAddrs(t, writer, 0, 6000, true)
	req := Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}
	for _, how := range []string{"close", "cancel"} {
		c := dialIn(t, ns, nil)
		ctx, cancel := context.WithCancel(testCtx(t))
		var stopped time.Time
		k, after := 0, 0
		var end error
		for _, err := range c.Dump(ctx, req) {
			if err != nil {
				end = err
				break
			}
			if !stopped.IsZero() {
				after++
			}
			if k++; k == 50 {
				time.Sleep(50 * time.Millisecond) // let read-ahead fill its buffers
				stopped = time.Now()
				if how == "close" {
					c.Close()
				} else {
					cancel()
				}
			}
			time.Sleep(100 * time.Microsecond) // a slow loop body
		}
		took := time.Since(stopped)
		cancel()
		want := ErrClosed
		if how == "cancel" {
			want = context.Canceled
		}
		if !errors.Is(end, want) {
			t.Errorf("%s: the dump ended with %v, want %v", how, end, want)
		}
		if after > 1 {
			t.Errorf("%s: %d messages yielded after it", how, after)
		}
		t.Logf("%s during a dump: %d messages after it, the dump ended %v later", how, after, took)
		if how == "cancel" {
			// The Conn goes on: the next dump is whole.
			if msgs, err := c.DumpAll(testCtx(t), req, 5); err != nil || len(msgs) != 6001 {
				t.Fatalf("dump after a cancelled one: %d messages, %v", len(msgs), err)
			}
		}
	}
}

// silentPeer is a Transport whose peer answers the first dump with a few
// messages and never ends it; every later request gets a whole reply.
type silentPeer struct {
	mu       sync.Mutex
	queue    [][]byte
	wake     chan struct{}
	deadline time.Time
	closed   bool
	dumps    int
}

func newSilentPeer() *silentPeer { return &silentPeer{wake: make(chan struct{}, 1)} }

func (p *silentPeer) Send(b []byte, port, group uint32) error {
	msgs, err := AppendParse(nil, b)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range msgs {
		var out []byte
		reply := func(typ MessageType, data []byte) {
			out, _ = AppendMessage(out, Header{Type: typ, Flags: Multi, Sequence: m.Header.Sequence}, data)
		}
		if m.Header.Flags&Dump != 0 {
			p.dumps++
			for range 3 {
				reply(rtmNewLink, ifinfomsg(0, 1))
			}
			if p.dumps > 1 {
				reply(TypeDone, make([]byte, 4))
			}
		} else {
			ack := make([]byte, 4, 20)
			hdr, _ := AppendMessage(nil, m.Header, nil)
			reply(TypeError, append(ack, hdr[:16]...))
		}
		p.queue = append(p.queue, out)
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

func (p *silentPeer) Receive(b []byte) (int, Source, error) {
	for {
		p.mu.Lock()
		switch {
		case p.closed:
			p.mu.Unlock()
			return 0, Source{}, ErrClosed
		case len(p.queue) > 0:
			d := p.queue[0]
			if len(d) > len(b) {
				p.mu.Unlock()
				return len(d), Source{NSID: -1}, nil
			}
			p.queue = p.queue[1:]
			p.mu.Unlock()
			return copy(b, d), Source{NSID: -1}, nil
		}
		var timeout <-chan time.Time
		if !p.deadline.IsZero() {
			d := time.Until(p.deadline)
			if d <= 0 {
				p.mu.Unlock()
				return 0, Source{}, os.ErrDeadlineExceeded
			}
			tm := time.NewTimer(d)
			defer tm.Stop()
			timeout = tm.C
		}
		p.mu.Unlock()
		select {
		case <-p.wake:
		case <-timeout:
		}
	}
}

func (p *silentPeer) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	p.deadline = t
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

func (p *silentPeer) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return nil
}

func (p *silentPeer) PortID() uint32          { return 1234 }
func (p *silentPeer) JoinGroup(uint32) error  { return nil }
func (p *silentPeer) LeaveGroup(uint32) error { return nil }

// TestDumpWithoutDone: a peer that never ends a dump (only a fake or a
// custom Transport can) does not block the Conn: after that dump is
// abandoned, a request and the next dump, even without a deadline, succeed.
func TestDumpWithoutDone(t *testing.T) {
	c, err := NewConn(newSilentPeer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 0)}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	n := 0
	var end error
	for _, err := range c.Dump(ctx, req) {
		if err != nil {
			end = err
			break
		}
		n++
	}
	cancel()
	if n != 3 || !errors.Is(end, context.DeadlineExceeded) {
		t.Fatalf("first dump: %d messages, ended with %v", n, end)
	}
	if _, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
		t.Fatalf("request after the unended dump: %v", err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		msgs, err := c.DumpAll(context.Background(), req, 1)
		if err == nil && len(msgs) != 3 {
			err = errors.New("wrong number of messages")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("next dump: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the next dump is still blocked behind the one that never ended")
	}
	t.Logf("the next dump went ahead after %v", time.Since(start))
}

// TestReceiveStopsAtClose: notifications already read off the socket and
// held for Receive are not handed out after Close or after ctx's end.
func TestReceiveStopsAtClose(t *testing.T) {
	for _, how := range []string{"close", "cancel"} {
		sub, ns := dialRoute(t, &Config{Groups: []uint32{grpIPv4Addr}})
		writer := dialIn(t, ns, nil)
		changeAddrs(t, writer, 0, 100, true)
		// A request reads the socket: the notifications queued ahead of
		// its reply are held for Receive.
		if _, err := sub.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(testCtx(t))
		want := error(ErrClosed)
		if how == "close" {
			sub.Close()
		} else {
			cancel()
			want = context.Canceled
		}
		n := 0
		var end error
		for _, err := range sub.Receive(ctx) {
			if err != nil {
				end = err
				break
			}
			n++
		}
		cancel()
		if n != 0 || !errors.Is(end, want) {
			t.Errorf("%s: %d notifications yielded, then %v; want none, then %v", how, n, end, want)
		}
	}
}

// TestDecodeNotifications: the one rule of typed streams.
func TestDecodeNotifications(t *testing.T) {
	bad := errors.New("bad")
	in := func(yield func(int, error) bool) {
		for _, it := range []struct {
			n   int
			err error
		}{{1, nil}, {0, ErrOverrun}, {2, nil}, {3, nil}, {4, nil}, {0, ErrClosed}, {5, nil}} {
			if !yield(it.n, it.err) {
				return
			}
		}
	}
	decode := func(n int) (string, bool, error) {
		switch n {
		case 2:
			return "", false, nil // not ours
		case 3:
			return "", false, bad
		}
		return strconv.Itoa(n), true, nil
	}
	var got []string
	for v, err := range DecodeNotifications(in, decode) {
		if err != nil {
			got = append(got, "err:"+err.Error())
			continue
		}
		got = append(got, v)
	}
	want := []string{"1", "err:" + ErrOverrun.Error(), "err:bad", "4", "err:" + ErrClosed.Error()}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	// Breaking out stops the input.
	n := 0
	for range DecodeNotifications(in, decode) {
		n++
		break
	}
	if n != 1 {
		t.Fatal(n)
	}
}

// TestReceiveAfterReceive: a Receive started as soon as the previous one
// returns does not race it for the mailbox's receive buffer (go test -race):
// goroutines take turns, each Receive taking one notification.
func TestReceiveAfterReceive(t *testing.T) {
	sub, ns := dialRoute(t, &Config{Groups: []uint32{grpIPv4Addr}, ReceiveBuffer: 4 << 20})
	writer := dialIn(t, ns, nil)
	const n = 400
	changeAddrs(t, writer, 0, n, true)
	var taken sync.WaitGroup
	var mu sync.Mutex
	left := n
	for range 4 {
		taken.Go(func() {
			for {
				mu.Lock()
				done := left == 0
				mu.Unlock()
				if done {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
				for _, err := range sub.Receive(ctx) {
					if err == nil {
						mu.Lock()
						left--
						mu.Unlock()
					} else if !errors.Is(err, ErrReceiveBusy) {
						mu.Lock()
						if left > 0 { // (the last ones out wait for nothing)
							t.Errorf("%v with %d notifications still to come", err, left)
							left = 0
						}
						mu.Unlock()
					}
					break
				}
				cancel()
			}
		})
	}
	taken.Wait()
}
