package genl

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
)

// Kind says how an attribute of an AttrSet is encoded on the wire and which
// Go type holds its value in Attrs. Encoding also accepts any Go integer
// type for the integer kinds, as long as the value fits.
type Kind uint8

// Attribute kinds. The comment gives the Go type of the value.
const (
	KindInvalid     Kind = iota
	KindU8               // uint8
	KindU16              // uint16, host byte order
	KindU32              // uint32, host byte order
	KindU64              // uint64, host byte order
	KindS8               // int8
	KindS16              // int16, host byte order
	KindS32              // int32, host byte order
	KindS64              // int64, host byte order
	KindU16BE            // uint16, network byte order (ports)
	KindU32BE            // uint32, network byte order
	KindU64BE            // uint64, network byte order
	KindUint             // uint64; 4 or 8 bytes on the wire (NLA_UINT), 8 only when needed
	KindSint             // int64; 4 or 8 bytes on the wire (NLA_SINT), 8 only when needed
	KindString           // string; sent NUL-terminated, read up to the first NUL
	KindBinary           // []byte
	KindFlag             // bool: true when present (NLA_FLAG); false is not sent
	KindIPAddr           // netip.Addr: 4 bytes for IPv4, 16 for IPv6
	KindNested           // Attrs, laid out by Attr.Set
	KindNestedArray      // []Attrs: a nest of nests typed 1, 2, ..., each laid out by Attr.Set
	kindCount
)

var kindNames = [...]string{
	"invalid", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
	"u16be", "u32be", "u64be", "uint", "sint", "string", "binary", "flag", "ipaddr", "nest", "nested-array",
}

