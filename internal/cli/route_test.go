package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

// rtMustRun runs nl and fails the test unless it exits 0.
func rtMustRun(t testing.TB, args ...string) string {
	t.Helper()
	out, stderr, code := run(t, args...)
	if code != 0 {
		t.Fatalf("nl %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
	}
	return out
}

// rtFails runs nl, which must exit with code and print msg on stderr.
func rtFails(t testing.TB, code int, msg string, args ...string) {
	t.Helper()
	_, stderr, got := run(t, args...)
	if got != code || !strings.Contains(stderr, msg) {
		t.Errorf("nl %s: exit %d, stderr %q; want %d and %q", strings.Join(args, " "), got, stderr, code, msg)
	}
}

// rtNS gives a throwaway named namespace with the veth pair v0-v1 up
// (no IPv6 link-local addresses, so nothing changes behind the test's
// back), 198.18.2.1/24 and 2001:db8::1/64 on v0, and an rtnl.Conn in it.
func rtNS(t *testing.T) (*netns.NS, string, *rtnl.Conn) {
	t.Helper()
	ns, name := kerneltest.NamedNetNS(t)
	// One ip -batch: the side-by-side tests make many of these.
	batch := filepath.Join(t.TempDir(), "setup")
	if err := os.WriteFile(batch, []byte(`link add v0 type veth peer name v1
link set v0 addrgenmode none
link set v1 addrgenmode none
link set v0 up
link set v1 up
addr add 198.18.2.1/24 dev v0
addr add 2001:db8::1/64 dev v0 nodad
`), 0o644); err != nil {
		t.Fatal(err)
	}
	kerneltest.Run(t, ns, "ip", "-batch", batch)
	return ns, name, laDial(t, ns)
}

// rtLinkIndex is the index of a link of the test namespace.
func rtLinkIndex(t *testing.T, c *rtnl.Conn, name string) int32 {
	t.Helper()
	return laLink(t, c, name).Index
}

// rtKeys gives the keys of each object of a JSON array, in order.
func rtKeys(t *testing.T, b []byte) [][]string {
	t.Helper()
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("%v in %s", err, b)
	}
	keys := make([][]string, len(raw))
	for i, r := range raw {
		d := json.NewDecoder(bytes.NewReader(r))
		d.Token() // {
		for d.More() {
			k, _ := d.Token()
			keys[i] = append(keys[i], k.(string))
			var skip json.RawMessage
			d.Decode(&skip)
		}
	}
	return keys
}

