//go:build linux

package rtnl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// Helpers shared by the address and neighbour tests carry the prefix "an"
// so they cannot clash with other tests of the package.

// anVeth creates the veth pair name0/name1 in ns with iproute2, without
// IPv6 link-local addresses (addrgenmode none), brings both up and
// returns their indexes.
func anVeth(t *testing.T, ns *netns.NS, name0, name1 string) (int32, int32) {
	t.Helper()
	kerneltest.Run(t, ns, "ip", "link", "add", name0, "type", "veth", "peer", "name", name1)
	for _, n := range []string{name0, name1} {
		kerneltest.Run(t, ns, "ip", "link", "set", n, "addrgenmode", "none")
		kerneltest.Run(t, ns, "ip", "link", "set", n, "up")
	}
	idx := testLinkIndexes(t, ns)
	return idx[name0], idx[name1]
}

// anAddrs collects the addresses that match f.
func anAddrs(t *testing.T, c *Conn, f AddressFilter) []Address {
	t.Helper()
	return testList(t, c.Addresses, f, "Addresses")
}

// anFindAddr returns the address of link index with local address p.Addr().
func anFindAddr(t *testing.T, c *Conn, index int32, p netip.Prefix) (Address, bool) {
	t.Helper()
	for _, a := range anAddrs(t, c, AddressFilter{Index: index}) {
		if a.Prefix.Addr() == p.Addr() {
			return a, true
		}
	}
	return Address{}, false
}

// anCloseLifetime reports whether got is within a few seconds below want
// (the kernel reports the time left).
func anCloseLifetime(got, want Lifetime) bool {
	if got.IsForever() || want.IsForever() {
		return got == want
	}
	g, w := got.Seconds(), want.Seconds()
	return g <= w && w-g <= 5
}

func TestAddressLifecycle(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  Address
		want Address // after add: what the kernel reports
		repl Address // replacement: lifetimes, metric, (IPv6) flags
		// wantReplFlags are the flags after the replacement.
		wantReplFlags AddressFlags
	}{
		{
			name: "IPv4",
			add: Address{
				Prefix:    netip.MustParsePrefix("198.18.0.1/24"),
				Broadcast: netip.MustParseAddr("198.18.0.255"),
				Label:     "vethA:one",
			},
			want: Address{
				Family:    FamilyIPv4,
				Prefix:    netip.MustParsePrefix("198.18.0.1/24"),
				Broadcast: netip.MustParseAddr("198.18.0.255"),
				Label:     "vethA:one",
				Scope:     ScopeUniverse,
				Flags:     AddressPermanent,
			},
			repl: Address{
				Prefix:            netip.MustParsePrefix("198.18.0.1/24"),
				Broadcast:         netip.MustParseAddr("198.18.0.255"),
				Label:             "vethA:one",
				ValidLifetime:     LifetimeSeconds(3600),
				PreferredLifetime: LifetimeSeconds(1800),
				Metric:            77,
				Protocol:          42,
			},
			wantReplFlags: 0,
		},
		{
			name: "IPv6",
			add: Address{
				Prefix: netip.MustParsePrefix("2001:db8:1::1/64"),
				Flags:  AddressNoDAD,
			},
			want: Address{
				Family: FamilyIPv6,
				Prefix: netip.MustParsePrefix("2001:db8:1::1/64"),
				Scope:  ScopeUniverse,
				Flags:  AddressNoDAD | AddressPermanent,
			},
			repl: Address{
				Prefix:            netip.MustParsePrefix("2001:db8:1::1/64"),
				Flags:             AddressNoDAD | AddressNoPrefixRoute,
				ValidLifetime:     LifetimeSeconds(3600),
				PreferredLifetime: LifetimeSeconds(0),
				Metric:            77,
				Protocol:          42,
			},
			// A preferred lifetime of 0 deprecates the address.
			wantReplFlags: AddressNoDAD | AddressNoPrefixRoute | AddressDeprecated,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ns := kerneltest.NetNS(t)
			c := testDial(t, ns)
			idx, _ := anVeth(t, ns, "vethA", "vethB")
			ctx := t.Context()
			tc.add.Index, tc.want.Index, tc.repl.Index = idx, idx, idx

			if err := c.AddAddress(ctx, tc.add); err != nil {
				t.Fatalf("AddAddress: %v", err)
			}
			got, ok := anFindAddr(t, c, idx, tc.add.Prefix)
			if !ok {
				t.Fatalf("address %v not listed after AddAddress", tc.add.Prefix)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("after AddAddress:\n got %+v\nwant %+v", got, tc.want)
			}

			err := c.AddAddress(ctx, tc.add)
			testKernelError(t, err, fmt.Sprintf("add address %v dev %d", tc.add.Prefix, tc.add.Index), syscall.EEXIST)
			if !errors.Is(err, fs.ErrExist) {
				t.Errorf("adding twice: %v does not match fs.ErrExist", err)
			}

			if err := c.ReplaceAddress(ctx, tc.repl); err != nil {
				t.Fatalf("ReplaceAddress: %v", err)
			}
			got, ok = anFindAddr(t, c, idx, tc.add.Prefix)
			if !ok {
				t.Fatalf("address %v not listed after ReplaceAddress", tc.add.Prefix)
			}
			if !anCloseLifetime(got.ValidLifetime, tc.repl.ValidLifetime) ||
				!anCloseLifetime(got.PreferredLifetime, tc.repl.PreferredLifetime) {
				t.Errorf("lifetimes after replace: valid %v preferred %v, want %v %v",
					got.ValidLifetime, got.PreferredLifetime, tc.repl.ValidLifetime, tc.repl.PreferredLifetime)
			}
			want := tc.want
			want.Flags = tc.wantReplFlags
			want.Metric, want.Protocol = tc.repl.Metric, tc.repl.Protocol
			want.ValidLifetime, want.PreferredLifetime = got.ValidLifetime, got.PreferredLifetime
			if !reflect.DeepEqual(got, want) {
				t.Errorf("after ReplaceAddress:\n got %+v\nwant %+v", got, want)
			}

			if err := c.DeleteAddress(ctx, got); err != nil {
				t.Fatalf("DeleteAddress: %v", err)
			}
			if a, ok := anFindAddr(t, c, idx, tc.add.Prefix); ok {
				t.Fatalf("address still listed after DeleteAddress: %+v", a)
			}
			err = c.DeleteAddress(ctx, tc.add)
			testKernelError(t, err, "delete address", syscall.EADDRNOTAVAIL)

			// Replace creates a missing address.
			if err := c.ReplaceAddress(ctx, tc.add); err != nil {
				t.Fatalf("ReplaceAddress of a missing address: %v", err)
			}
			if got, ok := anFindAddr(t, c, idx, tc.add.Prefix); !ok || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("after ReplaceAddress of a missing address:\n got %+v (found %t)\nwant %+v", got, ok, tc.want)
			}
		})
	}
}

