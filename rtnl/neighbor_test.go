//go:build linux

package rtnl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// anNeighs collects the entries that match f.
func anNeighs(t *testing.T, c *Conn, f NeighborFilter) []Neighbor {
	t.Helper()
	return testList(t, c.Neighbors, f, "Neighbors")
}

// anFindNeigh returns the entry for addr in the table f selects.
func anFindNeigh(t *testing.T, c *Conn, f NeighborFilter, addr netip.Addr) (Neighbor, bool) {
	t.Helper()
	for _, n := range anNeighs(t, c, f) {
		if n.Addr == addr {
			return n, true
		}
	}
	return Neighbor{}, false
}

func TestNeighborLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  Neighbor
		repl Neighbor
	}{
		{
			name: "IPv4",
			add:  Neighbor{Addr: netip.MustParseAddr("198.18.0.2"), LinkAddr: anMAC("02:00:00:00:00:01")},
			repl: Neighbor{Addr: netip.MustParseAddr("198.18.0.2"), LinkAddr: anMAC("02:00:00:00:00:02"), State: NeighborStale, Protocol: ProtoStatic},
		},
		{
			name: "IPv6",
			add:  Neighbor{Addr: netip.MustParseAddr("2001:db8::2"), LinkAddr: anMAC("02:00:00:00:00:01")},
			repl: Neighbor{Addr: netip.MustParseAddr("2001:db8::2"), LinkAddr: anMAC("02:00:00:00:00:03"), State: NeighborPermanent, Flags: NeighborRouter, Protocol: ProtoZebra},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := kerneltest.NetNS(t)
			c := testDial(t, ns)
			idx, _ := anVeth(t, ns, "vethA", "vethB")
			ctx := t.Context()
			tc.add.Index, tc.repl.Index = idx, idx
			fam := FamilyIPv4
			if tc.add.Addr.Is6() {
				fam = FamilyIPv6
			}

			if err := c.AddNeighbor(ctx, tc.add); err != nil {
				t.Fatalf("AddNeighbor: %v", err)
			}
			want := tc.add
			want.Family, want.State, want.Type = fam, NeighborPermanent, RouteUnicast
			got, err := c.Neighbor(ctx, idx, tc.add.Addr)
			if err != nil {
				t.Fatalf("Neighbor: %v", err)
			}
			want.HasState = true
			if !reflect.DeepEqual(anNeighStatic(t, got), want) {
				t.Errorf("Neighbor after AddNeighbor:\n got %+v\nwant %+v", got, want)
			}
			listed, ok := anFindNeigh(t, c, NeighborFilter{Index: idx, Family: fam}, tc.add.Addr)
			if !ok || !reflect.DeepEqual(anNeighStatic(t, listed), want) {
				t.Errorf("Neighbors after AddNeighbor:\n got %+v (found %t)\nwant %+v", listed, ok, want)
			}

			err = c.AddNeighbor(ctx, tc.add)
			testKernelError(t, err, fmt.Sprintf("add neighbor %v dev %d", tc.add.Addr, tc.add.Index), syscall.EEXIST)
			if !errors.Is(err, fs.ErrExist) {
				t.Errorf("adding twice: %v does not match fs.ErrExist", err)
			}

			if err := c.ReplaceNeighbor(ctx, tc.repl); err != nil {
				t.Fatalf("ReplaceNeighbor: %v", err)
			}
			want = tc.repl
			want.Family, want.Type, want.HasState = fam, RouteUnicast, true
			got, err = c.Neighbor(ctx, idx, tc.add.Addr)
			if err != nil {
				t.Fatalf("Neighbor: %v", err)
			}
			if !reflect.DeepEqual(anNeighStatic(t, got), want) {
				t.Errorf("Neighbor after ReplaceNeighbor:\n got %+v\nwant %+v", got, want)
			}

			if err := c.DeleteNeighbor(ctx, got); err != nil {
				t.Fatalf("DeleteNeighbor: %v", err)
			}
			_, err = c.Neighbor(ctx, idx, tc.add.Addr)
			testKernelError(t, err, "get neighbor", syscall.ENOENT)
			if n, ok := anFindNeigh(t, c, NeighborFilter{Index: idx}, tc.add.Addr); ok {
				t.Errorf("still listed after DeleteNeighbor: %+v", n)
			}
			testKernelError(t, c.DeleteNeighbor(ctx, tc.add), "delete neighbor", syscall.ENOENT)
		})
	}
}