// rtCompareIP runs `nl -j -n NAME ARGS` and `ip -j ARGS` in the namespace
// and compares them object by object: every key both print must have the
// same value and come in the same order; a key only ip prints must be in
// ipOnly, one only nl prints is an error. Keys in volatile (counters that
// move between the two runs) are compared by presence only.
func rtCompareIP(t *testing.T, ns *netns.NS, name string, ipOnly, volatile []string, args ...string) {
	t.Helper()
	what := strings.Join(args, " ")
	var nlOut string
	var ipOut []byte
	var nlObjs, ipObjs []map[string]any
	// The kernel adds entries of its own now and then (IPv6 multicast
	// neighbours after a link comes up): take both views again until they
	// list the same number of objects, for a while.
	for attempt := 0; ; attempt++ {
		nlOut = rtMustRun(t, append([]string{"-j", "-n", name}, args...)...)
		ipOut = kerneltest.Run(t, ns, "ip", append([]string{"-j"}, args...)...)
		nlObjs, ipObjs = nil, nil
		if err := json.Unmarshal([]byte(nlOut), &nlObjs); err != nil {
			t.Fatalf("%s: nl output is not a JSON array: %v\n%s", what, err, nlOut)
		}
		if err := json.Unmarshal(ipOut, &ipObjs); err != nil {
			t.Fatalf("%s: ip output is not a JSON array: %v\n%s", what, err, ipOut)
		}
		if len(nlObjs) == len(ipObjs) || attempt == 20 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(nlObjs) != len(ipObjs) {
		t.Errorf("%s: nl prints %d objects, ip %d\nnl: %s\nip: %s", what, len(nlObjs), len(ipObjs), nlOut, ipOut)
		return
	}
	nlKeys, ipKeys := rtKeys(t, []byte(nlOut)), rtKeys(t, ipOut)
	for i := range nlObjs {
		n, p := nlObjs[i], ipObjs[i]
		for k, iv := range p {
			nv, ok := n[k]
			switch {
			case !ok && !slices.Contains(ipOnly, k):
				t.Errorf("%s: [%d] key %q only in ip (%v)\nnl: %v\nip: %v", what, i, k, iv, n, p)
			case ok && !slices.Contains(volatile, k) && !reflect.DeepEqual(nv, iv):
				t.Errorf("%s: [%d] %q: nl %#v, ip %#v", what, i, k, nv, iv)
			}
		}
		for k, nv := range n {
			if _, ok := p[k]; !ok {
				t.Errorf("%s: [%d] key %q only in nl (%v)\nnl: %v\nip: %v", what, i, k, nv, n, p)
			}
		}
		var common []string
		for _, k := range ipKeys[i] {
			if _, ok := n[k]; ok {
				common = append(common, k)
			}
		}
		var nlCommon []string
		for _, k := range nlKeys[i] {
			if _, ok := p[k]; ok {
				nlCommon = append(nlCommon, k)
			}
		}
		if !slices.Equal(common, nlCommon) {
			t.Errorf("%s: [%d] key order: nl %v, ip %v", what, i, nlCommon, common)
		}
	}
}

func TestParseRoute(t *testing.T) {
	p4 := netip.MustParsePrefix
	a := netip.MustParseAddr
	main := routeSelector{table: rtnl.TableMain}
	for _, tc := range []struct {
		args []string
		fam  Family
		want routeRequest
		err  string
	}{
		{args: nil, want: routeRequest{cmd: "show", sel: main}},
		{args: []string{"list"}, want: routeRequest{cmd: "show", sel: main}},
		{args: []string{"s", "table", "all", "dev", "v0", "proto", "static", "type", "unicast", "scope", "link", "metric", "5", "to", "root", "10.0.0.0/8"},
			want: routeRequest{cmd: "show", sel: routeSelector{tableAll: true, dev: "v0", hasDev: true, proto: rtnl.ProtoStatic, hasProto: true,
				typ: rtnl.RouteUnicast, hasType: true, scope: rtnl.ScopeLink, hasScope: true, metric: 5, hasMet: true, rootPfx: p4("10.0.0.0/8")}}},
		{args: []string{"lst", "10/8", "t", "local", "pr", "all", "sc", "all"},
			want: routeRequest{cmd: "show", sel: routeSelector{table: rtnl.TableLocal, rootPfx: p4("10.0.0.0/8"), matchPfx: p4("10.0.0.0/8")}}},
		{args: []string{"show", "match", "10.1.1.1", "oif", "v1", "table", "0x100"},
			want: routeRequest{cmd: "show", sel: routeSelector{table: 256, dev: "v1", hasDev: true, matchPfx: p4("10.1.1.1/32")}}},
		{args: []string{"show", "exact", "default"}, fam: FamilyInet6,
			want: routeRequest{cmd: "show", sel: routeSelector{table: rtnl.TableMain, rootPfx: p4("::/0"), matchPfx: p4("::/0"), rootDefault: true, matchDefault: true}}},
		{args: []string{"show", "default"},
			want: routeRequest{cmd: "show", sel: routeSelector{table: rtnl.TableMain, rootDefault: true, matchDefault: true}}},
		{args: []string{"flush", "table", "300", "dev", "v0", "proto", "boot"},
			want: routeRequest{cmd: "flush", sel: routeSelector{table: 300, dev: "v0", hasDev: true, proto: rtnl.ProtoBoot, hasProto: true}}},
		{args: []string{"get", "198.51.100.7", "from", "198.18.2.1", "iif", "v1", "oif", "v0", "mark", "0x10"},
			want: routeRequest{cmd: "get", get: routeGetArgs{dst: a("198.51.100.7"), from: a("198.18.2.1"), hasFrom: true, iif: "v1", hasIif: true, oif: "v0", hasOif: true, mark: 16}}},
		{args: []string{"g", "fibmatch", "to", "2001:db8::5/64", "dev", "v0"},
			want: routeRequest{cmd: "get", get: routeGetArgs{dst: a("2001:db8::5"), oif: "v0", hasOif: true, fibMatch: true,
				warning: "Warning: /64 as prefix is invalid, only /128 (or none) is supported."}}},
		{args: []string{"add", "198.51.100.0/24", "via", "198.18.2.2", "dev", "v0", "src", "198.18.2.1", "metric", "7", "proto", "static",
			"scope", "global", "mtu", "lock", "1400", "advmss", "1300", "onlink", "table", "100"},
			want: routeRequest{cmd: "add", spec: routeSpec{dev: "v0", hasDev: true, route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("198.51.100.0/24"),
				Gateway: a("198.18.2.2"), PrefSrc: a("198.18.2.1"), Priority: 7, HasPriority: true, Protocol: rtnl.ProtoStatic, Type: rtnl.RouteUnicast,
				HasScope: true, Metrics: &rtnl.Metrics{Lock: 1 << 2, MTU: 1400, AdvMSS: 1300}, Flags: rtnl.RouteFlagOnLink, Table: 100}}}},
		{args: []string{"add", "default", "via", "2001:db8::2"},
			want: routeRequest{cmd: "add", spec: routeSpec{route: rtnl.Route{Family: rtnl.FamilyIPv6, Dst: p4("::/0"),
				Gateway: a("2001:db8::2"), Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast, Table: rtnl.TableMain}}}},
		{args: []string{"add", "default", "dev", "v0"}, fam: FamilyInet6,
			want: routeRequest{cmd: "add", spec: routeSpec{dev: "v0", hasDev: true, route: rtnl.Route{Family: rtnl.FamilyIPv6, Dst: p4("::/0"),
				Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast, Table: rtnl.TableMain}}}},
		{args: []string{"add", "default", "dev", "v0"},
			want: routeRequest{cmd: "add", spec: routeSpec{dev: "v0", hasDev: true, route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("0.0.0.0/0"),
				Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast, Table: rtnl.TableMain}}}},
		{args: []string{"add", "local", "10.5.0.1", "dev", "v0"},
			want: routeRequest{cmd: "add", spec: routeSpec{dev: "v0", hasDev: true, route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("10.5.0.1/32"),
				Protocol: rtnl.ProtoBoot, Type: rtnl.RouteLocal, Table: rtnl.TableLocal}}}},
		{args: []string{"replace", "to", "unreachable", "10.32.0.0/16", "pri", "3", "table", "main"},
			want: routeRequest{cmd: "replace", spec: routeSpec{route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("10.32.0.0/16"),
				Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnreachable, Table: rtnl.TableMain, Priority: 3, HasPriority: true}}}},
		{args: []string{"a", "10/8", "nexthop", "via", "198.18.2.2", "dev", "v0", "weight", "2", "nexthop", "via", "198.18.2.3", "dev", "v1", "onlink"},
			want: routeRequest{cmd: "add", spec: routeSpec{route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("10.0.0.0/8"),
				Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast, Table: rtnl.TableMain},
				nexthops: []routeNextHop{{hop: rtnl.NextHop{Gateway: a("198.18.2.2"), Weight: 2}, dev: "v0", hasDev: true},
					{hop: rtnl.NextHop{Gateway: a("198.18.2.3"), Flags: rtnl.RouteFlagOnLink}, dev: "v1", hasDev: true}}}}},
		{args: []string{"append", "10.4.0.0/16", "via", "inet6", "fe80::1", "dev", "v0", "from", "default"},
			want: routeRequest{cmd: "append", spec: routeSpec{dev: "v0", hasDev: true, route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("10.4.0.0/16"),
				Gateway: a("fe80::1"), Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast, Table: rtnl.TableMain}}}},
		{args: []string{"chg", "2001:db8:5::/64", "from", "2001:db8:6::/64", "dev", "v0", "hoplimit", "64", "window", "100", "cwnd", "10",
			"initcwnd", "11", "initrwnd", "20", "ssthresh", "5", "reordering", "3", "quickack", "1", "congctl", "lock", "reno", "nhid", "5"},
			want: routeRequest{cmd: "change", spec: routeSpec{dev: "v0", hasDev: true, route: rtnl.Route{Family: rtnl.FamilyIPv6,
				Dst: p4("2001:db8:5::/64"), Src: p4("2001:db8:6::/64"), Protocol: rtnl.ProtoBoot, Type: rtnl.RouteUnicast,
				Table: rtnl.TableMain, NextHopID: 5, Metrics: &rtnl.Metrics{Lock: 1 << 16, HopLimit: 64, Window: 100, CWnd: 10,
					InitCwnd: 11, InitRwnd: 20, SSThresh: 5, Reordering: 3, QuickAck: 1, CCAlgo: "reno"}}}}},
		{args: []string{"del", "10.1.0.0/16"},
			want: routeRequest{cmd: "delete", spec: routeSpec{route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("10.1.0.0/16"), Table: rtnl.TableMain}}}},
		{args: []string{"delete", "local", "10.5.0.1", "scope", "host", "proto", "kernel"},
			want: routeRequest{cmd: "delete", spec: routeSpec{route: rtnl.Route{Family: rtnl.FamilyIPv4, Dst: p4("10.5.0.1/32"),
				Type: rtnl.RouteLocal, Table: rtnl.TableLocal, Scope: rtnl.ScopeHost, HasScope: true, Protocol: rtnl.ProtoKernel}}}},

		// Every error message.
		{args: []string{"frob"}, err: `Command "frob" is unknown, try "nl route help".`},
		{args: []string{"flush"}, err: `"nl route flush" requires arguments.`},
		{args: []string{"show", "table", "xyz"}, err: `Error: argument "xyz" is wrong: table id value is invalid` + "\n"},
		{args: []string{"show", "table"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show", "proto", "xyz"}, err: `Error: argument "xyz" is wrong: invalid "protocol"` + "\n"},
		{args: []string{"show", "scope", "xyz"}, err: `Error: argument "xyz" is wrong: invalid "scope"` + "\n"},
		{args: []string{"show", "type", "xyz"}, err: `Error: argument "xyz" is wrong: node type value is invalid` + "\n"},
		{args: []string{"show", "metric", "-1"}, err: `Error: argument "-1" is wrong: "metric" value is invalid` + "\n"},
		{args: []string{"show", "foo"}, err: `Error: any valid prefix is expected rather than "foo".`},
		{args: []string{"show", "10.0.0.0/8"}, fam: FamilyInet6, err: `Error: inet6 prefix is expected rather than "10.0.0.0/8".`},
		{args: []string{"show", "root"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"get"}, err: `need at least a destination address`},
		{args: []string{"get", "xyz"}, err: `Error: any valid prefix is expected rather than "xyz".`},
		{args: []string{"get", "1.1.1.1", "2.2.2.2"}, want: routeRequest{cmd: "get", get: routeGetArgs{dst: a("2.2.2.2")}}}, // the last one counts
		{args: []string{"get", "1.1.1.1", "mark", "xyz"}, err: `Error: argument "xyz" is wrong: invalid mark value`},
		{args: []string{"get", "1.1.1.1", "from", "xyz"}, err: `Error: inet prefix is expected rather than "xyz".`},
		{args: []string{"get", "1.1.1.1", "iif"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add"}, err: `Error: a destination PREFIX (or "default") is required.`},
		{args: []string{"add", "dev", "v0"}, err: `Error: a destination PREFIX (or "default") is required.`},
		{args: []string{"add", "xyz", "dev", "v0"}, err: `Error: any valid prefix is expected rather than "xyz".`},
		{args: []string{"add", "10.1.0.0/33"}, err: `Error: any valid prefix is expected rather than "10.1.0.0/33".`},
		{args: []string{"add", "1.2.3.4.5"}, err: `Error: any valid prefix is expected rather than "1.2.3.4.5".`},
		{args: []string{"add", "fe80::1%v0"}, err: `Error: any valid prefix is expected rather than "fe80::1%v0".`},
		{args: []string{"add", "2001:db8::/64"}, fam: FamilyInet, err: `Error: inet prefix is expected rather than "2001:db8::/64".`},
		{args: []string{"add", "10.1.0.0/16", "10.2.0.0/16"}, err: `Error: either "to" is duplicate, or "10.2.0.0/16" is a garbage.`},
		{args: []string{"add", "10.1.0.0/16", "foo"}, err: `Error: either "to" is duplicate, or "foo" is a garbage.`},
		{args: []string{"add", "10.1.0.0/16", "via", "xyz"}, err: `Error: inet address is expected rather than "xyz".`},
		{args: []string{"add", "10.1.0.0/16", "via", "2001:db8::1"}, err: `Error: inet address is expected rather than "2001:db8::1".`},
		{args: []string{"add", "2001:db8::/64", "via", "198.18.2.1"}, err: `Error: inet6 address is expected rather than "198.18.2.1".`},
		{args: []string{"add", "10.1.0.0/16", "via", "inet6", "198.18.2.1"}, err: `Error: inet6 address is expected rather than "198.18.2.1".`},
		{args: []string{"add", "10.1.0.0/16", "via", "1.1.1.1", "via", "2.2.2.2"}, err: `Error: argument "via" is wrong: use nexthop syntax to specify multiple via` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "via"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "10.1.0.0/16", "via", "inet"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "10.1.0.0/16", "src", "xyz"}, err: `Error: inet address is expected rather than "xyz".`},
		{args: []string{"add", "10.1.0.0/16", "from", "xyz"}, err: `Error: inet prefix is expected rather than "xyz".`},
		{args: []string{"add", "10.1.0.0/16", "metric", "abc"}, err: `Error: argument "abc" is wrong: "metric" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "metric", "4294967296"}, err: `Error: argument "4294967296" is wrong: "metric" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "scope", "xyz"}, err: `Error: argument "xyz" is wrong: invalid "scope" value` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "mtu", "xyz"}, err: `Error: argument "xyz" is wrong: "mtu" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "mtu", "lock"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "10.1.0.0/16", "advmss", "1_000"}, err: `Error: argument "1_000" is wrong: "mss" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "hoplimit", "256"}, err: `Error: argument "256" is wrong: "hoplimit" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "quickack", "x"}, err: `Error: argument "x" is wrong: "quickack" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "quickack", "2"}, err: `Error: argument "2" is wrong: "quickack" value should be 0 or 1` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "nhid", "x"}, err: `Error: argument "x" is wrong: "id" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "proto", "xyz"}, err: `Error: argument "xyz" is wrong: "protocol" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "table", "xyz"}, err: `Error: argument "xyz" is wrong: "table" value is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "10.1.0.0/16", "nexthop"}, err: `Error: unexpected end of line after "nexthop"`},
		{args: []string{"add", "10.1.0.0/16", "nexthop", "via", "1.2.3.4", "weight", "0"}, err: `Error: argument "0" is wrong: "weight" is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "nexthop", "via", "1.2.3.4", "weight", "257"}, err: `Error: argument "257" is wrong: "weight" is invalid` + "\n"},
		{args: []string{"add", "10.1.0.0/16", "nexthop", "via", "xyz"}, err: `Error: inet address is expected rather than "xyz".`},
		{args: []string{"add", "10.1.0.0/16", "nexthop", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "10.1.0.0/16", "nexthop", "via", "198.18.2.5", "dev", "v0", "foo"}, err: `Error: "nexthop" or end of line is expected instead of "foo"`},
		{args: []string{"add", "unicast"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "to"}, err: `Command line is not complete. Try option "help"`},
	} {
		got, err := parseRoute(tc.args, tc.fam)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
}

