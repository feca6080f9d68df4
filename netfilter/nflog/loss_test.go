package nflog

import (
	"context"
	"errors"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// Loss: a tiny receive buffer under a flood. The kernel drops datagrams;
// the stream reports ENOBUFS as netlink.ErrOverrun (unless NoENOBUFS hides
// it) and, from the sequence numbers, how many entries were lost, and goes
// on: entries seen plus entries counted lost is every packet logged.
func TestLoss(t *testing.T) {
	for _, tc := range []struct {
		name      string
		noENOBUFS bool
	}{{"enobufs", false}, {"no-enobufs", true}} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t)
			logRule(t, p, 12, 9999, "flood", "")
			c := dial(t, p.b, Config{Group: 12, Flags: FlagSeq,
				Netlink: &netlink.Config{ReceiveBuffer: 4096, NoENOBUFS: tc.noENOBUFS}})
			s := sender(t, p.a, "udp4")
			const n = 3000
			send(t, s, addrB4, 9999, n, payloadN) // nobody reads meanwhile

			var entries, lost, overruns, lossErrors int
			final := []byte("final")
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			sentFinal := false
			done := make(chan struct{})
			go func() {
				// Once the flood is read, one more packet: its sequence
				// number tells how many were lost after the last one seen.
				time.Sleep(500 * time.Millisecond)
				send(t, s, addrB4, 9999, 1, func(int) []byte { return final })
				close(done)
			}()
			for e, err := range c.Entries(ctx) {
				var le *LossError
				switch {
				case errors.As(err, &le):
					lossErrors++
					lost += int(le.Lost)
					if !errors.Is(err, netlink.ErrOverrun) {
						t.Errorf("%v does not match netlink.ErrOverrun", err)
					}
					continue
				case errors.Is(err, netlink.ErrOverrun):
					overruns++
					continue
				case err != nil:
					t.Fatalf("stream ended: %v (entries %d, lost %d)", err, entries, lost)
				}
				entries++
				if string(udpPayload(e.Payload)) == string(final) {
					sentFinal = true
					if e.Seq != n {
						t.Errorf("final entry has sequence number %d, want %d", e.Seq, n)
					}
					break
				}
			}
			<-done
			if !sentFinal {
				t.Fatalf("the final entry never came (entries %d, lost %d)", entries, lost)
			}
			t.Logf("%d logged: %d entries, %d lost in %d gaps, %d ENOBUFS", n+1, entries, lost, lossErrors, overruns)
			if entries+lost != n+1 {
				t.Errorf("entries %d + lost %d != %d logged", entries, lost, n+1)
			}
			if lost == 0 {
				t.Errorf("a 4 KiB buffer under %d entries lost nothing: the test did not test", n)
			}
			if tc.noENOBUFS && overruns != 0 || !tc.noENOBUFS && overruns == 0 {
				t.Errorf("%d ENOBUFS reported with NoENOBUFS %v", overruns, tc.noENOBUFS)
			}
			st := c.Stats()
			if st.Lost != uint64(lost) || st.Overruns != uint64(overruns) || st.Entries != uint64(entries) {
				t.Errorf("stats %+v, counted entries %d lost %d overruns %d", st, entries, lost, overruns)
			}
		})
	}
}

func openFDs(t *testing.T) int {
	des, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(des)
}

// Leaks: 500 bind / stream / close cycles, half ended by ctx, half by
// Close while the stream is blocked, leave no fd, goroutine or kernel
// instance behind.
func TestLeaks(t *testing.T) {
	p := newPair(t)
	ctxBg := context.Background()
	// Warm up what the runtime starts once (poller, netns threads).
	c := dial(t, p.b, Config{Group: 30})
	c.Close()
	runtime.GC()
	fds, gs := openFDs(t), runtime.NumGoroutine()
	for i := range 500 {
		c, err := Dial(&Config{Group: uint16(30 + i%3), Netlink: &netlink.Config{NetNS: p.b}})
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		ctx, cancel := context.WithCancel(ctxBg)
		var wg sync.WaitGroup
		wg.Add(1)
		started := make(chan struct{})
		var end error
		go func() {
			defer wg.Done()
			close(started)
			for _, err := range c.Entries(ctx) {
				if err != nil {
					end = err
					return
				}
			}
		}()
		<-started
		if i%2 == 0 {
			cancel()
		} else {
			time.Sleep(100 * time.Microsecond)
			c.Close()
		}
		wg.Wait()
		if i%2 == 0 && !errors.Is(end, context.Canceled) || i%2 == 1 && !errors.Is(end, netlink.ErrClosed) {
			t.Fatalf("cycle %d: stream ended with %v", i, end)
		}
		cancel()
		c.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > gs && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if f, g := openFDs(t), runtime.NumGoroutine(); f != fds || g > gs {
		t.Errorf("after 500 cycles: fds %d -> %d, goroutines %d -> %d", fds, f, gs, g)
	} else {
		t.Logf("after 500 cycles: fds %d -> %d, goroutines %d -> %d", fds, f, gs, g)
	}
	if got := procLog(t, p.b); got != "" {
		t.Errorf("instances left in the kernel:\n%s", got)
	}
}
