package conntrack_test

import (
	"context"
	"errors"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// TestWithoutNetAdmin: a socket opened by a thread without CAP_NET_ADMIN
// gets a typed EPERM for changes, and, unlike route netlink, for reads
// too: nfnetlink checks CAP_NET_ADMIN on every message (conntrack -L needs
// root for that reason).
func TestWithoutNetAdmin(t *testing.T) {
	ns := kerneltest.NetNS(t)
	type result struct {
		getErr, addErr, setupErr error
	}
	done := make(chan result, 1)
	offMainThread(func() {
		var r result
		defer func() { done <- r }()
		if err := unix.Setns(ns.Fd(), unix.CLONE_NEWNET); err != nil {
			r.setupErr = err
			return
		}
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if err := unix.Capget(&hdr, &data[0]); err != nil {
			r.setupErr = err
			return
		}
		data[unix.CAP_NET_ADMIN/32].Effective &^= 1 << (unix.CAP_NET_ADMIN % 32)
		if err := unix.Capset(&hdr, &data[0]); err != nil {
			r.setupErr = err
			return
		}
		c, err := conntrack.Dial(nil)
		if err != nil {
			r.setupErr = err
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, r.getErr = c.Stats(ctx)
		r.addErr = c.AddFlow(ctx, conntrack.Flow{Orig: udpTuple("198.18.0.1", "198.18.0.2", 1, 2), Timeout: time.Minute})
	})
	r := <-done
	if r.setupErr != nil {
		t.Fatalf("cannot drop CAP_NET_ADMIN on a thread: %v", r.setupErr)
	}
	for what, err := range map[string]error{"read": r.getErr, "change": r.addErr} {
		var ne *netlink.Error
		if !errors.As(err, &ne) || !errors.Is(err, syscall.EPERM) || !errors.Is(err, os.ErrPermission) {
			t.Errorf("%s without CAP_NET_ADMIN: %v, want *netlink.Error EPERM", what, err)
		}
	}
}

// offMainThread runs fn on a goroutine locked to a thread that is not the
// process's main thread and never unlocked: fn may change the thread (its
// namespace, its capabilities) for good, and the runtime ends the thread
// with the goroutine. On the main thread it would stay changed.
func offMainThread(fn func()) {
	go func() {
		runtime.LockOSThread()
		if unix.Gettid() != unix.Getpid() {
			fn()
			return
		}
		// On the main thread: hold it, so the next goroutine gets another.
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			fn()
		}()
		<-done
		runtime.UnlockOSThread()
	}()
}