// String names the kind in the words of the YAML specs ("u32", "nest").
func (k Kind) String() string {
	if k < kindCount {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// goType is the Go type of a single value of kind k, as decoded.
func (k Kind) goType() reflect.Type {
	switch k {
	case KindU8:
		return reflect.TypeFor[uint8]()
	case KindU16, KindU16BE:
		return reflect.TypeFor[uint16]()
	case KindU32, KindU32BE:
		return reflect.TypeFor[uint32]()
	case KindU64, KindU64BE, KindUint:
		return reflect.TypeFor[uint64]()
	case KindS8:
		return reflect.TypeFor[int8]()
	case KindS16:
		return reflect.TypeFor[int16]()
	case KindS32:
		return reflect.TypeFor[int32]()
	case KindS64, KindSint:
		return reflect.TypeFor[int64]()
	case KindString:
		return reflect.TypeFor[string]()
	case KindBinary:
		return reflect.TypeFor[[]byte]()
	case KindFlag:
		return reflect.TypeFor[bool]()
	case KindIPAddr:
		return reflect.TypeFor[netip.Addr]()
	case KindNested:
		return reflect.TypeFor[Attrs]()
	case KindNestedArray:
		return reflect.TypeFor[[]Attrs]()
	}
	return reflect.TypeFor[[]byte]() // invalid kinds decode to their bytes
}

// Attr describes one attribute of an AttrSet.
type Attr struct {
	Name string // key in Attrs, e.g. "ifindex"
	Type uint16 // attribute type on the wire, e.g. NETDEV_A_DEV_IFINDEX = 1
	Kind Kind   // encoding, and Go type in Attrs
	// Set lays out the attributes inside a KindNested or
	// KindNestedArray attribute. It may be the enclosing set (recursion).
	Set *AttrSet
	// Multi marks an attribute that may appear several times (YAML
	// "multi-attr"): its value in Attrs is a slice of the kind's Go type,
	// e.g. []uint32 or []Attrs, one element per occurrence.
	Multi bool
}

// AttrSet describes a set of attributes, the layout of a message's
// attributes or of a nest's: YAML's "attribute-set". Describe your family
// with AttrSets and a Spec, and Client (or Append and Decode) turn Attrs
// into bytes and back.
//
// An AttrSet is read-only once in use: any number of goroutines may encode
// and decode with it at once.
type AttrSet struct {
	Name  string // for messages, e.g. "dev"
	Attrs []Attr // in the order they are encoded
}

// Attrs is a value tree of attributes by name, as laid out by an AttrSet:
// each value has the Go type of its attribute's Kind (a slice of it for a
// Multi attribute). Read values with Value.
type Attrs map[string]any

// Value returns the value named name if it is present and has type T.
//
//	ifindex, ok := genl.Value[uint32](attrs, "ifindex")
func Value[T any](v Attrs, name string) (T, bool) {
	x, ok := v[name].(T)
	return x, ok
}

// Attr returns the attribute called name.
func (s *AttrSet) Attr(name string) (Attr, bool) {
	for _, a := range s.Attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// byType returns the attribute with wire type typ.
func (s *AttrSet) byType(typ uint16) (*Attr, bool) {
	for i := range s.Attrs {
		if s.Attrs[i].Type == typ {
			return &s.Attrs[i], true
		}
	}
	return nil, false
}

// Validate checks s and every set it reaches: names and types unique in a
// set, kinds known, nested kinds with a Set.
func (s *AttrSet) Validate() error {
	return s.validate(make(map[*AttrSet]bool))
}

func (s *AttrSet) validate(seen map[*AttrSet]bool) error {
	if seen[s] {
		return nil
	}
	seen[s] = true
	var errs []error
	names := make(map[string]bool)
	types := make(map[uint16]bool)
	for _, a := range s.Attrs {
		switch {
		case a.Name == "":
			errs = append(errs, fmt.Errorf("attribute type %d has no name", a.Type))
		case names[a.Name]:
			errs = append(errs, fmt.Errorf("attribute name %q is used twice", a.Name))
		case types[a.Type]:
			errs = append(errs, fmt.Errorf("attribute %s: type %d is used twice", a.Name, a.Type))
		case a.Type == 0 || a.Type > nlattr.TypeMask:
			errs = append(errs, fmt.Errorf("attribute %s: type %d out of range 1-%d", a.Name, a.Type, nlattr.TypeMask))
		case a.Kind == KindInvalid || a.Kind >= kindCount:
			errs = append(errs, fmt.Errorf("attribute %s: invalid kind %v", a.Name, a.Kind))
		case (a.Kind == KindNested || a.Kind == KindNestedArray) && a.Set == nil:
			errs = append(errs, fmt.Errorf("attribute %s: kind %v without a Set", a.Name, a.Kind))
		case a.Set != nil && a.Kind != KindNested && a.Kind != KindNestedArray:
			errs = append(errs, fmt.Errorf("attribute %s: kind %v with a Set", a.Name, a.Kind))
		}
		names[a.Name], types[a.Type] = true, true
		if a.Set != nil {
			if err := a.Set.validate(seen); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("genl: attribute set %s: %w", s.Name, err)
	}
	return nil
}

// maxEncodeDepth bounds the nesting of values being encoded, so that a
// value tree containing itself is an error, not a stack overflow.
const maxEncodeDepth = nlattr.MaxDepth

// Append encodes v as attributes laid out by s and appends them to b. The
// attributes are written in the order of s.Attrs, whatever the map order.
// A name s does not describe, a value of the wrong Go type or an integer
// out of its kind's range is an error (then b is returned unchanged).
func (s *AttrSet) Append(b []byte, v Attrs) ([]byte, error) {
	e := nlattr.NewEncoder(b)
	if err := s.encode(e, v, 0); err != nil {
		return b, err
	}
	out, err := e.Finish()
	if err != nil {
		return b, fmt.Errorf("genl: encoding %s: %w", s.Name, err)
	}
	return out, nil
}

func (s *AttrSet) encode(e *nlattr.Encoder, v Attrs, depth int) error {
	if depth > maxEncodeDepth {
		return fmt.Errorf("genl: encoding %s: values nested deeper than %d", s.Name, maxEncodeDepth)
	}
	for name := range v {
		if _, ok := s.Attr(name); !ok {
			return fmt.Errorf("genl: encoding %s: no attribute %q in the set", s.Name, name)
		}
	}
	for i := range s.Attrs {
		a := &s.Attrs[i]
		val, ok := v[a.Name]
		if !ok || val == nil {
			continue
		}
		if !a.Multi {
			if err := s.encodeOne(e, a, val, depth); err != nil {
				return err
			}
			continue
		}
		rv := reflect.ValueOf(val)
		if rv.Kind() != reflect.Slice || (a.Kind == KindBinary && rv.Type() == reflect.TypeFor[[]byte]()) {
			return fmt.Errorf("genl: encoding %s: attribute %s is multi-attr: want a slice of %v, have %T", s.Name, a.Name, a.Kind.goType(), val)
		}
		for j := range rv.Len() {
			if err := s.encodeOne(e, a, rv.Index(j).Interface(), depth); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *AttrSet) encodeOne(e *nlattr.Encoder, a *Attr, val any, depth int) error {
	wrongType := func() error {
		return fmt.Errorf("genl: encoding %s: attribute %s (%v) cannot hold %T", s.Name, a.Name, a.Kind, val)
	}
	outOfRange := func() error {
		return fmt.Errorf("genl: encoding %s: attribute %s (%v): value %v out of range", s.Name, a.Name, a.Kind, val)
	}
	switch a.Kind {
	case KindU8, KindU16, KindU32, KindU64, KindU16BE, KindU32BE, KindU64BE, KindUint:
		u, ok, neg := toUint64(val)
		if !ok {
			return wrongType()
		}
		if neg || u > maxUnsigned(a.Kind) {
			return outOfRange()
		}
		switch a.Kind {
		case KindU8:
			e.Uint8(a.Type, uint8(u))
		case KindU16:
			e.Uint16(a.Type, uint16(u))
		case KindU32:
			e.Uint32(a.Type, uint32(u))
		case KindU64:
			e.Uint64(a.Type, u)
		case KindU16BE:
			e.Uint16BE(a.Type, uint16(u))
		case KindU32BE:
			e.Uint32BE(a.Type, uint32(u))
		case KindU64BE:
			e.Uint64BE(a.Type, u)
		case KindUint:
			if u <= math.MaxUint32 {
				e.Uint32(a.Type, uint32(u))
			} else {
				e.Uint64(a.Type, u)
			}
		}
	case KindS8, KindS16, KindS32, KindS64, KindSint:
		n, ok := toInt64(val)
		if !ok {
			return wrongType()
		}
		lo, hi := signedRange(a.Kind)
		if n < lo || n > hi {
			return outOfRange()
		}
		switch a.Kind {
		case KindS8:
			e.Int8(a.Type, int8(n))
		case KindS16:
			e.Int16(a.Type, int16(n))
		case KindS32:
			e.Int32(a.Type, int32(n))
		case KindS64:
			e.Int64(a.Type, n)
		case KindSint:
			if n >= math.MinInt32 && n <= math.MaxInt32 {
				e.Int32(a.Type, int32(n))
			} else {
				e.Int64(a.Type, n)
			}
		}
	case KindString:
		str, ok := val.(string)
		if !ok {
			return wrongType()
		}
		e.String(a.Type, str)
	case KindBinary:
		b, ok := val.([]byte)
		if !ok {
			return wrongType()
		}
		e.Bytes(a.Type, b)
	case KindFlag:
		f, ok := val.(bool)
		if !ok {
			return wrongType()
		}
		if f {
			e.Flag(a.Type)
		}
	case KindIPAddr:
		addr, ok := val.(netip.Addr)
		if !ok {
			return wrongType()
		}
		if !addr.IsValid() {
			return fmt.Errorf("genl: encoding %s: attribute %s: invalid (zero) address", s.Name, a.Name)
		}
		e.Addr(a.Type, addr)
	case KindNested:
		nv, ok := asAttrs(val)
		if !ok {
			return wrongType()
		}
		e.Nest(a.Type)
		if err := a.Set.encode(e, nv, depth+1); err != nil {
			return err
		}
		e.End()
	case KindNestedArray:
		list, ok := val.([]Attrs)
		if !ok {
			return wrongType()
		}
		if len(list) > int(nlattr.TypeMask) {
			return outOfRange()
		}
		e.Nest(a.Type)
		for i, el := range list {
			e.Nest(uint16(i + 1))
			if err := a.Set.encode(e, el, depth+1); err != nil {
				return err
			}
			e.End()
		}
		e.End()
	default:
		return fmt.Errorf("genl: encoding %s: attribute %s has invalid kind %v", s.Name, a.Name, a.Kind)
	}
	if err := e.Err(); err != nil {
		return fmt.Errorf("genl: encoding %s: attribute %s: %w", s.Name, a.Name, err)
	}
	return nil
}

func asAttrs(v any) (Attrs, bool) {
	switch m := v.(type) {
	case Attrs:
		return m, true
	case map[string]any:
		return m, true
	}
	return nil, false
}

func maxUnsigned(k Kind) uint64 {
	switch k {
	case KindU8:
		return math.MaxUint8
	case KindU16, KindU16BE:
		return math.MaxUint16
	case KindU32, KindU32BE:
		return math.MaxUint32
	}
	return math.MaxUint64
}

func signedRange(k Kind) (int64, int64) {
	switch k {
	case KindS8:
		return math.MinInt8, math.MaxInt8
	case KindS16:
		return math.MinInt16, math.MaxInt16
	case KindS32:
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// toUint64 converts any Go integer; neg reports a negative value.
func toUint64(v any) (u uint64, ok, neg bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint(), true, false
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		return uint64(n), true, n < 0
	}
	return 0, false, false
}

// toInt64 converts any Go integer that fits an int64.
func toInt64(v any) (int64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u), true
		}
		return math.MaxInt64, true // out of every signed range: reported as such
	}
	return 0, false
}

// Decode decodes the attributes in b as laid out by s. Attribute types s
// does not describe are skipped (the kernel may be newer than the spec); a
// described attribute with a payload of the wrong size, malformed
// attributes or nesting deeper than nlattr.MaxDepth give an error. The
// values do not alias b.
func (s *AttrSet) Decode(b []byte) (Attrs, error) {
	d := nlattr.NewDecoder(b)
	v := s.decode(&d)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("genl: decoding %s: %w", s.Name, err)
	}
	return v, nil
}

func (s *AttrSet) decode(d *nlattr.Decoder) Attrs {
	v := make(Attrs)
	for d.Next() {
		a, ok := s.byType(d.Type())
		if !ok {
			continue
		}
		val := a.decodeOne(d)
		if d.Err() != nil {
			return v
		}
		if !a.Multi {
			v[a.Name] = val
			continue
		}
		list := reflect.ValueOf(v[a.Name])
		if !list.IsValid() {
			list = reflect.MakeSlice(reflect.SliceOf(a.Kind.goType()), 0, 1)
		}
		v[a.Name] = reflect.Append(list, reflect.ValueOf(val)).Interface()
	}
	return v
}

func (a *Attr) decodeOne(d *nlattr.Decoder) any {
	switch a.Kind {
	case KindU8:
		return d.Uint8()
	case KindU16:
		return d.Uint16()
	case KindU32:
		return d.Uint32()
	case KindU64:
		return d.Uint64()
	case KindS8:
		return d.Int8()
	case KindS16:
		return d.Int16()
	case KindS32:
		return d.Int32()
	case KindS64:
		return d.Int64()
	case KindU16BE:
		return d.Uint16BE()
	case KindU32BE:
		return d.Uint32BE()
	case KindU64BE:
		return d.Uint64BE()
	case KindUint:
		if d.Len() == 4 {
			return uint64(d.Uint32())
		}
		return d.Uint64()
	case KindSint:
		if d.Len() == 4 {
			return int64(d.Int32())
		}
		return d.Int64()
	case KindString:
		return d.String()
	case KindBinary:
		return bytes.Clone(d.Bytes())
	case KindFlag:
		return true
	case KindIPAddr:
		return d.Addr()
	case KindNested:
		nd := d.Nested()
		return setOrEmpty(a.Set).decode(&nd)
	case KindNestedArray:
		var list []Attrs
		nd := d.Nested()
		for nd.Next() {
			ed := nd.Nested()
			list = append(list, setOrEmpty(a.Set).decode(&ed))
		}
		if list == nil {
			list = []Attrs{}
		}
		return list
	}
	return bytes.Clone(d.Bytes()) // KindInvalid: keep the bytes
}

func setOrEmpty(s *AttrSet) *AttrSet {
	if s == nil {
		return &AttrSet{}
	}
	return s
}

// Format writes v as one line of "name value" pairs in the order of s,
// nests in braces and multi-attributes in brackets, in the spirit of
// iproute2's output: "family 2 id 1 addr4 10.0.0.1 flags 1". Binary values
// are in hex. Names s does not describe come last, sorted.
func (s *AttrSet) Format(v Attrs) string {
	var b strings.Builder
	s.format(&b, v, 0)
	return b.String()
}

func (s *AttrSet) format(b *strings.Builder, v Attrs, depth int) {
	if depth > maxEncodeDepth {
		b.WriteString("...")
		return
	}
	first := true
	sep := func() {
		if !first {
			b.WriteByte(' ')
		}
		first = false
	}
	for i := range s.Attrs {
		a := &s.Attrs[i]
		val, ok := v[a.Name]
		if !ok {
			continue
		}
		sep()
		b.WriteString(a.Name)
		if a.Kind == KindFlag && !a.Multi {
			if f, _ := val.(bool); !f {
				b.WriteString(" false")
			}
			continue
		}
		b.WriteByte(' ')
		if a.Multi {
			rv := reflect.ValueOf(val)
			if rv.Kind() != reflect.Slice {
				fmt.Fprint(b, val)
				continue
			}
			b.WriteByte('[')
			for j := range rv.Len() {
				if j > 0 {
					b.WriteByte(' ')
				}
				a.formatOne(b, rv.Index(j).Interface(), depth)
			}
			b.WriteByte(']')
			continue
		}
		a.formatOne(b, val, depth)
	}
	var extra []string
	for name := range v {
		if _, ok := s.Attr(name); !ok {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		sep()
		fmt.Fprintf(b, "%s %v", name, v[name])
	}
}

func (a *Attr) formatOne(b *strings.Builder, val any, depth int) {
	switch x := val.(type) {
	case []byte:
		b.WriteString(hex.EncodeToString(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case Attrs:
		b.WriteByte('{')
		setOrEmpty(a.Set).format(b, x, depth+1)
		b.WriteByte('}')
	case []Attrs:
		b.WriteByte('[')
		for i, el := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteByte('{')
			setOrEmpty(a.Set).format(b, el, depth+1)
			b.WriteByte('}')
		}
		b.WriteByte(']')
	default:
		fmt.Fprint(b, val)
	}
}

// CheckPolicy compares s with the kernel's policy for the same attributes
// (from Conn.Policy or Conn.CommandPolicy) and reports every attribute the
// kernel validates with a kind s encodes differently, nested sets
// included. Attributes only one side describes are not reported: specs
// describe replies too, and kernels grow. It is meant for tests of specs.
func (s *AttrSet) CheckPolicy(p *PolicySet) error {
	var errs []error
	s.checkPolicy(p, s.Name, make(map[[2]any]bool), &errs)
	return errors.Join(errs...)
}

func (s *AttrSet) checkPolicy(p *PolicySet, path string, seen map[[2]any]bool, errs *[]error) {
	key := [2]any{s, p}
	if seen[key] {
		return
	}
	seen[key] = true
	for _, ap := range p.Attrs {
		a, ok := s.byType(ap.Type)
		if !ok {
			continue
		}
		if !compatible(a.Kind, ap) {
			*errs = append(*errs, fmt.Errorf("genl: %s.%s (type %d): spec says %v, kernel policy says %v", path, a.Name, a.Type, a.Kind, ap))
			continue
		}
		if a.Set != nil && ap.Nested != nil {
			a.Set.checkPolicy(ap.Nested, path+"."+a.Name, seen, errs)
		}
	}
}

// compatible reports whether an attribute of kind k passes a policy.
func compatible(k Kind, p AttrPolicy) bool {
	switch p.Kind {
	case PolicyFlag:
		return k == KindFlag
	case PolicyU8:
		return k == KindU8
	case PolicyU16:
		return k == KindU16 || k == KindU16BE
	case PolicyU32:
		return k == KindU32 || k == KindU32BE || k == KindIPAddr && p.MaxLength <= 4
	case PolicyU64:
		return k == KindU64 || k == KindU64BE
	case PolicyS8:
		return k == KindS8
	case PolicyS16:
		return k == KindS16
	case PolicyS32:
		return k == KindS32
	case PolicyS64:
		return k == KindS64
	case PolicyUint:
		return k == KindUint
	case PolicySint:
		return k == KindSint
	case PolicyString, PolicyNulString:
		return k == KindString
	case PolicyBinary:
		switch k {
		case KindBinary, KindString:
			return true
		case KindIPAddr:
			return (p.MinLength == 0 || p.MinLength <= 16) && (p.MaxLength == 0 || p.MaxLength >= 4)
		}
		return false
	case PolicyNested:
		return k == KindNested
	case PolicyNestedArray:
		return k == KindNestedArray
	case PolicyBitfield32:
		return k == KindBinary || k == KindU64
	}
	return true // a kind newer than this package: cannot tell
}