func TestAddressPeer(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "vethA", "vethB")
	for _, a := range []Address{
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.5.1/24"), Peer: netip.MustParsePrefix("198.18.6.1/24")},
		{Index: idx, Prefix: netip.MustParsePrefix("2001:db8:5::1/64"), Peer: netip.MustParsePrefix("2001:db8:6::1/64"), Flags: AddressNoDAD},
	} {
		if err := c.AddAddress(t.Context(), a); err != nil {
			t.Fatalf("AddAddress(%+v): %v", a, err)
		}
		got, ok := anFindAddr(t, c, idx, a.Prefix)
		if !ok {
			t.Fatalf("%v not listed", a.Prefix)
		}
		if got.Prefix != a.Prefix || got.Peer != a.Peer {
			t.Errorf("read back prefix %v peer %v, want %v %v", got.Prefix, got.Peer, a.Prefix, a.Peer)
		}
		if err := c.DeleteAddress(t.Context(), a); err != nil {
			t.Fatalf("DeleteAddress(%+v): %v", a, err)
		}
		if _, ok := anFindAddr(t, c, idx, a.Prefix); ok {
			t.Errorf("%v still listed after delete", a.Prefix)
		}
	}
}

func TestAddressErrors(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()

	for _, p := range []string{"198.18.0.1/24", "2001:db8::1/64"} {
		a := Address{Index: 9999, Prefix: netip.MustParsePrefix(p), Flags: AddressNoDAD}
		ne := testKernelError(t, c.AddAddress(ctx, a), "add address", syscall.ENODEV)
		t.Logf("add to missing link %s: %v", p, ne)
		testKernelError(t, c.DeleteAddress(ctx, a), "delete address", syscall.ENODEV)

		// A preferred lifetime beyond the valid one is invalid.
		a.Index = idx
		a.ValidLifetime, a.PreferredLifetime = LifetimeSeconds(10), LifetimeSeconds(20)
		ne = testKernelError(t, c.AddAddress(ctx, a), "add address", syscall.EINVAL)
		if ne.Message == "" {
			t.Errorf("invalid lifetimes for %s: no extended-ACK message in %v", p, ne)
		}
	}

	// Dumping the addresses of a missing link.
	_, err := netlink.Collect(c.Addresses(ctx, AddressFilter{Index: 9999}))
	testKernelError(t, err, "list addresses", syscall.ENODEV)

	// Errors found before anything is sent.
	if err := c.AddAddress(ctx, Address{Index: idx}); err == nil {
		t.Error("AddAddress without Prefix succeeded")
	}
	bad := Address{Index: idx, Prefix: netip.MustParsePrefix("198.18.0.1/24"), Peer: netip.MustParsePrefix("2001:db8::1/64")}
	if err := c.AddAddress(ctx, bad); err == nil {
		t.Error("AddAddress with a peer of another family succeeded")
	}
	// In a batch, an address that cannot be encoded is a failure at its
	// index; the others are added.
	err = c.AddAddresses(ctx, []Address{{Index: idx, Prefix: netip.MustParsePrefix("198.18.0.1/24")}, {Index: idx}})
	be, ok := errors.AsType[*netlink.BatchError](err)
	if !ok || len(be.Failures) != 1 || be.Failures[0].Index != 1 || be.Total != 2 {
		t.Errorf("AddAddresses with an invalid address: %v", err)
	}
	if got := anAddrs(t, c, AddressFilter{Index: idx}); len(got) != 1 {
		t.Errorf("AddAddresses added %v, want the valid one", got)
	}
}

