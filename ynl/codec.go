package ynl

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
)

// The value tree. Requests and replies are map[string]any keyed by the
// spec's attribute (and fixed-header member) names, with these leaves:
//
//	integers          uint64 (u8 ... u64, uint), int64 (s8 ... s64, sint)
//	enum values       string: the entry's name (a number if the spec lacks it)
//	flags             []string: the names of the bits set ("0x..." for unknown bits)
//	flag              bool true
//	string            string
//	binary            []byte; with display-hint ipv4/ipv6 a netip.Addr (a
//	                  string in JSON), mac a MAC's string, hex a hex string; with a struct a
//	                  map of its members; with a sub-type a []any of integers
//	bitfield32        map{"value": ..., "selector": ...}
//	nest, sub-message map[string]any
//	multi-attr, indexed-array, nest-type-value   []any
//
// Attributes the spec does not know are kept as []byte under
// "unknown-attr-N" (N its type). Encoding is lenient in what it takes, so that
// a tree decoded from JSON (numbers as float64 or json.Number, binary as hex
// strings, lists as []any) encodes as well as a decoded one.

// unknownKey names an attribute the spec does not describe.
func unknownKey(t uint16) string { return "unknown-attr-" + strconv.Itoa(int(t)) }

type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

func order(bo string) byteOrder {
	if bo == "big-endian" {
		return binary.BigEndian
	}
	return binary.NativeEndian
}

// ---- decoding ----

type decoder struct {
	spec *Spec
	// pool, when not nil, lends the maps of the tree (a streaming
	// Dump's, reused from one object to the next).
	pool *treePool
	// header is the message's fixed header: an attribute named as one of
	// its members (rt-addr's ifa-flags) replaces the member, it is not a
	// repetition.
	header  *Definition
	parents []map[string]any // enclosing nests, innermost last, for sub-message selectors
}

// decodeAttrs decodes the attributes in b laid out by set into m.
func (d *decoder) decodeAttrs(m map[string]any, set *AttrSet, b []byte) error {
	// seen marks the attributes met so far (by index in set, for sets of
	// up to 64): a repetition is then noticed without a map look-up.
	var seen uint64
	small := len(set.Attributes) <= 64
	ad := nlattr.NewDecoder(b)
	for ad.Next() {
		t := ad.Type()
		a := set.AttrByID(t)
		if a == nil || a.Type == "unused" {
			m[unknownKey(t)] = slices.Clone(ad.Bytes())
			continue
		}
		if a.Type == "pad" {
			continue
		}
		v, err := d.decodeAttr(m, a, ad.Bytes())
		if err != nil {
			return fmt.Errorf("%s: %w", a.Name, err)
		}
		if a.MultiAttr {
			l, _ := m[a.Name].([]any)
			m[a.Name] = append(l, v)
			continue
		}
		if small && a.index < 64 {
			bit := uint64(1) << a.index
			if seen&bit == 0 {
				// first time: a fixed-header member of the same
				// name is replaced, not repeated.
				seen |= bit
				m[a.Name] = v
				continue
			}
		}
		if d.header != nil && len(d.parents) == 0 && d.header.member(a.Name) != nil {
			m[a.Name] = v
			continue
		}
		if old, dup := m[a.Name]; dup {
			// not multi-attr in the spec, but repeated on the wire:
			// keep them all rather than losing some.
			l, ok := old.([]any)
			if !ok {
				l = []any{old}
			}
			m[a.Name] = append(l, v)
			continue
		}
		m[a.Name] = v
	}
	if err := ad.Err(); err != nil {
		return err
	}
	return nil
}

func (d *decoder) nested(m map[string]any, set *AttrSet, b []byte) (map[string]any, error) {
	d.parents = append(d.parents, m)
	defer func() { d.parents = d.parents[:len(d.parents)-1] }()
	if len(d.parents) > nlattr.MaxDepth {
		return nil, errors.New("nested too deep")
	}
	n := d.newMap(countAttrs(b))
	err := d.decodeAttrs(n, set, b)
	return n, err
}

// newMap gives an empty map for a nest, struct or bitfield of about n
// entries: the pool's when the decoder has one.
func (d *decoder) newMap(n int) map[string]any {
	if d.pool == nil {
		return make(map[string]any, n)
	}
	return d.pool.newMap(n)
}

