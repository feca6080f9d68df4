package ynl

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"fmt"
	"reflect"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

func featureSpec(t testing.TB) *Spec {
	t.Helper()
	s, err := SpecFile("testdata/specs/features.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The loader resolves implicit and explicit values, enums, flags,
// value-start, structs with byte order and lengths from consts, subsets,
// references, and the directional message ids.
func TestSpecResolved(t *testing.T) {
	s := featureSpec(t)
	main := s.AttributeSet("main")
	ids := map[string]uint16{"unspec": 0, "u8v": 1, "u16be": 2, "str": 7, "nest": 16, "tv": 20, "pad": 30, "kind": 31, "data": 32, "hexv": 34}
	for n, want := range ids {
		if a := main.Attr(n); a == nil || a.ID != want {
			t.Errorf("attribute %s: %+v, want id %d", n, a, want)
		}
	}
	if a := main.Attr("str"); a.MaxLen != 15 {
		t.Errorf("str max-len %d, want 15 (name-len - 1)", a.MaxLen)
	}
	if a := main.Attr("s32v"); !a.HasMin || a.Min != -5 || a.Max != 100 {
		t.Errorf("s32v checks %+v", a)
	}
	color := s.Definition("color")
	got := map[string]uint64{}
	for _, e := range color.Entries {
		got[e.Name] = e.Value
	}
	if d := diff(map[string]uint64{"red": 3, "green": 4, "blue": 10, "violet": 11}, got); d != "" {
		t.Errorf("enum values (-want +got):\n%s", d)
	}
	got = map[string]uint64{}
	for _, e := range s.Definition("opt").Entries {
		got[e.Name] = e.Value
	}
	if d := diff(map[string]uint64{"a": 1, "b": 2, "c": 4}, got); d != "" {
		t.Errorf("flag values (-want +got):\n%s", d)
	}
	if hdr, pair := s.Definition("hdr"), s.Definition("pair"); hdr.Size != 8 || pair.Size != 38 || pair.member("inner").Offset != 30 {
		t.Errorf("struct sizes: hdr %d pair %d, want 8 38", hdr.Size, pair.Size)
	}
	if d := s.Definition("group-name"); !d.IsString || d.ConstString != "events" {
		t.Errorf("string const: %+v", d)
	}
	sub := s.AttributeSet("main-small")
	if a := sub.Attr("nest"); a == nil || a.ID != 16 || a.NestedSet != s.AttributeSet("inner") || sub.Attr("str") != nil {
		t.Errorf("subset: %+v", a)
	}
	for _, c := range []struct {
		op        string
		req, rsp  uint32
		hasReq    bool
		hasReply  bool
		hdrStruct string
	}{
		{"thing-get", 5, 7, true, true, "hdr"},
		{"thing-set", 6, 0, true, false, "pair"},
		{"thing-ntf", 0, 8, false, true, "hdr"},
		{"thing-event", 0, 9, false, true, "hdr"},
	} {
		o := s.Operation(c.op)
		if o.RequestID != c.req || o.ReplyID != c.rsp || o.HasRequest != c.hasReq || o.HasReply != c.hasReply || o.Header.Name != c.hdrStruct {
			t.Errorf("%s: req %d rsp %d (%v %v) hdr %s, want %+v", c.op, o.RequestID, o.ReplyID, o.HasRequest, o.HasReply, o.Header.Name, c)
		}
	}
	if o := s.Operation("thing-ntf"); o.Set != main {
		t.Errorf("notify takes the set of the operation it names")
	}
	if o := s.ReplyOperation(8, true); o == nil || o.Name != "thing-ntf" {
		t.Errorf("ReplyOperation(8) = %v", o)
	}
	if g := s.Group("admin"); g == nil || g.Flags[0] != "admin-perm" {
		t.Errorf("group admin: %+v", g)
	}
}

// The unified model counts operations from 1, explicit values restart the
// count, and placeholders take a value.
func TestUnifiedIDs(t *testing.T) {
	s, err := NewSpec([]byte(`
name: u
operations:
  list:
    - { name: unspec, doc: x, value: 0 }
    - { name: a, doc: x, do: { request: {} } }
    - { name: b, doc: x, value: 7, dump: { reply: {} } }
    - { name: c, doc: x, do: {} }
`))
	if err != nil {
		t.Fatal(err)
	}
	for op, want := range map[string]uint32{"a": 1, "b": 7, "c": 8} {
		if o := s.Operation(op); o.RequestID != want || o.ReplyID != want {
			t.Errorf("%s: %d/%d, want %d", op, o.RequestID, o.ReplyID, want)
		}
	}
}

// Strict: unknown keys, types, words and dangling references are errors
// naming what is wrong.
func TestSpecStrict(t *testing.T) {
	base := `
name: s
attribute-sets:
  - name: a
    attributes:
      - { name: x, type: u32 }
operations:
  list:
    - { name: get, doc: d, attribute-set: a, do: { request: { attributes: [ x ] } } }
`
	for _, c := range []struct{ old, new, want string }{
		{"name: s", "name: s\nfrobnicate: 1", "field frobnicate not found"},
		{"type: u32", "type: u33", `unknown type "u33"`},
		{"type: u32", "type: u32, bogus: 1", "field bogus not found"},
		{"type: u32", "type: nest", "nested-attributes"},
		{"type: u32", "type: nest, nested-attributes: nope", `"nope": no such attribute set`},
		{"type: u32", "type: u32, enum: nope", `enum "nope"`},
		{"type: u32", "type: binary, struct: nope", `struct "nope"`},
		{"type: u32", "type: sub-message, sub-message: nope, selector: x", `sub-message "nope"`},
		{"type: u32", "type: u32, byte-order: middle-endian", "byte-order"},
		{"type: u32", "type: u32, display-hint: braille", "display-hint"},
		{"type: u32", "type: indexed-array, sub-type: u99", "sub-type"},
		{"type: u32", "type: u32, checks: { max: lots }", "checks"},
		{"type: u32", "type: u32, checks: { maxx: 1 }", "field maxx not found"},
		{"attribute-set: a", "attribute-set: b", `unknown attribute set "b"`},
		{"do: {", "flags: [ root ], do: {", `unknown flag "root"`},
		{"list:", "enum-model: sideways\n  list:", "enum-model"},
		{"- { name: x, type: u32 }", "- { name: x, type: u32 }\n      - { name: x, type: u8 }", "duplicate attribute"},
		{"name: s", "name: s\nprotocol: netlink-cooked", "unknown protocol"},
		{"name: s", "name: s\ndefinitions:\n  - { name: e, type: enum, entries: [ { name: q, colour: 1 } ] }", "field colour not found"},
		{"name: s", "name: s\ndefinitions:\n  - { name: st, type: struct, members: [ { name: m, type: binary } ] }", "len"},
		{"name: s", "name: s\nmcast-groups:\n  list: [ { name: g, value: 1, wat: 2 } ]", "field wat not found"},
		{"attributes:\n      - { name: x, type: u32 }", "attributes:\n      - { name: x, type: u32 }\n  - { name: z, subset-of: nope, attributes: [] }", "subset-of"},
		{"do: { request: { attributes: [ x ] } }", "notify: nothing", `notify "nothing"`},
	} {
		y := strings.Replace(base, c.old, c.new, 1)
		if y == base {
			t.Fatalf("case %q does not apply", c.new)
		}
		_, err := NewSpec([]byte(y))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want it to contain %q", c.new, err, c.want)
		}
	}
	if _, err := NewSpec([]byte(base)); err != nil {
		t.Errorf("base spec: %v", err)
	}
}

// SpecPath finds rt_addr.yaml (up to 6.12) and rt-addr.yaml (later) by
// either name.
func TestSpecPathRename(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "rt_addr.yaml"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "rt-link.yaml"), nil, 0o644)
	for name, want := range map[string]string{"rt-addr": "rt_addr.yaml", "rt_addr": "rt_addr.yaml", "rt_link": "rt-link.yaml", "rt-link": "rt-link.yaml"} {
		p, err := SpecPath(dir, name)
		if err != nil || filepath.Base(p) != want {
			t.Errorf("SpecPath(%s) = %s, %v; want %s", name, p, err, want)
		}
	}
	if _, err := SpecPath(dir, "rt-route"); err == nil {
		t.Error("SpecPath found a spec that is not there")
	}
}