func TestNeighborProxy(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()
	for _, addr := range []netip.Addr{netip.MustParseAddr("198.18.0.3"), netip.MustParseAddr("2001:db8::3")} {
		fam := FamilyIPv4
		if addr.Is6() {
			fam = FamilyIPv6
		}
		p := Neighbor{Index: idx, Addr: addr, Flags: NeighborProxy}
		if err := c.AddNeighbor(ctx, p); err != nil {
			t.Fatalf("AddNeighbor(proxy %v): %v", addr, err)
		}
		// The kernel does not refuse a proxy entry that exists already.
		if err := c.AddNeighbor(ctx, p); err != nil {
			t.Errorf("adding proxy %v twice: %v", addr, err)
		}
		want := Neighbor{Index: idx, Family: fam, Addr: addr, Flags: NeighborProxy, Type: RouteUnicast, HasState: true}
		got, ok := anFindNeigh(t, c, NeighborFilter{Proxy: true, Index: idx, Family: fam}, addr)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("proxy table:\n got %+v (found %t)\nwant %+v", got, ok, want)
		}
		if n, ok := anFindNeigh(t, c, NeighborFilter{}, addr); ok {
			t.Errorf("proxy entry listed in the neighbour table: %+v", n)
		}
		if all := anNeighs(t, c, NeighborFilter{Proxy: true}); len(all) != 1 {
			t.Errorf("proxy table has %d entries, want 1: %+v", len(all), all)
		}
		if err := c.DeleteNeighbor(ctx, got); err != nil {
			t.Fatalf("DeleteNeighbor(proxy %v): %v", addr, err)
		}
		if n, ok := anFindNeigh(t, c, NeighborFilter{Proxy: true}, addr); ok {
			t.Errorf("proxy entry still listed after delete: %+v", n)
		}
		testKernelError(t, c.DeleteNeighbor(ctx, p), "delete neighbor", syscall.ENOENT)
	}
}

func TestNeighborErrors(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()
	for _, s := range []string{"198.18.0.2", "2001:db8::2"} {
		addr := netip.MustParseAddr(s)
		n := Neighbor{Index: 9999, Addr: addr, LinkAddr: anMAC("02:00:00:00:00:01")}
		ne := testKernelError(t, c.AddNeighbor(ctx, n), "add neighbor", syscall.ENODEV)
		t.Logf("add to a missing link: %v", ne)
		testKernelError(t, c.DeleteNeighbor(ctx, n), "delete neighbor", syscall.ENODEV)
		_, err := c.Neighbor(ctx, 9999, addr)
		testKernelError(t, err, "get neighbor", syscall.ENODEV)

		// No link at all.
		n.Index = 0
		ne = testKernelError(t, c.AddNeighbor(ctx, n), "add neighbor", syscall.EINVAL)
		if ne.Message == "" {
			t.Errorf("add without a link: no extended-ACK message in %v", ne)
		}
		// A link-layer address shorter than the link's.
		n.Index, n.LinkAddr = idx, net.HardwareAddr{2, 1}
		ne = testKernelError(t, c.AddNeighbor(ctx, n), "add neighbor", syscall.EINVAL)
		if ne.Message == "" {
			t.Errorf("short lladdr: no extended-ACK message in %v", ne)
		}
		t.Logf("short lladdr: %v", ne)
	}
	// Errors found before anything is sent.
	if err := c.AddNeighbor(ctx, Neighbor{Index: idx}); err == nil {
		t.Error("AddNeighbor without Addr succeeded")
	}
	if _, err := c.Neighbor(ctx, idx, netip.Addr{}); err == nil {
		t.Error("Neighbor without an address succeeded")
	}
}

