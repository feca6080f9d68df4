package genl

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/netlink"
)

// The controller replies recorded from the kernel (internal/fuzz,
// TestRecordFuzzSeeds) decode with their target's own decoder.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	seeds := corpus.Read(t, "FuzzFamily")
	for _, s := range seeds {
		var f Family
		if err := f.UnmarshalBinary(s.Args[0].([]byte)); err != nil || f.Name == "" || len(f.Ops) == 0 {
			t.Errorf("FuzzFamily/%s: %+v, %v", s.Name, f, err)
		}
	}
	checkCount(t, "FuzzFamily", len(seeds))

	seeds = corpus.Read(t, "FuzzPolicy")
	for _, s := range seeds {
		msgs, err := netlink.AppendParse(nil, s.Args[0].([]byte))
		if err != nil || len(msgs) == 0 {
			t.Errorf("FuzzPolicy/%s: %d messages, %v", s.Name, len(msgs), err)
		}
		pb := newPolicyBuilder("seed")
		for i, m := range msgs {
			if err := pb.add(m.Data[HeaderLen:]); err != nil {
				t.Errorf("FuzzPolicy/%s: message %d: %v", s.Name, i, err)
			}
		}
		if p, err := pb.finish(nil); err != nil || len(p.Sets)+len(p.Ops) == 0 {
			t.Errorf("FuzzPolicy/%s: %v, %v", s.Name, p, err)
		}
	}
	checkCount(t, "FuzzPolicy", len(seeds))

	set := ctrlSet()
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	seeds = corpus.Read(t, "FuzzAttrSet")
	for _, s := range seeds {
		if which := s.Args[0].(uint8); which%2 != 1 {
			t.Errorf("FuzzAttrSet/%s: recorded for set %d, not the controller's", s.Name, which)
		}
		if v, err := set.Decode(s.Args[1].([]byte)); err != nil || len(v) == 0 {
			t.Errorf("FuzzAttrSet/%s: %v, %v", s.Name, v, err)
		}
	}
	checkCount(t, "FuzzAttrSet", len(seeds))
}

func checkCount(t *testing.T, target string, n int) {
	t.Helper()
	if n < 3 {
		t.Errorf("%s: %d seeds recorded from the kernel, want at least 3 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./internal/fuzz)", target, n)
	}
}