func TestAddressFilter(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idxA, idxB := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()
	byLink := map[int32][]netip.Prefix{
		idxA: {netip.MustParsePrefix("198.18.1.1/24"), netip.MustParsePrefix("2001:db8:1::1/64")},
		idxB: {netip.MustParsePrefix("198.18.2.1/24"), netip.MustParsePrefix("198.18.3.1/24"), netip.MustParsePrefix("2001:db8:2::1/64")},
	}
	for idx, ps := range byLink {
		for _, p := range ps {
			if err := c.AddAddress(ctx, Address{Index: idx, Prefix: p, Flags: AddressNoDAD}); err != nil {
				t.Fatalf("AddAddress(%v): %v", p, err)
			}
		}
	}
	prefixes := func(addrs []Address) []netip.Prefix {
		var ps []netip.Prefix
		for _, a := range addrs {
			ps = append(ps, a.Prefix)
		}
		slices.SortFunc(ps, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
		return ps
	}
	sorted := func(ps ...netip.Prefix) []netip.Prefix {
		ps = slices.Clone(ps)
		slices.SortFunc(ps, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
		return ps
	}
	for idx, ps := range byLink {
		for _, fam := range []Family{FamilyUnspec, FamilyIPv4, FamilyIPv6} {
			var want []netip.Prefix
			for _, p := range ps {
				if fam == FamilyUnspec || (fam == FamilyIPv4) == p.Addr().Is4() {
					want = append(want, p)
				}
			}
			f := AddressFilter{Index: idx, Family: fam}
			got := anAddrs(t, c, f)
			for _, a := range got {
				if a.Index != idx || fam != FamilyUnspec && a.Family != fam {
					t.Errorf("Addresses(%+v) gave %+v", f, a)
				}
			}
			if !slices.Equal(prefixes(got), sorted(want...)) {
				t.Errorf("Addresses(%+v) = %v, want %v", f, prefixes(got), sorted(want...))
			}
		}
	}
	// Without strict checking the kernel ignores ifa_index; the filter
	// still holds.
	loose, err := Dial(&netlink.Config{NetNS: ns, DisableStrictCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer loose.Close()
	for idx, ps := range byLink {
		f := AddressFilter{Index: idx, Family: FamilyIPv4}
		got := anAddrs(t, loose, f)
		if n := len(slices.DeleteFunc(slices.Clone(ps), func(p netip.Prefix) bool { return p.Addr().Is6() })); len(got) != n {
			t.Errorf("without strict checking, Addresses(%+v) = %v", f, prefixes(got))
		}
		for _, a := range got {
			if a.Index != idx || a.Family != FamilyIPv4 {
				t.Errorf("without strict checking, Addresses(%+v) gave %+v", f, a)
			}
		}
	}

	// Without a filter: everything, lo's addresses included.
	all := anAddrs(t, c, AddressFilter{})
	if n := len(byLink[idxA]) + len(byLink[idxB]) + 2; len(all) != n {
		t.Errorf("Addresses() gave %d addresses, want %d: %v", len(all), n, prefixes(all))
	}
	// Breaking out early leaves the Conn usable.
	for range c.Addresses(ctx, AddressFilter{}) {
		break
	}
	if got := anAddrs(t, c, AddressFilter{Index: idxA}); len(got) != 2 {
		t.Errorf("after an early break, Addresses gave %v", prefixes(got))
	}
}

func TestAddressBulk(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()

	const n = 1000
	addrs := make([]Address, n)
	for i := range addrs {
		var p netip.Prefix
		if i%2 == 0 {
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, byte(i / 200), byte(i%200 + 1)}), 32)
		} else {
			p = netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, byte(i >> 8), byte(i)}), 128)
		}
		addrs[i] = Address{Index: idx, Prefix: p, Flags: AddressNoDAD}
	}
	start := time.Now()
	if err := c.AddAddresses(ctx, addrs); err != nil {
		t.Fatalf("AddAddresses(%d): %v", n, err)
	}
	t.Logf("AddAddresses of %d addresses: %v", n, time.Since(start))
	got := anAddrs(t, c, AddressFilter{Index: idx})
	seen := make(map[netip.Prefix]bool)
	for _, a := range got {
		seen[a.Prefix] = true
	}
	for _, a := range addrs {
		if !seen[a.Prefix] {
			t.Fatalf("%v missing after AddAddresses (%d listed)", a.Prefix, len(got))
		}
	}
	if len(got) != n {
		t.Errorf("listed %d addresses, want %d", len(got), n)
	}

	// A batch with two addresses that exist already: exactly those fail.
	extra := []Address{
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.100.1/32")},
		addrs[10], // exists
		{Index: idx, Prefix: netip.MustParsePrefix("2001:db8:100::1/128"), Flags: AddressNoDAD},
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.100.2/32")},
		addrs[11], // exists
	}
	err := c.AddAddresses(ctx, extra)
	var be *netlink.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("AddAddresses with duplicates: %v (%T), want a *netlink.BatchError", err, err)
	}
	if be.Total != len(extra) || len(be.Failures) != 2 || be.Failures[0].Index != 1 || be.Failures[1].Index != 4 {
		t.Fatalf("BatchError %v: total %d failures %+v, want indexes 1 and 4 of %d", be, be.Total, be.Failures, len(extra))
	}
	for _, f := range be.Failures {
		testKernelError(t, f.Err, "add address", syscall.EEXIST)
	}
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("%v does not match fs.ErrExist", err)
	}
	for _, i := range []int{0, 2, 3} {
		if _, ok := anFindAddr(t, c, idx, extra[i].Prefix); !ok {
			t.Errorf("%v of the partly failed batch is missing", extra[i].Prefix)
		}
	}

	// Delete them all; deleting again fails for each.
	all := append(addrs, extra[0], extra[2], extra[3])
	if err := c.DeleteAddresses(ctx, all); err != nil {
		t.Fatalf("DeleteAddresses: %v", err)
	}
	if got := anAddrs(t, c, AddressFilter{Index: idx}); len(got) != 0 {
		t.Errorf("%d addresses left after DeleteAddresses", len(got))
	}
	err = c.DeleteAddresses(ctx, all[:3])
	if !errors.As(err, &be) || len(be.Failures) != 3 {
		t.Fatalf("deleting missing addresses: %v, want a BatchError with 3 failures", err)
	}
	testKernelError(t, be.Failures[2].Err, fmt.Sprintf("delete address %v dev %d: ", all[2].Prefix, all[2].Index), syscall.EADDRNOTAVAIL)
}

