package xfrm

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/netlink"
)

// The SAs, policies and notifications recorded from the kernel (TestAcquire
// with NLKIT_RECORD_FUZZ_SEEDS=1) decode with their targets' decoders.
func TestFuzzSeedsReachDecoders(t *testing.T) {
	sas := corpus.Read(t, "FuzzState")
	for _, s := range sas {
		var st State
		if err := st.UnmarshalBinary(s.Args[0].([]byte)); err != nil || st.Proto != ProtoESP {
			t.Errorf("%s: %v %v", s.Name, st.ID(), err)
		}
	}
	pols := corpus.Read(t, "FuzzPolicy")
	for _, s := range pols {
		var p Policy
		if err := p.UnmarshalBinary(s.Args[0].([]byte)); err != nil || len(p.Templates) != 1 {
			t.Errorf("%s: %v %v", s.Name, p, err)
		}
	}
	evs := corpus.Read(t, "FuzzEvent")
	kinds := map[EventKind]bool{}
	for _, s := range evs {
		ev, ok, err := DecodeEvent(netlink.Message{Header: netlink.Header{Type: netlink.MessageType(s.Args[0].(uint16))}, Data: s.Args[1].([]byte)})
		if !ok || err != nil {
			t.Errorf("%s: %v %v", s.Name, ok, err)
		}
		kinds[ev.Kind] = true
	}
	for _, k := range []EventKind{EventAcquire, EventDeleteState, EventFlushStates, EventExpire, EventDeletePolicy} {
		if !kinds[k] {
			t.Errorf("no recorded %v notification", k)
		}
	}
	if len(sas) < 2 || len(pols) < 1 {
		t.Errorf("%d SA and %d policy seeds recorded, want 2 and 1 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestAcquire ./xfrm)", len(sas), len(pols))
	}
}
