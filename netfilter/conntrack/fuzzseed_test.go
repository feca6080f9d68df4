package conntrack_test

import (
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// TestRecordFuzzSeeds records the kernel's own flow, expectation and event
// messages as seeds of the fuzz targets (NLKIT_RECORD_FUZZ_SEEDS=1).
func TestRecordFuzzSeeds(t *testing.T) {
	if os.Getenv("NLKIT_RECORD_FUZZ_SEEDS") != "1" {
		t.Skip("set NLKIT_RECORD_FUZZ_SEEDS=1 to record the seeds from the kernel")
	}
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	enableLabels(t, ns)
	ev, err := netlink.Dial(12, &netlink.Config{NetNS: ns, Groups: []uint32{1, 2, 3, 4, 5, 6}})
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Close()
	flows := sampleFlows()
	for i := range flows {
		if err := c.AddFlow(ctx, flows[i]); err != nil {
			t.Fatal(err)
		}
	}
	master := flows[0]
	master.Orig.DstPort = 21
	master.Zone = 0
	master.Reply = conntrack.Tuple{}
	if err := c.AddFlow(ctx, master); err != nil {
		t.Fatal(err)
	}
	ones := netip.MustParseAddr("255.255.255.255")
	if err := c.AddExpectation(ctx, conntrack.Expectation{Master: master.Orig, Tuple: tcpTuple("198.18.0.2", "198.18.0.1", 0, 5000),
		Mask: conntrack.Tuple{Src: ones, Dst: ones, Proto: 6, DstPort: 0xffff}, Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	write := func(target string, limit int, label string, msgs func(yield func([]byte) bool)) {
		w, err := corpus.NewWriter(corpus.Dir(target), limit)
		if err != nil {
			t.Fatal(err)
		}
		for b := range msgs {
			if _, err := w.Add(label, b); err != nil {
				t.Fatal(err)
			}
		}
	}
	dump := func(sub netfilter.Subsystem) func(yield func([]byte) bool) {
		return func(yield func([]byte) bool) {
			req := netfilter.NewMessage(sub, 1, netlink.Dump, netfilter.Header{}, nil)
			for m, err := range c.Netfilter().Dump(ctx, req) {
				if err != nil {
					t.Fatal(err)
				}
				b, _ := m.Header.AppendBinary(nil)
				if !yield(append(b, m.Attrs...)) {
					return
				}
			}
		}
	}
	write("FuzzFlow", 16, "flow", dump(netfilter.SubsysCTNetlink))
	write("FuzzExpect", 8, "expect", dump(netfilter.SubsysCTNetlinkExp))
	if err := c.FlushFlows(ctx, netfilter.FamilyUnspec); err != nil {
		t.Fatal(err)
	}
	write("FuzzEvent", 24, "event", func(yield func([]byte) bool) {
		n := 0
		for note, err := range ev.Receive(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			b, _ := note.Message.MarshalBinary()
			if !yield(b) {
				return
			}
			if n++; n == 2*len(flows)+4 {
				return
			}
		}
	})
}

// TestFuzzSeedsReachDecoder: the seeds recorded from the kernel decode
// with their target's decoder.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	for _, target := range []string{"FuzzFlow", "FuzzExpect", "FuzzEvent"} {
		seeds := corpus.Read(t, target)
		if len(seeds) < 1 {
			t.Errorf("%s: no seeds recorded from the kernel (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds)", target)
		}
		for _, s := range seeds {
			b := s.Args[0].([]byte)
			var err error
			switch target {
			case "FuzzFlow":
				var f conntrack.Flow
				err = f.UnmarshalBinary(b)
			case "FuzzExpect":
				var e conntrack.Expectation
				err = e.UnmarshalBinary(b)
			case "FuzzEvent":
				var m netlink.Message
				if err = m.UnmarshalBinary(b); err == nil {
					var ok bool
					_, ok, err = conntrack.DecodeEvent(m)
					if err == nil && !ok {
						t.Errorf("%s: not an event", s.Name)
					}
				}
			}
			if err != nil {
				t.Errorf("%s %s: %v", target, s.Name, err)
			}
		}
	}
}