// ipAddrInfo is an entry of addr_info in `ip -j addr show`.
type ipAddrInfo struct {
	Family    string `json:"family"`
	Local     string `json:"local"`
	Address   string `json:"address"`
	PrefixLen int    `json:"prefixlen"`
	Broadcast string `json:"broadcast"`
	Scope     string `json:"scope"`
	Label     string `json:"label"`
	Valid     uint32 `json:"valid_life_time"`
	Preferred uint32 `json:"preferred_life_time"`
	Metric    uint32 `json:"metric"`
	// The flags come as boolean keys.
	Flags map[string]bool `json:"-"`
}

func TestAddressMatchesIproute2(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "vethA", "vethB")
	ctx := t.Context()
	for _, a := range []Address{
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.0.1/24"), Broadcast: netip.MustParseAddr("198.18.0.255"), Label: "vethA:x"},
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.0.2/24")}, // secondary
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.1.1/24"), Flags: AddressNoPrefixRoute, Scope: ScopeLink,
			ValidLifetime: LifetimeSeconds(600), PreferredLifetime: LifetimeSeconds(300), Metric: 20},
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.5.1/24"), Peer: netip.MustParsePrefix("198.18.6.1/24")},
		{Index: idx, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Flags: AddressNoDAD | AddressNoPrefixRoute},
		{Index: idx, Prefix: netip.MustParsePrefix("2001:db8:1::1/64"), Flags: AddressNoDAD, ValidLifetime: LifetimeSeconds(900), PreferredLifetime: LifetimeSeconds(900)},
		{Index: idx, Prefix: netip.MustParsePrefix("2001:db8:5::1/64"), Peer: netip.MustParsePrefix("2001:db8:6::1/64"), Flags: AddressNoDAD},
	} {
		if err := c.AddAddress(ctx, a); err != nil {
			t.Fatalf("AddAddress(%+v): %v", a, err)
		}
	}
	// And one added by iproute2.
	kerneltest.Run(t, ns, "ip", "addr", "add", "198.18.9.9/30", "dev", "vethB", "label", "vethB:ip")

	ours := anAddrs(t, c, AddressFilter{})
	out := kerneltest.Run(t, ns, "ip", "-n", name, "-j", "addr", "show")
	var links []struct {
		Index    int32             `json:"ifindex"`
		AddrInfo []json.RawMessage `json:"addr_info"`
	}
	if err := json.Unmarshal(out, &links); err != nil {
		t.Fatalf("parsing ip -j addr show: %v\n%s", err, out)
	}
	count := 0
	for _, l := range links {
		for _, raw := range l.AddrInfo {
			var ai ipAddrInfo
			if err := json.Unmarshal(raw, &ai); err != nil {
				t.Fatal(err)
			}
			var all map[string]any
			json.Unmarshal(raw, &all)
			ai.Flags = make(map[string]bool)
			for k, v := range all {
				if b, ok := v.(bool); ok && b {
					ai.Flags[k] = true
				}
			}
			count++
			i := slices.IndexFunc(ours, func(a Address) bool {
				return a.Index == l.Index && a.Prefix.Addr().String() == ai.Local
			})
			if i < 0 {
				t.Errorf("ip shows %s on link %d, Addresses does not", ai.Local, l.Index)
				continue
			}
			anCompareIP(t, ours[i], ai)
		}
	}
	if count != len(ours) || count != 10 {
		t.Errorf("ip shows %d addresses, Addresses gave %d, want 10 (lo's 2 and 8 added)", count, len(ours))
	}
}