func TestNeighborFilterAndBulk(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idxA, idxB := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()

	var neighs []Neighbor
	for i := range 200 {
		idx := idxA
		if i%4 >= 2 {
			idx = idxB
		}
		mac := net.HardwareAddr{2, 0, 0, 0, byte(i >> 8), byte(i)}
		if i%2 == 0 {
			neighs = append(neighs, Neighbor{Index: idx, Addr: netip.AddrFrom4([4]byte{198, 18, 1, byte(i)}), LinkAddr: mac})
		} else {
			neighs = append(neighs, Neighbor{Index: idx, Addr: netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)}), LinkAddr: mac})
		}
	}
	if err := c.AddNeighbors(ctx, neighs); err != nil {
		t.Fatalf("AddNeighbors: %v", err)
	}
	for _, idx := range []int32{idxA, idxB} {
		for _, fam := range []Family{FamilyUnspec, FamilyIPv4, FamilyIPv6} {
			f := NeighborFilter{Index: idx, Family: fam}
			var want []netip.Addr
			for _, n := range neighs {
				if n.Index == idx && (fam == FamilyUnspec || n.Addr.Is4() == (fam == FamilyIPv4)) {
					want = append(want, n.Addr)
				}
			}
			var got []netip.Addr
			for _, n := range anNeighs(t, c, f) {
				if n.Index != idx || fam != FamilyUnspec && n.Family != fam {
					t.Errorf("Neighbors(%+v) gave %+v", f, n)
				}
				if n.State == NeighborPermanent {
					got = append(got, n.Addr)
				}
			}
			slices.SortFunc(want, netip.Addr.Compare)
			slices.SortFunc(got, netip.Addr.Compare)
			if !slices.Equal(got, want) {
				t.Errorf("Neighbors(%+v): %d permanent entries, want %d", f, len(got), len(want))
			}
		}
	}

	// Without strict checking the filters still hold.
	loose, err := Dial(&netlink.Config{NetNS: ns, DisableStrictCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer loose.Close()
	for _, n := range anNeighs(t, loose, NeighborFilter{Index: idxB, Family: FamilyIPv6}) {
		if n.Index != idxB || n.Family != FamilyIPv6 {
			t.Errorf("without strict checking, Neighbors gave %+v", n)
		}
	}
	if got := anNeighs(t, loose, NeighborFilter{Proxy: true}); len(got) != 0 {
		t.Errorf("without strict checking, the proxy table has %v", got)
	}

	// Two entries that exist already: exactly those fail.
	extra := []Neighbor{neighs[5], {Index: idxA, Addr: netip.MustParseAddr("198.18.2.1"), LinkAddr: anMAC("02:00:00:00:01:01")}, neighs[6]}
	err = c.AddNeighbors(ctx, extra)
	var be *netlink.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("AddNeighbors with duplicates: %v (%T), want a *netlink.BatchError", err, err)
	}
	if len(be.Failures) != 2 || be.Failures[0].Index != 0 || be.Failures[1].Index != 2 {
		t.Fatalf("BatchError %v: failures %+v, want indexes 0 and 2", be, be.Failures)
	}
	for _, f := range be.Failures {
		testKernelError(t, f.Err, "add neighbor", syscall.EEXIST)
	}
	if _, err := c.Neighbor(ctx, idxA, extra[1].Addr); err != nil {
		t.Errorf("the good entry of the batch: %v", err)
	}

	if err := c.DeleteNeighbors(ctx, append(neighs, extra[1])); err != nil {
		t.Fatalf("DeleteNeighbors: %v", err)
	}
	for _, n := range anNeighs(t, c, NeighborFilter{}) {
		if n.State == NeighborPermanent {
			t.Errorf("left after DeleteNeighbors: %+v", n)
		}
	}
}

