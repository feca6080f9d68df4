package netlink

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// TestForgedReplyDropped: a datagram from a user-space port that imitates
// the pending reply (right sequence, header pid 0, an error) is dropped and
// counted; the kernel's real reply is returned.
func TestForgedReplyDropped(t *testing.T) {
	c, ns := dialRoute(t, nil)
	var forger int
	if err := ns.Do(func() error {
		var err error
		forger, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(forger)
	if err := unix.Bind(forger, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		t.Fatal(err)
	}
	// The next request of c gets the next sequence number.
	seq := c.seq.Load() + 1
	body := make([]byte, 4+HeaderLen)
	code := -int32(syscall.EPERM)
	putUint32(body, uint32(code))
	fake, _ := AppendMessage(nil, Header{Type: TypeError, Flags: Capped, Sequence: seq, PortID: 0}, body)
	for range 3 {
		if err := unix.Sendto(forger, fake, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: c.PortID()}); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := c.Execute(testCtx(t), Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)})
	if err != nil {
		t.Fatalf("got %v: the forged reply was believed", err)
	}
	if len(msgs) != 1 {
		t.Fatalf("%d replies", len(msgs))
	}
	if s := c.Stats(); s.Forged != 3 {
		t.Fatalf("forged datagrams dropped: %d, want 3", s.Forged)
	}
	t.Logf("forged datagrams sent 3 / dropped %d", c.Stats().Forged)
}

// TestCloseOnExec: the socket is opened close-on-exec.
func TestCloseOnExec(t *testing.T) {
	c, err := Dial(unix.NETLINK_ROUTE, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.s.(*socket).control(func(fd int) error {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil {
			return err
		}
		if flags&unix.FD_CLOEXEC == 0 {
			return fmt.Errorf("fd %d has no FD_CLOEXEC", fd)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestWithoutNetAdmin: a socket opened by a thread without CAP_NET_ADMIN
// can read but not change: a typed EPERM.
func TestWithoutNetAdmin(t *testing.T) {
	ns := kerneltest.NetNS(t)
	type result struct{ getErr, setErr error }
	done := make(chan result, 1)
	goOffMainThread(func() {
		// This thread enters ns and drops CAP_NET_ADMIN; it is never
		// unlocked, so the runtime ends it when the goroutine ends.
		var r result
		defer func() { done <- r }()
		if err := unix.Setns(ns.Fd(), unix.CLONE_NEWNET); err != nil {
			r.getErr = err
			return
		}
		if err := dropCap(unix.CAP_NET_ADMIN); err != nil {
			r.getErr = err
			return
		}
		c, err := Dial(unix.NETLINK_ROUTE, nil)
		if err != nil {
			r.getErr = err
			return
		}
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, r.getErr = c.Execute(ctx, Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)})
		e := nlattr.NewEncoder(ifinfomsg(0, 1))
		e.Uint32(iflaMTU, 1400)
		b, _ := e.Finish()
		_, r.setErr = c.Execute(ctx, Message{Header: Header{Type: rtmNewLink}, Data: b})
	})
	r := <-done
	if r.getErr != nil {
		t.Fatalf("GET without CAP_NET_ADMIN: %v", r.getErr)
	}
	var ne *Error
	if !errors.As(r.setErr, &ne) || !errors.Is(r.setErr, syscall.EPERM) || !errors.Is(r.setErr, os.ErrPermission) {
		t.Fatalf("change without CAP_NET_ADMIN: %v, want *Error EPERM", r.setErr)
	}
}

// goOffMainThread runs fn on a new goroutine locked to a thread that is not
// the process's main thread, and leaves it locked: fn may change the
// thread (namespace, capabilities) for good, and the runtime then ends the
// thread with the goroutine. It would park the main thread instead, changed
// for the life of the process.
func goOffMainThread(fn func()) {
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

// dropCap removes a capability from the calling thread's effective set.
func dropCap(cap int) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	data[cap/32].Effective &^= 1 << (cap % 32)
	return unix.Capset(&hdr, &data[0])
}

func countFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestNoLeaks: thousands of Dial/request/Close cycles, in the current
// namespace and into another one, and hundreds of subscribe/cancel cycles
// with a consumer that stopped reading: fds and goroutines come back.
func TestNoLeaks(t *testing.T) {
	ns := kerneltest.NetNS(t)
	settle := func() int {
		for range 50 {
			runtime.GC()
			time.Sleep(2 * time.Millisecond)
		}
		return runtime.NumGoroutine()
	}
	g0, fd0 := settle(), countFDs(t)
	ctx := testCtx(t)
	for i := range 2000 {
		var cfg *Config
		if i%2 == 1 {
			cfg = &Config{NetNS: ns}
		}
		c, err := Dial(unix.NETLINK_ROUTE, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Execute(ctx, Message{Header: Header{Type: rtmGetLink}, Data: ifinfomsg(0, 1)}); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	writer := dialIn(t, ns, nil)
	fd1 := countFDs(t)
	for i := range 300 {
		c, err := Dial(unix.NETLINK_ROUTE, &Config{NetNS: ns, Groups: []uint32{grpLink}})
		if err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			for _, err := range c.Receive(rctx) {
				if err != nil {
					return
				}
				<-rctx.Done() // a consumer that stopped reading
			}
		}()
		if i%30 == 0 {
			addIfb(t, writer, fmt.Sprintf("leak%d", i))
		}
		cancel()
		<-stopped
		c.Close()
	}
	g1, fd2 := settle(), countFDs(t)
	t.Logf("goroutines %d -> %d; fds %d -> %d (Dial loop), %d -> %d (subscribe loop)", g0, g1, fd0, fd1-1, fd1, fd2)
	if fd1-1 != fd0 || fd2 != fd1 {
		t.Fatalf("fds leaked: %d -> %d -> %d", fd0, fd1-1, fd2)
	}
	if g1 > g0+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("goroutines %d -> %d\n%s", g0, g1, buf[:runtime.Stack(buf, true)])
	}
}