// treePool holds the maps of one value tree so that the next tree is
// decoded into them: a streaming Dump's objects then cost no map
// allocation once the first few are decoded. Not safe for concurrent use.
type treePool struct {
	top   map[string]any
	owned []map[string]any // the nested maps of the current tree
	spare []map[string]any // emptied maps to lend
	// parents is the decoder's stack of enclosing nests, kept for
	// its capacity.
	parents []map[string]any
	// uints and addrs cache boxed integers and addresses (direct-mapped):
	// the values repeated from one object to the next (a table, an
	// ifindex, a gateway) are boxed once. A box is immutable, so trees,
	// kept or not, may share it.
	// Made on first use: a short dump may need neither.
	uints *[64]boxedUint
	addrs *[64]boxedAddr
}

type boxedUint struct {
	u   uint64
	box any
}

type boxedAddr struct {
	ip  netip.Addr
	box any
}

// reset empties the tree: its maps are lent again.
func (p *treePool) reset() {
	for _, m := range p.owned {
		clear(m)
	}
	p.spare = append(p.spare, p.owned...)
	clear(p.owned)
	p.owned = p.owned[:0]
	clear(p.top)
}

// boxUint gives u as an interface value, from the pool's cache when the
// decoder has one.
func (d *decoder) boxUint(u uint64) any {
	if d.pool == nil || u < 256 { // Go boxes bytes without allocating
		return u
	}
	if d.pool.uints == nil {
		d.pool.uints = new([64]boxedUint)
	}
	c := &d.pool.uints[u%uint64(len(d.pool.uints))]
	if c.box == nil || c.u != u {
		c.u, c.box = u, u
	}
	return c.box
}

// boxAddr gives ip as an interface value, from the pool's cache.
func (p *treePool) boxAddr(ip netip.Addr) any {
	if p.addrs == nil {
		p.addrs = new([64]boxedAddr)
	}
	h := ip.As16()
	c := &p.addrs[(uint(h[15])^uint(h[14])<<8)%uint(len(p.addrs))]
	if c.box == nil || c.ip != ip {
		c.ip, c.box = ip, ip
	}
	return c.box
}

func (p *treePool) newMap(n int) map[string]any {
	var m map[string]any
	if k := len(p.spare); k > 0 {
		m = p.spare[k-1]
		p.spare[k-1] = nil
		p.spare = p.spare[:k-1]
	} else {
		m = make(map[string]any, n)
	}
	p.owned = append(p.owned, m)
	return m
}

func badLen(want, got int) error {
	return fmt.Errorf("%w: %d bytes, want %d", nlattr.ErrBadLength, got, want)
}

func (d *decoder) decodeAttr(m map[string]any, a *Attr, b []byte) (any, error) {
	switch a.Type {
	case "flag":
		if len(b) != 0 {
			return nil, badLen(0, len(b))
		}
		return true, nil
	case "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64":
		if len(b) != IntSize(a.Type) {
			return nil, badLen(IntSize(a.Type), len(b))
		}
		if a.DisplayHint == "ipv4" && len(b) == 4 {
			// an address carried as a (big-endian) u32, tcp_metrics' way
			return netip.AddrFrom4([4]byte(b)), nil
		}
		return d.intValue(a.Type, a.ByteOrder, a.EnumDef, a.EnumAsFlags, b), nil
	case "uint", "sint":
		if len(b) != 4 && len(b) != 8 {
			return nil, badLen(8, len(b))
		}
		t := "u32"
		switch {
		case a.Type == "sint" && len(b) == 4:
			t = "s32"
		case a.Type == "sint":
			t = "s64"
		case len(b) == 8:
			t = "u64"
		}
		return d.intValue(t, a.ByteOrder, a.EnumDef, a.EnumAsFlags, b), nil
	case "string":
		if i := strings.IndexByte(string(b), 0); i >= 0 {
			b = b[:i]
		}
		return string(b), nil
	case "binary":
		return d.binary(a, b)
	case "bitfield32":
		if len(b) != 8 {
			return nil, badLen(8, len(b))
		}
		m := d.newMap(2)
		m["value"] = d.intValue("u32", "", a.EnumDef, true, b[:4])
		m["selector"] = d.intValue("u32", "", a.EnumDef, true, b[4:])
		return m, nil
	case "nest":
		return d.nested(m, a.NestedSet, b)
	case "indexed-array":
		var l []any
		ad := nlattr.NewDecoder(b)
		for ad.Next() {
			p := ad.Bytes()
			var v any
			var err error
			switch a.SubType {
			case "nest":
				v, err = d.nested(m, a.NestedSet, p)
			default:
				sub := *a
				sub.Type, sub.SubType, sub.MultiAttr = a.SubType, "", false
				v, err = d.decodeAttr(m, &sub, p)
			}
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", len(l), err)
			}
			l = append(l, v)
		}
		return l, ad.Err()
	case "nest-type-value":
		var l []any
		err := d.typeValue(&l, m, a, a.TypeValue, b, nil)
		return l, err
	case "sub-message":
		return d.subMessage(m, a, b)
	}
	return slices.Clone(b), nil
}

