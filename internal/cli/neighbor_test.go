package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/rtnl"
)

func TestParseNeigh(t *testing.T) {
	a := netip.MustParseAddr
	mac := func(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
	const showStates = 0xff &^ uint32(rtnl.NeighborNoARP)
	const flushStates = (0xff | neighStateNone) &^ uint32(rtnl.NeighborPermanent|rtnl.NeighborNoARP)
	for _, tc := range []struct {
		args []string
		fam  Family
		want neighRequest
		err  string
	}{
		{args: nil, want: neighRequest{cmd: "show", states: showStates}},
		{args: nil, fam: FamilyInet6, want: neighRequest{cmd: "show", states: showStates, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv6}}},
		{args: []string{"show", "dev", "v0", "nud", "stale", "nud", "permanent", "proxy", "to", "198.18.2.0/24"},
			want: neighRequest{cmd: "show", dev: "v0", hasDev: true, proxy: true, to: netip.MustParsePrefix("198.18.2.0/24"),
				states: uint32(rtnl.NeighborStale | rtnl.NeighborPermanent), neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4}}},
		{args: []string{"ls", "nud", "all"}, want: neighRequest{cmd: "show", states: 0xff | neighStateNone}},
		{args: []string{"list", "nud", "none"}, want: neighRequest{cmd: "show", states: neighStateNone}},
		{args: []string{"flush", "dev", "v0"}, want: neighRequest{cmd: "flush", dev: "v0", hasDev: true, states: flushStates}},
		{args: []string{"f", "nud", "all", "2001:db8::/64"},
			want: neighRequest{cmd: "flush", states: (0xff | neighStateNone) &^ uint32(rtnl.NeighborNoARP),
				to: netip.MustParsePrefix("2001:db8::/64"), neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv6}}},
		{args: []string{"add", "198.18.2.50", "lladdr", "02:00:00:00:00:50", "dev", "v0"},
			want: neighRequest{cmd: "add", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.50"),
				LinkAddr: mac("02:00:00:00:00:50")}}},
		{args: []string{"replace", "to", "2001:db8::50", "lladdr", "2:0:0:0:0:52", "dev", "v0", "router", "nud", "stale", "proto", "static"},
			want: neighRequest{cmd: "replace", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv6, Addr: a("2001:db8::50"),
				LinkAddr: mac("02:00:00:00:00:52"), Flags: rtnl.NeighborRouter, State: rtnl.NeighborStale, HasState: true, Protocol: rtnl.ProtoStatic}}},
		{args: []string{"chg", "198.18.2.51", "dev", "v0", "nud", "reach", "lladdr", "null"},
			want: neighRequest{cmd: "change", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.51"), State: rtnl.NeighborReachable, HasState: true}}},
		{args: []string{"add", "198.18.2.52", "dev", "v0", "nud", "0x40", "extern_learn"},
			want: neighRequest{cmd: "add", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.52"),
				State: rtnl.NeighborNoARP, HasState: true, Flags: rtnl.NeighborExtLearned}}},
		{args: []string{"add", "proxy", "198.18.2.60"},
			want: neighRequest{cmd: "add", neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.60"), Flags: rtnl.NeighborProxy}}},
		{args: []string{"del", "198.18.2.50", "dev", "v0"},
			want: neighRequest{cmd: "delete", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.50")}}},
		{args: []string{"get", "198.18.2.50", "dev", "v0"},
			want: neighRequest{cmd: "get", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.50")}}},
		{args: []string{"get", "proxy", "198.18.2.58", "dev", "v0"},
			want: neighRequest{cmd: "get", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.58"), Flags: rtnl.NeighborProxy}}},
		{args: []string{"add", "198.18.2.58", "dev", "v0", "nud", "none"},
			want: neighRequest{cmd: "add", dev: "v0", hasDev: true, neigh: rtnl.Neighbor{Family: rtnl.FamilyIPv4, Addr: a("198.18.2.58"), State: rtnl.NeighborNone, HasState: true}}},

		// Every error message.
		{args: []string{"frob"}, err: `Command "frob" is unknown, try "nl neigh help".`},
		{args: []string{"flush"}, err: `Flush requires arguments.`},
		{args: []string{"show", "dev", "v0", "dev", "v1"}, err: `Error: duplicate "dev": "v1" is the second value.`},
		{args: []string{"show", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show", "nud", "foo"}, err: `Error: argument "foo" is wrong: nud state is bad`},
		{args: []string{"show", "nud", "0x3"}, err: `Error: argument "0x3" is wrong: nud state is bad`},
		{args: []string{"show", "xyz"}, err: `Error: any valid prefix is expected rather than "xyz".`},
		{args: []string{"add", "198.18.2.58", "lladdr", "02:00:00:00:00:58"}, err: `Device and destination are required arguments.`},
		{args: []string{"add", "dev", "v0"}, err: `Device and destination are required arguments.`},
		{args: []string{"get", "198.18.2.58"}, err: `Device and address are required arguments.`},
		{args: []string{"add", "198.18.2.58", "lladdr", "zz", "dev", "v0"}, err: `"zz" is invalid lladdr.`},
		{args: []string{"add", "198.18.2.58", "lladdr", "02::58", "dev", "v0"}, err: `"" is invalid lladdr.`},
		{args: []string{"add", "198.18.2.58", "lladdr", "02:00:00:00:00:58", "lladdr", "02:00:00:00:00:59", "dev", "v0"},
			err: `Error: duplicate "lladdr": "02:00:00:00:00:59" is the second value.`},
		{args: []string{"add", "198.18.2.58", "dev", "v0", "nud", "foo"}, err: `Error: argument "foo" is wrong: nud state is bad`},
		{args: []string{"add", "198.18.2.58", "198.18.2.59", "dev", "v0"}, err: `Error: either "to" is duplicate, or "198.18.2.59" is a garbage.`},
		{args: []string{"add", "proxy", "198.18.2.58", "proxy", "198.18.2.59"}, err: `Error: duplicate "address": "198.18.2.59" is the second value.`},
		{args: []string{"add", "xyz", "dev", "v0"}, err: `Error: any valid address is expected rather than "xyz".`},
		{args: []string{"add", "2001:db8::1", "dev", "v0"}, fam: FamilyInet, err: `Error: inet address is expected rather than "2001:db8::1".`},
		{args: []string{"add", "198.18.2.58", "dev", "v0", "proto", "xyz"}, err: `Error: argument "xyz" is wrong: "protocol" value is invalid` + "\n"},
		{args: []string{"add", "198.18.2.58", "dev", "v0", "lladdr"}, err: `Command line is not complete. Try option "help"`},
	} {
		got, err := parseNeigh(tc.args, tc.fam)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
}

func TestNeighMatch(t *testing.T) {
	sel := func(args ...string) neighRequest {
		r, err := parseNeigh(append([]string{"show"}, args...), 0)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	n := func(addr string, st rtnl.NeighborState, f rtnl.NeighborFlags) *rtnl.Neighbor {
		return &rtnl.Neighbor{Addr: netip.MustParseAddr(addr), State: st, Flags: f}
	}
	for _, tc := range []struct {
		sel  neighRequest
		n    *rtnl.Neighbor
		want bool
	}{
		{sel(), n("198.18.2.1", rtnl.NeighborReachable, 0), true},
		{sel(), n("198.18.2.1", rtnl.NeighborNoARP, 0), false},
		{sel(), n("198.18.2.1", rtnl.NeighborNone, 0), false},
		{sel(), n("198.18.2.1", rtnl.NeighborNone, rtnl.NeighborProxy), true},
		{sel("nud", "all"), n("198.18.2.1", rtnl.NeighborNone, 0), true},
		{sel("nud", "noarp"), n("198.18.2.1", rtnl.NeighborNoARP, 0), true},
		{sel("nud", "noarp"), n("198.18.2.1", rtnl.NeighborStale, 0), false},
		{sel("198.18.2.0/28"), n("198.18.2.1", rtnl.NeighborStale, 0), true},
		{sel("198.18.2.0/28"), n("198.18.2.17", rtnl.NeighborStale, 0), false},
		{sel("198.18.2.0/28"), n("2001:db8::1", rtnl.NeighborStale, 0), false},
	} {
		if got := tc.sel.match(tc.n); got != tc.want {
			t.Errorf("%+v on %+v: %v, want %v", tc.sel, tc.n, got, tc.want)
		}
	}
}

func TestNeighHelp(t *testing.T) {
	for _, obj := range []string{"neighbor", "neighbour", "neigh", "n"} {
		if _, out, code := run(t, obj, "help"); code != ExitUsage || !strings.Contains(out, "nl neigh { show | flush }") {
			t.Errorf("%s help: exit %d, %q", obj, code, out)
		}
	}
}

// rtNeighs lists the neighbour (or proxy) entries of a link.
func rtNeighs(t *testing.T, c *rtnl.Conn, index int32, proxy bool) map[netip.Addr]rtnl.Neighbor {
	t.Helper()
	out := map[netip.Addr]rtnl.Neighbor{}
	for n, err := range c.Neighbors(context.Background(), rtnl.NeighborFilter{Index: index, Proxy: proxy}) {
		if err != nil {
			t.Fatal(err)
		}
		out[n.Addr] = n
	}
	return out
}

// TestNeighCommands runs every changing neighbour command and checks it
// through the library.
func TestNeighCommands(t *testing.T) {
	_, name, c := rtNS(t)
	v0 := rtLinkIndex(t, c, "v0")
	nl := func(args ...string) string { t.Helper(); return rtMustRun(t, append([]string{"-n", name}, args...)...) }
	a := netip.MustParseAddr
	nl("neigh", "add", "198.18.2.50", "lladdr", "02:00:00:00:00:50", "dev", "v0")
	nl("neighbour", "add", "198.18.2.51", "lladdr", "02:00:00:00:00:51", "dev", "v0", "nud", "stale")
	nl("neighbor", "add", "2001:db8::50", "lladdr", "02:00:00:00:00:52", "dev", "v0", "router", "nud", "noarp", "proto", "static")
	nl("n", "add", "proxy", "198.18.2.60", "dev", "v0")
	nl("neigh", "replace", "198.18.2.53", "lladdr", "02:00:00:00:00:53", "dev", "v0", "nud", "reachable")
	es := rtNeighs(t, c, v0, false)
	for addr, want := range map[string]rtnl.Neighbor{
		"198.18.2.50":  {State: rtnl.NeighborPermanent, LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 0x50}},
		"198.18.2.51":  {State: rtnl.NeighborStale, LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 0x51}},
		"2001:db8::50": {State: rtnl.NeighborNoARP, LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 0x52}, Flags: rtnl.NeighborRouter, Protocol: rtnl.ProtoStatic},
		"198.18.2.53":  {State: rtnl.NeighborReachable, LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 0x53}},
	} {
		got := es[a(addr)]
		if got.State != want.State || got.LinkAddr.String() != want.LinkAddr.String() || got.Flags != want.Flags || got.Protocol != want.Protocol {
			t.Errorf("%s: %+v, want %+v", addr, got, want)
		}
	}
	if ps := rtNeighs(t, c, v0, true); len(ps) != 1 || ps[a("198.18.2.60")].Flags&rtnl.NeighborProxy == 0 {
		t.Errorf("proxy: %v", ps)
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: File exists", "-n", name, "neigh", "add", "198.18.2.50", "lladdr", "02:00:00:00:00:50", "dev", "v0")

	nl("neigh", "change", "198.18.2.50", "lladdr", "02:00:00:00:00:99", "dev", "v0", "nud", "stale")
	if got := rtNeighs(t, c, v0, false)[a("198.18.2.50")]; got.State != rtnl.NeighborStale || got.LinkAddr.String() != "02:00:00:00:00:99" {
		t.Errorf("change: %+v", got)
	}
	rtFails(t, ExitKernel, "", "-n", name, "neigh", "change", "198.18.2.99", "lladdr", "02:00:00:00:00:99", "dev", "v0")
	if _, ok := rtNeighs(t, c, v0, false)[a("198.18.2.99")]; ok {
		t.Error("change created a missing entry")
	}

	var got []map[string]any
	if err := json.Unmarshal([]byte(nl("-j", "neigh", "get", "198.18.2.51", "dev", "v0")), &got); err != nil || len(got) != 1 ||
		got[0]["lladdr"] != "02:00:00:00:00:51" {
		t.Errorf("get: %v %v", got, err)
	}
	if out := nl("neigh", "get", "198.18.2.51", "dev", "v0"); out != "198.18.2.51 dev v0 lladdr 02:00:00:00:00:51 STALE \n" {
		t.Errorf("get text: %q", out)
	}
	if out := nl("neigh", "get", "proxy", "198.18.2.60", "dev", "v0"); out != "198.18.2.60 dev v0 proxy \n" {
		t.Errorf("get proxy text: %q", out)
	}
	// nud none: an entry in no state, as ip makes it.
	nl("neigh", "add", "198.18.2.57", "dev", "v0", "nud", "none")
	if got, ok := rtNeighs(t, c, v0, false)[a("198.18.2.57")]; !ok || got.State != rtnl.NeighborNone {
		t.Errorf("nud none: %+v", got)
	}

	nl("neigh", "del", "198.18.2.53", "dev", "v0")
	nl("neigh", "delete", "proxy", "198.18.2.60", "dev", "v0")
	if _, ok := rtNeighs(t, c, v0, false)[a("198.18.2.53")]; ok {
		t.Error("del: entry left")
	}
	if ps := rtNeighs(t, c, v0, true); len(ps) != 0 {
		t.Errorf("del proxy: left %v", ps)
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: No such file or directory", "-n", name, "neigh", "del", "198.18.2.53", "dev", "v0")
	rtFails(t, ExitFailure, `Cannot find device "nosuch"`, "-n", name, "neigh", "add", "198.18.2.54", "dev", "nosuch")

	// flush needs a selector and, like ip, leaves permanent and noarp
	// entries alone unless asked.
	rtFails(t, ExitFailure, "Flush requires arguments.", "-n", name, "neigh", "flush")
	nl("neigh", "add", "198.18.2.55", "lladdr", "02:00:00:00:00:55", "dev", "v0")
	nl("neigh", "flush", "dev", "v0")
	es = rtNeighs(t, c, v0, false)
	if _, ok := es[a("198.18.2.51")]; ok {
		t.Errorf("flush dev v0: stale entry left: %v", es)
	}
	if es[a("198.18.2.55")].State != rtnl.NeighborPermanent || es[a("2001:db8::50")].State != rtnl.NeighborNoARP {
		t.Errorf("flush dev v0 removed permanent or noarp entries: %v", es)
	}
	if out := nl("-s", "neigh", "flush", "dev", "v0", "nud", "permanent"); !strings.Contains(out, "*** Round 1, deleting 1 entries ***") {
		t.Errorf("flush -s: %q", out)
	}
	if _, ok := rtNeighs(t, c, v0, false)[a("198.18.2.55")]; ok {
		t.Error("flush nud permanent: entry left")
	}
}

// TestNeighShowMatchesIP compares nl -j neigh show with ip -j, and the
// text output. With -s, the ages ("used", "confirmed", "updated", in
// seconds) may tick between the two runs: they are compared by presence.
func TestNeighShowMatchesIP(t *testing.T) {
	ns, name, _ := rtNS(t)
	for _, cmd := range [][]string{
		{"neigh", "add", "198.18.2.50", "lladdr", "02:00:00:00:00:50", "dev", "v0"},
		{"neigh", "add", "198.18.2.51", "lladdr", "02:00:00:00:00:51", "dev", "v0", "nud", "stale"},
		{"neigh", "add", "198.18.2.52", "lladdr", "02:00:00:00:00:54", "dev", "v0", "nud", "noarp"},
		{"neigh", "add", "198.18.2.53", "dev", "v0", "nud", "none"},
		{"neigh", "add", "2001:db8::50", "lladdr", "02:00:00:00:00:52", "dev", "v0", "router", "nud", "stale"},
		{"neigh", "add", "2001:db8::51", "lladdr", "02:00:00:00:00:53", "dev", "v1", "protocol", "static"},
		{"neigh", "add", "proxy", "198.18.2.60", "dev", "v0"},
		{"-6", "neigh", "add", "proxy", "2001:db8::60", "dev", "v1"},
	} {
		kerneltest.Run(t, ns, "ip", cmd...)
	}
	for _, args := range [][]string{
		{"neigh"},
		{"neigh", "show", "nud", "all"},
		{"neigh", "show", "proxy"},
		{"neigh", "show", "dev", "v0"},
		{"-6", "neigh"},
		{"neigh", "show", "nud", "stale"},
		{"neigh", "show", "nud", "none"},
		{"neigh", "show", "198.18.2.48/29"},
		{"-s", "neigh", "show", "nud", "all"},
		{"-s", "neigh", "show", "proxy"},
	} {
		rtCompareIP(t, ns, name, nil, []string{"used", "confirmed", "updated"}, args...)
		if args[0] == "-s" {
			continue
		}
		// The kernel adds IPv6 multicast entries of its own now and
		// then: take both views again until they agree, for a while.
		for attempt := 0; ; attempt++ {
			nl := rtMustRun(t, append([]string{"-n", name}, args...)...)
			ip := kerneltest.Run(t, ns, "ip", args...)
			if nl == string(ip) {
				break
			}
			if attempt == 20 {
				t.Errorf("%v: text differs\nnl:\n%s\nip:\n%s", args, nl, ip)
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
