package ynl

import (
	"net/netip"
	"testing"
)

// BenchmarkDecodeRoute decodes one rt-route reply (a /32 in table 1000) into
// a value tree: what the runtime client does per object of a dump.
func BenchmarkDecodeRoute(b *testing.B) { benchDecodeRoute(b, nil) }

// BenchmarkDecodeRouteReused is BenchmarkDecodeRoute into one reused tree,
// as a streaming Dump decodes.
func BenchmarkDecodeRouteReused(b *testing.B) { benchDecodeRoute(b, &treePool{}) }

func benchDecodeRoute(b *testing.B, pool *treePool) {
	s := testSpec(b, "rt-route")
	op := s.Operation("getroute")
	msg, err := s.AppendRequest(nil, "newroute", map[string]any{
		"rtm-family": 2, "rtm-dst-len": 32, "rtm-table": 252, "rtm-protocol": 4, "rtm-scope": 253, "rtm-type": "unicast",
		"rta-dst": netip.MustParseAddr("198.18.0.1"), "rta-oif": 3, "rta-table": 1000,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.decode(pool, op, msg); err != nil {
			b.Fatal(err)
		}
	}
}