// typeValue decodes a nest-type-value: each level's attribute types are the
// values of the names in names; the innermost payloads are a's nested set.
func (d *decoder) typeValue(l *[]any, m map[string]any, a *Attr, names []string, b []byte, ids map[string]any) error {
	ad := nlattr.NewDecoder(b)
	for ad.Next() {
		cur := d.newMap(len(ids) + 1)
		for k, v := range ids {
			cur[k] = v
		}
		cur[names[0]] = uint64(ad.Type())
		if len(names) > 1 {
			if err := d.typeValue(l, m, a, names[1:], ad.Bytes(), cur); err != nil {
				return err
			}
			continue
		}
		n, err := d.nested(m, a.NestedSet, ad.Bytes())
		if err != nil {
			return err
		}
		for k, v := range n {
			cur[k] = v
		}
		*l = append(*l, cur)
	}
	return ad.Err()
}

func (d *decoder) binary(a *Attr, b []byte) (any, error) {
	if a.StructDef != nil {
		if len(b) < a.StructDef.Size {
			return nil, badLen(a.StructDef.Size, len(b))
		}
		m := d.newMap(len(a.StructDef.Members))
		d.structValue(m, a.StructDef, b)
		return m, nil
	}
	if a.SubType != "" {
		n := IntSize(a.SubType)
		if len(b)%n != 0 {
			return nil, badLen(len(b)/n*n+n, len(b))
		}
		l := make([]any, 0, len(b)/n)
		for i := 0; i < len(b); i += n {
			l = append(l, d.intValue(a.SubType, a.ByteOrder, nil, false, b[i:i+n]))
		}
		return l, nil
	}
	if a.ExactLen > 0 && len(b) != a.ExactLen {
		return nil, badLen(a.ExactLen, len(b))
	}
	if d.pool != nil && (a.DisplayHint == "ipv4" || a.DisplayHint == "ipv6") {
		if ip, ok := netip.AddrFromSlice(b); ok {
			return d.pool.boxAddr(ip), nil
		}
	}
	return hinted(a.DisplayHint, b), nil
}

// hinted gives binary b in the form its display hint asks for.
func hinted(hint string, b []byte) any {
	switch hint {
	case "ipv4", "ipv6":
		if ip, ok := netip.AddrFromSlice(b); ok {
			return ip
		}
	case "mac":
		return net.HardwareAddr(b).String()
	case "hex":
		return hex.EncodeToString(b)
	case "uuid":
		if len(b) == 16 {
			h := hex.EncodeToString(b)
			return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
		}
	}
	return slices.Clone(b)
}

// structValue decodes the members of struct def from b (len(b) >= def.Size)
// into m.
func (d *decoder) structValue(m map[string]any, def *Definition, b []byte) {
	for _, mb := range def.Members {
		p := b[mb.Offset : mb.Offset+mb.Size]
		switch {
		case mb.Type == "pad":
		case mb.StructDef != nil:
			n := d.newMap(len(mb.StructDef.Members))
			d.structValue(n, mb.StructDef, p)
			m[mb.Name] = n
		case IntSize(mb.Type) > 0:
			m[mb.Name] = d.intValue(mb.Type, mb.ByteOrder, mb.EnumDef, mb.EnumAsFlags, p)
		case mb.Type == "string":
			if i := strings.IndexByte(string(p), 0); i >= 0 {
				p = p[:i]
			}
			m[mb.Name] = string(p)
		default:
			m[mb.Name] = hinted(mb.DisplayHint, p)
		}
	}
}

