//go:build linux

package sockdiag

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// testDial opens a Conn in ns, closed at the end of the test.
func testDial(t testing.TB, ns *netns.NS) *Conn {
	t.Helper()
	c, err := Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testNS makes a namespace with the test addresses on lo.
func testNS(t testing.TB) (*netns.NS, string) {
	t.Helper()
	ns, name := kerneltest.NamedNetNS(t)
	for _, a := range []string{"198.18.0.1/15", "198.18.0.2/15", "198.18.0.3/15", "2001:db8::1/64", "2001:db8::2/64"} {
		kerneltest.Run(t, ns, "ip", "addr", "add", a, "dev", "lo", "nodad")
	}
	// IPv6 local routes come a moment after the addresses (addrconf's
	// work queue): wait until they are there.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := ns.Do(func() error {
			for _, a := range []string{"[2001:db8::1]:9", "[2001:db8::2]:9"} {
				d := net.Dialer{LocalAddr: &net.UDPAddr{IP: net.ParseIP("2001:db8::2")}}
				c, err := d.Dial("udp6", a)
				if err != nil {
					return err
				}
				c.Close()
			}
			return nil
		})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("IPv6 test addresses not usable: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return ns, name
}

// world is a namespace populated with sockets of every kind.
type world struct {
	ns   *netns.NS
	name string

	listen4, listen6, listen443 net.Listener
	// est is a connection 198.18.0.2 -> 198.18.0.1:8080 (client side) and
	// estPeer its accepted end; https a connection 198.18.0.2 ->
	// 198.18.0.3:443, https6 [2001:db8::2] -> [2001:db8::1]:443.
	est, estPeer, https, httpsPeer, https6, https6Peer net.Conn
	tw                                                 netip.AddrPort // the local end of a connection left in TIME-WAIT
	udp, udpConn                                       *net.UDPConn
	unixListen                                         *net.UnixListener
	unixConn, unixPeer                                 *net.UnixConn
	unixDgram                                          *net.UnixConn
	unixSeq                                            int // fd of a seqpacket socket
	unixSeqName                                        string
	packetFD                                           int
	nl                                                 *netlink.Conn
}

func (w *world) do(t testing.TB, fn func() error) {
	t.Helper()
	if err := w.ns.Do(fn); err != nil {
		t.Fatal(err)
	}
}

// accept accepts one connection on l.
func acceptOne(t testing.TB, l net.Listener) <-chan net.Conn {
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			t.Errorf("accept: %v", err)
			close(ch)
			return
		}
		ch <- c
	}()
	return ch
}