// fullTree has a value of every kind, in the form decoding gives.
func fullTree() map[string]any {
	return map[string]any{
		"hkind": "green", "index": int64(-3), "port": uint64(8080), "kind": "two", // hkind, index, port: fixed header hdr
		"u8v": uint64(7), "u16be": uint64(0x1234), "s32v": int64(-4), "u64v": uint64(1) << 40,
		"uintv": uint64(1) << 33, "sintv": int64(-2), "str": "hello", "bin": []byte{1, 2, 3},
		"flagv": true, "color": "blue", "opts": []string{"a", "c"}, "modes": []string{"on", "auto"},
		"bf":    map[string]any{"value": []string{"b"}, "selector": []string{"b", "c"}},
		"addr":  netip.MustParseAddr("198.18.0.1"),
		"pair":  map[string]any{"lo": uint64(1), "hi": uint64(2), "mac": "02:00:00:00:00:01", "tag": "t", "inner": map[string]any{"hkind": "red", "port": uint64(1), "index": int64(2)}},
		"nest":  map[string]any{"id": uint64(9), "deeper": map[string]any{"label": "x"}},
		"multi": []any{uint64(1), uint64(2), uint64(3)},
		"arr":   []any{map[string]any{"id": uint64(1)}, map[string]any{"label": "b"}},
		"arr32": []any{uint64(10), uint64(20)},
		"tv":    []any{map[string]any{"id": uint64(4), "label": "four"}, map[string]any{"id": uint64(5), "label": "five"}},
		"data":  map[string]any{"hkind": "green", "port": uint64(2), "index": int64(0), "y": "sub"},
		"words": []any{uint64(1), uint64(65535)},
		"hexv":  "deadbeef",
	}
}