// anCompareIP compares an Address with iproute2's view of it.
func anCompareIP(t *testing.T, a Address, ai ipAddrInfo) {
	t.Helper()
	check := func(what string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%v: %s = %v, iproute2 says %v", a.Prefix, what, got, want)
		}
	}
	check("family", a.Family, ai.Family)
	check("prefixlen", a.Prefix.Bits(), ai.PrefixLen)
	check("scope", a.Scope, ai.Scope)
	check("label", a.Label, ai.Label)
	peer := ""
	if a.Peer.IsValid() {
		peer = a.Peer.Addr().String()
	}
	check("peer", peer, ai.Address)
	bcast := ""
	if a.Broadcast.IsValid() {
		bcast = a.Broadcast.String()
	}
	check("broadcast", bcast, ai.Broadcast)
	check("metric", a.Metric, ai.Metric)
	if !anCloseLifetime(a.ValidLifetime, LifetimeSeconds(ai.Valid)) && !anCloseLifetime(LifetimeSeconds(ai.Valid), a.ValidLifetime) {
		t.Errorf("%v: valid lifetime %v, iproute2 says %d", a.Prefix, a.ValidLifetime, ai.Valid)
	}
	if !anCloseLifetime(a.PreferredLifetime, LifetimeSeconds(ai.Preferred)) && !anCloseLifetime(LifetimeSeconds(ai.Preferred), a.PreferredLifetime) {
		t.Errorf("%v: preferred lifetime %v, iproute2 says %d", a.Prefix, a.PreferredLifetime, ai.Preferred)
	}
	// iproute2 prints "dynamic" for addresses without IFA_F_PERMANENT and
	// calls IFA_F_SECONDARY "temporary" on IPv6 addresses.
	want := make(map[string]bool)
	for _, w := range slices.DeleteFunc(strings.Fields(a.Flags.String()), func(s string) bool { return s == "permanent" }) {
		if w == "secondary" && a.Family == FamilyIPv6 {
			w = "temporary"
		}
		want[w] = true
	}
	if a.Flags&AddressPermanent == 0 {
		want["dynamic"] = true
	}
	if !reflect.DeepEqual(want, ai.Flags) {
		t.Errorf("%v: flags %q give %v, iproute2 says %v", a.Prefix, a.Flags, want, ai.Flags)
	}
}

