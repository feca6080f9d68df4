//go:build linux

package rtnl

import (
	"context"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestLinkStatsKernel dumps and gets the statistics of a bridge and its
// port in a throwaway namespace: the port's STP and multicast counters
// (IFLA_STATS_LINK_XSTATS_SLAVE), the bridge's multicast counters, the
// offload group narrowed by a filter, and l3_stats refused on a link
// without offload.
func TestLinkStatsKernel(t *testing.T) {
	ns := kerneltest.NetNS(t)
	ctx := context.Background()
	kerneltest.Run(t, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
	kerneltest.Run(t, ns, "ip", "link", "add", "br0", "type", "bridge")
	kerneltest.Run(t, ns, "ip", "link", "set", "v0", "master", "br0")
	c := testDial(t, ns)
	br, err := c.LinkByName(ctx, "br0")
	if err != nil {
		t.Fatal(err)
	}
	v0, err := c.LinkByName(ctx, "v0")
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.LinkStatsList(ctx, StatsFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Fatalf("dump: %d links, want 4 (lo, v0, v1, br0)", len(all))
	}
	for _, s := range all {
		if !s.HasLink64 || !s.HasOffload || s.Groups != StatsAll {
			t.Errorf("link %d: %+v: want link64 and offload groups", s.Index, s)
		}
		switch s.Index {
		case v0.Index:
			if s.XstatsSlave.Bridge == nil || s.XstatsSlave.Bridge.STP == nil || s.XstatsSlave.Bridge.Mcast == nil {
				t.Errorf("bridge port: xstats_slave %+v, want the bridge's STP and multicast counters", s.XstatsSlave)
			}
		case br.Index:
			if s.Xstats.Bridge == nil || s.Xstats.Bridge.Mcast == nil {
				t.Errorf("bridge: xstats %+v, want multicast counters", s.Xstats)
			}
		}
	}
	var got []LinkStats
	for s, err := range c.LinkStats(ctx, StatsFilter{Index: v0.Index, Groups: StatsOffload, Offload: OffloadHWStatsInfo}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if len(got) != 1 || got[0].Index != v0.Index || got[0].HasLink64 || !got[0].Offload.HasHWSInfo || got[0].Offload.HasCPUHit {
		t.Fatalf("get v0 offload hw_stats_info: %+v", got)
	}
	if in := got[0].Offload.L3Info; in == nil || in.Request || !in.HasRequest || in.Used {
		t.Errorf("v0 l3 info %+v, want not requested, not used", in)
	}
	if err := c.SetL3Stats(ctx, v0.Index, true); err != nil {
		t.Fatalf("l3_stats on: %v", err)
	}
	got, err = c.LinkStatsList(ctx, StatsFilter{Index: v0.Index, Groups: StatsOffload})
	if err != nil {
		t.Fatal(err)
	}
	if in := got[0].Offload.L3Info; in == nil || !in.Request || in.Used {
		t.Errorf("after l3_stats on: %+v, want requested, not used (veth has no offload)", in)
	}
	if _, err := c.LinkStatsList(ctx, StatsFilter{Index: 999}); err == nil {
		t.Error("stats of link 999: no error")
	}
}
