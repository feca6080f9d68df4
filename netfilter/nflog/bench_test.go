package nflog

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/netfilter"
)

// The decoders' cost per entry, on an entry recorded from the kernel.
func BenchmarkDecode(b *testing.B) {
	seeds := corpus.Read(b, "FuzzEntry")
	if len(seeds) == 0 {
		b.Skip("no recorded entries")
	}
	msg := seeds[0].Args[0].([]byte)
	var h netfilter.Header
	h.UnmarshalBinary(msg)
	b.Run("stream", func(b *testing.B) {
		b.ReportAllocs()
		var e Entry
		for b.Loop() {
			if err := e.decode(h, msg[netfilter.HeaderLen:], true); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UnmarshalBinary", func(b *testing.B) {
		b.ReportAllocs()
		var e Entry
		for b.Loop() {
			if err := e.UnmarshalBinary(msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
