//go:build linux

package rtnl

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// Comparing a Mirror with the kernel, object for object.
//
// The comparison does not use the identity the Mirror keys its tables by
// (RouteKey and the others): it renders every object, whole, into a
// canonical string and compares the two sides as multisets (sorted lists),
// so that a mirror holding one route where the kernel holds two (or two
// objects where it holds one, or a stale copy) shows, whatever the keys
// say. Only fields that change on their own, without notification, are
// left out (counters, ages, lifetimes, timers); and only the objects the
// Mirror documents it does not keep are left out of the dump.

// canonObject renders v whole: pointers followed, slices in order,
// addresses and durations as text, every other value as its kind's
// number or string, one "path=value" leaf per field, joined by spaces.
// Two objects render the same exactly when they are deeply equal (up to
// nil against empty slices, which decoding does not produce).
func canonObject(v any) string { return strings.Join(canonLeaves(v), " ") }

// canonLeaves is canonObject's list of leaves.
func canonLeaves(v any) []string {
	var out []string
	canonValue(&out, "", reflect.ValueOf(v))
	return out
}

var (
	typeAddr     = reflect.TypeFor[netip.Addr]()
	typePrefix   = reflect.TypeFor[netip.Prefix]()
	typeHW       = reflect.TypeFor[net.HardwareAddr]()
	typeDuration = reflect.TypeFor[time.Duration]()
)

