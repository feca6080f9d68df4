package mptcp

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The endpoints and events recorded from the kernel (internal/fuzz,
// TestRecordFuzzSeeds) decode with their target's own decoder.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	seeds := corpus.Read(t, "FuzzEndpoint")
	for _, s := range seeds {
		var e Endpoint
		if err := e.UnmarshalBinary(s.Args[0].([]byte)); err != nil || !e.Addr.IsValid() || e.ID == 0 {
			t.Errorf("FuzzEndpoint/%s: %v, %v", s.Name, e, err)
		}
	}
	if len(seeds) < 3 {
		t.Errorf("FuzzEndpoint: %d seeds recorded from the kernel, want at least 3", len(seeds))
	}

	seeds = corpus.Read(t, "FuzzEvent")
	types := map[EventType]bool{}
	for _, s := range seeds {
		e := Event{Type: EventType(s.Args[0].(uint8))}
		if err := e.UnmarshalBinary(s.Args[1].([]byte)); err != nil || e.Present == 0 {
			t.Errorf("FuzzEvent/%s: %v, %v", s.Name, e, err)
		}
		types[e.Type] = true
	}
	for _, typ := range []EventType{EventCreated, EventEstablished, EventClosed} {
		if !types[typ] {
			t.Errorf("FuzzEvent: no %v event among the %d seeds recorded from the kernel", typ, len(seeds))
		}
	}
}
