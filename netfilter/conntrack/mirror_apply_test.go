package conntrack

import (
	"net/netip"
	"testing"
)

// TestMirrorApplyByTuple: the Mirror keys flows by original tuple and
// zone, and uses the id to tell incarnations apart: two flows that share
// an id both stay, a destroy of an earlier flow with the same tuple (the
// kernel redelivers destroy events late) leaves the held one, an update
// under another id replaces the held flow rather than merging into it.
func TestMirrorApplyByTuple(t *testing.T) {
	tuple := func(i byte) Tuple {
		return Tuple{Src: netip.AddrFrom4([4]byte{198, 18, 0, i}), Dst: netip.MustParseAddr("198.19.0.1"), Proto: ProtoUDP, SrcPort: 1000, DstPort: 53}
	}
	flow := func(i byte, id, mark uint32, attrs ...int) Flow {
		f := Flow{Orig: tuple(i), Reply: tuple(i).Reverse(), ID: id, Mark: mark}
		for _, a := range append(attrs, AttrTupleOrig, AttrTupleReply) {
			f.present |= 1 << a
		}
		return f
	}
	m := NewMirror(MirrorConfig{})
	step := func(what string, typ EventType, f Flow, want ...Flow) {
		t.Helper()
		m.apply(&Event{Type: typ, Flow: f})
		got := m.FlowList()
		if len(got) != len(want) {
			t.Fatalf("%s: mirror holds %d flows %+v, want %d", what, len(got), got, len(want))
		}
		for i := range want {
			if got[i].Orig != want[i].Orig || got[i].ID != want[i].ID || got[i].Mark != want[i].Mark {
				t.Fatalf("%s: flow %d is %v id %d mark %d, want %v id %d mark %d", what, i,
					got[i].Orig, got[i].ID, got[i].Mark, want[i].Orig, want[i].ID, want[i].Mark)
			}
		}
	}
	a, b := flow(1, 7, 1, AttrID, AttrMark), flow(2, 7, 2, AttrID, AttrMark)
	step("new a", EventNew, a, a)
	step("new b, same id", EventNew, b, a, b)
	step("destroy of an earlier a (id 6)", EventDestroy, flow(1, 6, 0, AttrID), a, b)
	step("destroy a", EventDestroy, a, b)
	a2 := flow(1, 9, 3, AttrID, AttrMark)
	step("a again, id 9", EventNew, a2, b, a2)
	step("update of b without a mark: merged", EventUpdate, flow(2, 7, 0, AttrID), b, a2)
	a3 := flow(1, 10, 0, AttrID)
	step("update of a under id 10: replaced", EventUpdate, a3, b, a3)
}