func readInt(t, bo string, b []byte) (u uint64, s int64) {
	o := order(bo)
	switch len(b) {
	case 1:
		u, s = uint64(b[0]), int64(int8(b[0]))
	case 2:
		v := o.Uint16(b)
		u, s = uint64(v), int64(int16(v))
	case 4:
		v := o.Uint32(b)
		u, s = uint64(v), int64(int32(v))
	case 8:
		u = o.Uint64(b)
		s = int64(u)
	}
	return u, s
}

// intValue decodes an integer of type t (u8 ... s64), named by enum def when
// there is one.
func (d *decoder) intValue(t, bo string, def *Definition, asFlags bool, b []byte) any {
	u, s := readInt(t, bo, b)
	if def == nil {
		if Signed(t) {
			return s
		}
		return d.boxUint(u)
	}
	if isFlags(def, asFlags) {
		if u == 0 && def.noFlags != nil {
			return def.noFlags
		}
		return flagNames(def, u)
	}
	for _, e := range def.Entries {
		if e.Value == u {
			return e.boxed
		}
	}
	if Signed(t) {
		return s
	}
	return u
}

func flagMask(def *Definition, e *EnumEntry) uint64 {
	if def.Type == "flags" {
		return e.Value
	}
	if e.Value > 63 {
		return 0
	}
	return 1 << e.Value
}

func flagNames(def *Definition, u uint64) []string {
	names := []string{}
	for _, e := range def.Entries {
		if m := flagMask(def, e); m != 0 && u&m == m {
			names = append(names, e.Name)
			u &^= m
		}
	}
	if u != 0 {
		names = append(names, "0x"+strconv.FormatUint(u, 16))
	}
	return names
}

// ---- encoding ----

type encoder struct {
	spec    *Spec
	path    []string
	parents []map[string]any // enclosing nests, for sub-message selectors
	set     *AttrSet         // the message's set, beside its fixed header
}

func (e *encoder) errorf(format string, a ...any) error {
	return fmt.Errorf("attribute %s: %s", strings.Join(e.path, "."), fmt.Sprintf(format, a...))
}

