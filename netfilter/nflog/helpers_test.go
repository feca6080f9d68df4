package nflog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m)) }

// pair is two namespaces joined by a veth pair: a (va, 198.18.0.1,
// 2001:db8::1) sends, b (vb, 198.18.0.2, 2001:db8::2) has the rules.
type pair struct {
	a, b         *netns.NS
	aName, bName string
	aMAC, bMAC   net.HardwareAddr
	bIndex       int32
}

var (
	addrA4 = netip.MustParseAddr("198.18.0.1")
	addrB4 = netip.MustParseAddr("198.18.0.2")
	addrA6 = netip.MustParseAddr("2001:db8::1")
	addrB6 = netip.MustParseAddr("2001:db8::2")
)

func newPair(t *testing.T) *pair {
	t.Helper()
	p := &pair{}
	p.a, p.aName = kerneltest.NamedNetNS(t)
	p.b, p.bName = kerneltest.NamedNetNS(t)
	kerneltest.Tool(t, "ip", "iproute2")
	kerneltest.Run(t, p.a, "ip", "link", "add", "va", "address", "02:00:00:00:00:0a", "type", "veth",
		"peer", "name", "vb", "address", "02:00:00:00:00:0b", "netns", p.bName)
	kerneltest.Run(t, p.a, "ip", "addr", "add", "198.18.0.1/24", "dev", "va")
	kerneltest.Run(t, p.a, "ip", "addr", "add", "2001:db8::1/64", "dev", "va", "nodad")
	kerneltest.Run(t, p.a, "ip", "link", "set", "va", "up")
	kerneltest.Run(t, p.b, "ip", "addr", "add", "198.18.0.2/24", "dev", "vb")
	kerneltest.Run(t, p.b, "ip", "addr", "add", "2001:db8::2/64", "dev", "vb", "nodad")
	kerneltest.Run(t, p.b, "ip", "link", "set", "vb", "up")
	// Until linkwatch has seen the carrier (asynchronously, up to a second
	// later) the devices' queues drop what is sent.
	for _, l := range []struct {
		ns  *netns.NS
		dev string
	}{{p.a, "va"}, {p.b, "vb"}} {
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(string(kerneltest.Run(t, l.ns, "ip", "-o", "link", "show", l.dev)), "state UP") {
			if time.Now().After(deadline) {
				t.Fatalf("%s not up after 5 s", l.dev)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	p.aMAC, _ = net.ParseMAC("02:00:00:00:00:0a")
	p.bMAC, _ = net.ParseMAC("02:00:00:00:00:0b")
	if err := p.b.Do(func() error {
		ifi, err := net.InterfaceByName("vb")
		if err == nil {
			p.bIndex = int32(ifi.Index)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Neighbours resolved before the tests count packets.
	kerneltest.Run(t, p.a, "ip", "neigh", "replace", "198.18.0.2", "lladdr", "02:00:00:00:00:0b", "dev", "va", "nud", "permanent")
	kerneltest.Run(t, p.a, "ip", "neigh", "replace", "2001:db8::2", "lladdr", "02:00:00:00:00:0b", "dev", "va", "nud", "permanent")
	kerneltest.Run(t, p.b, "ip", "neigh", "replace", "198.18.0.1", "lladdr", "02:00:00:00:00:0a", "dev", "vb", "nud", "permanent")
	kerneltest.Run(t, p.b, "ip", "neigh", "replace", "2001:db8::1", "lladdr", "02:00:00:00:00:0a", "dev", "vb", "nud", "permanent")
	p.probe(t)
	return p
}

// probe waits until a datagram from a reaches b over IPv4 and IPv6 (routes,
// neighbours and queues all ready), on a port no test logs.
func (p *pair) probe(t *testing.T) {
	t.Helper()
	for _, f := range []struct {
		network string
		dst     netip.Addr
	}{{"udp4", addrB4}, {"udp6", addrB6}} {
		var rx *net.UDPConn
		if err := p.b.Do(func() (err error) {
			rx, err = net.ListenUDP(f.network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(f.dst, 9000)))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tx := sender(t, p.a, f.network)
		deadline := time.Now().Add(10 * time.Second)
		buf := make([]byte, 16)
		for {
			tx.WriteToUDP([]byte("probe"), net.UDPAddrFromAddrPort(netip.AddrPortFrom(f.dst, 9000)))
			rx.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
			if _, _, err := rx.ReadFromUDP(buf); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: no datagram from a reached b in 10 s", f.network)
			}
		}
		rx.Close()
	}
}

// nft loads an nft script into ns.
func nft(t *testing.T, ns *netns.NS, script string) {
	t.Helper()
	kerneltest.Tool(t, "nft", "nftables")
	f, err := os.CreateTemp(t.TempDir(), "nft")
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(script)
	f.Close()
	kerneltest.Run(t, ns, "nft", "-f", f.Name())
}

// logRule makes b log UDP packets to dport with prefix into group, by nft.
func logRule(t *testing.T, p *pair, group uint16, dport int, prefix string, extra string) {
	nft(t, p.b, fmt.Sprintf(`table inet nlkit_t%d {
	chain in%d {
		type filter hook input priority 0;
		udp dport %d log group %d prefix %q %s
	}
}
`, dport, dport, dport, group, prefix, extra))
}

// sender is a UDP socket opened in ns.
func sender(t *testing.T, ns *netns.NS, network string) *net.UDPConn {
	t.Helper()
	var c *net.UDPConn
	err := ns.Do(func() error {
		var err error
		c, err = net.ListenUDP(network, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// send sends n datagrams to dst:port; datagram i carries payload(i).
func send(t *testing.T, c *net.UDPConn, dst netip.Addr, port, n int, payload func(int) []byte) {
	t.Helper()
	to := net.UDPAddrFromAddrPort(netip.AddrPortFrom(dst, uint16(port)))
	for i := range n {
		for {
			_, err := c.WriteToUDP(payload(i), to)
			if err == nil {
				break
			}
			// ICMP port unreachable answers may come back as errors on
			// an unconnected socket on some kernels; a full queue too.
			if errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatal(err)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func payloadN(i int) []byte { return fmt.Appendf(nil, "nlkit-nflog-%06d", i) }

// dial binds a group in b, failing the test on error.
func dial(t *testing.T, ns *netns.NS, cfg Config) *Conn {
	t.Helper()
	if cfg.Netlink == nil {
		cfg.Netlink = &netlink.Config{}
	}
	cfg.Netlink.NetNS = ns
	c, err := Dial(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// collect gathers clones of the entries of c until n came or d passed;
// errors are returned alongside.
func collect(t *testing.T, c *Conn, n int, d time.Duration) ([]*Entry, []error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var out []*Entry
	var errs []error
	for e, err := range c.Entries(ctx) {
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				break
			}
			errs = append(errs, err)
			continue
		}
		out = append(out, e.Clone())
		if len(out) == n {
			break
		}
	}
	return out, errs
}

// udpPayload returns the UDP payload of an IPv4 or IPv6 packet.
func udpPayload(p []byte) []byte {
	if len(p) == 0 {
		return nil
	}
	switch p[0] >> 4 {
	case 4:
		ihl := int(p[0]&0xf) * 4
		if len(p) < ihl+8 {
			return nil
		}
		return p[ihl+8:]
	case 6:
		if len(p) < 48 || p[6] != 17 {
			return nil
		}
		return p[48:]
	}
	return nil
}

func procLog(t *testing.T, ns *netns.NS) string {
	return strings.TrimSpace(string(kerneltest.Run(t, ns, "cat", "/proc/net/netfilter/nfnetlink_log")))
}