// Every kind survives encoding and decoding, through JSON too.
func TestRoundTrip(t *testing.T) {
	s := featureSpec(t)
	in := fullTree()
	b, err := s.AppendRequest(nil, "thing-get", in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Decode(s.Operation("thing-get"), b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := JSON(in, "")
	got, _ := JSON(out, "")
	if d := diff(string(want), string(got)); d != "" {
		t.Errorf("round trip (-in +out):\n%s", d)
	}
	// The JSON of the decoded tree encodes to the same bytes.
	j, err := ValueFromJSON(got)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := s.AppendRequest(nil, "thing-get", j)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(b, b2) {
		t.Errorf("JSON round trip changed the bytes:\n%x\n%x", b, b2)
	}
}

// attrs decodes b's top-level attributes into type -> payload.
func attrs(t *testing.T, b []byte) map[uint16][]byte {
	m := map[uint16][]byte{}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		m[d.Type()] = append([]byte(nil), d.Bytes()...)
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

// The bytes on the wire: byte orders, variable widths, bitfield32, flags.
func TestWire(t *testing.T) {
	s := featureSpec(t)
	b, err := s.AppendRequest(nil, "thing-get", map[string]any{
		"hkind": "violet", "port": 0x0102, "index": -1,
		"u16be": 0x0102, "uintv": 5, "sintv": -5, "u64v": uint64(1) << 35, "opts": []any{"a", "b"},
		"bf": map[string]any{"value": "c", "selector": []string{"a", "c"}}, "color": "green", "modes": []any{"auto"},
	})
	if err != nil {
		t.Fatal(err)
	}
	ne := binary.NativeEndian
	hdr := b[:8]
	if hdr[0] != 11 || hdr[2] != 1 || hdr[3] != 2 || int32(ne.Uint32(hdr[4:])) != -1 {
		t.Errorf("fixed header % x", hdr)
	}
	m := attrs(t, b[8:])
	check := func(name string, got, want []byte) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: % x, want % x", name, got, want)
		}
	}
	check("u16be", m[2], []byte{1, 2})
	check("uintv (4 bytes when it fits)", m[5], ne.AppendUint32(nil, 5))
	check("sintv", m[6], ne.AppendUint32(nil, uint32(0xfffffffb)))
	check("u64v", m[4], ne.AppendUint64(nil, 1<<35))
	check("opts", m[11], ne.AppendUint32(nil, 3))
	check("color", m[10], ne.AppendUint32(nil, 4))
	check("modes (enum-as-flags: bit of the value)", m[12], ne.AppendUint32(nil, 1<<2))
	check("bf", m[13], append(ne.AppendUint32(nil, 4), ne.AppendUint32(nil, 5)...))
	b, _ = s.AppendRequest(nil, "thing-get", map[string]any{"uintv": uint64(1) << 40})
	check("uintv (8 bytes)", attrs(t, b[8:])[5], ne.AppendUint64(nil, 1<<40))
}

// Encoding refuses what does not fit, naming the attribute.
func TestEncodeErrors(t *testing.T) {
	s := featureSpec(t)
	for _, c := range []struct {
		v    map[string]any
		want string
	}{
		{map[string]any{"u8v": 256}, "attribute u8v: 256 does not fit u8"},
		{map[string]any{"u8v": -1}, "attribute u8v: -1 is negative"},
		{map[string]any{"s32v": 101}, "attribute s32v: 101 is above the maximum 100"},
		{map[string]any{"str": strings.Repeat("x", 16)}, "attribute str: 16 bytes, at most 15"},
		{map[string]any{"color": "mauve"}, `attribute color: "mauve" is not an entry of color`},
		{map[string]any{"nest": map[string]any{"deeper": map[string]any{"idd": 1}}}, "attribute nest.deeper.idd: not in set inner"},
		{map[string]any{"bogus": 1}, "attribute bogus: not in set main"},
		{map[string]any{"addr": "not-an-ip"}, "attribute addr"},
		{map[string]any{"data": map[string]any{"x": 1}}, "selector kind is not given"},
		{map[string]any{"kind": "one", "data": map[string]any{"y": 1}}, "attribute data.y: not in set one-data"},
		{map[string]any{"u8v": 1.5}, "1.5 is not an integer"},
	} {
		_, err := s.AppendRequest(nil, "thing-get", c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.v, err, c.want)
		}
	}
}

