package ynl

import (
	"context"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

func openFDs(t *testing.T) int {
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func settledGoroutines() int {
	for range 20 {
		runtime.GC()
		time.Sleep(5 * time.Millisecond)
	}
	return runtime.NumGoroutine()
}

// Conns and their Events streams release their sockets and goroutines on
// Close and on ctx's end, genl and raw families alike.
func TestKernelNoLeaks(t *testing.T) {
	ns := kerneltest.NetNS(t)
	specs := []*Spec{testSpec(t, "netdev"), testSpec(t, "rt-addr")}
	groups := []string{"mgmt", "rtnlgrp-ipv4-ifaddr"}
	fds, gs := openFDs(t), settledGoroutines()
	for i := range 100 {
		k := i % 2
		c, err := Dial(specs[k], &netlink.Config{NetNS: ns})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		if err := c.JoinGroup(ctx, groups[k]); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			for _, err := range c.Events(ctx) {
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		if i%4 < 2 {
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("Events after cancel: %v", err)
			}
			c.Close()
		} else {
			time.Sleep(time.Millisecond)
			c.Close()
			if err := <-done; !errors.Is(err, netlink.ErrClosed) {
				t.Fatalf("Events after Close: %v", err)
			}
			cancel()
		}
	}
	if n := openFDs(t); n > fds {
		t.Errorf("fds: %d before, %d after", fds, n)
	}
	if n := settledGoroutines(); n > gs+2 {
		t.Errorf("goroutines: %d before, %d after", gs, n)
	}
}

// A full receive buffer is reported as netlink.ErrOverrun in the stream,
// which goes on: later notifications still come.
func TestKernelEventsOverrun(t *testing.T) {
	ns := kerneltest.NetNS(t)
	veth(t, ns, "yo0", "yo1")
	c, err := Dial(testSpec(t, "rt-addr"), &netlink.Config{NetNS: ns, ReceiveBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	if err := c.JoinGroup(ctx, "rtnlgrp-ipv4-ifaddr"); err != nil {
		t.Fatal(err)
	}
	// Not reading yet: enough changes to overflow 4 KiB.
	r := dialIn(t, "rt-addr", ns)
	idx := ifindex(t, ns, "yo0")
	for i := range 200 {
		_, err := r.Execute(ctx, "newaddr", map[string]any{"ifa-family": 2, "ifa-prefixlen": 32, "ifa-index": idx,
			"ifa-local": netip4(198, 18, 20, byte(i)), "ifa-address": netip4(198, 18, 20, byte(i))}, netlink.Create|netlink.Excl)
		if err != nil {
			t.Fatal(err)
		}
	}
	overrun, after := false, false
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			overrun = true
			// a change made after the loss comes through
			_, err := r.Execute(ctx, "newaddr", map[string]any{"ifa-family": 2, "ifa-prefixlen": 32, "ifa-index": idx,
				"ifa-local": netip4(198, 18, 21, 1), "ifa-address": netip4(198, 18, 21, 1)}, netlink.Create|netlink.Excl)
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if overrun && ev.Attrs["ifa-local"] == netip4(198, 18, 21, 1) {
			after = true
			break
		}
	}
	if !overrun || !after {
		t.Errorf("overrun %v, event after it %v", overrun, after)
	}
}
