package tcpmetrics

import (
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/genl"
)

// FuzzEntry fuzzes the metrics entry decoder (Entry.UnmarshalBinary).
func FuzzEntry(f *testing.F) {
	b, _ := entrySet.Append(nil, genl.Attrs{"addr-ipv4": netip.MustParseAddr("127.0.0.1"), "age": uint64(5), "vals": genl.Attrs{"rtt-us": 100, "cwnd": 10}})
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Entry
		if err := e.UnmarshalBinary(b); err != nil {
			return
		}
		if !e.Addr.IsValid() {
			t.Fatalf("decoded an entry without an address")
		}
		_ = e.String()
	})
}