// TestAddressChangeForeverAnyLength covers ChangeAddress, lifetimes set
// back to forever, and deletion whatever the prefix length.
func TestAddressChangeForeverAnyLength(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx, _ := anVeth(t, ns, "cf0", "cf1")
	ctx := t.Context()
	for _, p := range []string{"198.18.9.1/24", "2001:db8:9::1/64"} {
		a := Address{Index: idx, Prefix: netip.MustParsePrefix(p), Flags: AddressNoDAD,
			ValidLifetime: LifetimeSeconds(300), PreferredLifetime: LifetimeSeconds(200)}
		if err := c.AddAddress(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got, ok := anFindAddr(t, c, idx, a.Prefix); !ok || got.ValidLifetime.IsForever() || got.Flags&AddressPermanent != 0 {
			t.Fatalf("%s after add: %+v", p, got)
		}
		// Change with lifetimes left at forever: permanent again.
		ch := Address{Index: idx, Prefix: a.Prefix, Flags: AddressNoDAD, Metric: 5}
		if err := c.ChangeAddress(ctx, ch); err != nil {
			t.Fatalf("ChangeAddress(%s): %v", p, err)
		}
		got, ok := anFindAddr(t, c, idx, a.Prefix)
		if !ok || !got.ValidLifetime.IsForever() || !got.PreferredLifetime.IsForever() || got.Flags&AddressPermanent == 0 || got.Metric != 5 {
			t.Errorf("%s after change: %+v", p, got)
		}
	}
	// As with ip address change, a missing address is added.
	missing := Address{Index: idx, Prefix: netip.MustParsePrefix("198.18.10.1/24")}
	if err := c.ChangeAddress(ctx, missing); err != nil {
		t.Errorf("ChangeAddress(missing): %v", err)
	}
	if _, ok := anFindAddr(t, c, idx, missing.Prefix); !ok {
		t.Error("ChangeAddress did not add the missing address")
	}

	// Delete by address alone: /24 and a peer address both go.
	if err := c.AddAddress(ctx, Address{Index: idx, Prefix: netip.MustParsePrefix("198.18.11.1/32"),
		Peer: netip.MustParsePrefix("198.18.11.2/32")}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"198.18.9.1", "198.18.11.1"} {
		a := Address{Index: idx, Prefix: netip.PrefixFrom(netip.MustParseAddr(s), 32), AnyPrefixLength: true}
		if err := c.DeleteAddress(ctx, a); err != nil {
			t.Errorf("DeleteAddress(%s, any length): %v", s, err)
		}
		if got, ok := anFindAddr(t, c, idx, a.Prefix); ok {
			t.Errorf("%s still there: %+v", s, got)
		}
		err := c.DeleteAddress(ctx, a)
		if !errors.Is(err, syscall.EADDRNOTAVAIL) {
			t.Errorf("DeleteAddress(%s, any length) again: %v, want EADDRNOTAVAIL", s, err)
		}
	}
	// Without AnyPrefixLength the length must match.
	if err := c.DeleteAddress(ctx, Address{Index: idx, Prefix: netip.MustParsePrefix("198.18.10.1/32")}); !errors.Is(err, syscall.EADDRNOTAVAIL) {
		t.Errorf("DeleteAddress(/32 of a /24): %v", err)
	}
	for _, a := range []Address{
		{Index: idx, Prefix: netip.MustParsePrefix("2001:db8:9::1/128"), AnyPrefixLength: true},
		{Index: idx, Prefix: netip.MustParsePrefix("198.18.10.1/32"), Peer: netip.MustParsePrefix("198.18.10.2/32"), AnyPrefixLength: true},
	} {
		if err := c.DeleteAddress(ctx, a); err == nil || !strings.Contains(err.Error(), "AnyPrefixLength") {
			t.Errorf("DeleteAddress(%+v): %v", a, err)
		}
	}
	if err := c.AddAddress(ctx, Address{Index: idx, Prefix: netip.MustParsePrefix("198.18.12.1/24"), AnyPrefixLength: true}); err == nil {
		t.Error("AddAddress with AnyPrefixLength: no error")
	}
}
