package conntrack_test

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netns"
)

// ctLine is one line of `conntrack -L -o extended,id`, split.
type ctLine struct {
	l3, l4       string
	l3num, l4num int
	timeout      int
	state        string
	orig, reply  map[string]string
	unreplied    bool
	assured      bool
	rest         map[string]string // mark, zone, use, id ...
}

// conntrackList runs `conntrack -L -o extended,id` in ns and parses it by id.
func conntrackList(t *testing.T, ns *netns.NS, args ...string) map[uint32]ctLine {
	t.Helper()
	tool := kerneltest.Tool(t, "conntrack", "conntrack")
	out := kerneltest.Run(t, ns, tool, append([]string{"-L", "-o", "extended,id"}, args...)...)
	got := map[uint32]ctLine{}
	for line := range strings.Lines(string(out)) {
		l := parseCTLine(t, strings.TrimSpace(line))
		id, err := strconv.ParseUint(l.rest["id"], 10, 32)
		if err != nil {
			t.Fatalf("no id in %q", line)
		}
		got[uint32(id)] = l
	}
	return got
}

func parseCTLine(t *testing.T, line string) ctLine {
	t.Helper()
	w := strings.Fields(line)
	if len(w) < 5 {
		t.Fatalf("short line %q", line)
	}
	l := ctLine{l3: w[0], l4: w[2], orig: map[string]string{}, reply: map[string]string{}, rest: map[string]string{}}
	l.l3num, _ = strconv.Atoi(w[1])
	l.l4num, _ = strconv.Atoi(w[3])
	l.timeout, _ = strconv.Atoi(w[4])
	w = w[5:]
	if len(w) > 0 && !strings.Contains(w[0], "=") {
		l.state, w = w[0], w[1:]
	}
	cur, srcs, inRest := l.orig, 0, false
	for _, tok := range w {
		switch tok {
		case "[UNREPLIED]":
			l.unreplied = true
			continue
		case "[ASSURED]":
			l.assured = true
			continue
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			continue
		}
		switch {
		case k == "src":
			srcs++
			if srcs == 2 {
				cur = l.reply
			}
		case k == "mark" || k == "use" || k == "zone" || k == "secctx" || k == "helper" || k == "labels" || k == "delta-time":
			cur, inRest = l.rest, true
		}
		if _, dup := cur[k]; dup && !inRest {
			cur, inRest = l.rest, true // the flow's id after an ICMP id
		}
		cur[k] = v
	}
	return l
}

// tupleFields is what conntrack prints of a tuple.
func tupleFields(tp conntrack.Tuple) map[string]string {
	m := map[string]string{"src": tp.Src.String(), "dst": tp.Dst.String()}
	switch tp.Proto {
	case conntrack.ProtoICMP, conntrack.ProtoICMPv6:
		m["type"] = strconv.Itoa(int(tp.ICMPType))
		m["code"] = strconv.Itoa(int(tp.ICMPCode))
		m["id"] = strconv.Itoa(int(tp.ICMPID))
	default:
		m["sport"] = strconv.Itoa(int(tp.SrcPort))
		m["dport"] = strconv.Itoa(int(tp.DstPort))
	}
	return m
}

// compareWithTool checks every field both print.
func compareWithTool(t *testing.T, f conntrack.Flow, l ctLine) {
	t.Helper()
	l3 := map[netfilter.Family]string{netfilter.FamilyIPv4: "ipv4", netfilter.FamilyIPv6: "ipv6"}[f.Family]
	if l.l3 != l3 || l.l3num != int(f.Family) {
		t.Errorf("flow %d: family %v, conntrack says %s %d", f.ID, f.Family, l.l3, l.l3num)
	}
	if l.l4num != int(f.Orig.Proto) {
		t.Errorf("flow %d: proto %d, conntrack says %s %d", f.ID, f.Orig.Proto, l.l4, l.l4num)
	}
	// Both readings happened within the test: allow a second of drift.
	if d := int(f.Timeout/time.Second) - l.timeout; d < -1 || d > 1 {
		t.Errorf("flow %d: timeout %v, conntrack says %d", f.ID, f.Timeout, l.timeout)
	}
	if f.Orig.Proto == conntrack.ProtoTCP && l.state != f.TCP.State.String() {
		t.Errorf("flow %d: state %v, conntrack says %s", f.ID, f.TCP.State, l.state)
	}
	if d := mapDiff(tupleFields(f.Orig), l.orig); d != "" {
		t.Errorf("flow %d: original tuple (-ours +conntrack):\n%s", f.ID, d)
	}
	if d := mapDiff(tupleFields(f.Reply), l.reply); d != "" {
		t.Errorf("flow %d: reply tuple (-ours +conntrack):\n%s", f.ID, d)
	}
	if l.unreplied != (f.Status&conntrack.StatusSeenReply == 0) || l.assured != (f.Status&conntrack.StatusAssured != 0) {
		t.Errorf("flow %d: status %v, conntrack says unreplied %v assured %v", f.ID, f.Status, l.unreplied, l.assured)
	}
	want := map[string]string{"mark": strconv.Itoa(int(f.Mark)), "use": strconv.Itoa(int(f.Use)), "id": strconv.Itoa(int(f.ID))}
	if f.Zone != 0 {
		want["zone"] = strconv.Itoa(int(f.Zone))
	}
	if d := mapDiff(want, l.rest); d != "" {
		t.Errorf("flow %d: (-ours +conntrack):\n%s", f.ID, d)
	}
}

