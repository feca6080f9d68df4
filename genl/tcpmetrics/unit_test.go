package tcpmetrics

import (
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/genl"
)

func TestEntryDecode(t *testing.T) {
	b, err := entrySet.Append(nil, genl.Attrs{
		"addr-ipv6": netip.MustParseAddr("2001:db8::1"), "saddr-ipv6": netip.MustParseAddr("2001:db8::2"),
		"age": uint64(1500), "vals": genl.Attrs{"rtt": 1, "rtt-us": 1234, "rttvar-us": 500, "cwnd": 10, "ssthresh": 7, "reordering": 3},
		"fopen-mss": 1400, "fopen-syn-drops": 2, "fopen-syn-drop-ts": uint64(20), "fopen-cookie": []byte{1, 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	var e Entry
	if err := e.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	want := "2001:db8::1 age 1.500sec ssthresh 7 cwnd 10 rtt 1234us rttvar 500us reordering 3 fo_mss 1400 fo_syn_drops 2/20msec ago fo_cookie 0102 source 2001:db8::2"
	if e.String() != want {
		t.Errorf("String =\n%q\nwant\n%q", e, want)
	}
	// Old kernels: milliseconds only.
	b, _ = entrySet.Append(nil, genl.Attrs{"addr-ipv4": netip.MustParseAddr("10.0.0.1"), "vals": genl.Attrs{"rtt": 3, "rttvar": 2}})
	if err := e.UnmarshalBinary(b); err != nil || e.RTT != 3*time.Millisecond || e.RTTVar != 2*time.Millisecond || e.Source.IsValid() {
		t.Errorf("ms fallback: %v %v", e, err)
	}
	if err := e.UnmarshalBinary([]byte{8, 0, 3, 0, 0, 0, 0, 0}); err == nil {
		t.Errorf("entry without an address or with a short age: no error")
	}
}