func appendAttr(b []byte, t uint16, payload []byte) ([]byte, error) {
	if len(payload)+4 > math.MaxUint16 {
		return b, errors.New("payload too long for an attribute")
	}
	b = binary.NativeEndian.AppendUint16(b, uint16(4+len(payload)))
	b = binary.NativeEndian.AppendUint16(b, t)
	b = append(b, payload...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b, nil
}

// nest opens a nest of type t in b; close it with endNest.
func nest(b []byte, t uint16) ([]byte, int) {
	start := len(b)
	b = binary.NativeEndian.AppendUint16(b, 0)
	b = binary.NativeEndian.AppendUint16(b, t|nlattr.Nested)
	return b, start
}

func endNest(b []byte, start int) ([]byte, error) {
	n := len(b) - start
	if n > math.MaxUint16 {
		return b, errors.New("nest too long for an attribute")
	}
	binary.NativeEndian.PutUint16(b[start:], uint16(n))
	return b, nil
}

// encodeAttrs appends the attributes of v laid out by set, in the set's
// order. skip names keys that are not attributes (fixed-header members).
func (e *encoder) encodeAttrs(b []byte, set *AttrSet, v map[string]any, skip *Definition) ([]byte, error) {
	for k := range v {
		if set != nil && set.Attr(k) != nil {
			continue
		}
		if skip != nil && skip.member(k) != nil {
			continue
		}
		if strings.HasPrefix(k, "unknown-attr-") {
			continue
		}
		where := "the request"
		if set != nil {
			where = "set " + set.Name
		}
		e.path = append(e.path, k)
		err := e.errorf("not in %s", where)
		e.path = e.path[:len(e.path)-1]
		return b, err
	}
	if set == nil {
		return b, nil
	}
	e.parents = append(e.parents, v)
	defer func() { e.parents = e.parents[:len(e.parents)-1] }()
	var err error
	for _, a := range set.Attributes {
		x, ok := v[a.Name]
		if !ok || x == nil {
			continue
		}
		e.path = append(e.path, a.Name)
		if a.MultiAttr {
			l, isList := asList(x)
			if !isList {
				l = []any{x}
			}
			for _, x := range l {
				if b, err = e.encodeAttr(b, a, x); err != nil {
					return b, err
				}
			}
		} else if a.Type == "sub-message" {
			if b, err = e.subMessage(b, a, v, x); err != nil {
				return b, err
			}
		} else if b, err = e.encodeAttr(b, a, x); err != nil {
			return b, err
		}
		e.path = e.path[:len(e.path)-1]
	}
	// unknown attributes kept from a decoded tree go back as they came
	keys := []string{}
	for k := range v {
		if strings.HasPrefix(k, "unknown-attr-") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		t, err := strconv.ParseUint(strings.TrimPrefix(k, "unknown-attr-"), 10, 14)
		if err != nil {
			return b, fmt.Errorf("attribute %s: bad type number", k)
		}
		p, err := toBytes(v[k], "")
		if err != nil {
			return b, fmt.Errorf("attribute %s: %w", k, err)
		}
		if b, err = appendAttr(b, uint16(t), p); err != nil {
			return b, err
		}
	}
	return b, nil
}

func asList(x any) ([]any, bool) {
	switch l := x.(type) {
	case []any:
		return l, true
	case []map[string]any:
		out := make([]any, len(l))
		for i := range l {
			out[i] = l[i]
		}
		return out, true
	case []string:
		out := make([]any, len(l))
		for i := range l {
			out[i] = l[i]
		}
		return out, true
	}
	return nil, false
}

func asMap(x any) (map[string]any, bool) {
	m, ok := x.(map[string]any)
	return m, ok
}

func (e *encoder) encodeAttr(b []byte, a *Attr, x any) ([]byte, error) {
	var err error
	switch a.Type {
	case "flag":
		if t, ok := x.(bool); ok && !t {
			return b, nil
		}
		return appendAttr(b, a.ID, nil)
	case "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "uint", "sint":
		t := a.Type
		if a.DisplayHint == "ipv4" && t == "u32" {
			if _, isNum := x.(json.Number); !isNum {
				if p, err := toBytes(x, "ipv4"); err == nil && len(p) == 4 {
					return appendAttr(b, a.ID, p)
				}
			}
		}
		u, err := e.intOf(t, a.EnumDef, a.EnumAsFlags, x)
		if err != nil {
			return b, err
		}
		if err := e.check(a, u); err != nil {
			return b, err
		}
		if t == "uint" || t == "sint" {
			t = "u64"
			if (a.Type == "uint" && u <= math.MaxUint32) || (a.Type == "sint" && int64(u) >= math.MinInt32 && int64(u) <= math.MaxInt32) {
				t = "u32"
			}
		}
		return appendAttr(b, a.ID, putInt(nil, t, a.ByteOrder, u))
	case "string":
		s, ok := x.(string)
		if !ok {
			return b, e.errorf("want a string, have %T", x)
		}
		if a.MaxLen > 0 && len(s) > a.MaxLen {
			return b, e.errorf("%d bytes, at most %d", len(s), a.MaxLen)
		}
		return appendAttr(b, a.ID, append([]byte(s), 0))
	case "binary":
		var p []byte
		switch {
		case a.StructDef != nil:
			m, ok := asMap(x)
			if !ok {
				return b, e.errorf("want an object (struct %s), have %T", a.StructDef.Name, x)
			}
			if p, err = e.structBytes(nil, a.StructDef, m, false); err != nil {
				return b, err
			}
		case a.SubType != "":
			l, ok := asList(x)
			if !ok {
				return b, e.errorf("want a list of %s, have %T", a.SubType, x)
			}
			for _, y := range l {
				u, err := e.intOf(a.SubType, nil, false, y)
				if err != nil {
					return b, err
				}
				p = putInt(p, a.SubType, a.ByteOrder, u)
			}
		default:
			if p, err = toBytes(x, a.DisplayHint); err != nil {
				return b, e.errorf("%v", err)
			}
			if a.ExactLen > 0 && len(p) != a.ExactLen {
				return b, e.errorf("%d bytes, want %d", len(p), a.ExactLen)
			}
			if a.MaxLen > 0 && len(p) > a.MaxLen {
				return b, e.errorf("%d bytes, at most %d", len(p), a.MaxLen)
			}
		}
		return appendAttr(b, a.ID, p)
	case "bitfield32":
		m, ok := asMap(x)
		if !ok {
			return b, e.errorf(`want {"value": ..., "selector": ...}, have %T`, x)
		}
		var p []byte
		for _, k := range []string{"value", "selector"} {
			u, err := e.intOf("u32", a.EnumDef, true, m[k])
			if m[k] == nil {
				u, err = 0, nil
			}
			if err != nil {
				return b, err
			}
			p = binary.NativeEndian.AppendUint32(p, uint32(u))
		}
		return appendAttr(b, a.ID, p)
	case "nest":
		m, ok := asMap(x)
		if !ok {
			return b, e.errorf("want an object (set %s), have %T", a.NestedSet.Name, x)
		}
		b, start := nest(b, a.ID)
		if b, err = e.encodeAttrs(b, a.NestedSet, m, nil); err != nil {
			return b, err
		}
		return endNest(b, start)
	case "indexed-array":
		l, ok := asList(x)
		if !ok {
			return b, e.errorf("want a list, have %T", x)
		}
		b, start := nest(b, a.ID)
		for i, y := range l {
			sub := *a
			sub.ID, sub.Type, sub.SubType, sub.MultiAttr = uint16(i+1), a.SubType, "", false
			e.path[len(e.path)-1] = fmt.Sprintf("%s[%d]", a.Name, i)
			if b, err = e.encodeAttr(b, &sub, y); err != nil {
				return b, err
			}
		}
		e.path[len(e.path)-1] = a.Name
		return endNest(b, start)
	case "nest-type-value":
		l, ok := asList(x)
		if !ok {
			l = []any{x}
		}
		b, start := nest(b, a.ID)
		for _, y := range l {
			m, ok := asMap(y)
			if !ok {
				return b, e.errorf("want objects, have %T", y)
			}
			var starts []int
			rest := map[string]any{}
			for k, v := range m {
				if !slices.Contains(a.TypeValue, k) {
					rest[k] = v
				}
			}
			for _, name := range a.TypeValue {
				t, err := e.intOf("u16", nil, false, m[name])
				if err != nil {
					return b, err
				}
				var s int
				b, s = nest(b, uint16(t))
				starts = append(starts, s)
			}
			if b, err = e.encodeAttrs(b, a.NestedSet, rest, nil); err != nil {
				return b, err
			}
			for i := len(starts) - 1; i >= 0; i-- {
				if b, err = endNest(b, starts[i]); err != nil {
					return b, err
				}
			}
		}
		return endNest(b, start)
	case "sub-message":
		return b, e.errorf("sub-messages are encoded with their selector")
	case "pad", "unused":
		return b, e.errorf("a %s attribute carries no value", a.Type)
	}
	return b, e.errorf("type %s cannot be encoded", a.Type)
}

// check applies the spec's checks to an integer.
func (e *encoder) check(a *Attr, u uint64) error {
	if Signed(a.Type) {
		s := int64(u)
		if a.HasMin && s < a.Min {
			return e.errorf("%d is below the minimum %d", s, a.Min)
		}
		if a.HasMax && s > a.Max {
			return e.errorf("%d is above the maximum %d", s, a.Max)
		}
		return nil
	}
	if a.HasMin && a.Min > 0 && u < uint64(a.Min) {
		return e.errorf("%d is below the minimum %d", u, a.Min)
	}
	if a.HasMax && a.Max >= 0 && u > uint64(a.Max) {
		return e.errorf("%d is above the maximum %d", u, a.Max)
	}
	return nil
}

func putInt(b []byte, t, bo string, u uint64) []byte {
	o := order(bo)
	switch IntSize(t) {
	case 1:
		return append(b, byte(u))
	case 2:
		return o.AppendUint16(b, uint16(u))
	case 4:
		return o.AppendUint32(b, uint32(u))
	}
	return o.AppendUint64(b, u)
}

// intOf converts x to the bits of an integer of type t: Go integers,
// float64 and json.Number holding integers, numeric strings, enum names
// (strings) and flag names (lists of strings) of def.
func (e *encoder) intOf(t string, def *Definition, asFlags bool, x any) (uint64, error) {
	var u uint64
	var s int64
	signed := false
	switch v := x.(type) {
	case uint64:
		u = v
	case uint32:
		u = uint64(v)
	case uint16:
		u = uint64(v)
	case uint8:
		u = uint64(v)
	case uint:
		u = uint64(v)
	case int:
		s, signed = int64(v), true
	case int64:
		s, signed = v, true
	case int32:
		s, signed = int64(v), true
	case int16:
		s, signed = int64(v), true
	case int8:
		s, signed = int64(v), true
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, e.errorf("%v is not an integer", v)
		}
		if v < 0 {
			s, signed = int64(v), true
		} else {
			u = uint64(v)
		}
	case json.Number:
		return e.intOf(t, def, asFlags, string(v))
	case string:
		if n, err := strconv.ParseUint(v, 0, 64); err == nil {
			u = n
			break
		}
		if n, err := strconv.ParseInt(v, 0, 64); err == nil {
			s, signed = n, true
			break
		}
		if def == nil {
			return 0, e.errorf("%q is not a number", v)
		}
		en := def.Entry(v)
		if en == nil {
			return 0, e.errorf("%q is not an entry of %s", v, def.Name)
		}
		if isFlags(def, asFlags) {
			u = flagMask(def, en)
		} else {
			u = en.Value
		}
	case []string, []any:
		l, _ := asList(v)
		if def == nil || !isFlags(def, asFlags) {
			return 0, e.errorf("a list is only for flags")
		}
		for _, y := range l {
			m, err := e.intOf(t, def, asFlags, y)
			if err != nil {
				return 0, err
			}
			u |= m
		}
	case bool:
		if v {
			u = 1
		}
	default:
		return 0, e.errorf("want a number, have %T", x)
	}
	bits := IntSize(t) * 8
	if t == "uint" || t == "sint" {
		bits = 64
	}
	if signed {
		if !Signed(t) && s < 0 {
			return 0, e.errorf("%d is negative, %s is unsigned", s, t)
		}
		if bits < 64 && (s < -(1<<(bits-1)) || (Signed(t) && s >= 1<<(bits-1)) || s >= 1<<bits) {
			return 0, e.errorf("%d does not fit %s", s, t)
		}
		return uint64(s), nil
	}
	if bits < 64 && ((Signed(t) && u >= 1<<(bits-1)) || u >= 1<<bits) {
		return 0, e.errorf("%d does not fit %s", u, t)
	}
	if Signed(t) && bits == 64 && u > math.MaxInt64 {
		return 0, e.errorf("%d does not fit %s", u, t)
	}
	return u, nil
}

