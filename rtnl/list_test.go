//go:build linux

package rtnl

import (
	"context"
	"errors"
	"iter"
	"net"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// TestList: each XxxList returns exactly what collecting its iterator
// returns, also when the replies are cut into many small blocks, and when
// the kernel does not filter (no strict checking) so that the local filter
// drops most replies in the middle of the slice being filled.
func TestList(t *testing.T) {
	env := rtSetup(t, false)
	ctx := t.Context()
	var routes []Route
	for i := range 3000 {
		r := Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}), 32),
			Table: Table(100 + i%2), Protocol: ProtoStatic, OutIndex: env.v0}
		if i%3 == 0 {
			r.Protocol = ProtoBGP
		}
		if i%7 == 0 {
			r.OutIndex = 0
			r.NextHops = []NextHop{{Gateway: rtIP("198.18.0.2"), OutIndex: env.v0}, {Gateway: rtIP("198.18.2.2"), OutIndex: env.v2}}
		}
		if i%11 == 0 {
			r.Metrics = &Metrics{MTU: 1400 + uint32(i%50)}
		}
		routes = append(routes, r)
	}
	if err := env.c.AddRoutes(ctx, routes); err != nil {
		t.Fatal(err)
	}
	loose, err := Dial(&netlink.Config{NetNS: env.ns, DisableStrictCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	defer loose.Close()
	filters := []RouteFilter{{}, {Table: 100}, {Protocol: ProtoBGP}, {Family: FamilyIPv4, Table: 101, Protocol: ProtoStatic}, {OutIndex: env.v2}}
	for ci, c := range []*Conn{env.c, loose} {
		for _, f := range filters {
			for _, sz := range []int{1 << 20, 256, 4096} {
				got, want := listStable(t, func() ([]Route, []Route, error) {
					got, err := f.dump().listIn(c, ctx, sz)
					return got, testList(t, c.Routes, f, "Routes"), err
				})
				if len(want) == 0 {
					t.Fatalf("conn %d, %+v: no routes", ci, f)
				}
				if len(got) != cap(got) || !reflect.DeepEqual(got, want) {
					t.Fatalf("conn %d, %+v, blocks %+v: %d routes (cap %d), iterator gave %d; first difference at %d",
						ci, f, sz, len(got), cap(got), len(want), firstDiff(got, want))
				}
			}
		}
	}
	if got, err := env.c.RouteList(ctx, RouteFilter{Table: 101}); err != nil || len(got) != 1500 {
		t.Fatalf("RouteList(table 101): %d routes, %v", len(got), err)
	}

	// The other objects.
	c := env.c
	if err := env.c.AddNeighbor(ctx, Neighbor{Index: env.v0, Addr: rtIP("198.18.0.9"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}}); err != nil {
		t.Fatal(err)
	}
	if err := env.c.AddRule(ctx, Rule{Family: FamilyIPv4, Priority: 100, Table: 100, Src: rtPfx("198.18.9.0/24")}); err != nil {
		t.Fatal(err)
	}
	listEqual(t, "links", c.Links, c.LinkList, LinkFilter{})
	listEqual(t, "veth links", c.Links, c.LinkList, LinkFilter{Kind: "veth"})
	listEqual(t, "addresses", c.Addresses, c.AddressList, AddressFilter{})
	listEqual(t, "IPv6 addresses", loose.Addresses, loose.AddressList, AddressFilter{Family: FamilyIPv6})
	listEqual(t, "neighbours", c.Neighbors, c.NeighborList, NeighborFilter{Index: env.v0})
	listEqual(t, "rules", c.Rules, c.RuleList, RuleFilter{})
	listEqual(t, "rules of table 100", loose.Rules, loose.RuleList, RuleFilter{Table: 100})

	// A decoding error, first, in the middle or last, returns it and no
	// routes; the Conn stays usable.
	boom := errors.New("boom")
	for _, at := range []int32{1, 1500, 3000} {
		d := RouteFilter{}.dump()
		inner := d.decode
		var calls int32
		d.decode = func(r *Route, m netlink.Message) (bool, error) {
			if calls++; calls == at {
				return false, boom
			}
			return inner(r, m)
		}
		got, err := d.listIn(env.c, ctx, 256)
		if !errors.Is(err, boom) || got != nil {
			t.Fatalf("error at reply %d: %d routes, %v", at, len(got), err)
		}
	}
	if _, err := env.c.RouteList(ctx, RouteFilter{Table: 100}); err != nil {
		t.Fatalf("after errors: %v", err)
	}
	// A request that cannot be encoded fails unsent.
	if _, err := env.c.LinkList(ctx, LinkFilter{Kind: string(make([]byte, 70000))}); err == nil {
		t.Fatal("LinkList with a 70000-byte kind: no error")
	}
}

// listStable runs list, which returns a List result and the iterator's,
// until the iterator gives the same before and after the List call, so
// that a change the kernel makes on its own meanwhile (IPv6 routes appear
// when duplicate address detection ends) is not taken for a difference.
func listStable[T any](t *testing.T, list func() (got, want []T, err error)) (got, want []T) {
	t.Helper()
	for range 20 {
		var err error
		_, before, _ := list()
		got, want, err = list()
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(before, want) {
			return got, want
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the tables kept changing")
	return nil, nil
}

// listEqual checks a List result against the iterator's.
func listEqual[T, F any](t *testing.T, what string, dump func(context.Context, F) iter.Seq2[T, error],
	list func(context.Context, F) ([]T, error), f F) {
	t.Helper()
	got, want := listStable(t, func() ([]T, []T, error) {
		got, err := list(t.Context(), f)
		return got, testList(t, dump, f, what), err
	})
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: list gave %d, iterator %d; first difference at %d", what, len(got), len(want), firstDiff(got, want))
	}
}

// firstDiff is the index of the first element that differs, or the
// shorter length.
func firstDiff[T any](a, b []T) int {
	for i := range min(len(a), len(b)) {
		if !reflect.DeepEqual(a[i], b[i]) {
			return i
		}
	}
	return min(len(a), len(b))
}
