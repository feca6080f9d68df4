package genl

import (
	"reflect"
	"testing"
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
// dump builder): each input is one or more messages' attributes, split at
// 0xff 0xff 0xff 0xff markers. No panic, references resolve, and String
// terminates on recursive policies.
func FuzzPolicy(f *testing.F) {
	var all []byte
	for i, m := range policyMsgs(f) {
		f.Add(m)
		if i > 0 {
			all = append(all, 0xff, 0xff, 0xff, 0xff)
		}
		all = append(all, m...)
	}
	f.Add(all)
	f.Fuzz(func(t *testing.T, b []byte) {
		pb := newPolicyBuilder("fuzz")
		for len(b) > 0 {
			msg := b
			for i := 0; i+4 <= len(b); i++ {
				if b[i] == 0xff && b[i+1] == 0xff && b[i+2] == 0xff && b[i+3] == 0xff {
					msg, b = b[:i], b[i+4:]
					break
				}
			}
			if len(msg) == len(b) {
				b = nil
			}
			if err := pb.add(msg); err != nil {
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
			if o.Do != nil && p.Set(o.Do.Index) != o.Do {
				t.Fatalf("command %d: do set not among Sets", o.Command)
			}
		}
		_ = p.String()
	})
}

// FuzzAttrSet fuzzes the declarative decoder (AttrSet.Decode) with a set
// using every kind, nests, arrays and recursion; what decodes must encode
// and decode again to the same value.
func FuzzAttrSet(f *testing.F) {
	s := testSet()
	seed, err := s.Append(nil, Attrs{"u8": uint8(1), "name": "x", "inner": Attrs{"id": uint32(2)},
		"list": []Attrs{{"label": "a"}}, "ids": []uint32{1, 2}, "uint": uint64(3), "sint": int64(-4),
		"self": Attrs{"self": Attrs{"on": true}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte{5, 0, 1, 0, 7, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
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