func dialFrom(local, remote string) (net.Conn, error) {
	la, err := net.ResolveTCPAddr("tcp", local)
	if err != nil {
		return nil, err
	}
	d := net.Dialer{LocalAddr: la, Timeout: 5 * time.Second}
	for i := 0; ; i++ {
		c, err := d.Dial("tcp", remote)
		if errors.Is(err, syscall.ENETUNREACH) && i < 200 {
			time.Sleep(10 * time.Millisecond) // an IPv6 local route still on its way
			continue
		}
		return c, err
	}
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ns, name := testNS(t)
	w := &world{ns: ns, name: name, unixSeq: -1, packetFD: -1}
	t.Cleanup(w.close)
	w.do(t, func() error {
		var err error
		if w.listen4, err = net.Listen("tcp4", "198.18.0.1:8080"); err != nil {
			return err
		}
		if w.listen6, err = net.Listen("tcp6", "[2001:db8::1]:443"); err != nil {
			return err
		}
		if w.listen443, err = net.Listen("tcp4", "198.18.0.3:443"); err != nil {
			return err
		}
		return nil
	})
	conn := func(l net.Listener, local, remote string) (net.Conn, net.Conn) {
		ch := acceptOne(t, l)
		var c net.Conn
		w.do(t, func() (err error) { c, err = dialFrom(local, remote); return })
		return c, <-ch
	}
	w.est, w.estPeer = conn(w.listen4, "198.18.0.2:0", "198.18.0.1:8080")
	w.https, w.httpsPeer = conn(w.listen443, "198.18.0.2:0", "198.18.0.3:443")
	w.https6, w.https6Peer = conn(w.listen6, "[2001:db8::2]:0", "[2001:db8::1]:443")
	// TIME-WAIT: the client closes first.
	c, p := conn(w.listen4, "198.18.0.2:0", "198.18.0.1:8080")
	w.tw = c.LocalAddr().(*net.TCPAddr).AddrPort()
	c.Close()
	io.Copy(io.Discard, p)
	p.Close()
	// Data waiting in a receive queue: 100 bytes unread by estPeer.
	if _, err := w.est.Write(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	w.do(t, func() error {
		var err error
		if w.udp, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP("198.18.0.1"), Port: 5353}); err != nil {
			return err
		}
		if w.udpConn, err = net.DialUDP("udp4", &net.UDPAddr{IP: net.ParseIP("198.18.0.2")}, &net.UDPAddr{IP: net.ParseIP("198.18.0.1"), Port: 5353}); err != nil {
			return err
		}
		if w.packetFD, err = unix.Socket(unix.AF_PACKET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, int(htons(unix.ETH_P_ALL))); err != nil {
			return err
		}
		w.nl, err = netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{Groups: []uint32{1}}) // RTNLGRP_LINK
		return err
	})
	// Unix sockets, made in the namespace (unix_diag lists a namespace's
	// own); their names are global: unique per test.
	dir := t.TempDir()
	w.unixSeqName = dir + "/seq.sock"
	w.do(t, func() error {
		var err error
		if w.unixListen, err = net.ListenUnix("unix", &net.UnixAddr{Name: dir + "/stream.sock", Net: "unix"}); err != nil {
			return err
		}
		if w.unixDgram, err = net.ListenUnixgram("unixgram", &net.UnixAddr{Name: "@nlkit-test-" + name, Net: "unixgram"}); err != nil {
			return err
		}
		if w.unixSeq, err = unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		if err := unix.Bind(w.unixSeq, &unix.SockaddrUnix{Name: w.unixSeqName}); err != nil {
			return err
		}
		return unix.Listen(w.unixSeq, 7)
	})
	ch := make(chan *net.UnixConn, 1)
	go func() {
		c, err := w.unixListen.AcceptUnix()
		if err != nil {
			t.Errorf("accept unix: %v", err)
		}
		ch <- c
	}()
	w.do(t, func() error {
		var err error
		w.unixConn, err = net.DialUnix("unix", nil, &net.UnixAddr{Name: dir + "/stream.sock", Net: "unix"})
		return err
	})
	w.unixPeer = <-ch
	return w
}

func (w *world) close() {
	for _, c := range []io.Closer{w.listen4, w.listen6, w.listen443, w.est, w.estPeer, w.https, w.httpsPeer, w.https6, w.https6Peer, w.udp, w.udpConn, w.unixListen, w.unixConn, w.unixPeer, w.unixDgram, w.nl} {
		if c != nil && !isNilCloser(c) {
			c.Close()
		}
	}
	if w.unixSeq >= 0 {
		unix.Close(w.unixSeq)
	}
	if w.packetFD >= 0 {
		unix.Close(w.packetFD)
	}
}

func isNilCloser(c io.Closer) bool {
	switch v := c.(type) {
	case net.Listener:
		return v == nil
	case *net.UnixListener:
		return v == nil
	case *net.UDPConn:
		return v == nil
	case *net.UnixConn:
		return v == nil
	case *netlink.Conn:
		return v == nil
	case net.Conn:
		return v == nil
	}
	return false
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }

func addrPort(a net.Addr) netip.AddrPort {
	switch a := a.(type) {
	case *net.TCPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case *net.UDPAddr:
		ap := a.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	}
	return netip.AddrPort{}
}

// inode returns the socket inode of a Go connection.
func inode(t testing.TB, c syscall.Conn) uint32 {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	var serr error
	rc.Control(func(fd uintptr) { serr = unix.Fstat(int(fd), &st) })
	if serr != nil {
		t.Fatal(serr)
	}
	return uint32(st.Ino)
}

func fdInode(t testing.TB, fd int) uint32 {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	return uint32(st.Ino)
}

// isErrno reports whether err is a *netlink.Error with errno e.
func isErrno(err error, e syscall.Errno) bool {
	ne, ok := errors.AsType[*netlink.Error](err)
	return ok && ne.Errno == e
}

var bg = context.Background()

var _ = os.Getenv