// enableLabels makes the namespace's flows able to hold labels: the
// kernel adds the label extension only while a rule uses labels.
func enableLabels(t *testing.T, ns *netns.NS) {
	nft := kerneltest.Tool(t, "nft", "nftables")
	kerneltest.Run(t, ns, nft, "add table ip nlkit_labels")
	kerneltest.Run(t, ns, nft, "add chain ip nlkit_labels c { type filter hook prerouting priority 0; }")
	kerneltest.Run(t, ns, nft, "add rule ip nlkit_labels c ct label 1 counter")
}

// TestFlowRoundTrip: TCP, UDP, ICMP and ICMPv6 flows with zones, marks and
// labels are created, read back, changed, compared field by field with
// conntrack -L -o extended, deleted and flushed.
func TestFlowRoundTrip(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	enableLabels(t, ns)
	var labels conntrack.Labels
	labels.SetBit(1)
	labels.SetBit(100)
	icmp := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.3"), Proto: conntrack.ProtoICMP, ICMPType: 8, ICMPID: 77}
	icmp6 := conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"), Proto: conntrack.ProtoICMPv6, ICMPType: 128, ICMPID: 78}
	flows := []conntrack.Flow{
		{Orig: tcpTuple("198.18.0.1", "198.18.0.2", 1000, 80), Timeout: 100 * time.Second, Mark: 5, Status: conntrack.StatusAssured | conntrack.StatusSeenReply,
			TCP: conntrack.TCPInfo{State: conntrack.TCPEstablished}},
		{Orig: tcpTuple("2001:db8::1", "2001:db8::2", 1001, 443), Timeout: 200 * time.Second, Zone: 7, Labels: labels,
			TCP: conntrack.TCPInfo{State: conntrack.TCPSynSent}},
		{Orig: udpTuple("198.18.0.1", "198.18.0.3", 1000, 53), Timeout: 30 * time.Second, Zone: 3, Mark: 0xffffffff},
		{Orig: udpTuple("2001:db8::1", "2001:db8::3", 5353, 53), Timeout: 31 * time.Second, Labels: labels},
		{Orig: icmp, Timeout: 29 * time.Second, Mark: 9},
		{Orig: icmp6, Timeout: 28 * time.Second, Zone: 65535},
	}
	for _, f := range flows {
		if err := c.AddFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddFlow(ctx, flows[0]); !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("adding twice: %v, want EEXIST", err)
	}
	got := map[string]conntrack.Flow{}
	for _, f := range flows {
		g, err := c.Flow(ctx, f.Orig, f.Zone)
		if err != nil {
			t.Fatal(err)
		}
		want := f.Orig.Reverse()
		if g.Orig != f.Orig || g.Reply != want || g.Mark != f.Mark || g.Zone != f.Zone || g.Labels != f.Labels ||
			g.Status&f.Status != f.Status || g.TCP.State != f.TCP.State || g.ID == 0 || g.Use == 0 ||
			g.Timeout > f.Timeout || g.Timeout < f.Timeout-5*time.Second {
			t.Errorf("got %+v\nfor %+v", g, f)
		}
		if !g.Has(conntrack.AttrMark) || !g.Has(conntrack.AttrID) {
			t.Errorf("%v: mark or id not reported", g.Orig)
		}
		got[f.Orig.String()] = g
	}
	// Every field conntrack prints, on the same table.
	tool := conntrackList(t, ns)
	list, err := c.FlowList(ctx, conntrack.FlowFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(flows) || len(tool) != len(flows) {
		t.Fatalf("dump has %d flows, conntrack %d, want %d", len(list), len(tool), len(flows))
	}
	for _, f := range list {
		l, ok := tool[f.ID]
		if !ok {
			t.Errorf("flow %d (%v) not in conntrack's list", f.ID, f.Orig)
			continue
		}
		compareWithTool(t, f, l)
	}

	// Change mark, timeout, labels and status.
	mark := uint32(0x10)
	tmo := 500 * time.Second
	var nl conntrack.Labels
	nl.SetBit(5)
	for _, f := range flows {
		// The kernel only sets status bits: the new status keeps the old.
		st := got[f.Orig.String()].Status | conntrack.StatusAssured
		err := c.ChangeFlow(ctx, f.Orig, f.Zone, conntrack.FlowChange{Mark: &mark, Timeout: &tmo, Labels: &nl, Status: &st})
		if err != nil {
			t.Fatal(err)
		}
		g, err := c.Flow(ctx, f.Orig, f.Zone)
		if err != nil {
			t.Fatal(err)
		}
		if g.Mark != mark || g.Labels != nl || g.Status&conntrack.StatusAssured == 0 || g.Timeout < 490*time.Second || g.ID != got[f.Orig.String()].ID {
			t.Errorf("after change: %+v", g)
		}
	}
	// Masked mark change: only the low byte.
	lo := uint32(0xab)
	if err := c.ChangeFlow(ctx, flows[0].Orig, 0, conntrack.FlowChange{Mark: &lo, MarkMask: 0xff}); err != nil {
		t.Fatal(err)
	}
	if g, _ := c.Flow(ctx, flows[0].Orig, 0); g.Mark != 0xab {
		t.Errorf("masked mark change: %#x, want 0xab", g.Mark)
	}
	for id, l := range conntrackList(t, ns) {
		if l.rest["mark"] != "16" && !(l.rest["mark"] == "171" && l.orig["dport"] == "80") {
			t.Errorf("flow %d: conntrack shows mark %s after change", id, l.rest["mark"])
		}
	}
	// A change to a missing flow is ENOENT, not a creation.
	missing := tcpTuple("198.18.9.9", "198.18.9.8", 1, 2)
	if err := c.ChangeFlow(ctx, missing, 0, conntrack.FlowChange{Mark: &mark}); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("change of a missing flow: %v", err)
	}
	if _, err := c.Flow(ctx, missing, 0); !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("get of a missing flow: %v", err)
	}

	// Delete one, flush IPv6, flush all.
	if err := c.DeleteFlow(ctx, flows[0].Orig, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteFlow(ctx, flows[0].Orig, 0); !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "delete flow tcp 198.18.0.1:1000 -> 198.18.0.2:80") {
		t.Fatalf("delete twice: %v", err)
	}
	if err := c.FlushFlows(ctx, netfilter.FamilyIPv6); err != nil {
		t.Fatal(err)
	}
	list, _ = c.FlowList(ctx, conntrack.FlowFilter{})
	for _, f := range list {
		if f.Family != netfilter.FamilyIPv4 {
			t.Errorf("IPv6 flow left after an IPv6 flush: %v", f.Orig)
		}
	}
	if len(list) != 2 {
		t.Errorf("%d flows after flushing IPv6, want 2", len(list))
	}
	if err := c.FlushFlows(ctx, netfilter.FamilyUnspec); err != nil {
		t.Fatal(err)
	}
	if list, _ := c.FlowList(ctx, conntrack.FlowFilter{}); len(list) != 0 {
		t.Errorf("%d flows after flush", len(list))
	}
	if n := len(conntrackList(t, ns)); n != 0 {
		t.Errorf("conntrack lists %d flows after flush", n)
	}
}

// mapDiff lists the keys whose values differ, "" when equal.
func mapDiff(a, b map[string]string) string {
	var out []string
	keys := slices.Sorted(maps.Keys(a))
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		va, oka := a[k]
		vb, okb := b[k]
		if va != vb || oka != okb {
			out = append(out, fmt.Sprintf("%s: %q (%v) vs %q (%v)", k, va, oka, vb, okb))
		}
	}
	return strings.Join(out, "\n")
}
