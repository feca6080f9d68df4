package genl

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

func TestMessageRoundTrip(t *testing.T) {
	m := Message{Command: 3, Version: 2, Data: []byte{1, 2, 3, 4, 5}}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{3, 2, 0, 0, 1, 2, 3, 4, 5}; !reflect.DeepEqual(b, want) {
		t.Fatalf("MarshalBinary = %v, want %v", b, want)
	}
	var got Message
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("UnmarshalBinary = %+v, want %+v", got, m)
	}
	if err := got.UnmarshalBinary([]byte{1, 2, 3}); !errors.Is(err, netlink.ErrMalformed) {
		t.Fatalf("short payload: err = %v, want ErrMalformed", err)
	}
	if s := m.String(); s != "cmd 3 version 2 (5 bytes)" {
		t.Errorf("String = %q", s)
	}
}

func TestFamilyDecode(t *testing.T) {
	var f Family
	if err := f.UnmarshalBinary(familyAttrs(t)); err != nil {
		t.Fatal(err)
	}
	want := Family{ID: 0x15, Name: "ethtool", Version: 1,
		Ops:    []Op{{1, OpDo | OpDump | OpHasPolicy}, {3, OpUnsAdminPerm | OpDo | OpHasPolicy}},
		Groups: []Group{{6, "monitor"}}}
	if !reflect.DeepEqual(f, want) {
		t.Fatalf("decoded %+v, want %+v", f, want)
	}
	if g, ok := f.Group("monitor"); !ok || g.ID != 6 {
		t.Errorf("Group(monitor) = %v, %v", g, ok)
	}
	if o, ok := f.Op(3); !ok || o.Flags.String() != "uns-admin-perm|do|has-policy" {
		t.Errorf("Op(3) = %v, %v (%s)", o, ok, o.Flags)
	}
	if s := f.String(); s != "ethtool id 0x15 version 1 hdrsize 0 maxattr 0 ops 2 groups 1" {
		t.Errorf("String = %q", s)
	}
	d := f.Describe()
	for _, want := range []string{"Name: ethtool", "ID: 0x15", "#2:  ID-0x3  uns-admin-perm|do|has-policy", "ID-0x6  name: monitor"} {
		if !strings.Contains(d, want) {
			t.Errorf("Describe lacks %q:\n%s", want, d)
		}
	}
	if s := (OpFlags(0x40) | OpDo).String(); s != "do|0x40" {
		t.Errorf("OpFlags with unknown bit = %q", s)
	}
	if s := OpFlags(0).String(); s != "0" {
		t.Errorf("OpFlags(0) = %q", s)
	}
}

func TestFamilyDecodeErrors(t *testing.T) {
	for name, b := range map[string][]byte{
		"id too long":    {8, 0, 1, 0, 1, 2, 3, 4},
		"truncated":      {8, 0, 2, 0, 'a'},
		"no name":        {6, 0, 1, 0, 0x15, 0, 0, 0},
		"op id too long": opTooLong(t),
	} {
		var f Family
		if err := f.UnmarshalBinary(b); err == nil {
			t.Errorf("%s: no error (decoded %+v)", name, f)
		}
	}
}

