package queue_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m)) }

// pair is two namespaces joined by a veth pair: a sends, b receives and
// holds the queue and its rules.
type pair struct {
	a, b      *netns.NS
	bName     string
	a4, b4    netip.Addr
	a6, b6    netip.Addr
	iptables  string
	ip6tables string
	bIfname   string
}

func newPair(t *testing.T) *pair {
	t.Helper()
	p := &pair{
		a4: netip.MustParseAddr("198.18.0.1"), b4: netip.MustParseAddr("198.18.0.2"),
		a6: netip.MustParseAddr("2001:db8::1"), b6: netip.MustParseAddr("2001:db8::2"),
		bIfname: "vb",
	}
	p.a = kerneltest.NetNS(t)
	p.b, p.bName = kerneltest.NamedNetNS(t)
	p.iptables = kerneltest.Tool(t, "iptables-legacy", "iptables")
	p.ip6tables = kerneltest.Tool(t, "ip6tables-legacy", "iptables")
	kerneltest.Tool(t, "ip", "iproute2")
	// No duplicate address detection: the link-local addresses would
	// stay tentative for a while and neighbour discovery wait for them.
	for _, ns := range []*netns.NS{p.a, p.b} {
		kerneltest.Run(t, ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	}
	kerneltest.Run(t, p.a, "ip", "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", p.bName)
	kerneltest.Run(t, p.a, "ip", "addr", "add", "198.18.0.1/24", "dev", "va")
	kerneltest.Run(t, p.a, "ip", "addr", "add", "2001:db8::1/64", "dev", "va", "nodad")
	kerneltest.Run(t, p.a, "ip", "link", "set", "va", "up")
	kerneltest.Run(t, p.b, "ip", "addr", "add", "198.18.0.2/24", "dev", "vb")
	kerneltest.Run(t, p.b, "ip", "addr", "add", "2001:db8::2/64", "dev", "vb", "nodad")
	kerneltest.Run(t, p.b, "ip", "link", "set", "vb", "up")
	p.warm(t)
	return p
}

// warm waits until UDP goes from a to b over both families (the link and
// neighbour discovery take a moment after the veth comes up), before any
// rule queues packets.
func (p *pair) warm(t *testing.T) {
	t.Helper()
	for _, fam := range []int{4, 6} {
		dst := p.b4
		if fam == 6 {
			dst = p.b6
		}
		l := udpListener(t, p.b, dst, 9)
		s := udpSender(t, p.a, fam)
		buf := make([]byte, 16)
		deadline := time.Now().Add(20 * time.Second)
		for {
			if time.Now().After(deadline) {
				t.Fatalf("IPv%d: no UDP from a to b after 20s", fam)
			}
			s.WriteToUDPAddrPort([]byte("warm"), netip.AddrPortFrom(dst, 9))
			l.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if _, _, err := l.ReadFromUDP(buf); err == nil {
				break
			}
		}
		l.Close()
		s.Close()
	}
}

// rule adds an iptables rule (both families when v6 is "both") in b.
func (p *pair) rule(t *testing.T, family int, args ...string) {
	t.Helper()
	tool := p.iptables
	if family == 6 {
		tool = p.ip6tables
	}
	kerneltest.Run(t, p.b, tool, args...)
}

// queueRules queues UDP and TCP coming in on vb to queue num, for both
// families.
func (p *pair) queueRules(t *testing.T, num uint16, extra ...string) {
	t.Helper()
	for _, fam := range []int{4, 6} {
		for _, proto := range []string{"udp", "tcp"} {
			args := append([]string{"-A", "INPUT", "-i", "vb", "-p", proto}, extra...)
			args = append(args, "-j", "NFQUEUE", "--queue-num", fmt.Sprint(num))
			p.rule(t, fam, args...)
		}
	}
}

// in opens something inside ns.
func in[T any](t testing.TB, ns *netns.NS, open func() (T, error)) T {
	t.Helper()
	var v T
	if err := ns.Do(func() (err error) { v, err = open(); return err }); err != nil {
		t.Fatal(err)
	}
	return v
}

// udpListener listens on addr:port inside ns.
func udpListener(t testing.TB, ns *netns.NS, addr netip.Addr, port uint16) *net.UDPConn {
	t.Helper()
	c := in(t, ns, func() (*net.UDPConn, error) {
		return net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, port)))
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// udpSender is a UDP socket inside ns.
func udpSender(t testing.TB, ns *netns.NS, family int) *net.UDPConn {
	t.Helper()
	network := "udp4"
	if family == 6 {
		network = "udp6"
	}
	c := in(t, ns, func() (*net.UDPConn, error) { return net.ListenUDP(network, nil) })
	t.Cleanup(func() { c.Close() })
	return c
}

// drain reads datagrams from c until quiet passes without one, and
// returns their payloads.
func drain(c *net.UDPConn, quiet time.Duration) []string {
	var got []string
	buf := make([]byte, 65536)
	for {
		c.SetReadDeadline(time.Now().Add(quiet))
		n, _, err := c.ReadFromUDP(buf)
		if err != nil {
			return got
		}
		got = append(got, string(buf[:n]))
	}
}

// tcpDial connects from ns to addr:port with a timeout.
func tcpDial(ns *netns.NS, dst netip.AddrPort, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	// The socket is made inside ns; connect may go on outside it.
	err := ns.Do(func() (err error) {
		d := net.Dialer{Timeout: timeout}
		c, err = d.Dial("tcp", dst.String())
		return err
	})
	return c, err
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t testing.TB, cfg *queue.Config) *queue.Conn {
	t.Helper()
	c, err := queue.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// isQueueErr says whether err is a stream error that does not end it.
func isSoft(err error) bool {
	var ve *queue.VerdictError
	return errors.As(err, &ve)
}

func countFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// settle waits for the goroutine count to come down to want.
func settle(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > want; i++ {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// reader runs q.Packets on its own goroutine, calling handle for every
// packet; stream errors that do not end it are collected.
type reader struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	soft   []error
	fatal  error
}

func startReader(t *testing.T, q *queue.Conn, handle func(p *queue.Packet) error) *reader {
	t.Helper()
	ctx, cancel := context.WithCancel(testCtx(t))
	r := &reader{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for p, err := range q.Packets(ctx) {
			if err != nil && p == nil {
				if ctx.Err() != nil {
					return
				}
				r.mu.Lock()
				r.soft = append(r.soft, err)
				r.mu.Unlock()
				if isSoft(err) || errors.Is(err, netlink.ErrOverrun) {
					continue
				}
				r.fatal = err
				return
			}
			if err := handle(p); err != nil {
				r.fatal = err
				return
			}
		}
	}()
	t.Cleanup(r.stop)
	return r
}

// stop ends the reader and returns its fatal error.
func (r *reader) stop() {
	r.cancel()
	<-r.done
}

func (r *reader) errs() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.soft...)
}

// waitFor polls cond for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// snmp reads a counter of /proc/net/snmp (e.g. "Udp", "InCsumErrors")
// inside ns.
func snmp(t *testing.T, ns *netns.NS, proto, name string) int {
	t.Helper()
	lines := strings.Split(string(kerneltest.Run(t, ns, "cat", "/proc/net/snmp")), "\n")
	for i := 0; i+1 < len(lines); i++ {
		h, v := strings.Fields(lines[i]), strings.Fields(lines[i+1])
		if len(h) > 0 && h[0] == proto+":" && len(v) == len(h) {
			for j := range h {
				if h[j] == name {
					var n int
					fmt.Sscan(v[j], &n)
					return n
				}
			}
		}
	}
	t.Fatalf("no %s %s in /proc/net/snmp", proto, name)
	return 0
}

// bigBuffer gives c an 8 MiB receive buffer (SO_RCVBUFFORCE, past
// rmem_max, which is not per namespace and so is left alone).
func bigBuffer(t testing.TB, c *net.UDPConn) {
	t.Helper()
	rc, err := c.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 8<<20)
	}); err != nil {
		t.Fatal(err)
	}
	if serr != nil {
		t.Fatal(serr)
	}
}

func runIn(t *testing.T, ns *netns.NS, name string, args ...string) {
	kerneltest.Run(t, ns, name, args...)
}

func itoa(n int) string { return fmt.Sprint(n) }

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

type netConn = net.UDPConn

// dialUDP opens a connected UDP socket to dst (its writes allocate
// nothing).
func dialUDP(dst netip.AddrPort) (*net.UDPConn, error) {
	return net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(dst))
}
