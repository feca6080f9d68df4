package conntrack_test

import (
	"errors"
	"iter"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
)

// TestExpectations: an expectation on a master flow with the ftp helper is
// created, dumped (and listed by conntrack -L expect), deleted and flushed.
func TestExpectations(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	// The ftp helper allows one expectation per master: two masters.
	masters := map[uint16]conntrack.Flow{}
	for i, p := range []uint16{5000, 5001} {
		master := conntrack.Flow{Orig: tcpTuple("198.18.0.1", "198.18.0.2", 1000+uint16(i), 21), Timeout: time.Minute, Helper: "ftp",
			TCP: conntrack.TCPInfo{State: conntrack.TCPEstablished}}
		if err := c.AddFlow(ctx, master); err != nil {
			t.Fatal(err)
		}
		if g, err := c.Flow(ctx, master.Orig, 0); err != nil || g.Helper != "ftp" {
			t.Fatalf("master: helper %q, %v", g.Helper, err)
		}
		masters[p] = master
	}
	ones := netip.MustParseAddr("255.255.255.255")
	exp := func(port uint16) conntrack.Expectation {
		return conntrack.Expectation{
			Master:  masters[port].Orig,
			Tuple:   tcpTuple("198.18.0.2", "198.18.0.1", 0, port),
			Mask:    conntrack.Tuple{Src: ones, Dst: ones, Proto: conntrack.ProtoTCP, DstPort: 0xffff},
			Timeout: 300 * time.Second,
		}
	}
	for _, p := range []uint16{5000, 5001} {
		if err := c.AddExpectation(ctx, exp(p)); err != nil {
			t.Fatal(err)
		}
	}
	// Linux 6.18 takes the same expectation again without EEXIST (the
	// helper's limit of one per master replaces it); there are still two.
	if err := c.AddExpectation(ctx, exp(5000)); err != nil && !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("adding twice: %v", err)
	}
	list, err := c.ExpectationList(ctx, netfilter.FamilyUnspec)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d expectations, want 2: %+v", len(list), list)
	}
	for _, e := range list {
		w := exp(e.Tuple.DstPort)
		if e.Master != w.Master || e.Tuple != w.Tuple || e.Mask.DstPort != 0xffff || e.Mask.Src != ones || e.Helper != "ftp" ||
			e.Timeout > w.Timeout || e.Timeout < w.Timeout-5*time.Second || e.ID == 0 || e.Family != netfilter.FamilyIPv4 {
			t.Errorf("got %+v", e)
		}
	}
	out := string(kerneltest.Run(t, ns, kerneltest.Tool(t, "conntrack", "conntrack"), "-L", "expect"))
	for _, want := range []string{"proto=6 src=198.18.0.2 dst=198.18.0.1 sport=0 dport=5000", "dport=5001",
		"master-src=198.18.0.1 master-dst=198.18.0.2 sport=1000 dport=21", "helper=ftp"} {
		if !strings.Contains(out, want) {
			t.Errorf("conntrack -L expect lacks %q:\n%s", want, out)
		}
	}
	if err := c.DeleteExpectation(ctx, exp(5000).Tuple, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteExpectation(ctx, exp(5000).Tuple, 0); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("delete twice: %v", err)
	}
	if list, _ := c.ExpectationList(ctx, netfilter.FamilyUnspec); len(list) != 1 || list[0].Tuple.DstPort != 5001 {
		t.Fatalf("after delete: %+v", list)
	}
	st, err := c.ExpectationCPUStatsList(ctx)
	if err != nil || len(st) == 0 {
		t.Fatalf("expectation stats: %v %v", st, err)
	}
	var created uint32
	for _, s := range st {
		created += s.Create
	}
	if created < 2 {
		t.Errorf("expectations created per stats: %d, want at least 2", created)
	}
	if err := c.FlushExpectations(ctx, netfilter.FamilyUnspec); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.ExpectationList(ctx, netfilter.FamilyUnspec); len(list) != 0 {
		t.Fatalf("after flush: %+v", list)
	}
}

// TestStats: the table's count and limit, and the per-CPU counters, agree
// with the table and with conntrack -C and -S.
func TestStats(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	if err := c.AddFlows(ctx, bulkFlows(123)); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Entries != 123 || st.MaxEntries == 0 {
		t.Errorf("stats %+v, want 123 entries", st)
	}
	tool := kerneltest.Tool(t, "conntrack", "conntrack")
	if out := strings.TrimSpace(string(kerneltest.Run(t, ns, tool, "-C"))); out != "123" {
		t.Errorf("conntrack -C says %q", out)
	}
	cpus, err := c.CPUStatsList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var insert uint32
	for _, s := range cpus {
		insert += s.Insert
	}
	if insert != 123 {
		t.Errorf("inserts over %d CPUs: %d, want 123", len(cpus), insert)
	}
	lines := strings.Count(string(kerneltest.Run(t, ns, tool, "-S")), "cpu=")
	if lines != len(cpus) {
		t.Errorf("conntrack -S lists %d CPUs, we %d", lines, len(cpus))
	}
	// Dump and zero: counters come back and are zeroed (accounting on).
	n := 0
	for _, err := range c.ZeroedFlows(ctx, conntrack.FlowFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 123 {
		t.Errorf("dump and zero gave %d flows", n)
	}
	// No traffic: nothing dying, nothing unconfirmed; the dumps work.
	for name, seq := range map[string]func() int{
		"dying": func() int { return countFlows(t, c.DyingFlows(ctx, conntrack.FlowFilter{})) },
		"unconfirmed": func() int {
			return countFlows(t, c.UnconfirmedFlows(ctx, conntrack.FlowFilter{Proto: conntrack.ProtoUDP}))
		},
	} {
		if k := seq(); k != 0 {
			t.Errorf("%s: %d flows", name, k)
		}
	}
}

func countFlows(t *testing.T, seq iter.Seq2[conntrack.Flow, error]) int {
	t.Helper()
	n := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}