func TestPolicyDecode(t *testing.T) {
	pb := newPolicyBuilder("test")
	for _, m := range policyMsgs(t) {
		if err := pb.add(m); err != nil {
			t.Fatal(err)
		}
	}
	p, err := pb.finish([]uint8{10})
	if err != nil {
		t.Fatal(err)
	}
	if p.FamilyID != 0x42 || len(p.Sets) != 3 || len(p.Ops) != 2 {
		t.Fatalf("policy %+v", p)
	}
	o, ok := p.Op(3)
	if !ok || o.Do == nil || o.Do != o.Dump || o.Do.Index != 0 {
		t.Fatalf("Op(3) = %+v, %v", o, ok)
	}
	o10, ok := p.Op(10)
	if !ok || o10.Do != nil || o10.Dump == nil || o10.Dump.Index != 1 {
		t.Fatalf("Op(10) = %+v, %v (dump-only command not mapped from 0)", o10, ok)
	}
	a, ok := o.Do.Attr(2)
	if !ok || a.Kind != PolicyNulString || a.MaxLength != 15 {
		t.Errorf("attr 2 = %+v", a)
	}
	if a.String() != "nul-string max-len 15" {
		t.Errorf("attr 2 String = %q", a)
	}
	a1, _ := o.Do.Attr(1)
	if a1.Range == nil || a1.Range.Signed || a1.Range.UMax != 65535 || a1.String() != "u16 range [0, 65535]" {
		t.Errorf("attr 1 = %+v %s", a1, a1)
	}
	n, _ := o.Do.Attr(5)
	if n.Nested == nil || n.Nested.Index != 2 || n.MaxType != 2 {
		t.Fatalf("attr 5 = %+v", n)
	}
	s1, _ := n.Nested.Attr(1)
	if s1.Range == nil || !s1.Range.Signed || s1.Range.Min != -5 || s1.Range.String() != "[-5, 5]" {
		t.Errorf("nested attr 1 = %+v", s1)
	}
	rec, _ := n.Nested.Attr(2)
	if rec.Nested != n.Nested {
		t.Errorf("recursive nest not resolved to itself")
	}
	if m, _ := o10.Dump.Attr(10); m.Mask != 3 || m.Kind.String() != "u32" {
		t.Errorf("attr 10 = %+v", m)
	}
	out := p.String()
	for _, want := range []string{
		"test (id 0x42)",
		"cmd 3 do: policy #0\n",
		"attr 5: nested max-type 2 policy #2\n",
		"attr 2: nested-array policy #2 (above)",
		"cmd 3 dump: policy #0 (above)",
		"cmd 10 dump: policy #1\n    attr 10: u32 mask 0x3",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("String lacks %q:\n%s", want, out)
		}
	}
	if p.PolicySet(7) != nil || p.PolicySet(2) == nil {
		t.Errorf("Set lookups wrong")
	}
}

func TestPolicyDumpOnlyUnmapped(t *testing.T) {
	pb := newPolicyBuilder("test")
	for _, m := range policyMsgs(t) {
		if err := pb.add(m); err != nil {
			t.Fatal(err)
		}
	}
	p, err := pb.finish(nil) // the family's op list is unknown
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Op(0); !ok {
		t.Errorf("dump-only command lost: %+v", p.Ops)
	}
}

func TestPolicyEmptySet(t *testing.T) {
	// A command whose dump takes no attributes refers to a set the
	// kernel never sends.
	e := nlattr.NewEncoder(nil)
	e.Nest(ctrlAttrOpPolicy)
	e.Nest(1)
	e.Uint32(ctrlAttrPolicyDump, 4)
	e.End()
	e.End()
	b, _ := e.Finish()
	pb := newPolicyBuilder("x")
	if err := pb.add(b); err != nil {
		t.Fatal(err)
	}
	p, err := pb.finish(nil)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := p.Op(1)
	if o.Dump == nil || len(o.Dump.Attrs) != 0 || !strings.Contains(p.String(), "policy #4 (no attributes)") {
		t.Errorf("empty set: %+v\n%s", o, p)
	}
}

func TestPolicyKindStrings(t *testing.T) {
	for k, want := range map[PolicyKind]string{PolicyFlag: "flag", PolicyNestedArray: "nested-array", PolicyBitfield32: "bitfield32", PolicySint: "sint", PolicyUint: "uint", 99: "kind(99)"} {
		if k.String() != want {
			t.Errorf("%d: %q, want %q", k, k, want)
		}
	}
	if !PolicyS8.Signed() || !PolicySint.Signed() || PolicyU64.Signed() {
		t.Errorf("Signed wrong")
	}
}