func TestNeighborMatchesIproute2(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c := testDial(t, ns)
	idxA, _ := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()
	for _, n := range []Neighbor{
		{Index: idxA, Addr: netip.MustParseAddr("198.18.0.2"), LinkAddr: anMAC("02:00:00:00:00:01")},
		{Index: idxA, Addr: netip.MustParseAddr("198.18.0.3"), LinkAddr: anMAC("02:00:00:00:00:02"), State: NeighborStale},
		{Index: idxA, Addr: netip.MustParseAddr("2001:db8::2"), LinkAddr: anMAC("02:00:00:00:00:03"), Flags: NeighborRouter},
		{Index: idxA, Addr: netip.MustParseAddr("2001:db8::4"), LinkAddr: anMAC("02:00:00:00:00:04"), Protocol: ProtoBGP},
		{Index: idxA, Addr: netip.MustParseAddr("198.18.0.9"), Flags: NeighborProxy},
		{Index: idxA, Addr: netip.MustParseAddr("2001:db8::9"), Flags: NeighborProxy},
	} {
		if err := c.AddNeighbor(ctx, n); err != nil {
			t.Fatalf("AddNeighbor(%+v): %v", n, err)
		}
	}
	kerneltest.Run(t, ns, "ip", "neigh", "add", "198.18.0.7", "lladdr", "02:00:00:00:00:07", "dev", "vethB", "nud", "reachable")
	names := testLinkIndexes(t, ns)

	for _, proxy := range []bool{false, true} {
		// The kernel makes NOARP entries for multicast addresses at any
		// time (MLD); compare the others.
		ours := slices.DeleteFunc(anNeighs(t, c, NeighborFilter{Proxy: proxy}), func(n Neighbor) bool { return n.State == NeighborNoARP })
		args := []string{"-n", name, "-j", "neigh", "show", "nud", "all"}
		if proxy {
			args = []string{"-n", name, "-j", "neigh", "show", "proxy"}
		}
		out := kerneltest.Run(t, ns, "ip", args...)
		var entries []map[string]json.RawMessage
		if err := json.Unmarshal(out, &entries); err != nil {
			t.Fatalf("parsing ip %v: %v\n%s", args, err, out)
		}
		matched := 0
		for _, e := range entries {
			var dst, dev, lladdr string
			var state []string
			json.Unmarshal(e["dst"], &dst)
			json.Unmarshal(e["dev"], &dev)
			json.Unmarshal(e["lladdr"], &lladdr)
			json.Unmarshal(e["state"], &state)
			if slices.Equal(state, []string{"NOARP"}) {
				continue
			}
			i := slices.IndexFunc(ours, func(n Neighbor) bool { return n.Addr.String() == dst && n.Index == names[dev] })
			if i < 0 {
				t.Errorf("ip shows %s dev %s, Neighbors(proxy %t) does not", dst, dev, proxy)
				continue
			}
			n := ours[i]
			matched++
			if n.LinkAddr.String() != lladdr {
				t.Errorf("%v: lladdr %q, iproute2 says %q", n.Addr, n.LinkAddr, lladdr)
			}
			// iproute2 leaves out the state array for NUD_NONE.
			if want := n.State.Words(); !slices.Equal(want, state) {
				t.Errorf("%v: state %v, iproute2 says %v", n.Addr, want, state)
			}
			for _, w := range []string{"router", "proxy", "extern_learn", "offload"} {
				_, has := e[w]
				if strings.Contains(" "+n.Flags.String()+" ", " "+w+" ") != has {
					t.Errorf("%v: flags %q, iproute2 says %s is %t", n.Addr, n.Flags, w, has)
				}
			}
			var proto string
			json.Unmarshal(e["protocol"], &proto)
			if n.Protocol != 0 && n.Protocol.String() != proto || n.Protocol == 0 && proto != "" {
				t.Errorf("%v: protocol %v, iproute2 says %q", n.Addr, n.Protocol, proto)
			}
		}
		if matched != len(ours) {
			t.Errorf("proxy %t: ip shows %d entries, Neighbors gave %d: %s", proxy, matched, len(ours), fmt.Sprint(ours))
		}
		if wantMin := map[bool]int{false: 5, true: 2}[proxy]; matched < wantMin {
			t.Errorf("proxy %t: only %d entries compared, want at least %d", proxy, matched, wantMin)
		}
	}
}

// anNeighStatic returns n without what changes by itself (ages, probes),
// after checking that the kernel reported them (it does for entries of
// the neighbour table, not for proxy entries).
func anNeighStatic(t *testing.T, n Neighbor) Neighbor {
	t.Helper()
	if proxy := n.Flags&NeighborProxy != 0; n.HasCacheInfo == proxy || n.HasProbes == proxy {
		t.Errorf("%v: HasCacheInfo %t, HasProbes %t", n.Addr, n.HasCacheInfo, n.HasProbes)
	}
	n.CacheInfo, n.HasCacheInfo, n.Probes, n.HasProbes = NeighborCacheInfo{}, false, 0, false
	return n
}

