//go:build linux

package rtnl

import "testing"

// BenchmarkDecodeLink decodes one captured RTM_NEWLINK message: a veth
// that is a bridge port, with statistics and per-family settings, as a
// dump of links returns it.
func BenchmarkDecodeLink(b *testing.B) {
	msg := lkSeed(b, "v1")
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := decodeLink(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeLinkBridge decodes a captured bridge, whose many
// settings are mostly skipped.
func BenchmarkDecodeLinkBridge(b *testing.B) {
	msg := lkSeed(b, "br0")
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := decodeLink(msg); err != nil {
			b.Fatal(err)
		}
	}
}
