package conntrack_test

import (
	"testing"

	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// FuzzFlow decodes flow messages; what decodes re-encodes and decodes to
// a stable value.
func FuzzFlow(f *testing.F) {
	for _, fl := range sampleFlows() {
		b, _ := fl.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var f1 conntrack.Flow
		if f1.UnmarshalBinary(b) != nil {
			return
		}
		b1, err := f1.MarshalBinary()
		if err != nil {
			return
		}
		var f2 conntrack.Flow
		if f2.UnmarshalBinary(b1) != nil {
			return // a mixed-family tuple does not encode back
		}
		b2, err := f2.MarshalBinary()
		if err != nil {
			t.Fatalf("re-encoding a decoded flow: %v", err)
		}
		var f3 conntrack.Flow
		if err := f3.UnmarshalBinary(b2); err != nil || !sameFlow(f3, f2) {
			t.Fatalf("unstable round trip: %v\n%+v\n%+v", err, f2, f3)
		}
	})
}

// FuzzExpect decodes expectation messages, with the same round trip.
func FuzzExpect(f *testing.F) {
	for _, fl := range sampleFlows() {
		e := conntrack.Expectation{Master: fl.Orig, Tuple: fl.Orig.Reverse(), Mask: fl.Orig, Timeout: fl.Timeout, Helper: "ftp", Zone: 2, Flags: 1, Class: 1, Fn: "x"}
		b, _ := e.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e1 conntrack.Expectation
		if e1.UnmarshalBinary(b) != nil {
			return
		}
		b1, err := e1.MarshalBinary()
		if err != nil {
			return
		}
		var e2 conntrack.Expectation
		if e2.UnmarshalBinary(b1) != nil {
			return
		}
		b2, err := e2.MarshalBinary()
		if err != nil {
			t.Fatalf("re-encoding a decoded expectation: %v", err)
		}
		var e3 conntrack.Expectation
		if err := e3.UnmarshalBinary(b2); err != nil || e3 != e2 {
			t.Fatalf("unstable round trip: %v\n%+v\n%+v", err, e2, e3)
		}
	})
}

// FuzzEvent decodes whole netlink messages as events.
func FuzzEvent(f *testing.F) {
	for _, fl := range sampleFlows() {
		b, _ := fl.MarshalBinary()
		m := netlink.Message{Header: netlink.Header{Type: 0x100, Flags: netlink.Create}, Data: b}
		raw, _ := m.MarshalBinary()
		f.Add(raw)
		m.Header.Type = 0x102
		raw, _ = m.MarshalBinary()
		f.Add(raw)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, _ := netlink.AppendParse(nil, b)
		for _, m := range msgs {
			ev, ok, err := conntrack.DecodeEvent(m)
			if err == nil && ok && ev.Expectation == nil && !ev.Flow.Orig.IsValid() {
				t.Fatal("flow event without a tuple")
			}
		}
	})
}
