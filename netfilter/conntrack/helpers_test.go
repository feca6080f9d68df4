package conntrack_test

import (
	"context"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// dialNS gives the test a Conn to the conntrack table of a throwaway
// namespace, and the namespace's name for external tools.
func dialNS(t *testing.T) (*conntrack.Conn, *netns.NS, string) {
	t.Helper()
	ns, name := kerneltest.NamedNetNS(t)
	c, err := conntrack.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, ns, name
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func tcpTuple(src, dst string, sport, dport uint16) conntrack.Tuple {
	return conntrack.Tuple{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: conntrack.ProtoTCP, SrcPort: sport, DstPort: dport}
}

func udpTuple(src, dst string, sport, dport uint16) conntrack.Tuple {
	t := tcpTuple(src, dst, sport, dport)
	t.Proto = conntrack.ProtoUDP
	return t
}

// nthAddr returns 198.18.0.0 + n (n < 2^17).
func nthAddr(n int) netip.Addr {
	return netip.AddrFrom4([4]byte{198, 18 + byte(n>>16), byte(n >> 8), byte(n)})
}

// openFDs counts the process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
