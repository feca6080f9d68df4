//go:build linux

package audit

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

func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

// settle waits for goroutines to go back to n (or a second passes) and
// returns the count.
func settle(n int) int {
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > n && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return runtime.NumGoroutine()
}

// Close of a Conn whose Events is blocked ends the stream promptly with
// ErrClosed; ctx's end ends it with ctx's error; a request meanwhile gets
// ErrBusy.
func TestEventsCloseAndCancel(t *testing.T) {
	kernelConn(t)
	l, err := DialListener(nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		for _, err := range l.Events(context.Background(), &EventConfig{LostInterval: -1}) {
			if err != nil {
				got <- err
				return
			}
		}
		got <- nil
	}()
	time.Sleep(50 * time.Millisecond)
	if _, err := l.Status(context.Background()); !errors.Is(err, ErrBusy) {
		t.Errorf("request during Events: %v, want ErrBusy", err)
	}
	start := time.Now()
	l.Close()
	select {
	case err := <-got:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("after Close: %v, want ErrClosed", err)
		}
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("Events took %v to end after Close", d)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Events still blocked 2s after Close")
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	l2, err := DialListener(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	for _, err := range l2.Events(ctx, nil) {
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("after the deadline: %v", err)
		}
	}
	// The Conn takes requests again.
	if _, err := l2.Status(context.Background()); err != nil {
		t.Errorf("request after Events: %v", err)
	}
}

// A request abandoned by its context leaves late answers behind; the next
// request gets its own. Sixteen goroutines' requests on one Conn all get
// theirs.
func TestRequestsAbandonedAndConcurrent(t *testing.T) {
	c := kernelConn(t)
	want, err := c.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c.RuleList(ctx) // abandoned at once
		ctx, cancel = context.WithTimeout(context.Background(), 20*time.Microsecond)
		c.Status(ctx) // abandoned midway, perhaps
		cancel()
		f, err := c.Features(context.Background())
		if err != nil || f.Mask == 0 {
			t.Fatalf("features after abandoned requests: %+v %v", f, err)
		}
		s, err := c.Status(context.Background())
		if err != nil || s.BacklogLimit != want.BacklogLimit || s.BacklogWaitTime != want.BacklogWaitTime {
			t.Fatalf("status after abandoned requests: %+v %v", s, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				s, err := c.Status(context.Background())
				if err == nil && s.BacklogLimit != want.BacklogLimit {
					err = errors.New("someone else's answer")
				}
				if err != nil {
					errs <- err
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

// Hundreds of listener and daemon cycles leave no fd, goroutine or
// registration behind.
func TestNoLeaks(t *testing.T) {
	ctl := kernelConn(t)
	if s, _ := ctl.Status(context.Background()); s.PID != 0 {
		t.Skipf("another audit daemon holds the registration: pid %d (%s)", s.PID, procName(s.PID))
	}
	fds, gs := openFDs(t), settle(0)
	for i := range 200 {
		var c *Conn
		var err error
		if i%4 == 0 {
			c, err = DialDaemon(context.Background(), nil)
		} else {
			c, err = DialListener(nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		for range c.Events(ctx, nil) {
		}
		cancel()
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got := openFDs(t); got != fds {
		t.Errorf("open fds %d after the cycles, %d before", got, fds)
	}
	if got := settle(gs); got > gs {
		t.Errorf("goroutines %d after the cycles, %d before", got, gs)
	}
	if s, _ := ctl.Status(context.Background()); s.PID != 0 {
		t.Errorf("pid %d registered after the cycles", s.PID)
	}
}

// Close of the daemon while its Events runs gives the registration up and
// ends the stream.
func TestDaemonCloseWhileStreaming(t *testing.T) {
	ctl := kernelConn(t)
	if s, _ := ctl.Status(context.Background()); s.PID != 0 {
		t.Skipf("another audit daemon holds the registration: pid %d (%s)", s.PID, procName(s.PID))
	}
	d, err := DialDaemon(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan error, 1)
	go func() {
		for _, err := range d.Events(context.Background(), nil) {
			if err != nil && !errors.Is(err, netlink.ErrOverrun) {
				got <- err
				return
			}
		}
		got <- nil
	}()
	time.Sleep(50 * time.Millisecond)
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-got:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("Events after Close: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Events still running 2s after Close")
	}
	if s, _ := ctl.Status(context.Background()); s.PID != 0 {
		t.Errorf("pid %d registered after Close", s.PID)
	}
}