// Unknown attributes (a newer kernel) are kept raw and go back as they
// came; known ones of the wrong size are errors naming them.
func TestDecodeUnknownAndBad(t *testing.T) {
	s := featureSpec(t)
	op := s.Operation("thing-get")
	b := make([]byte, 8)
	b, _ = appendAttr(b, 50, []byte{9, 9})
	b, _ = appendAttr(b, 1, []byte{7})
	v, err := s.Decode(op, b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v["unknown-attr-50"], []byte{9, 9}) || v["u8v"] != uint64(7) {
		t.Errorf("decoded %v", v)
	}
	b2, err := s.AppendRequest(nil, "thing-get", v)
	if err != nil || len(attrs(t, b2[8:])[50]) != 2 {
		t.Errorf("unknown attribute not re-encoded: %v", err)
	}
	bad, _ := appendAttr(make([]byte, 8), 3, []byte{1, 2})
	if _, err := s.Decode(op, bad); err == nil || !strings.Contains(err.Error(), "s32v") || !errors.Is(err, nlattr.ErrBadLength) {
		t.Errorf("wrong size: %v", err)
	}
	if _, err := s.Decode(op, []byte{1, 2}); err == nil || !strings.Contains(err.Error(), "fixed header hdr") {
		t.Errorf("short header: %v", err)
	}
}

