package netlink

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// raceTestDuration is how long TestDumpRacingReads races: without the gate
// two of three runs saw a short dump within it (under -race, which slows
// the loop seven times, fewer).
const raceTestDuration = 4 * time.Second

// A dump whose request is sent while the same Conn reads replies to other
// requests must still come whole: the kernel queues a dump's first
// datagram after letting go of the lock that orders it, and a recvmsg
// running meanwhile put the dump's NLMSG_DONE ahead of its messages (the
// dump ended empty, its messages arrived after it: 2 dumps in 160,000 here
// before socket.dumpGate). Two goroutines look up a link as fast as they
// can while the test dumps the addresses, again and again, for a while:
// every dump must list every address.
func TestDumpRacingReads(t *testing.T) {
	c, _ := dialRoute(t, nil)
	ctx := testCtx(t)
	for i := range 3 {
		if _, err := c.Execute(ctx, Message{Header: Header{Type: rtmNewAddr, Flags: Create | Excl}, Data: addrMessage(1, i)}); err != nil {
			t.Fatal(err)
		}
	}
	countAddrs := func() (int, error) {
		n := 0
		for m, err := range c.Dump(ctx, Message{Header: Header{Type: rtmGetAddr}, Data: ifaddrmsg(unix.AF_INET, 0, 0)}) {
			if err != nil {
				return n, err
			}
			if m.Header.Type == rtmNewAddr {
				n++
			}
		}
		return n, nil
	}
	want, err := countAddrs()
	if err != nil || want != 4 {
		t.Fatalf("first dump: %d addresses, %v; want 4 (127.0.0.1 and three test addresses)", want, err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	lookups := make([]int, 2) // one counter per goroutine
	for g := range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Execute(ctx, Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(unix.AF_UNSPEC, 1)}); err != nil {
					errs <- fmt.Errorf("lookup: %w", err)
					return
				}
				lookups[g]++
			}
		})
	}
	dumps := 0
	short := 0
	deadline := time.Now().Add(raceTestDuration)
	for time.Now().Before(deadline) {
		n, err := countAddrs()
		if err != nil {
			t.Errorf("dump %d: %v", dumps, err)
			break
		}
		dumps++
		if n != want {
			short++
			if short <= 3 {
				t.Errorf("dump %d listed %d addresses, want %d", dumps, n, want)
			}
		}
	}
	close(stop)
	wg.Wait()
	select {
	case err := <-errs:
		t.Error(err)
	default:
	}
	t.Logf("%d dumps (%d short) beside %d lookups", dumps, short, lookups[0]+lookups[1])
	// The Conn stays usable: no message of a dump is left to confuse the
	// next request.
	if n, err := countAddrs(); err != nil || n != want {
		t.Errorf("dump after the race: %d addresses, %v", n, err)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Error("the test's context ran out")
	}
}

// holdsDumpRequest finds a dump request anywhere in a datagram, and only a
// request asking for a dump with both bits: a NEW request's Replace (0x100)
// shares NLM_F_ROOT's bit and must not hold reads off.
func TestHoldsDumpRequest(t *testing.T) {
	msg := func(f Flags) []byte {
		b, err := AppendMessage(nil, Header{Type: rtmGetAddr, Flags: f}, []byte{1, 2, 3})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"dump", msg(Request | Dump), true},
		{"match only", msg(Request | Match), false},
		{"get", msg(Request | Acknowledge), false},
		{"replace", msg(Request | Replace), false},
		{"create or replace", msg(Request | Create | Replace | Acknowledge), false},
		{"not a request", msg(Dump | Multi), false},
		{"dump second in a batch", cat(msg(Request|Acknowledge), msg(Request|Dump)), true},
		{"batch without one", cat(msg(Request), msg(Request|Create)), false},
		{"short", []byte{1, 2, 3}, false},
		{"bad length", append([]byte{4, 0, 0, 0}, msg(Request | Dump)[4:]...), true},
		{"bad length hides the rest", cat(append([]byte{4, 0, 0, 0}, msg(Request)[4:]...), msg(Request|Dump)), false},
		{"empty", nil, false},
	} {
		if got := holdsDumpRequest(c.b); got != c.want {
			t.Errorf("%s: holdsDumpRequest = %v, want %v", c.name, got, c.want)
		}
	}
}