func TestAttrSetRoundTrip(t *testing.T) {
	s := testSet()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	in := Attrs{
		"u8": uint8(1), "u16": uint16(2), "u32": uint32(3), "u64": uint64(1 << 40),
		"s8": int8(-1), "s16": int16(-2), "s32": int32(-3), "s64": int64(-1 << 40),
		"port": uint16(8080), "be32": uint32(0x01020304), "be64": uint64(5),
		"uint": uint64(1 << 33), "sint": int64(-7),
		"name": "hello", "blob": []byte{0xde, 0xad}, "on": true,
		"addr":  netip.MustParseAddr("2001:db8::1"),
		"inner": Attrs{"id": uint32(9), "label": "x"},
		"list":  []Attrs{{"id": uint32(1)}, {"id": uint32(2), "label": "two"}},
		"ids":   []uint32{4, 5, 6},
		"addrs": []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("::1")},
		"self":  Attrs{"u8": uint8(7), "self": Attrs{"name": "deep"}},
	}
	b, err := s.Append(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip:\n in  %v\n out %v", in, out)
	}
	// Network byte order where asked for.
	d := nlattr.NewDecoder(b)
	for d.Next() {
		if d.Type() == 9 && d.Uint16BE() != 8080 {
			t.Errorf("port not big-endian")
		}
		if d.Type() == 12 && d.Len() != 8 || d.Type() == 13 && d.Len() != 4 {
			t.Errorf("uint/sint attribute %d has %d bytes", d.Type(), d.Len())
		}
	}
	// Any Go integer that fits is accepted.
	b2, err := s.Append(nil, Attrs{"u8": 200, "s16": -300, "uint": 5, "inner": map[string]any{"id": 1}})
	if err != nil {
		t.Fatal(err)
	}
	out2, _ := s.Decode(b2)
	if v, _ := Value[uint8](out2, "u8"); v != 200 {
		t.Errorf("u8 = %v", out2["u8"])
	}
	if v, _ := Value[uint64](out2, "uint"); v != 5 {
		t.Errorf("uint = %v", out2["uint"])
	}
	if _, ok := Value[string](out2, "u8"); ok {
		t.Errorf("Value with the wrong type succeeded")
	}
	f := s.Format(Attrs{"u8": uint8(1), "on": true, "blob": []byte{1, 2}, "name": "n", "inner": Attrs{"id": uint32(3)}, "ids": []uint32{1, 2}, "list": []Attrs{{"id": uint32(4)}}})
	if want := `u8 1 name "n" blob 0102 on inner {id 3} list [{id 4}] ids [1 2]`; f != want {
		t.Errorf("Format = %q, want %q", f, want)
	}
}

func TestAttrSetEncodeErrors(t *testing.T) {
	s := testSet()
	loop := Attrs{}
	loop["self"] = loop
	for name, v := range map[string]Attrs{
		"unknown name":     {"nope": 1},
		"wrong type":       {"name": 5},
		"u8 out of range":  {"u8": 256},
		"negative":         {"u32": -1},
		"s8 out of range":  {"s8": 200},
		"multi not slice":  {"ids": uint32(1)},
		"multi wrong elem": {"ids": []string{"a"}},
		"zero addr":        {"addr": netip.Addr{}},
		"nested wrong":     {"inner": "x"},
		"nested unknown":   {"inner": Attrs{"nope": 1}},
		"self loop":        loop,
		"huge":             {"blob": make([]byte, 70000)},
	} {
		b, err := s.Append([]byte{9}, v)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if len(b) != 1 {
			t.Errorf("%s: buffer changed on error", name)
		}
	}
}