// toBytes converts a binary value: []byte, or a string in the form of the
// display hint (an address, a MAC), or hex ("0a0b", "0a:0b").
func toBytes(x any, hint string) ([]byte, error) {
	switch v := x.(type) {
	case []byte:
		return v, nil
	case netip.Addr:
		return v.AsSlice(), nil
	case string:
		switch hint {
		case "ipv4", "ipv6":
			a, err := netip.ParseAddr(v)
			if err != nil {
				return nil, err
			}
			return a.AsSlice(), nil
		case "mac":
			hw, err := net.ParseMAC(v)
			if err != nil {
				return nil, err
			}
			return hw, nil
		}
		h := strings.NewReplacer(":", "", "-", "", " ", "").Replace(strings.TrimPrefix(v, "0x"))
		p, err := hex.DecodeString(h)
		if err != nil {
			return nil, fmt.Errorf("%q is not hex", v)
		}
		return p, nil
	case []any:
		p := make([]byte, 0, len(v))
		for _, y := range v {
			f, ok := y.(float64)
			if !ok || f < 0 || f > 255 || f != math.Trunc(f) {
				return nil, fmt.Errorf("a list of bytes holds %v", y)
			}
			p = append(p, byte(f))
		}
		return p, nil
	}
	return nil, fmt.Errorf("want bytes or a hex string, have %T", x)
}

