package genl

import (
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/netlink"
)

// FuzzFamily fuzzes the controller's family decoder
// (Family.UnmarshalBinary): no panic, and what decodes describes itself.
func FuzzFamily(f *testing.F) {
	f.Add(familyAttrs(f))
	f.Add(opTooLong(f))
	f.Add([]byte{})
	f.Add([]byte{6, 0, 1, 0, 0x10, 0, 0, 0, 11, 0, 2, 0, 'n', 'l', 'c', 't', 'r', 'l', 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var fam Family
		if err := fam.UnmarshalBinary(b); err != nil {
			return
		}
		if fam.Name == "" {
			t.Fatalf("decoded a family without a name")
		}
		_ = fam.Describe()
		for _, g := range fam.Groups {
			if got, ok := fam.Group(g.Name); !ok || got.Name != g.Name {
				t.Fatalf("Group(%q) = %v, %v", g.Name, got, ok)
			}
		}
		c := fam.clone()
		if !reflect.DeepEqual(c, fam) {
			t.Fatalf("clone differs")
		}
	})
}

// FuzzPolicy fuzzes the controller's policy decoder (the CTRL_CMD_GETPOLICY
// dump builder): each input is a dump reply as the kernel sends it,
// netlink messages whose payloads are the generic header and one
// message's attributes (the recorded seeds, kernel-*, are such replies).
// No panic, references resolve, and String terminates on recursive
// policies.
//
// Inputs used to be attributes split at 0xff 0xff 0xff 0xff markers, but
// real policy messages hold those bytes (a maximum of U32_MAX, a mask), so
// a real reply never reached the decoder whole.
func FuzzPolicy(f *testing.F) {
	var all []byte
	for _, m := range policyMsgs(f) {
		one := policyReply(f, m)
		f.Add(one)
		all = append(all, one...)
	}
	f.Add(all)
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, _ := netlink.AppendParse(nil, b) // the messages before any malformed one
		pb := newPolicyBuilder("fuzz")
		for _, m := range msgs {
			if len(m.Data) < HeaderLen {
				return
			}
			if err := pb.add(m.Data[HeaderLen:]); err != nil {
				return
			}
		}
		p, err := pb.finish([]uint8{10, 11})
		if err != nil {
			return
		}
		for _, s := range p.Sets {
			for _, a := range s.Attrs {
				if a.hasNestedIdx && (a.Nested == nil || a.Nested.Index != a.nestedIdx) {
					t.Fatalf("attribute %d of set %d: reference %d not resolved", a.Type, s.Index, a.nestedIdx)
				}
			}
		}
		for _, o := range p.Ops {
			if o.Do != nil && p.PolicySet(o.Do.Index) != o.Do {
				t.Fatalf("command %d: do set not among Sets", o.Command)
			}
		}
		_ = p.String()
	})
}

// policyReply frames the attributes of one policy message as the kernel
// sends them: a netlink header and the generic header.
func policyReply(tb testing.TB, attrs []byte) []byte {
	b, err := netlink.AppendMessage(nil, netlink.Header{Type: ctrlID, Flags: netlink.Multi},
		append([]byte{ctrlCmdGetPolicy, ctrlVersion, 0, 0}, attrs...))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzAttrSet fuzzes the declarative decoder (AttrSet.Decode); what
// decodes must encode and decode again to the same value. set picks the
// layout: even, a set using every kind, nests, arrays and recursion; odd,
// the controller's replies (ctrlSet), for which the seeds recorded from
// the kernel (testdata/fuzz/FuzzAttrSet/kernel-*) are real replies.
func FuzzAttrSet(f *testing.F) {
	sets := [2]*AttrSet{testSet(), ctrlSet()}
	seed, err := sets[0].Append(nil, Attrs{"u8": uint8(1), "name": "x", "inner": Attrs{"id": uint32(2)},
		"list": []Attrs{{"label": "a"}}, "ids": []uint32{1, 2}, "uint": uint64(3), "sint": int64(-4),
		"self": Attrs{"self": Attrs{"on": true}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(uint8(0), seed)
	f.Add(uint8(0), []byte{5, 0, 1, 0, 7, 0, 0, 0})
	f.Add(uint8(1), familyAttrs(f))
	f.Fuzz(func(t *testing.T, set uint8, b []byte) {
		s := sets[set%2]
		v, err := s.Decode(b)
		if err != nil {
			return
		}
		_ = s.Format(v)
		b2, err := s.Append(nil, v)
		if err != nil {
			t.Fatalf("re-encoding %v: %v", v, err)
		}
		v2, err := s.Decode(b2)
		if err != nil {
			t.Fatalf("decoding the re-encoding: %v", err)
		}
		if !reflect.DeepEqual(v, v2) {
			t.Fatalf("round trip:\n%v\n%v", v, v2)
		}
	})
}