func TestAttrSetDecodeErrors(t *testing.T) {
	s := testSet()
	for name, b := range map[string][]byte{
		"u32 wrong size": {6, 0, 3, 0, 1, 2, 0, 0},
		"uint wrong":     {6, 0, 12, 0, 1, 2, 0, 0},
		"addr wrong":     {7, 0, 17, 0, 1, 2, 3, 0},
		"truncated":      {9, 0, 1, 0, 1},
	} {
		if _, err := s.Decode(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// Unknown types are skipped.
	v, err := s.Decode([]byte{8, 0, 99, 0, 1, 2, 3, 4, 5, 0, 1, 0, 7, 0, 0, 0})
	if err != nil || len(v) != 1 || v["u8"] != uint8(7) {
		t.Errorf("Decode with an unknown type = %v, %v", v, err)
	}
}

func TestValidate(t *testing.T) {
	bad := &AttrSet{Name: "bad", Attrs: []Attr{
		{Name: "a", Type: 1, Kind: KindU8},
		{Name: "a", Type: 2, Kind: KindU8},
		{Name: "b", Type: 1, Kind: KindU8},
		{Name: "c", Type: 3, Kind: KindNested},
		{Name: "d", Type: 4},
		{Name: "", Type: 5, Kind: KindU8},
		{Name: "e", Type: 0, Kind: KindU8},
		{Name: "f", Type: 6, Kind: KindU8, Set: &AttrSet{}},
	}}
	err := bad.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`"a" is used twice`, "b: type 1 is used twice", "c: kind nest without a Set", "d: invalid kind invalid", "type 5 has no name", "e: type 0 out of range", "f: kind u8 with a Set"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	sp := &Spec{Commands: []Command{{Name: "x", Attrs: bad}, {Name: "x"}}}
	if err := sp.Validate(); err == nil || !strings.Contains(err.Error(), "no family name") || !strings.Contains(err.Error(), `"x" empty or used twice`) {
		t.Errorf("Spec.Validate = %v", err)
	}
}

func TestSpecRequestDecode(t *testing.T) {
	set := &AttrSet{Name: "s", Attrs: []Attr{{Name: "x", Type: 1, Kind: KindU32}}}
	reply := &AttrSet{Name: "r", Attrs: []Attr{{Name: "y", Type: 1, Kind: KindString}}}
	sp := &Spec{Name: "fam", Version: 2, Commands: []Command{{Name: "get", ID: 1, Attrs: set, Reply: reply}, {Name: "ntf", ID: 2, Attrs: set}, {Name: "ntf1", ID: 1, Attrs: set, Notification: true}}}
	m, err := sp.Request("get", Attrs{"x": 5})
	if err != nil || m.Command != 1 || m.Version != 2 || len(m.Data) != 8 {
		t.Fatalf("Request = %+v, %v", m, err)
	}
	if _, err := sp.Request("nope", nil); err == nil {
		t.Errorf("unknown command: no error")
	}
	b, _ := reply.Append(nil, Attrs{"y": "hi"})
	c, v, err := sp.Decode(Message{Command: 2, Data: b})
	if err == nil {
		t.Errorf("Decode of a string as u32: no error (%v %v)", c.Name, v)
	}
	b, _ = set.Append(nil, Attrs{"x": 7})
	c, v, err = sp.Decode(Message{Command: 1, Data: b})
	if err != nil || c.Name != "ntf1" || v["x"] != uint32(7) {
		t.Errorf("Decode = %v %v %v, want the notification ntf1 first", c.Name, v, err)
	}
	c, v, err = sp.Decode(Message{Command: 9})
	if err != nil || c.Name != "cmd-9" || len(v) != 0 {
		t.Errorf("Decode unknown = %v %v %v", c.Name, v, err)
	}
}

func TestCheckPolicy(t *testing.T) {
	set := &AttrSet{Name: "s", Attrs: []Attr{
		{Name: "a", Type: 1, Kind: KindU32},
		{Name: "b", Type: 2, Kind: KindString},
		{Name: "addr", Type: 3, Kind: KindIPAddr},
		{Name: "n", Type: 4, Kind: KindNested, Set: &AttrSet{Name: "in", Attrs: []Attr{{Name: "x", Type: 1, Kind: KindU8}}}},
	}}
	inner := &PolicySet{Attrs: []AttrPolicy{{Type: 1, Kind: PolicyU16}}}
	p := &PolicySet{Attrs: []AttrPolicy{
		{Type: 1, Kind: PolicyU32},
		{Type: 2, Kind: PolicyNulString},
		{Type: 3, Kind: PolicyBinary, MinLength: 16, MaxLength: 16},
		{Type: 4, Kind: PolicyNested, Nested: inner},
		{Type: 5, Kind: PolicyU8},
	}}
	err := set.CheckPolicy(p)
	if err == nil || !strings.Contains(err.Error(), "s.n.x (type 1): spec says u8, kernel policy says u16") {
		t.Errorf("CheckPolicy = %v", err)
	}
	inner.Attrs[0].Kind = PolicyU8
	if err := set.CheckPolicy(p); err != nil {
		t.Errorf("CheckPolicy = %v", err)
	}
}

func TestKindString(t *testing.T) {
	if KindNestedArray.String() != "nested-array" || KindU16BE.String() != "u16be" || Kind(200).String() != "kind(200)" {
		t.Errorf("Kind strings wrong")
	}
}

func TestControllerNotification(t *testing.T) {
	c := NewConn(nil)
	b := familyAttrs(t)
	c.controllerNotification(Message{Command: ctrlCmdNewFamily, Data: b})
	c.mu.Lock()
	f := c.families["ethtool"]
	g := c.groups[6]
	c.mu.Unlock()
	if f == nil || f.ID != 0x15 || g.group != "monitor" {
		t.Fatalf("NEWFAMILY not cached: %v %v", f, g)
	}
	c.controllerNotification(Message{Command: ctrlCmdDelFamily, Data: b})
	c.mu.Lock()
	_, ok1 := c.families["ethtool"]
	_, ok2 := c.byID[0x15]
	c.mu.Unlock()
	if ok1 || ok2 {
		t.Errorf("DELFAMILY left the family cached")
	}
	c.controllerNotification(Message{Command: ctrlCmdDelFamily, Data: []byte{1}}) // malformed: ignored
}
