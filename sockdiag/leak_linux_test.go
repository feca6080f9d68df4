//go:build linux

package sockdiag

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// Hundreds of Dial / dump / abandoned dump / Close cycles leave no file
// descriptor and no goroutine behind; a Conn whose dump was abandoned
// after one socket dumps in full next.
func TestConnLeaks(t *testing.T) {
	w := newWorld(t)
	c0 := testDial(t, w.ns)
	full := len(sockets(t, c0, nil))
	runtime.GC()
	fds, gs := openFDs(t), runtime.NumGoroutine()
	for i := range 300 {
		c, err := Dial(nil)
		if err != nil {
			t.Fatal(err)
		}
		for range c.InetSockets(bg, nil) {
			break // abandoned after the first
		}
		if i%50 == 0 {
			for range c.UnixSockets(bg, nil) {
				break
			}
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for range c0.InetSockets(bg, nil) {
		break
	}
	if n := len(sockets(t, c0, nil)); n != full {
		t.Errorf("after an abandoned dump: %d sockets, want %d", n, full)
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > gs && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if f, g := openFDs(t), runtime.NumGoroutine(); f != fds || g > gs {
		t.Errorf("fds %d -> %d, goroutines %d -> %d", fds, f, gs, g)
	}
}

// A cancelled context ends a dump with the context's error, and the Conn
// works afterwards.
func TestDumpCancel(t *testing.T) {
	w := newWorld(t)
	c := testDial(t, w.ns)
	ctx, cancel := context.WithCancel(bg)
	cancel()
	var err error
	for _, e := range c.InetSockets(ctx, nil) {
		err = e
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled dump: %v", err)
	}
	if n := len(sockets(t, c, nil)); n != 10 {
		t.Errorf("after cancel: %d sockets, want 10", n)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	for _, e := range c.InetSockets(bg, nil) {
		err = e
	}
	if err == nil {
		t.Errorf("dump on a closed Conn succeeded")
	}
}

// SCTP and UDP-Lite: listed where the kernel has them; where it has no
// diag handler (no CONFIG_IP_SCTP here) the dump fails with ENOENT, never
// an empty success.
func TestInetProtocolsOfThisKernel(t *testing.T) {
	w := newWorld(t)
	c := testDial(t, w.ns)
	for _, p := range []struct {
		proto Protocol
		typ   int
	}{{ProtocolSCTP, unix.SOCK_STREAM}, {ProtocolUDPLite, unix.SOCK_DGRAM}} {
		var fd int
		serr := w.ns.Do(func() (err error) {
			if fd, err = unix.Socket(unix.AF_INET, p.typ|unix.SOCK_CLOEXEC, int(p.proto)); err != nil {
				return err
			}
			return unix.Bind(fd, &unix.SockaddrInet4{Port: 7777, Addr: [4]byte{198, 18, 0, 1}})
		})
		ss, err := c.InetSocketList(bg, &InetFilter{Protocol: p.proto, Family: unix.AF_INET})
		switch {
		case serr != nil && isErrno(err, unix.ENOENT):
			t.Logf("%v: no sockets (%v) and no diag handler (%v) on this kernel", p.proto, serr, err)
		case serr != nil:
			t.Logf("%v: no sockets on this kernel (%v); dump: %d, %v", p.proto, serr, len(ss), err)
		case err != nil:
			t.Errorf("%v: %v", p.proto, err)
		default:
			found := false
			for _, s := range ss {
				found = found || s.Inode == fdInode(t, fd) && s.ID.Src.Port() == 7777
			}
			if !found {
				t.Errorf("%v socket not listed among %d", p.proto, len(ss))
			}
		}
		if serr == nil {
			unix.Close(fd)
		}
	}
}

// Many goroutines dumping and looking up on one Conn: every dump is whole
// (the Conn runs them one after another), every lookup gets its own reply.
func TestConcurrentUse(t *testing.T) {
	w := newWorld(t)
	c := testDial(t, w.ns)
	want := len(sockets(t, c, nil))
	id := SockID{Src: addrPort(w.est.LocalAddr()), Dst: addrPort(w.est.RemoteAddr()), Cookie: NoCookie}
	errs := make(chan error, 16)
	for g := range 16 {
		go func() {
			for i := range 50 {
				if (g+i)%2 == 0 {
					n := 0
					for _, err := range c.InetSockets(bg, nil) {
						if err != nil {
							errs <- err
							return
						}
						n++
					}
					if n != want {
						errs <- fmt.Errorf("dump of %d sockets, want %d", n, want)
						return
					}
				} else if s, err := c.InetSocket(bg, ProtocolTCP, id, 0); err != nil || s.ID.Src != id.Src {
					errs <- fmt.Errorf("lookup: %v %v", s, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
