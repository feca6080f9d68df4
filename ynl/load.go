package ynl

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// yamlScalar is a YAML value that may be a number or a name ("len-or-define",
// "len-or-limit"): kept as written, resolved against the const definitions.
type yamlScalar string

// UnmarshalYAML keeps the scalar as written.
func (s *yamlScalar) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a number or a name", n.Line)
	}
	*s = yamlScalar(n.Value)
	return nil
}

// UnmarshalYAML reads an entry written as a plain name or as an object
// {name, value, doc}. Unknown keys are errors, as everywhere in a spec.
func (e *EnumEntry) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		e.Name = n.Value
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			switch k {
			case "name":
				e.Name = v.Value
			case "doc":
				e.Doc = v.Value
			case "value":
				u, err := strconv.ParseUint(v.Value, 0, 64)
				if err != nil {
					return fmt.Errorf("line %d: entry value %q: not an unsigned integer", v.Line, v.Value)
				}
				e.explicit = &u
			default:
				return fmt.Errorf("line %d: field %s not found in type ynl.EnumEntry", n.Content[i].Line, k)
			}
		}
		if e.Name == "" {
			return fmt.Errorf("line %d: entry without a name", n.Line)
		}
		return nil
	}
	return fmt.Errorf("line %d: entry must be a name or an object", n.Line)
}

// NewSpec decodes a spec (the YAML text of one file of
// Documentation/netlink/specs) strictly and resolves it: unknown keys,
// unknown types and words, dangling references (sets, enums, structs,
// sub-messages, fixed headers, attributes an operation lists) and duplicate
// names are errors. The error names the spec and the object. The Spec does
// not alias b.
func NewSpec(b []byte) (*Spec, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	s := new(Spec)
	if err := dec.Decode(s); err != nil {
		return nil, fmt.Errorf("ynl: decode spec: %w", err)
	}
	if err := s.resolve(); err != nil {
		name := s.Name
		if name == "" {
			name = "(unnamed)"
		}
		return nil, fmt.Errorf("ynl: spec %s: %w", name, err)
	}
	return s, nil
}

// SpecFile is NewSpec for the spec in the file at path.
func SpecFile(path string) (*Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ynl: %w", err)
	}
	s, err := NewSpec(b)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return s, nil
}

