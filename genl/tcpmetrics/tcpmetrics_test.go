//go:build linux

package tcpmetrics

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

func dial(t *testing.T) (*Conn, *netns.NS) {
	t.Helper()
	cfg := gtest.Config(t)
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, cfg.NetNS
}

// connect makes a TCP connection to addr inside ns, exchanges data (for
// an RTT sample) and closes it from the client side: the kernel saves the
// metrics when the client enters TIME_WAIT.
func connect(t *testing.T, ns *netns.NS, network, addr string) {
	t.Helper()
	err := ns.Do(func() error {
		ln, err := net.Listen(network, addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		done := make(chan error, 1)
		go func() {
			s, err := ln.Accept()
			if err != nil {
				done <- err
				return
			}
			defer s.Close()
			_, err = io.Copy(s, s) // echo until the client closes
			done <- err
		}()
		c, err := net.Dial(network, ln.Addr().String())
		if err != nil {
			return err
		}
		buf := make([]byte, 1000)
		for range 5 {
			if _, err := c.Write(buf); err != nil {
				return err
			}
			if _, err := io.ReadFull(c, buf); err != nil {
				return err
			}
		}
		c.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, c)
		c.Close()
		return <-done
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The spec agrees with the kernel's policy.
func TestSpecMatchesKernel(t *testing.T) {
	sp := Spec()
	if err := sp.Validate(); err != nil {
		t.Fatal(err)
	}
	c, _ := dial(t)
	p, err := c.Genl().Policy(t.Context(), FamilyName)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range sp.Commands {
		o, ok := p.Op(cmd.ID)
		if !ok || o.Do == nil {
			t.Fatalf("%s: no policy:\n%s", cmd.Name, p)
		}
		if err := cmd.Attrs.CheckPolicy(o.Do); err != nil {
			t.Error(err)
		}
	}
}

func TestEntries(t *testing.T) {
	c, ns := dial(t)
	ctx := t.Context()
	if es, err := netlink.Collect(c.Entries(ctx)); err != nil || len(es) != 0 {
		t.Fatalf("fresh namespace: %v, %v", es, err)
	}
	connect(t, ns, "tcp4", "127.0.0.1:0")
	connect(t, ns, "tcp6", "[::1]:0")
	es, err := netlink.Collect(c.Entries(ctx))
	if err != nil {
		t.Fatal(err)
	}
	byAddr := make(map[netip.Addr]Entry)
	for _, e := range es {
		byAddr[e.Addr] = e
	}
	for _, a := range []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")} {
		e, ok := byAddr[a]
		if !ok {
			t.Fatalf("no entry for %v in %v", a, es)
		}
		if e.Source != a || e.RTT <= 0 || e.CWnd == 0 {
			t.Errorf("implausible entry %v", e)
		}
		one, err := c.Entry(ctx, a, netip.Addr{})
		if err != nil {
			t.Fatal(err)
		}
		if one.Addr != a || one.RTT != e.RTT {
			t.Errorf("Entry(%v) = %v, dump said %v", a, one, e)
		}
		if _, err := c.Entry(ctx, a, a); err != nil {
			t.Errorf("Entry(%v, source %v): %v", a, a, err)
		}
	}
	t.Logf("%v", es)

	v4 := netip.MustParseAddr("127.0.0.1")
	if err := c.DeleteEntry(ctx, v4, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.Entry(ctx, v4, netip.Addr{})
	var ne *netlink.Error
	if !errors.Is(err, syscall.ESRCH) || !errors.As(err, &ne) || ne.Op != "tcpmetrics get entry 127.0.0.1" ||
		err.Error() != "tcpmetrics: get entry 127.0.0.1: no such process" {
		t.Errorf("Entry after delete: %v, want ESRCH naming the entry", err)
	}
	if err := c.DeleteEntry(ctx, v4, netip.Addr{}); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("DeleteEntry of a missing entry: %v, want ESRCH", err)
	}
	if err := c.FlushEntries(ctx); err != nil {
		t.Fatal(err)
	}
	if es, err := netlink.Collect(c.Entries(ctx)); err != nil || len(es) != 0 {
		t.Errorf("after flush: %v, %v", es, err)
	}
	if _, err := c.Entry(ctx, netip.Addr{}, netip.Addr{}); err == nil {
		t.Errorf("Entry without an address: no error")
	}
	if err := c.DeleteEntry(ctx, netip.Addr{}, netip.Addr{}); err == nil {
		t.Errorf("DeleteEntry without an address: no error")
	}
}