// The extended ACK's offsets become attribute paths in the spec's names.
func TestErrorNames(t *testing.T) {
	s := featureSpec(t)
	c := &Conn{spec: s}
	r, err := c.request("thing-get", map[string]any{"u8v": 1, "nest": map[string]any{"id": 2, "deeper": map[string]any{"label": "x"}}, "arr": []any{map[string]any{"id": 1}, map[string]any{"id": 2}}})
	if err != nil {
		t.Fatal(err)
	}
	// Find the offsets: header 8, u8v at 8 (8 bytes), nest at 16.
	base := r.hdrOffs
	nestOff := 16
	deeperOff := nestOff + 4 + 8
	for _, c2 := range []struct {
		ne   netlink.Error
		want string
	}{
		{netlink.Error{Errno: syscall.EINVAL, Offset: base + 8, MissingNest: -1}, "ynl-test: thing-get: u8v: invalid argument"},
		{netlink.Error{Errno: syscall.EINVAL, Offset: base + nestOff + 4, MissingNest: -1, Message: "bad id"}, "ynl-test: thing-get: nest.id: invalid argument: bad id"},
		{netlink.Error{Errno: syscall.EINVAL, Offset: base + deeperOff + 4, MissingNest: -1}, "nest.deeper.label"},
		{netlink.Error{Errno: syscall.EINVAL, Offset: base + 2, MissingNest: -1}, "thing-get: port:"},
		{netlink.Error{Errno: syscall.EINVAL, Offset: -1, MissingType: 3, MissingNest: base + deeperOff}, "missing nest.deeper.deeper"},
		{netlink.Error{Errno: syscall.EINVAL, Offset: -1, MissingType: 7, MissingNest: -1}, "missing str"},
		{netlink.Error{Errno: syscall.ENODEV, Offset: -1, MissingNest: -1}, "ynl-test: thing-get: no such device"},
	} {
		ne := c2.ne
		err := c.wrap(r, &ne)
		if !strings.Contains(err.Error(), c2.want) {
			t.Errorf("%+v: %q, want %q", c2.ne, err, c2.want)
		}
		if !errors.Is(err, c2.ne.Errno) {
			t.Errorf("errors.Is errno fails")
		}
		if e, ok := errors.AsType[*Error](err); !ok || e.Err != &ne {
			t.Errorf("errors.As")
		}
	}
	// indexed arrays name the element
	arrOff := nestOff + 4 + 8 + 4 + 8
	r2, _ := c.request("thing-get", map[string]any{"arr": []any{map[string]any{"id": 1}, map[string]any{"id": 2}}})
	_ = arrOff
	ne := netlink.Error{Errno: syscall.EINVAL, Offset: base + 8 + 4 + 12 + 4, MissingNest: -1}
	if err := c.wrap(r2, &ne); !strings.Contains(err.Error(), "arr[1].id") {
		t.Errorf("indexed array: %v", err)
	}
}

// JSON requests: numbers, enum and flag names, addresses and hex.
func TestValueFromJSON(t *testing.T) {
	s := featureSpec(t)
	v, err := ValueFromJSON([]byte(`{"u64v": 18446744073709551615, "color": "violet", "opts": ["c"], "addr": "198.18.0.9", "bin": "0a0b", "multi": [1, 2]}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.AppendRequest(nil, "thing-get", v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Decode(s.Operation("thing-get"), b)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := JSON(out, "")
	want := `{"addr":"198.18.0.9","bin":"0a0b","color":"violet","hkind":"0","index":0,"multi":[1,2],"opts":["c"],"port":0,"u64v":18446744073709551615}`
	if string(j) != strings.Replace(want, `"0"`, `0`, 1) {
		t.Errorf("got  %s\nwant %s", j, want)
	}
	if _, err := ValueFromJSON([]byte(`{} {}`)); err == nil {
		t.Error("two values accepted")
	}
}

// diff is "" when want and got are equal, else both printed.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("- %v\n+ %v", want, got)
}

// An extended ACK pointing inside a sub-message is named through the
// selector's format.
func TestErrorNamesSubMessage(t *testing.T) {
	s := featureSpec(t)
	c := &Conn{spec: s}
	r, err := c.request("thing-get", map[string]any{"kind": "one", "data": map[string]any{"x": 5}})
	if err != nil {
		t.Fatal(err)
	}
	// header 8, kind "one" attr 8 bytes at 8, data nest at 16, x at 20
	ne := netlink.Error{Errno: syscall.EINVAL, Offset: r.hdrOffs + 20, MissingNest: -1}
	if err := c.wrap(r, &ne); !strings.Contains(err.Error(), "thing-get: data.x: ") {
		t.Errorf("got %v", err)
	}
}