// structBytes appends struct def filled from m; members m lacks are zero.
// lenient ignores keys that are not members (a fixed header's map holds the
// attributes too).
func (e *encoder) structBytes(b []byte, def *Definition, m map[string]any, lenient bool) ([]byte, error) {
	if !lenient {
		for k := range m {
			if def.member(k) == nil {
				e.path = append(e.path, k)
				err := e.errorf("not a member of struct %s", def.Name)
				e.path = e.path[:len(e.path)-1]
				return b, err
			}
		}
	}
	start := len(b)
	b = append(b, make([]byte, def.Size)...)
	out := b[start:]
	for _, mb := range def.Members {
		x, ok := m[mb.Name]
		if !ok || x == nil || mb.Type == "pad" {
			continue
		}
		if lenient && e.set != nil && e.set.Attr(mb.Name) != nil {
			// a member and an attribute of one name (rt-addr's
			// ifa-flags): the attribute carries it.
			continue
		}
		e.path = append(e.path, mb.Name)
		dst := out[mb.Offset : mb.Offset+mb.Size]
		switch {
		case mb.StructDef != nil:
			n, ok := asMap(x)
			if !ok {
				return b, e.errorf("want an object (struct %s), have %T", mb.StructDef.Name, x)
			}
			p, err := e.structBytes(nil, mb.StructDef, n, false)
			if err != nil {
				return b, err
			}
			copy(dst, p)
		case IntSize(mb.Type) > 0:
			u, err := e.intOf(mb.Type, mb.EnumDef, mb.EnumAsFlags, x)
			if err != nil {
				return b, err
			}
			copy(dst, putInt(nil, mb.Type, mb.ByteOrder, u))
		case mb.Type == "string":
			s, ok := x.(string)
			if !ok || len(s) >= mb.Size {
				return b, e.errorf("want a string shorter than %d bytes", mb.Size)
			}
			copy(dst, s)
		default:
			p, err := toBytes(x, mb.DisplayHint)
			if err != nil {
				return b, e.errorf("%v", err)
			}
			if len(p) > mb.Size {
				return b, e.errorf("%d bytes, at most %d", len(p), mb.Size)
			}
			copy(dst, p)
		}
		e.path = e.path[:len(e.path)-1]
	}
	return b, nil
}