// SpecPath returns the path of the spec of family name in dir, a copy of
// the kernel's Documentation/netlink/specs. Kernels up to 6.12 name the
// route families' files rt_addr.yaml, rt_link.yaml ...; later ones
// rt-addr.yaml: both are tried, and either spelling of name works.
func SpecPath(dir, name string) (string, error) {
	cands := []string{name, strings.ReplaceAll(name, "_", "-"), strings.ReplaceAll(name, "-", "_")}
	for _, c := range cands {
		p := filepath.Join(dir, c+".yaml")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("ynl: no spec for family %q in %s", name, dir)
}

var (
	protocols  = []string{"genetlink", "genetlink-c", "genetlink-legacy", "netlink-raw"}
	attrTypes  = []string{"unused", "pad", "flag", "binary", "bitfield32", "uint", "sint", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "string", "nest", "indexed-array", "nest-type-value", "sub-message"}
	memberType = []string{"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "string", "binary", "pad"}
	hints      = []string{"", "hex", "mac", "fddi", "ipv4", "ipv6", "uuid"}
	orders     = []string{"", "little-endian", "big-endian"}
)

// IntSize returns the size in bytes of a fixed-width integer type ("u8" ...
// "s64"), 0 for other types.
func IntSize(t string) int {
	switch t {
	case "u8", "s8":
		return 1
	case "u16", "s16":
		return 2
	case "u32", "s32":
		return 4
	case "u64", "s64":
		return 8
	}
	return 0
}

// Signed reports whether type t is a signed integer ("s8" ... "s64", "sint").
func Signed(t string) bool { return strings.HasPrefix(t, "s") && t != "string" && t != "sub-message" }

func (s *Spec) resolve() error {
	if s.Name == "" {
		return errors.New("no name")
	}
	if err := s.noEmptyEntries(); err != nil {
		return err
	}
	if s.Protocol == "" {
		s.Protocol = "genetlink"
	}
	if !slices.Contains(protocols, s.Protocol) {
		return fmt.Errorf("unknown protocol %q", s.Protocol)
	}
	if s.Protocol == "netlink-raw" && (s.Protonum < 0 || s.Protonum > 31) {
		return fmt.Errorf("protonum %d out of range", s.Protonum)
	}
	s.defs = map[string]*Definition{}
	s.sets = map[string]*AttrSet{}
	s.subs = map[string]*SubMessage{}
	s.ops = map[string]*Operation{}
	s.groups = map[string]*McastGroup{}
	s.byReply = map[uint32][]*Operation{}

	for _, d := range s.Definitions {
		if _, dup := s.defs[d.Name]; dup || d.Name == "" {
			return fmt.Errorf("definition %q: duplicate or empty name", d.Name)
		}
		s.defs[d.Name] = d
	}
	// consts first: lengths and limits refer to them.
	for _, d := range s.Definitions {
		if d.Type == "const" {
			if d.Value == "" {
				return fmt.Errorf("const %s: no value", d.Name)
			}
			// A const is a number, or a string (team's group name).
			if v, err := s.number(d.Value); err == nil {
				d.ConstValue = v
			} else {
				d.ConstString = string(d.Value)
				d.IsString = true
			}
		}
	}
	for _, d := range s.Definitions {
		if err := s.resolveDef(d); err != nil {
			return fmt.Errorf("definition %s: %w", d.Name, err)
		}
	}
	for _, d := range s.Definitions {
		if d.Type == "struct" {
			if err := s.layout(d, 0); err != nil {
				return fmt.Errorf("struct %s: %w", d.Name, err)
			}
		}
	}
	for _, set := range s.AttributeSets {
		if _, dup := s.sets[set.Name]; dup || set.Name == "" {
			return fmt.Errorf("attribute set %q: duplicate or empty name", set.Name)
		}
		s.sets[set.Name] = set
	}
	for _, sm := range s.SubMessages {
		if _, dup := s.subs[sm.Name]; dup || sm.Name == "" {
			return fmt.Errorf("sub-message %q: duplicate or empty name", sm.Name)
		}
		s.subs[sm.Name] = sm
	}
	// Sets that are not subsets first: subsets take their attributes from them.
	for _, set := range s.AttributeSets {
		if set.SubsetOf == "" {
			if err := s.resolveSet(set); err != nil {
				return fmt.Errorf("attribute set %s: %w", set.Name, err)
			}
		}
	}
	for _, set := range s.AttributeSets {
		if set.SubsetOf != "" {
			if err := s.resolveSubset(set); err != nil {
				return fmt.Errorf("attribute set %s: %w", set.Name, err)
			}
		}
	}
	for _, set := range s.AttributeSets {
		for _, a := range set.Attributes {
			if err := s.resolveRefs(a); err != nil {
				return fmt.Errorf("attribute set %s: attribute %s: %w", set.Name, a.Name, err)
			}
		}
	}
	for _, sm := range s.SubMessages {
		for _, f := range sm.Formats {
			if f.Value == "" {
				return fmt.Errorf("sub-message %s: format without a value", sm.Name)
			}
			if f.FixedHeader != "" {
				d := s.defs[f.FixedHeader]
				if d == nil || d.Type != "struct" {
					return fmt.Errorf("sub-message %s: fixed-header %q is not a struct", sm.Name, f.FixedHeader)
				}
				f.Header = d
			}
			if f.AttributeSet != "" {
				if f.Set = s.sets[f.AttributeSet]; f.Set == nil {
					return fmt.Errorf("sub-message %s: unknown attribute set %q", sm.Name, f.AttributeSet)
				}
			}
		}
	}
	if err := s.resolveOps(); err != nil {
		return err
	}
	if s.McastGroups != nil {
		for _, g := range s.McastGroups.List {
			if _, dup := s.groups[g.Name]; dup || g.Name == "" {
				return fmt.Errorf("multicast group %q: duplicate or empty name", g.Name)
			}
			if err := oneOf("flag", g.Flags, "admin-perm", "uns-admin-perm"); err != nil {
				return fmt.Errorf("multicast group %s: %w", g.Name, err)
			}
			s.groups[g.Name] = g
		}
	}
	return nil
}

// noEmptyEntries refuses list entries left empty ("-" alone in YAML).
func (s *Spec) noEmptyEntries() error {
	empty := func(what string, n int, isNil func(int) bool) error {
		for i := range n {
			if isNil(i) {
				return fmt.Errorf("%s: entry %d is empty", what, i)
			}
		}
		return nil
	}
	errs := []error{
		empty("definitions", len(s.Definitions), func(i int) bool { return s.Definitions[i] == nil }),
		empty("attribute-sets", len(s.AttributeSets), func(i int) bool { return s.AttributeSets[i] == nil }),
		empty("sub-messages", len(s.SubMessages), func(i int) bool { return s.SubMessages[i] == nil }),
		empty("operations", len(s.Operations.List), func(i int) bool { return s.Operations.List[i] == nil }),
	}
	if s.McastGroups != nil {
		errs = append(errs, empty("mcast-groups", len(s.McastGroups.List), func(i int) bool { return s.McastGroups.List[i] == nil }))
	}
	for _, d := range s.Definitions {
		if d == nil {
			continue
		}
		errs = append(errs, empty("definition "+d.Name+" entries", len(d.Entries), func(i int) bool { return d.Entries[i] == nil }),
			empty("definition "+d.Name+" members", len(d.Members), func(i int) bool { return d.Members[i] == nil }))
	}
	for _, a := range s.AttributeSets {
		if a == nil {
			continue
		}
		errs = append(errs, empty("attribute set "+a.Name, len(a.Attributes), func(i int) bool { return a.Attributes[i] == nil }))
	}
	for _, m := range s.SubMessages {
		if m == nil {
			continue
		}
		errs = append(errs, empty("sub-message "+m.Name, len(m.Formats), func(i int) bool { return m.Formats[i] == nil }))
	}
	return errors.Join(errs...)
}

func oneOf(what string, got []string, allowed ...string) error {
	for _, g := range got {
		if !slices.Contains(allowed, g) {
			return fmt.Errorf("unknown %s %q", what, g)
		}
	}
	return nil
}

// number resolves a len-or-define / len-or-limit: a number, a const's name
// (optionally "NAME - 1"), or a type limit ("u32-max", "s16-min").
func (s *Spec) number(v yamlScalar) (int64, error) {
	str := strings.TrimSpace(string(v))
	if str == "" {
		return 0, errors.New("missing value")
	}
	if n, err := strconv.ParseInt(str, 0, 64); err == nil {
		return n, nil
	}
	if n, err := strconv.ParseUint(str, 0, 64); err == nil {
		return int64(n), nil
	}
	minus := int64(0)
	if name, ok := strings.CutSuffix(str, " - 1"); ok {
		str, minus = name, 1
	}
	if d, ok := s.defs[str]; ok && d.Type == "const" {
		return d.ConstValue - minus, nil
	}
	if t, lim, ok := strings.Cut(str, "-"); ok && IntSize(t) > 0 && (lim == "max" || lim == "min") {
		bits := IntSize(t) * 8
		switch {
		case Signed(t) && lim == "max":
			return int64(1)<<(bits-1) - 1 - minus, nil
		case Signed(t):
			return -(int64(1) << (bits - 1)) - minus, nil
		case lim == "max" && bits == 64:
			return math.MaxInt64, nil // the limit of the int64 we hold checks in
		case lim == "max":
			return int64(1)<<bits - 1 - minus, nil
		default:
			return 0, nil
		}
	}
	return 0, fmt.Errorf("%q is neither a number nor a const", string(v))
}

func (s *Spec) resolveDef(d *Definition) error {
	switch d.Type {
	case "const":
		return nil
	case "enum", "flags":
		d.noFlags = []string{}
		var next uint64
		if d.ValueStart != "" {
			v, err := s.number(d.ValueStart)
			if err != nil || v < 0 {
				return fmt.Errorf("value-start: %v", err)
			}
			next = uint64(v)
		}
		seen := map[string]bool{}
		for _, e := range d.Entries {
			if seen[e.Name] {
				return fmt.Errorf("duplicate entry %q", e.Name)
			}
			seen[e.Name] = true
			e.boxed = e.Name
			if e.explicit != nil {
				next = *e.explicit
			}
			if d.Type == "flags" {
				if e.explicit != nil {
					// an explicit value of a flag is its mask
					e.Value = next
					next = uint64(bitsLen(next))
					continue
				}
				if next > 63 {
					return fmt.Errorf("flag %s: bit %d out of range", e.Name, next)
				}
				e.Value = 1 << next
			} else {
				e.Value = next
			}
			next++
		}
		return nil
	case "struct":
		if len(d.Members) == 0 && d.Header == "" {
			return errors.New("struct without members")
		}
		return nil
	}
	return fmt.Errorf("unknown type %q", d.Type)
}

func bitsLen(v uint64) int {
	n := 0
	for v > 0 {
		v >>= 1
		n++
	}
	return n
}

func (s *Spec) layout(d *Definition, depth int) error {
	if d.Size > 0 || len(d.Members) == 0 {
		return nil
	}
	if depth > 8 {
		return errors.New("structs nested too deep (a cycle?)")
	}
	off := 0
	seen := map[string]bool{}
	for _, m := range d.Members {
		if seen[m.Name] {
			return fmt.Errorf("duplicate member %q", m.Name)
		}
		seen[m.Name] = true
		if !slices.Contains(memberType, m.Type) {
			return fmt.Errorf("member %s: unknown type %q", m.Name, m.Type)
		}
		if !slices.Contains(orders, m.ByteOrder) || !slices.Contains(hints, m.DisplayHint) {
			return fmt.Errorf("member %s: unknown byte-order or display-hint", m.Name)
		}
		if m.Enum != "" {
			e := s.defs[m.Enum]
			if e == nil || (e.Type != "enum" && e.Type != "flags") {
				return fmt.Errorf("member %s: enum %q is not an enum or flags", m.Name, m.Enum)
			}
			m.EnumDef = e
		}
		switch {
		case m.Struct != "":
			sd := s.defs[m.Struct]
			if sd == nil || sd.Type != "struct" {
				return fmt.Errorf("member %s: struct %q is not a struct", m.Name, m.Struct)
			}
			if err := s.layout(sd, depth+1); err != nil {
				return err
			}
			m.StructDef = sd
			m.Size = sd.Size
		case IntSize(m.Type) > 0:
			m.Size = IntSize(m.Type)
		default:
			n, err := s.number(m.Len)
			if err != nil || n < 0 || n > 65535 {
				return fmt.Errorf("member %s: len: %v", m.Name, err)
			}
			m.Size = int(n)
		}
		m.Offset = off
		off += m.Size
	}
	d.Size = off
	return nil
}

func (s *Spec) resolveSet(set *AttrSet) error {
	set.byName = map[string]*Attr{}
	set.byValue = map[uint16]*Attr{}
	next := 1
	for i, a := range set.Attributes {
		a.index = i
		if a.Name == "" {
			return errors.New("attribute without a name")
		}
		if _, dup := set.byName[a.Name]; dup {
			return fmt.Errorf("duplicate attribute %q", a.Name)
		}
		if a.Value != nil {
			next = *a.Value
		}
		if next < 0 || next > 0x3fff {
			return fmt.Errorf("attribute %s: value %d out of range", a.Name, next)
		}
		a.ID = uint16(next)
		next++
		if a.Type == "" {
			return fmt.Errorf("attribute %s: no type", a.Name)
		}
		set.byName[a.Name] = a
		if a.Type != "unused" {
			if o, dup := set.byValue[a.ID]; dup {
				return fmt.Errorf("attributes %s and %s share value %d", o.Name, a.Name, a.ID)
			}
			set.byValue[a.ID] = a
		}
	}
	set.index()
	return nil
}

// index fills byID, the dense form of byValue that decoding looks attributes
// up in (sets numbered beyond maxDenseID keep to the map).
func (set *AttrSet) index() {
	const maxDenseID = 1024
	n := 0
	for id := range set.byValue {
		n = max(n, int(id)+1)
	}
	if n > maxDenseID {
		return
	}
	set.byID = make([]*Attr, n)
	for id, a := range set.byValue {
		set.byID[id] = a
	}
}

func (s *Spec) resolveSubset(set *AttrSet) error {
	if set.NamePrefix != "" {
		return errors.New("a subset takes its names from its set: name-prefix is not allowed")
	}
	parent := s.sets[set.SubsetOf]
	if parent == nil || parent.SubsetOf != "" {
		return fmt.Errorf("subset-of %q: no such (full) attribute set", set.SubsetOf)
	}
	set.byName = map[string]*Attr{}
	set.byValue = map[uint16]*Attr{}
	// A subset listing an attribute twice (6.12's devlink does) means it
	// once.
	var attrs []*Attr
	for _, a := range set.Attributes {
		if slices.ContainsFunc(attrs, func(b *Attr) bool { return b.Name == a.Name }) {
			s.Warnings = append(s.Warnings, fmt.Sprintf("attribute set %s lists %s twice", set.Name, a.Name))
			continue
		}
		attrs = append(attrs, a)
	}
	set.Attributes = attrs
	for i, a := range set.Attributes {
		p := parent.byName[a.Name]
		if p == nil {
			return fmt.Errorf("attribute %s is not in %s", a.Name, parent.Name)
		}
		if a.Type != "" && a.Type != p.Type {
			return fmt.Errorf("attribute %s: type %s differs from %s's %s", a.Name, a.Type, parent.Name, p.Type)
		}
		// The subset may narrow the nest of an attribute; the rest
		// comes from the full set.
		c := *p
		if a.NestedAttrs != "" {
			c.NestedAttrs = a.NestedAttrs
		}
		if a.Checks != nil {
			c.Checks = a.Checks
		}
		if a.MultiAttr {
			c.MultiAttr = true
		}
		c.index = i
		set.Attributes[i] = &c
		set.byName[c.Name] = &c
		set.byValue[c.ID] = &c
	}
	set.index()
	return nil
}

func (s *Spec) resolveRefs(a *Attr) error {
	if !slices.Contains(attrTypes, a.Type) {
		return fmt.Errorf("unknown type %q", a.Type)
	}
	if !slices.Contains(orders, a.ByteOrder) || !slices.Contains(hints, a.DisplayHint) {
		return fmt.Errorf("unknown byte-order %q or display-hint %q", a.ByteOrder, a.DisplayHint)
	}
	if a.NestedAttrs != "" {
		if a.NestedSet = s.sets[a.NestedAttrs]; a.NestedSet == nil {
			return fmt.Errorf("nested-attributes %q: no such attribute set", a.NestedAttrs)
		}
	}
	switch a.Type {
	case "nest", "nest-type-value":
		if a.NestedSet == nil {
			return errors.New("a nest needs nested-attributes")
		}
		if a.Type == "nest-type-value" && len(a.TypeValue) == 0 {
			return errors.New("nest-type-value needs type-value")
		}
	case "indexed-array":
		if !slices.Contains(attrTypes, a.SubType) || a.SubType == "indexed-array" {
			return fmt.Errorf("indexed-array: bad sub-type %q", a.SubType)
		}
		if a.SubType == "nest" && a.NestedSet == nil {
			return errors.New("indexed-array of nests needs nested-attributes")
		}
	case "sub-message":
		if a.SubMsg = s.subs[a.SubMessage]; a.SubMsg == nil {
			return fmt.Errorf("sub-message %q: not defined", a.SubMessage)
		}
		if a.Selector == "" {
			return errors.New("sub-message needs a selector")
		}
	}
	if a.SubType != "" && a.Type != "indexed-array" {
		// binary with a sub-type: an array of scalars (ovs's upcall-pid).
		if a.Type != "binary" || IntSize(a.SubType) == 0 {
			return fmt.Errorf("sub-type %q is only for indexed-array, or binary arrays of integers", a.SubType)
		}
	}
	if a.Enum != "" {
		e := s.defs[a.Enum]
		if e == nil || (e.Type != "enum" && e.Type != "flags") {
			return fmt.Errorf("enum %q is not an enum or flags definition", a.Enum)
		}
		a.EnumDef = e
	}
	if a.Struct != "" {
		d := s.defs[a.Struct]
		if d == nil || d.Type != "struct" {
			return fmt.Errorf("struct %q is not a struct definition", a.Struct)
		}
		a.StructDef = d
	}
	if a.Len != "" {
		n, err := s.number(a.Len)
		if err != nil {
			return fmt.Errorf("len: %w", err)
		}
		a.ExactLen = int(n)
	}
	if c := a.Checks; c != nil {
		var err error
		num := func(v yamlScalar, dst *int64, has *bool) {
			if v == "" || err != nil {
				return
			}
			*dst, err = s.number(v)
			*has = true
		}
		var x int64
		var hx, hn, he bool
		num(c.Min, &a.Min, &a.HasMin)
		num(c.Max, &a.Max, &a.HasMax)
		num(c.MinLen, &x, &hx)
		if hx {
			a.MinLen = int(x)
		}
		num(c.MaxLen, &x, &hn)
		if hn {
			a.MaxLen = int(x)
		}
		num(c.ExactLen, &x, &he)
		if he {
			a.ExactLen = int(x)
		}
		if err != nil {
			return fmt.Errorf("checks: %w", err)
		}
		if c.FlagsMask != "" {
			if d := s.defs[c.FlagsMask]; d == nil || (d.Type != "flags" && d.Type != "enum") {
				return fmt.Errorf("checks: flags-mask %q is not a flags definition", c.FlagsMask)
			}
		}
	}
	return nil
}

func (s *Spec) resolveOps() error {
	o := &s.Operations
	if o.EnumModel == "" {
		o.EnumModel = "unified"
	}
	if o.EnumModel != "unified" && o.EnumModel != "directional" {
		return fmt.Errorf("operations: unknown enum-model %q", o.EnumModel)
	}
	var hdr *Definition
	if o.FixedHeader != "" {
		if hdr = s.defs[o.FixedHeader]; hdr == nil || hdr.Type != "struct" {
			return fmt.Errorf("operations: fixed-header %q is not a struct", o.FixedHeader)
		}
	}
	req, rsp := 1, 1
	for _, op := range o.List {
		if _, dup := s.ops[op.Name]; dup || op.Name == "" {
			return fmt.Errorf("operation %q: duplicate or empty name", op.Name)
		}
		s.ops[op.Name] = op
		if err := oneOf("flag", op.Flags, "admin-perm", "uns-admin-perm"); err != nil {
			return fmt.Errorf("operation %s: %w", op.Name, err)
		}
		if err := oneOf("dont-validate word", op.DontValidate, "strict", "dump", "dump-strict"); err != nil {
			return fmt.Errorf("operation %s: %w", op.Name, err)
		}
		op.Header = hdr
		if op.FixedHeader != "" {
			if op.Header = s.defs[op.FixedHeader]; op.Header == nil || op.Header.Type != "struct" {
				return fmt.Errorf("operation %s: fixed-header %q is not a struct", op.Name, op.FixedHeader)
			}
		}
		if op.AttributeSet != "" {
			if op.Set = s.sets[op.AttributeSet]; op.Set == nil {
				return fmt.Errorf("operation %s: unknown attribute set %q", op.Name, op.AttributeSet)
			}
		}
		kinds := 0
		for _, b := range []bool{op.Do != nil || op.Dump != nil, op.Notify != "", op.Event != nil} {
			if b {
				kinds++
			}
		}
		if kinds > 1 {
			return fmt.Errorf("operation %s: needs one of do/dump, notify, event", op.Name)
		}
		if kinds == 0 {
			// A placeholder (fou's and mptcp_pm's "unspec"): it takes
			// a value and nothing else.
			if o.EnumModel == "unified" {
				if op.Value != nil {
					req = *op.Value
				}
				op.RequestID = uint32(req)
				req++
			}
			continue
		}
		isAsync := op.Notify != "" || op.Event != nil
		if o.EnumModel == "unified" {
			if op.Value != nil {
				req = *op.Value
			}
			op.RequestID, op.ReplyID = uint32(req), uint32(req)
			op.HasRequest = !isAsync
			op.HasReply = isAsync || hasReply(op)
			req++
			continue
		}
		// directional: requests and replies are numbered separately.
		if isAsync {
			if op.Value != nil {
				rsp = *op.Value
			}
			op.ReplyID, op.HasReply = uint32(rsp), true
			rsp++
			continue
		}
		for _, sub := range []*SubOp{op.Do, op.Dump} {
			if sub == nil {
				continue
			}
			if sub.Request != nil && sub.Request.Value != nil {
				req = *sub.Request.Value
			}
			if sub.Reply != nil && sub.Reply.Value != nil {
				rsp = *sub.Reply.Value
			}
		}
		if op.Value != nil && o.EnumModel == "directional" && !hasReqValue(op) {
			req = *op.Value
		}
		op.RequestID, op.HasRequest = uint32(req), true
		req++
		if hasReply(op) {
			op.ReplyID, op.HasReply = uint32(rsp), true
			rsp++
		}
	}
	for _, op := range o.List {
		if err := s.checkOpAttrs(op); err != nil {
			return err
		}
		if op.Notify != "" {
			t := s.ops[op.Notify]
			if t == nil {
				return fmt.Errorf("operation %s: notify %q: no such operation", op.Name, op.Notify)
			}
			if op.Set == nil {
				op.Set = t.Set
			}
		}
		if op.Mcgrp != "" && s.McastGroups != nil {
			found := false
			for _, g := range s.McastGroups.List {
				found = found || g.Name == op.Mcgrp
			}
			if !found {
				return fmt.Errorf("operation %s: mcgrp %q: no such group", op.Name, op.Mcgrp)
			}
		}
		if op.HasReply {
			s.byReply[op.ReplyID] = append(s.byReply[op.ReplyID], op)
		}
	}
	return nil
}

func hasReply(op *Operation) bool {
	return (op.Do != nil && op.Do.Reply != nil) || (op.Dump != nil && op.Dump.Reply != nil)
}

func hasReqValue(op *Operation) bool {
	return (op.Do != nil && op.Do.Request != nil && op.Do.Request.Value != nil) ||
		(op.Dump != nil && op.Dump.Request != nil && op.Dump.Request.Value != nil)
}

func (s *Spec) checkOpAttrs(op *Operation) error {
	var lists [][]string
	for _, sub := range []*SubOp{op.Do, op.Dump} {
		if sub == nil {
			continue
		}
		for _, m := range []*Message{sub.Request, sub.Reply} {
			if m != nil {
				lists = append(lists, m.Attributes)
			}
		}
	}
	if op.Event != nil {
		lists = append(lists, op.Event.Attributes)
	}
	for _, l := range lists {
		if len(l) > 0 && op.Set == nil {
			return fmt.Errorf("operation %s: lists attributes but has no attribute-set", op.Name)
		}
		for _, n := range l {
			if op.Set.byName[n] != nil {
				continue
			}
			if op.Header != nil && op.Header.member(n) != nil {
				continue // fixed-header fields are listed too (rt-*)
			}
			// Kernel specs have such slips (6.12: rt-link's getlink
			// lists if-netnsid, nftables' newrule lists name): they
			// change nothing on the wire, so they are reported in
			// Warnings, not refused.
			s.Warnings = append(s.Warnings, fmt.Sprintf("operation %s: attribute %q is not in set %s", op.Name, n, op.Set.Name))
		}
	}
	return nil
}

func (d *Definition) member(name string) *Member {
	for _, m := range d.Members {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Definition returns the definition called name, nil if there is none.
func (s *Spec) Definition(name string) *Definition { return s.defs[name] }

// AttributeSet returns the attribute set called name, nil if there is none.
func (s *Spec) AttributeSet(name string) *AttrSet { return s.sets[name] }

// Operation returns the operation called name, nil if there is none.
func (s *Spec) Operation(name string) *Operation { return s.ops[name] }

// Group returns the multicast group called name, nil if there is none.
func (s *Spec) Group(name string) *McastGroup { return s.groups[name] }

// Groups lists the multicast groups in spec order.
func (s *Spec) Groups() []*McastGroup {
	if s.McastGroups == nil {
		return nil
	}
	return s.McastGroups.List
}

// Raw reports whether the family speaks raw netlink (protocol netlink-raw)
// rather than generic netlink.
func (s *Spec) Raw() bool { return s.Protocol == "netlink-raw" }

// Attr returns the attribute called name, nil if there is none.
func (set *AttrSet) Attr(name string) *Attr { return set.byName[name] }

// AttrByID returns the attribute with wire type id, nil if there is none.
func (set *AttrSet) AttrByID(id uint16) *Attr {
	if set.byID != nil {
		if int(id) < len(set.byID) {
			return set.byID[id]
		}
		return nil
	}
	return set.byValue[id]
}

// Entry returns the entry called name, nil if there is none.
func (d *Definition) Entry(name string) *EnumEntry {
	for _, e := range d.Entries {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// IsFlags reports whether values of attribute a with enum definition d are
// sets of flags (a flags definition, or an enum used with enum-as-flags).
func isFlags(d *Definition, asFlags bool) bool { return d.Type == "flags" || asFlags }