// TestNeighborChangeStateProxyBatch covers ChangeNeighbor, NUD_NONE through
// HasState, the cache information, ProxyNeighbor and batches with bad
// entries.
func TestNeighborChangeStateProxyBatch(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()
	a1, a2 := netip.MustParseAddr("198.18.0.21"), netip.MustParseAddr("198.18.0.22")
	mac := anMAC("02:00:00:00:00:21")

	// Change needs the entry.
	testKernelError(t, c.ChangeNeighbor(ctx, Neighbor{Index: idx, Addr: a1, LinkAddr: mac}), "change neighbor", syscall.ENOENT)
	if err := c.AddNeighbor(ctx, Neighbor{Index: idx, Addr: a1, LinkAddr: mac, State: NeighborStale, HasState: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.ChangeNeighbor(ctx, Neighbor{Index: idx, Addr: a1, LinkAddr: mac, State: NeighborReachable}); err != nil {
		t.Fatalf("ChangeNeighbor: %v", err)
	}
	got, err := c.Neighbor(ctx, idx, a1)
	if err != nil || got.State != NeighborReachable || !got.HasState || !got.HasCacheInfo || !got.HasProbes {
		t.Errorf("after change: %+v %v", got, err)
	}
	// The ages are iproute2's "used a/b/c" with -s.
	var ipn []struct {
		Used, Confirmed, Updated int64
		Probes                   uint32
	}
	out := kerneltest.Run(t, ns, "ip", "-s", "-j", "neigh", "show", "dev", "vethA", a1.String())
	if err := json.Unmarshal(out, &ipn); err != nil || len(ipn) != 1 {
		t.Fatalf("ip -s -j neigh: %v\n%s", err, out)
	}
	if d := int64(got.CacheInfo.Used / time.Second); d > ipn[0].Used || d < ipn[0].Used-1 || ipn[0].Probes != got.Probes {
		t.Errorf("cache info %+v probes %d; ip %s", got.CacheInfo, got.Probes, out)
	}

	// NUD_NONE, asked for explicitly; a zero State alone is permanent.
	if err := c.AddNeighbor(ctx, Neighbor{Index: idx, Addr: a2, State: NeighborNone, HasState: true}); err != nil {
		t.Fatalf("AddNeighbor(nud none): %v", err)
	}
	if got, err := c.Neighbor(ctx, idx, a2); err != nil || got.State != NeighborNone {
		t.Errorf("nud none: %+v %v", got, err)
	}
	if err := c.ReplaceNeighbor(ctx, Neighbor{Index: idx, Addr: a2, LinkAddr: mac}); err != nil {
		t.Fatal(err)
	}
	if got, err := c.Neighbor(ctx, idx, a2); err != nil || got.State != NeighborPermanent {
		t.Errorf("default state: %+v %v", got, err)
	}

	// Proxy entries are looked up in the proxy table.
	p := netip.MustParseAddr("2001:db8::23")
	if err := c.AddNeighbor(ctx, Neighbor{Index: idx, Addr: p, Flags: NeighborProxy}); err != nil {
		t.Fatal(err)
	}
	got, err = c.ProxyNeighbor(ctx, idx, p)
	if err != nil || got.Addr != p || got.Flags&NeighborProxy == 0 || got.Index != idx || got.HasCacheInfo {
		t.Errorf("ProxyNeighbor: %+v %v", got, err)
	}
	testKernelError(t, func() error { _, err := c.Neighbor(ctx, idx, p); return err }(), "get neighbor", syscall.ENOENT)
	testKernelError(t, func() error { _, err := c.ProxyNeighbor(ctx, idx, a1); return err }(), "get neighbor", syscall.ENOENT)

	// Batches: a bad entry (no address) and a kernel failure (exists
	// already) are reported by index; the rest is done.
	a3 := netip.MustParseAddr("198.18.0.24")
	batch := []Neighbor{{Index: idx, Addr: a3, LinkAddr: mac}, {Index: idx}, {Index: idx, Addr: a1, LinkAddr: mac}}
	err = c.AddNeighbors(ctx, batch)
	be, ok := errors.AsType[*netlink.BatchError](err)
	if !ok || be.Total != 3 || len(be.Failures) != 2 || be.Failures[0].Index != 1 || be.Failures[1].Index != 2 ||
		!errors.Is(be.Failures[1].Err, syscall.EEXIST) {
		t.Fatalf("AddNeighbors: %v", err)
	}
	if _, err := c.Neighbor(ctx, idx, a3); err != nil {
		t.Errorf("the good entry of the batch: %v", err)
	}
	err = c.DeleteNeighborsSeq(ctx, func(yield func(Neighbor) bool) {
		for _, a := range []netip.Addr{a1, a2, a3, netip.MustParseAddr("198.18.0.99")} {
			if !yield(Neighbor{Index: idx, Addr: a}) {
				return
			}
		}
	})
	be, ok = errors.AsType[*netlink.BatchError](err)
	if !ok || len(be.Failures) != 1 || be.Failures[0].Index != 3 || !errors.Is(be.Failures[0].Err, syscall.ENOENT) {
		t.Errorf("DeleteNeighborsSeq: %v", err)
	}
	if n := anNeighs(t, c, NeighborFilter{Index: idx, Family: FamilyIPv4}); len(n) != 0 {
		t.Errorf("left after delete: %+v", n)
	}
	if err := c.AddNeighborsSeq(ctx, slices.Values([]Neighbor{{Index: idx, Addr: a1, LinkAddr: mac}})); err != nil {
		t.Errorf("AddNeighborsSeq: %v", err)
	}
}