func canonValue(out *[]string, path string, v reflect.Value) {
	leaf := func(s string) { *out = append(*out, path+"="+s) }
	if !v.IsValid() {
		leaf("nil")
		return
	}
	switch v.Type() {
	case typeAddr, typePrefix, typeHW, typeDuration:
		if v.CanInterface() {
			leaf(fmt.Sprint(v.Interface()))
			return
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			leaf("nil")
			return
		}
		if v.Kind() == reflect.Interface {
			leaf(v.Elem().Type().String())
		}
		canonValue(out, path+"*", v.Elem())
	case reflect.Struct:
		for i := range v.NumField() {
			p := v.Type().Field(i).Name
			if path != "" {
				p = path + "." + p
			}
			canonValue(out, p, v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b := make([]byte, v.Len())
			for i := range b {
				b[i] = byte(v.Index(i).Uint())
			}
			leaf(fmt.Sprintf("%x", b))
			return
		}
		leaf("len " + strconv.Itoa(v.Len()))
		for i := range v.Len() {
			canonValue(out, path+"["+strconv.Itoa(i)+"]", v.Index(i))
		}
	case reflect.Map:
		keys := v.MapKeys()
		parts := make([]string, len(keys))
		for i, k := range keys {
			var kv []string
			canonValue(&kv, "", k)
			canonValue(&kv, "", v.MapIndex(k))
			parts[i] = strings.Join(kv, ":")
		}
		sort.Strings(parts)
		leaf("map[" + strings.Join(parts, " ") + "]")
	case reflect.Bool:
		leaf(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		leaf(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		leaf(strconv.FormatUint(v.Uint(), 10))
	case reflect.String:
		leaf(strconv.Quote(v.String()))
	default:
		leaf(fmt.Sprintf("%v", v))
	}
}

// leafDiff describes how two rendered objects differ: the leaves of each
// that the other lacks.
func leafDiff(a, b string) string {
	la, lb := strings.Split(a, " "), strings.Split(b, " ")
	var onlyA, onlyB []string
	for _, l := range la {
		if !slices.Contains(lb, l) {
			onlyA = append(onlyA, l)
		}
	}
	for _, l := range lb {
		if !slices.Contains(la, l) {
			onlyB = append(onlyB, l)
		}
	}
	return fmt.Sprintf("mirror %s / kernel %s", strings.Join(onlyA, " "), strings.Join(onlyB, " "))
}

// Normalisers: the fields that change on their own.

func canonLink(l Link) string {
	l.Stats, l.HasStats = LinkStats64{}, false // IFLA_STATS64: counters
	if br, ok := l.Info.(*Bridge); ok {
		// IFLA_BR_*_TIMER: time left on running timers.
		c := *br
		c.HelloTimer, c.TCNTimer, c.TopologyChangeTimer, c.GCTimer = nil, nil, nil, nil
		l.Info = &c
	}
	if p, ok := l.Port.(*BridgePort); ok {
		c := *p
		c.HoldTimer, c.MessageAgeTimer, c.ForwardDelayTimer = 0, 0, 0
		l.Port = &c
	}
	return canonObject(l)
}

func canonAddress(a Address) string {
	// IFA_CACHEINFO: the lifetimes left count down.
	a.ValidLifetime, a.PreferredLifetime = Lifetime{}, Lifetime{}
	return canonObject(a)
}

func canonRoute(r Route) string {
	r.Expires = 0 // RTA_EXPIRES / rta_expires count down
	return canonObject(r)
}

func canonNeighbor(n Neighbor) string {
	// NDA_CACHEINFO (ages, references) and NDA_PROBES move on their own.
	n.CacheInfo, n.HasCacheInfo, n.Probes, n.HasProbes = NeighborCacheInfo{}, false, 0, false
	return canonObject(n)
}

// mirrorKeepsNeighbor is the Mirror's documented scope for neighbour
// entries, written out again here: entries the kernel announces. The
// dump asked for (NeighborFilter{}) already holds IPv4 and IPv6 entries
// of the neighbour table only, not the proxy table.
func mirrorKeepsNeighbor(n Neighbor) bool {
	return n.Type == RouteUnicast && n.State != NeighborNone && n.State != NeighborIncomplete && n.Flags&NeighborProxy == 0
}

// multisetDiff compares two multisets of rendered objects and returns the
// number of objects in one and not the other, with a description of the
// first few.
func multisetDiff(what string, mirror, kernel []string) (int, []string) {
	slices.Sort(mirror)
	slices.Sort(kernel)
	var lines []string
	n := 0
	note := func(side, s string) {
		n++
		if len(lines) < 8 {
			lines = append(lines, fmt.Sprintf("%s %s only: %s", what, side, s))
		}
	}
	var onlyM, onlyK []string
	i, j := 0, 0
	for i < len(mirror) || j < len(kernel) {
		switch {
		case j == len(kernel) || i < len(mirror) && mirror[i] < kernel[j]:
			onlyM = append(onlyM, mirror[i])
			i++
		case i == len(mirror) || kernel[j] < mirror[i]:
			onlyK = append(onlyK, kernel[j])
			j++
		default:
			i++
			j++
		}
	}
	// For the report, pair each object of the mirror with the kernel's
	// that has most leaves in common, if most are, and show how they
	// differ.
	paired := make([]bool, len(onlyK))
	for _, m := range onlyM {
		best, bestN := -1, len(strings.Split(m, " "))/2
		for k, o := range onlyK {
			if paired[k] {
				continue
			}
			common := 0
			ol := strings.Split(o, " ")
			for _, l := range strings.Split(m, " ") {
				if slices.Contains(ol, l) {
					common++
				}
			}
			if common > bestN {
				best, bestN = k, common
			}
		}
		if best < 0 {
			note("mirror", m)
			continue
		}
		paired[best] = true
		n += 2
		if len(lines) < 8 {
			head := m
			if len(head) > 160 {
				head = head[:160] + "..."
			}
			lines = append(lines, fmt.Sprintf("%s differs: %s\n    (%s)", what, leafDiff(m, onlyK[best]), head))
		}
	}
	for k, o := range onlyK {
		if !paired[k] {
			note("kernel", o)
		}
	}
	return n, lines
}

// render applies f to each element.
func render[T any](xs []T, f func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// freshDump reads one table whole, again if the kernel flags the dump
// interrupted.
func freshDump[T any](ctx context.Context, t testing.TB, what string, dump func() ([]T, error)) []T {
	t.Helper()
	var out []T
	err := netlink.RetryInterrupted(ctx, 20, func() error {
		var err error
		out, err = dump()
		return err
	})
	if err != nil {
		t.Fatalf("dump %s: %v", what, err)
	}
	return out
}

// mirrorCompare compares the mirror's tables with a fresh dump, object for
// object, and returns the number of objects found on one side only, with
// a description of some of them.
func mirrorCompare(t testing.TB, m *Mirror, c *Conn) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	total := 0
	var report []string
	add := func(n int, lines []string) {
		total += n
		report = append(report, lines...)
	}
	if m.cfg.Links {
		links := freshDump(ctx, t, "links", func() ([]Link, error) { return c.LinkList(ctx, LinkFilter{}) })
		add(multisetDiff("link", render(m.LinkList(), canonLink), render(links, canonLink)))
	}
	if m.cfg.Addresses {
		addrs := freshDump(ctx, t, "addresses", func() ([]Address, error) { return c.AddressList(ctx, AddressFilter{}) })
		add(multisetDiff("address", render(m.AddressList(), canonAddress), render(addrs, canonAddress)))
	}
	if m.cfg.Routes {
		routes := freshDump(ctx, t, "routes", func() ([]Route, error) { return c.RouteList(ctx, RouteFilter{}) })
		routes = slices.DeleteFunc(routes, func(r Route) bool {
			return r.Flags&RouteFlagCloned != 0 || r.Family != FamilyIPv4 && r.Family != FamilyIPv6
		})
		add(multisetDiff("route", render(m.RouteList(), canonRoute), render(routes, canonRoute)))
	}
	if m.cfg.Neighbors {
		neighs := freshDump(ctx, t, "neighbours", func() ([]Neighbor, error) { return c.NeighborList(ctx, NeighborFilter{}) })
		neighs = slices.DeleteFunc(neighs, func(n Neighbor) bool { return !mirrorKeepsNeighbor(n) })
		add(multisetDiff("neigh", render(m.NeighborList(), canonNeighbor), render(neighs, canonNeighbor)))
	}
	return total, strings.Join(report, "\n")
}

// mirrorDiff is mirrorCompare's count.
func mirrorDiff(t testing.TB, m *Mirror, c *Conn) int {
	t.Helper()
	n, _ := mirrorCompare(t, m, c)
	return n
}

// mirrorActivity is what changes while a mirror works: events applied and
// re-reads.
func mirrorActivity(m *Mirror) MirrorStats {
	st := m.Stats()
	return MirrorStats{Events: st.Events, Resyncs: st.Resyncs, Partial: st.Partial}
}

// mirrorSettle waits until the mirror has been quiet (no event applied,
// no re-read) for quiet, then compares it with the kernel, and does so
// again until they agree or wait has passed. It returns the last
// comparison.
func mirrorSettle(t testing.TB, m *Mirror, c *Conn, quiet, wait time.Duration) (int, string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		last, since := mirrorActivity(m), time.Now()
		for time.Since(since) < quiet && time.Now().Before(deadline) {
			time.Sleep(quiet / 5)
			if a := mirrorActivity(m); a != last {
				last, since = a, time.Now()
			}
		}
		n, report := mirrorCompare(t, m, c)
		if n == 0 || time.Now().After(deadline) {
			return n, report
		}
		time.Sleep(quiet / 2)
	}
}
