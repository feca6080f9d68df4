package ynl

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

// routeMsg is an rt-route reply with the given attributes (a /32 in table
// 1000), and an attribute rt-route does not know (type 200) when unknown.
func routeMsg(t *testing.T, s *Spec, attrs map[string]any, unknown bool) []byte {
	t.Helper()
	v := map[string]any{
		"rtm-family": 2, "rtm-dst-len": 32, "rtm-table": 252, "rtm-protocol": 4, "rtm-scope": 253, "rtm-type": "unicast",
		"rta-table": 1000,
	}
	for k, x := range attrs {
		v[k] = x
	}
	msg, err := s.AppendRequest(nil, "newroute", v)
	if err != nil {
		t.Fatal(err)
	}
	if unknown {
		msg = binary.NativeEndian.AppendUint16(msg, 8)
		msg = binary.NativeEndian.AppendUint16(msg, 200)
		msg = append(msg, 1, 2, 3, 4)
	}
	return msg
}

func mustJSON(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := JSON(v, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A streaming Dump decodes every object into the same maps: each tree must
// be exactly what a fresh Decode gives (nothing left over from the previous
// object, nested maps included), a Clone must outlive the next object, and
// the reused maps must not grow in number.
func TestDecodeReused(t *testing.T) {
	s := testSpec(t, "rt-route")
	op := s.Operation("getroute")
	msgs := [][]byte{
		routeMsg(t, s, map[string]any{"rta-dst": netip.MustParseAddr("198.18.0.1"), "rta-oif": 3, "rta-metrics": map[string]any{"rtax-mtu": 1400}}, true),
		routeMsg(t, s, map[string]any{"rta-gateway": netip.MustParseAddr("198.18.0.254")}, false),
		routeMsg(t, s, map[string]any{"rta-dst": netip.MustParseAddr("198.18.0.2"), "rta-metrics": map[string]any{"rtax-lock": 1}}, false),
	}
	var want []string
	for _, m := range msgs {
		v, err := s.Decode(op, m)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, mustJSON(t, v))
	}
	var pool treePool
	var kept []map[string]any
	var maps int
	var dst, table any
	for round := range 3 {
		for i, m := range msgs {
			v, err := s.decode(&pool, op, m)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustJSON(t, v); got != want[i] {
				t.Errorf("round %d, object %d reused: %s\nwant %s", round, i, got, want[i])
			}
			kept = append(kept, Clone(v))
			if round == 0 && i == 0 {
				dst, table = v["rta-dst"], v["rta-table"] // leaves, not cloned
			}
		}
		if n := len(pool.owned) + len(pool.spare); round == 0 {
			maps = n
		} else if n != maps {
			t.Errorf("round %d: %d nested maps held, %d after the first round", round, n, maps)
		}
	}
	for i, v := range kept {
		if got := mustJSON(t, v); got != want[i%len(msgs)] {
			t.Errorf("clone %d changed by later objects: %s\nwant %s", i, got, want[i%len(msgs)])
		}
	}
	// Once warm, an object allocates nothing: its maps are the previous
	// object's, its flag list, large integers (rta-table 1000) and
	// addresses are boxes cached by the pool.
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.decode(&pool, op, msgs[2]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per reused decode, want 0", allocs)
	}
	// The cached boxes are immutable: a kept tree still reads its own
	// values after other addresses and integers went through the cache.
	for i := range 200 {
		m := routeMsg(t, s, map[string]any{"rta-dst": netip.AddrFrom4([4]byte{198, 18, 1, byte(i)}), "rta-oif": 1000 + i}, false)
		if _, err := s.decode(&pool, op, m); err != nil {
			t.Fatal(err)
		}
	}
	if dst != netip.MustParseAddr("198.18.0.1") || table != uint64(1000) {
		t.Errorf("leaves kept from the first object changed: %v, %v", dst, table)
	}
	for i, v := range kept {
		if got := mustJSON(t, v); got != want[i%len(msgs)] {
			t.Errorf("clone %d changed by the box cache: %s\nwant %s", i, got, want[i%len(msgs)])
		}
	}
}

// Clone copies every map, list and byte slice: changing the copy leaves the
// original alone.
func TestClone(t *testing.T) {
	orig := map[string]any{
		"n":     map[string]any{"a": uint64(1)},
		"l":     []any{map[string]any{"b": "x"}, uint64(2)},
		"bin":   []byte{1, 2},
		"flags": []string{"up"},
		"maps":  []map[string]any{{"c": true}},
	}
	before := mustJSON(t, orig)
	c := Clone(orig)
	if got := mustJSON(t, c); got != before {
		t.Fatalf("clone %s, want %s", got, before)
	}
	c["n"].(map[string]any)["a"] = uint64(9)
	c["l"].([]any)[0].(map[string]any)["b"] = "y"
	c["bin"].([]byte)[0] = 9
	c["flags"].([]string)[0] = "down"
	c["maps"].([]map[string]any)[0]["c"] = false
	if got := mustJSON(t, orig); got != before {
		t.Errorf("original changed through its clone: %s, want %s", got, before)
	}
	if Clone(nil) != nil {
		t.Error("Clone(nil) is not nil")
	}
}