// selector finds the value of a sub-message's selector: in the nest being
// coded, else in the enclosing ones (tc's options are chosen by the kind at
// the top).
func selector(name string, cur map[string]any, parents []map[string]any) (string, bool) {
	if v, ok := cur[name]; ok {
		return fmt.Sprint(v), true
	}
	for i := len(parents) - 1; i >= 0; i-- {
		if v, ok := parents[i][name]; ok {
			return fmt.Sprint(v), true
		}
	}
	return "", false
}

func (sm *SubMessage) format(sel string) *SubFormat {
	for _, f := range sm.Formats {
		if f.Value == sel {
			return f
		}
	}
	return nil
}

func (d *decoder) subMessage(m map[string]any, a *Attr, b []byte) (any, error) {
	sel, ok := selector(a.Selector, m, d.parents)
	if !ok {
		return slices.Clone(b), nil // no selector: kept raw
	}
	f := a.SubMsg.format(sel)
	if f == nil {
		return slices.Clone(b), nil // a format the spec does not know: raw
	}
	n := d.newMap(0)
	if f.Header != nil {
		if len(b) < f.Header.Size {
			return nil, badLen(f.Header.Size, len(b))
		}
		d.structValue(n, f.Header, b)
		b = b[nlattr.Align(f.Header.Size):]
	}
	if f.Set != nil {
		d.parents = append(d.parents, m)
		defer func() { d.parents = d.parents[:len(d.parents)-1] }()
		if err := d.decodeAttrs(n, f.Set, b); err != nil {
			return nil, err
		}
	} else if len(b) > 0 && f.Header == nil {
		return slices.Clone(b), nil
	}
	return n, nil
}

func (e *encoder) subMessage(b []byte, a *Attr, cur map[string]any, x any) ([]byte, error) {
	sel, ok := selector(a.Selector, cur, e.parents)
	if !ok {
		return b, e.errorf("its selector %s is not given", a.Selector)
	}
	f := a.SubMsg.format(sel)
	if f == nil {
		p, err := toBytes(x, "")
		if err != nil {
			return b, e.errorf("%s %q has no format in sub-message %s; give bytes", a.Selector, sel, a.SubMsg.Name)
		}
		return appendAttr(b, a.ID, p)
	}
	m, ok := asMap(x)
	if !ok {
		return b, e.errorf("want an object, have %T", x)
	}
	b, start := nest(b, a.ID)
	var err error
	if f.Header != nil {
		if b, err = e.structBytes(b, f.Header, m, true); err != nil {
			return b, err
		}
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	e.parents = append(e.parents, cur)
	b, err = e.encodeAttrs(b, f.Set, m, f.Header)
	e.parents = e.parents[:len(e.parents)-1]
	if err != nil {
		return b, err
	}
	return endNest(b, start)
}