func TestRouteSelectorMatch(t *testing.T) {
	r := func(dst string) *rtnl.Route { return &rtnl.Route{Dst: netip.MustParsePrefix(dst)} }
	sel := func(args ...string) routeSelector {
		s, err := parseRouteSelector(wordsOf(args), FamilyAny)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, tc := range []struct {
		sel  routeSelector
		dst  string
		want bool
	}{
		{sel(), "10.1.0.0/16", true},
		{sel("10.0.0.0/8"), "10.0.0.0/8", true},
		{sel("10.0.0.0/8"), "10.1.0.0/16", false},
		{sel("root", "10.0.0.0/8"), "10.1.0.0/16", true},
		{sel("root", "10.0.0.0/8"), "0.0.0.0/0", false},
		{sel("root", "10.0.0.0/8"), "11.0.0.0/8", false},
		{sel("match", "10.1.2.3"), "10.0.0.0/8", true},
		{sel("match", "10.1.2.3"), "0.0.0.0/0", true},
		{sel("match", "10.1.2.3"), "10.2.0.0/16", false},
		{sel("default"), "0.0.0.0/0", true},
		{sel("default"), "::/0", true},
		{sel("default"), "10.0.0.0/8", false},
		{sel("root", "default"), "2001:db8::/32", true},
		{sel("2001:db8::/32"), "10.0.0.0/8", false},
	} {
		if got := tc.sel.match(r(tc.dst)); got != tc.want {
			t.Errorf("%+v on %s: %v, want %v", tc.sel, tc.dst, got, tc.want)
		}
	}
}

func TestRouteHelp(t *testing.T) {
	_, out, code := run(t, "route", "help")
	if code != ExitUsage || !strings.Contains(out, "nl route { add | del | change | append | replace } ROUTE") {
		t.Errorf("route help: exit %d, %q", code, out)
	}
	rtFails(t, ExitUsage, `Command "frob" is unknown, try "nl route help".`, "route", "frob")
}

// rtRoutes lists the routes of one table (0: all) and family.
func rtRoutes(t *testing.T, c *rtnl.Conn, fam rtnl.Family, table rtnl.Table) []rtnl.Route {
	t.Helper()
	rs, err := netlink.Collect(c.Routes(context.Background(), rtnl.RouteFilter{Family: fam, Table: table}))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// rtRoutesTo gives the routes to dst in a table.
func rtRoutesTo(t *testing.T, c *rtnl.Conn, table rtnl.Table, dst string) []rtnl.Route {
	t.Helper()
	p := netip.MustParsePrefix(dst)
	var out []rtnl.Route
	for _, r := range rtRoutes(t, c, 0, table) {
		if r.Dst == p {
			out = append(out, r)
		}
	}
	return out
}

// TestRouteCommands runs every changing route command in a namespace and
// checks its effect through the library.
func TestRouteCommands(t *testing.T) {
	_, name, c := rtNS(t)
	v0, v1 := rtLinkIndex(t, c, "v0"), rtLinkIndex(t, c, "v1")
	nl := func(args ...string) string { t.Helper(); return rtMustRun(t, append([]string{"-n", name}, args...)...) }
	one := func(table rtnl.Table, dst string) rtnl.Route {
		t.Helper()
		rs := rtRoutesTo(t, c, table, dst)
		if len(rs) != 1 {
			t.Fatalf("routes to %s in table %v: %v, want one", dst, table, rs)
		}
		return rs[0]
	}

	nl("route", "add", "198.51.100.0/24", "via", "198.18.2.2", "dev", "v0", "metric", "7", "proto", "static", "mtu", "1400", "advmss", "1300")
	r := one(rtnl.TableMain, "198.51.100.0/24")
	if r.Gateway != netip.MustParseAddr("198.18.2.2") || r.OutIndex != v0 || r.Priority != 7 || r.Protocol != rtnl.ProtoStatic ||
		r.Metrics == nil || r.Metrics.MTU != 1400 || r.Metrics.AdvMSS != 1300 || r.Scope != rtnl.ScopeUniverse {
		t.Errorf("add: %v %+v", r, r.Metrics)
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: File exists", "-n", name, "route", "add", "198.51.100.0/24", "via", "198.18.2.2", "metric", "7")

	nl("route", "replace", "198.51.100.0/24", "dev", "v0", "metric", "7")
	r = one(rtnl.TableMain, "198.51.100.0/24")
	if r.Gateway.IsValid() || r.Scope != rtnl.ScopeLink || r.Protocol != rtnl.ProtoBoot || r.Metrics != nil {
		t.Errorf("replace: %v", r)
	}
	nl("r", "app", "198.51.100.0/24", "via", "198.18.2.3", "metric", "7")
	if rs := rtRoutesTo(t, c, rtnl.TableMain, "198.51.100.0/24"); len(rs) != 2 {
		t.Errorf("append: %v", rs)
	}
	nl("route", "change", "198.51.100.0/24", "via", "198.18.2.4", "dev", "v0", "metric", "7")
	gws := map[string]bool{}
	for _, r := range rtRoutesTo(t, c, rtnl.TableMain, "198.51.100.0/24") {
		gws[r.Gateway.String()] = true
	}
	if !gws["198.18.2.4"] || len(gws) != 2 {
		t.Errorf("change: gateways %v", gws)
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: No such file or directory", "-n", name, "route", "change", "198.51.100.128/25", "dev", "v0")
	nl("route", "del", "198.51.100.0/24", "via", "198.18.2.3")
	if r := one(rtnl.TableMain, "198.51.100.0/24"); r.Gateway != netip.MustParseAddr("198.18.2.4") {
		t.Errorf("delete: left %v", r)
	}
	nl("route", "delete", "198.51.100.0/24")
	if rs := rtRoutesTo(t, c, rtnl.TableMain, "198.51.100.0/24"); len(rs) != 0 {
		t.Errorf("delete: left %v", rs)
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: No such process", "-n", name, "route", "del", "198.51.100.0/24")

	// Types, tables, families, multipath.
	nl("route", "add", "blackhole", "203.0.113.0/24")
	nl("route", "add", "unreachable", "203.0.114.0/24", "table", "100")
	nl("route", "add", "prohibit", "203.0.115.0/24", "metric", "5")
	nl("route", "add", "throw", "203.0.116.0/24")
	nl("route", "add", "local", "10.5.0.1", "dev", "v0")
	nl("route", "add", "broadcast", "10.5.0.255", "dev", "v0")
	nl("route", "add", "default", "via", "2001:db8::2")
	nl("-6", "route", "add", "2001:db8:9::/48", "dev", "v0", "metric", "99")
	nl("route", "add", "10.0.0.0/8", "nexthop", "via", "198.18.2.2", "dev", "v0", "weight", "2", "nexthop", "via", "198.18.2.3", "dev", "v1", "onlink")
	nl("route", "add", "10.4.0.0/16", "via", "inet6", "fe80::1", "dev", "v0")
	nl("route", "add", "10.9.0.0/16", "via", "198.18.2.9", "dev", "v0", "onlink", "scope", "global", "src", "198.18.2.1")
	for _, tc := range []struct {
		table rtnl.Table
		dst   string
		check func(r rtnl.Route) bool
	}{
		{rtnl.TableMain, "203.0.113.0/24", func(r rtnl.Route) bool { return r.Type == rtnl.RouteBlackhole }},
		{100, "203.0.114.0/24", func(r rtnl.Route) bool { return r.Type == rtnl.RouteUnreachable }},
		{rtnl.TableMain, "203.0.115.0/24", func(r rtnl.Route) bool { return r.Type == rtnl.RouteProhibit && r.Priority == 5 }},
		{rtnl.TableMain, "203.0.116.0/24", func(r rtnl.Route) bool { return r.Type == rtnl.RouteThrow }},
		{rtnl.TableLocal, "10.5.0.1/32", func(r rtnl.Route) bool { return r.Type == rtnl.RouteLocal && r.Scope == rtnl.ScopeHost }},
		{rtnl.TableLocal, "10.5.0.255/32", func(r rtnl.Route) bool { return r.Type == rtnl.RouteBroadcast && r.Scope == rtnl.ScopeLink }},
		{rtnl.TableMain, "::/0", func(r rtnl.Route) bool { return r.Gateway == netip.MustParseAddr("2001:db8::2") }},
		{rtnl.TableMain, "2001:db8:9::/48", func(r rtnl.Route) bool { return r.Priority == 99 && r.OutIndex == v0 }},
		{rtnl.TableMain, "10.0.0.0/8", func(r rtnl.Route) bool {
			return len(r.NextHops) == 2 && r.NextHops[0].Weight == 2 && r.NextHops[0].OutIndex == v0 &&
				r.NextHops[1].OutIndex == v1 && r.NextHops[1].Flags&rtnl.RouteFlagOnLink != 0
		}},
		{rtnl.TableMain, "10.4.0.0/16", func(r rtnl.Route) bool { return r.Gateway == netip.MustParseAddr("fe80::1") }},
		{rtnl.TableMain, "10.9.0.0/16", func(r rtnl.Route) bool {
			return r.Flags&rtnl.RouteFlagOnLink != 0 && r.PrefSrc == netip.MustParseAddr("198.18.2.1")
		}},
	} {
		if r := one(tc.table, tc.dst); !tc.check(r) {
			t.Errorf("%s in table %v: %v", tc.dst, tc.table, r)
		}
	}
	nl("route", "del", "local", "10.5.0.1", "dev", "v0")
	if rs := rtRoutesTo(t, c, rtnl.TableLocal, "10.5.0.1/32"); len(rs) != 0 {
		t.Errorf("delete local: left %v", rs)
	}

	// Errors from the kernel and for links.
	rtFails(t, ExitKernel, "Error: Nexthop has invalid gateway.", "-n", name, "route", "add", "10.1.0.0/16", "via", "10.99.9.9")
	rtFails(t, ExitFailure, `Cannot find device "nosuch"`, "-n", name, "route", "add", "10.1.0.0/16", "dev", "nosuch")
	rtFails(t, ExitFailure, `Cannot find device "nosuch"`, "-n", name, "route", "show", "dev", "nosuch")
	rtFails(t, ExitUsage, `Error: argument "abc" is wrong: "metric" value is invalid`+"\n", "-n", name, "route", "add", "10.1.0.0/16", "metric", "abc")

	// get
	var got []map[string]any
	if err := json.Unmarshal([]byte(nl("-j", "route", "get", "10.9.1.1")), &got); err != nil || len(got) != 1 ||
		got[0]["gateway"] != "198.18.2.9" || got[0]["dev"] != "v0" {
		t.Errorf("get: %v %v", got, err)
	}
	if out := nl("route", "get", "10.9.1.1"); !strings.HasPrefix(out, "10.9.1.1 via 198.18.2.9 dev v0 src 198.18.2.1 ") {
		t.Errorf("get text: %q", out)
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: Network is unreachable", "-n", name, "route", "get", "203.0.116.1")

	// flush: a table, then by device.
	for _, dst := range []string{"10.30.0.0/16", "10.31.0.0/16", "10.32.0.0/16"} {
		nl("route", "add", dst, "dev", "v1", "table", "300")
	}
	nl("route", "add", "2001:db8:30::/48", "dev", "v1", "table", "300")
	nl("route", "flush", "table", "300")
	if rs := rtRoutes(t, c, rtnl.FamilyIPv4, 300); len(rs) != 0 {
		t.Errorf("flush table 300: left %v", rs)
	}
	if rs := rtRoutes(t, c, rtnl.FamilyIPv6, 300); len(rs) != 1 {
		t.Errorf("flush table 300 (IPv4 only, as ip): IPv6 left %v", rs)
	}
	nl("-6", "route", "flush", "table", "300")
	if rs := rtRoutes(t, c, rtnl.FamilyIPv6, 300); len(rs) != 0 {
		t.Errorf("flush -6 table 300: left %v", rs)
	}
	if out := nl("-s", "route", "flush", "table", "100"); !strings.Contains(out, "*** Round 1, deleting 1 entries ***") {
		t.Errorf("flush -s: %q", out)
	}
	// As with ip, "dev" selects routes by RTA_OIF: the multipath route
	// through v1 stays.
	nl("route", "add", "10.40.0.0/16", "dev", "v1")
	nl("route", "add", "10.41.0.0/16", "dev", "v1", "metric", "3")
	before := len(rtRoutes(t, c, rtnl.FamilyIPv4, rtnl.TableMain))
	nl("route", "flush", "dev", "v1")
	for _, r := range rtRoutes(t, c, rtnl.FamilyIPv4, rtnl.TableMain) {
		if r.OutIndex == v1 {
			t.Errorf("flush dev v1: left %v", r)
		}
	}
	if after := len(rtRoutes(t, c, rtnl.FamilyIPv4, rtnl.TableMain)); after != before-2 {
		t.Errorf("flush dev v1: %d routes before, %d after; want two fewer", before, after)
	}
	one(rtnl.TableMain, "10.0.0.0/8")
}

// TestRouteShowMatchesIP compares nl -j route show and get with ip -j.
func TestRouteShowMatchesIP(t *testing.T) {
	ns, name, _ := rtNS(t)
	for _, cmd := range [][]string{
		{"route", "add", "198.51.100.0/24", "via", "198.18.2.2", "dev", "v0", "metric", "7", "proto", "static", "mtu", "1400", "advmss", "1300"},
		{"route", "add", "blackhole", "203.0.113.0/24"},
		{"route", "add", "unreachable", "203.0.114.0/24", "table", "100"},
		{"route", "add", "prohibit", "203.0.115.0/24", "metric", "5"},
		{"route", "add", "10.0.0.0/8", "nexthop", "via", "198.18.2.2", "dev", "v0", "weight", "2", "nexthop", "via", "198.18.2.3", "dev", "v1", "onlink"},
		{"route", "add", "10.4.0.0/16", "via", "inet6", "fe80::1", "dev", "v0"},
		{"route", "add", "10.9.0.0/16", "via", "198.18.2.9", "dev", "v0", "onlink"},
		{"route", "add", "10.20.0.0/16", "via", "198.18.2.2", "mtu", "lock", "1300", "hoplimit", "10", "window", "1000", "congctl", "reno", "quickack", "1", "table", "300"},
		{"route", "add", "local", "10.5.0.1", "dev", "v0", "table", "300"},
		{"route", "add", "default", "via", "198.18.2.2"},
		{"route", "add", "2001:db8:1::/64", "via", "2001:db8::2"},
		{"route", "add", "2001:db8:2::/64", "nexthop", "via", "2001:db8::2", "dev", "v0", "nexthop", "via", "2001:db8::3", "dev", "v0"},
		{"route", "add", "2001:db8:3::/64", "from", "2001:db8:4::/64", "dev", "v0"},
		{"route", "add", "2001:db8:5::/64", "dev", "v0", "pref", "high", "mtu", "1300"},
		{"route", "add", "2001:db8:6::/64", "dev", "v0", "pref", "low"},
		{"route", "add", "10.21.0.0/16", "dev", "v0", "scope", "global"},
	} {
		kerneltest.Run(t, ns, "ip", cmd...)
	}
	for _, args := range [][]string{
		{"route"},
		{"route", "show", "table", "all"},
		{"-6", "route"},
		{"-d", "route"},
		{"-d", "-6", "route", "show", "table", "all"},
		{"route", "show", "dev", "v0"},
		{"route", "show", "proto", "static"},
		{"route", "show", "table", "300"},
		{"route", "show", "table", "all", "type", "local"},
		{"route", "show", "root", "10.0.0.0/8"},
		{"route", "show", "match", "10.9.1.1"},
		{"route", "show", "10.0.0.0/8"},
		{"route", "show", "scope", "link"},
		{"route", "show", "metric", "7"},
		{"-6", "route", "show", "table", "local"},
		{"route", "get", "198.51.100.7"},
		{"route", "get", "198.51.100.7", "from", "198.18.2.1", "mark", "5"},
		{"route", "get", "fibmatch", "198.51.100.7"},
		{"-d", "route", "get", "10.1.2.3", "oif", "v0"},
		{"route", "get", "127.0.0.1"},
		{"-6", "route", "get", "2001:db8:1::5"},
		{"route", "get", "2001:db8:3::5", "from", "2001:db8:4::1"},
	} {
		rtCompareIP(t, ns, name, nil, nil, args...)
	}
	// Text output is ip's too.
	for _, args := range [][]string{{"route"}, {"-d", "route"}, {"route", "show", "table", "300"}, {"route", "get", "198.51.100.7", "mark", "5"},
		{"-6", "route"}, {"-6", "-d", "route", "show", "table", "all"}, {"-6", "route", "get", "2001:db8:1::5"}} {
		nl := rtMustRun(t, append([]string{"-n", name}, args...)...)
		ip := kerneltest.Run(t, ns, "ip", args...)
		if nl != string(ip) {
			t.Errorf("%v: text differs\nnl:\n%s\nip:\n%s", args, nl, ip)
		}
	}
	// An expiring route: the seconds left count down between the two
	// commands, so they may differ by one; the rest is ip's.
	kerneltest.Run(t, ns, "ip", "route", "add", "2001:db8:9::/64", "dev", "v0", "expires", "3000")
	var ipe, nle []map[string]any
	json.Unmarshal(kerneltest.Run(t, ns, "ip", "-j", "-6", "route", "show", "2001:db8:9::/64"), &ipe)
	json.Unmarshal([]byte(rtMustRun(t, "-n", name, "-j", "-6", "route", "show", "2001:db8:9::/64")), &nle)
	if len(ipe) != 1 || len(nle) != 1 {
		t.Fatalf("expiring route: ip %v, nl %v", ipe, nle)
	}
	if d := ipe[0]["expires"].(float64) - nle[0]["expires"].(float64); d < 0 || d > 1 {
		t.Errorf("expires: ip %v, nl %v", ipe[0]["expires"], nle[0]["expires"])
	}
	nle[0]["expires"] = ipe[0]["expires"]
	if !reflect.DeepEqual(ipe, nle) {
		t.Errorf("expiring route: ip %v, nl %v", ipe, nle)
	}
	if out := rtMustRun(t, "-n", name, "-6", "route", "show", "2001:db8:9::/64"); !strings.Contains(out, " metric 1024 expires ") ||
		!strings.HasSuffix(out, "sec pref medium\n") {
		t.Errorf("expiring route text: %q", out)
	}

	// -p indents the same JSON.
	var a, b any
	json.Unmarshal([]byte(rtMustRun(t, "-n", name, "-j", "-p", "route")), &a)
	json.Unmarshal([]byte(rtMustRun(t, "-n", name, "-j", "route")), &b)
	if a == nil || !reflect.DeepEqual(a, b) {
		t.Errorf("-p: %v, want %v", a, b)
	}
	rtFails(t, ExitKernel, "Error: ipv4: FIB table does not exist.", "-n", name, "route", "show", "table", "999")
}
