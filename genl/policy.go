package genl

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// PolicyKind is the type of an attribute in a kernel validation policy
// (enum netlink_attribute_type, NL_ATTR_TYPE_* in linux/netlink.h).
type PolicyKind uint32

// Policy kinds.
const (
	PolicyInvalid     PolicyKind = 0  // NL_ATTR_TYPE_INVALID
	PolicyFlag        PolicyKind = 1  // NL_ATTR_TYPE_FLAG
	PolicyU8          PolicyKind = 2  // NL_ATTR_TYPE_U8
	PolicyU16         PolicyKind = 3  // NL_ATTR_TYPE_U16
	PolicyU32         PolicyKind = 4  // NL_ATTR_TYPE_U32
	PolicyU64         PolicyKind = 5  // NL_ATTR_TYPE_U64
	PolicyS8          PolicyKind = 6  // NL_ATTR_TYPE_S8
	PolicyS16         PolicyKind = 7  // NL_ATTR_TYPE_S16
	PolicyS32         PolicyKind = 8  // NL_ATTR_TYPE_S32
	PolicyS64         PolicyKind = 9  // NL_ATTR_TYPE_S64
	PolicyBinary      PolicyKind = 10 // NL_ATTR_TYPE_BINARY
	PolicyString      PolicyKind = 11 // NL_ATTR_TYPE_STRING
	PolicyNulString   PolicyKind = 12 // NL_ATTR_TYPE_NUL_STRING
	PolicyNested      PolicyKind = 13 // NL_ATTR_TYPE_NESTED
	PolicyNestedArray PolicyKind = 14 // NL_ATTR_TYPE_NESTED_ARRAY
	PolicyBitfield32  PolicyKind = 15 // NL_ATTR_TYPE_BITFIELD32
	PolicySint        PolicyKind = 16 // NL_ATTR_TYPE_SINT: 4 or 8 bytes, signed
	PolicyUint        PolicyKind = 17 // NL_ATTR_TYPE_UINT: 4 or 8 bytes, unsigned
)

var policyKindNames = [...]string{
	"invalid", "flag", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
	"binary", "string", "nul-string", "nested", "nested-array", "bitfield32", "sint", "uint",
}

// String names the kind as the YAML specs do ("u32", "nul-string",
// "nested-array"); unknown kinds print as "kind(N)".
func (k PolicyKind) String() string {
	if int(k) < len(policyKindNames) {
		return policyKindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint32(k))
}

// Signed reports whether the kind is a signed integer.
func (k PolicyKind) Signed() bool {
	return k >= PolicyS8 && k <= PolicyS64 || k == PolicySint
}

// Policy attribute types (enum netlink_policy_type_attr, linux/netlink.h).
const (
	policyAttrType          = 1  // NL_POLICY_TYPE_ATTR_TYPE: u32
	policyAttrMinValueS     = 2  // NL_POLICY_TYPE_ATTR_MIN_VALUE_S: s64
	policyAttrMaxValueS     = 3  // NL_POLICY_TYPE_ATTR_MAX_VALUE_S: s64
	policyAttrMinValueU     = 4  // NL_POLICY_TYPE_ATTR_MIN_VALUE_U: u64
	policyAttrMaxValueU     = 5  // NL_POLICY_TYPE_ATTR_MAX_VALUE_U: u64
	policyAttrMinLength     = 6  // NL_POLICY_TYPE_ATTR_MIN_LENGTH: u32
	policyAttrMaxLength     = 7  // NL_POLICY_TYPE_ATTR_MAX_LENGTH: u32
	policyAttrPolicyIdx     = 8  // NL_POLICY_TYPE_ATTR_POLICY_IDX: u32
	policyAttrPolicyMaxType = 9  // NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE: u32
	policyAttrBitfield32    = 10 // NL_POLICY_TYPE_ATTR_BITFIELD32_MASK: u32
	policyAttrMask          = 12 // NL_POLICY_TYPE_ATTR_MASK: u64
)

// Range is an inclusive integer range from a policy. Signed kinds fill Min
// and Max, unsigned ones UMin and UMax.
type Range struct {
	Signed     bool   // which pair holds the range
	Min, Max   int64  // NL_POLICY_TYPE_ATTR_MIN/MAX_VALUE_S
	UMin, UMax uint64 // NL_POLICY_TYPE_ATTR_MIN/MAX_VALUE_U
}

// String formats the range as "[min, max]".
func (r Range) String() string {
	if r.Signed {
		return fmt.Sprintf("[%d, %d]", r.Min, r.Max)
	}
	return fmt.Sprintf("[%d, %d]", r.UMin, r.UMax)
}

// AttrPolicy is how the kernel validates one attribute type. Zero fields
// were not reported by the kernel (a zero length or mask means no limit).
type AttrPolicy struct {
	Type uint16     // the attribute type it applies to
	Kind PolicyKind // NL_POLICY_TYPE_ATTR_TYPE

	// Range is the allowed value range of an integer kind; nil when the
	// kernel reported none.
	Range *Range
	// MinLength and MaxLength bound a payload (binary, strings, nests).
	MinLength, MaxLength uint32 // NL_POLICY_TYPE_ATTR_MIN/MAX_LENGTH
	// Mask holds the valid bits of an unsigned integer.
	Mask uint64 // NL_POLICY_TYPE_ATTR_MASK
	// Bitfield32Mask holds the valid bits of a bitfield32 attribute.
	Bitfield32Mask uint32 // NL_POLICY_TYPE_ATTR_BITFIELD32_MASK
	// Nested is the policy of the attributes inside a nested or
	// nested-array attribute, when the kernel validates them; nil
	// otherwise. Policies may be recursive: Nested can lead back to a
	// set that contains this attribute.
	Nested *PolicySet // NL_POLICY_TYPE_ATTR_POLICY_IDX, resolved
	// MaxType is the highest attribute type Nested accepts.
	MaxType uint32 // NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE

	nestedIdx    uint32
	hasNestedIdx bool
}

// String describes the rule in one line: "u32 range [1, 4294967295]",
// "nul-string max-len 15", "nested policy #2 max-type 3".
func (a AttrPolicy) String() string {
	var b strings.Builder
	b.WriteString(a.Kind.String())
	if a.Range != nil {
		fmt.Fprintf(&b, " range %s", a.Range)
	}
	if a.MinLength != 0 {
		fmt.Fprintf(&b, " min-len %d", a.MinLength)
	}
	if a.MaxLength != 0 {
		fmt.Fprintf(&b, " max-len %d", a.MaxLength)
	}
	if a.Mask != 0 {
		fmt.Fprintf(&b, " mask %#x", a.Mask)
	}
	if a.Bitfield32Mask != 0 {
		fmt.Fprintf(&b, " mask %#x", a.Bitfield32Mask)
	}
	if a.Nested != nil {
		fmt.Fprintf(&b, " policy #%d", a.Nested.Index)
	}
	if a.MaxType != 0 {
		fmt.Fprintf(&b, " max-type %d", a.MaxType)
	}
	return b.String()
}

// PolicySet is one attribute policy: the rules for the attribute types of
// a message or of a nest. The kernel numbers the sets of a dump from 0.
type PolicySet struct {
	Index uint32       // the set's number in this dump
	Attrs []AttrPolicy // by ascending Type
}

// Attr returns the rule for attribute type typ.
func (s *PolicySet) Attr(typ uint16) (AttrPolicy, bool) {
	i, ok := slices.BinarySearchFunc(s.Attrs, typ, func(a AttrPolicy, t uint16) int { return int(a.Type) - int(t) })
	if !ok {
		return AttrPolicy{}, false
	}
	return s.Attrs[i], true
}

// OpPolicy says which policy sets validate a command's requests.
type OpPolicy struct {
	Command uint8      // genlmsghdr.cmd
	Do      *PolicySet // CTRL_ATTR_POLICY_DO; nil if "do" requests are not validated
	Dump    *PolicySet // CTRL_ATTR_POLICY_DUMP; nil if dump requests are not validated
}

// Policy is a family's attribute validation policy as dumped by the
// controller (CTRL_CMD_GETPOLICY): which set validates each command, and
// the sets, with nested attributes resolved into a tree. It is owned by
// the caller and not safe to modify concurrently with reading.
type Policy struct {
	FamilyID uint16       // CTRL_ATTR_FAMILY_ID
	Family   string       // the name asked for
	Ops      []OpPolicy   // by ascending Command
	Sets     []*PolicySet // by ascending Index
}

// Op returns the policies of command cmd.
func (p *Policy) Op(cmd uint8) (OpPolicy, bool) {
	for _, o := range p.Ops {
		if o.Command == cmd {
			return o, true
		}
	}
	return OpPolicy{}, false
}

// PolicySet returns the policy set with index idx, nil if there is none.
func (p *Policy) PolicySet(idx uint32) *PolicySet {
	for _, s := range p.Sets {
		if s.Index == idx {
			return s
		}
	}
	return nil
}

// String prints the policy as a tree, one command handler at a time, in
// the spirit of `genl ctrl policy`, naming the commands of the families
// this package knows (nlctrl; see Format for others):
//
//	nlctrl (id 0x10)
//	  cmd 3 getfamily do: policy #0
//	    attr 1: u16 range [0, 65535]
//	    attr 2: nul-string max-len 15
//
// Each set is written out in full once; later references, and recursive
// ones, say "policy #N (above)". Sets no command refers to come last.
func (p *Policy) String() string { return p.Format(knownCommands(p.Family)) }

// Format is String with the commands named by names ("cmd 2 del-addr do:
// ..."), e.g. a Spec's CommandNames or a subpackage's table; commands
// names lacks are printed by number only. Format(nil) names none.
func (p *Policy) Format(names CommandNames) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (id %#x)\n", p.Family, p.FamilyID)
	shown := make(map[*PolicySet]bool)
	for _, o := range p.Ops {
		cmd := fmt.Sprint(o.Command)
		if n := names[o.Command]; n != "" {
			cmd += " " + n
		}
		for _, h := range []struct {
			name string
			set  *PolicySet
		}{{"do", o.Do}, {"dump", o.Dump}} {
			if h.set == nil {
				continue
			}
			fmt.Fprintf(&b, "  cmd %s %s: ", cmd, h.name)
			writeSet(&b, h.set, "    ", shown)
		}
	}
	for _, s := range p.Sets {
		if !shown[s] {
			b.WriteString("  unreferenced: ")
			writeSet(&b, s, "    ", shown)
		}
	}
	return b.String()
}

func writeSet(b *strings.Builder, s *PolicySet, indent string, shown map[*PolicySet]bool) {
	if shown[s] {
		fmt.Fprintf(b, "policy #%d (above)\n", s.Index)
		return
	}
	shown[s] = true
	if len(s.Attrs) == 0 {
		fmt.Fprintf(b, "policy #%d (no attributes)\n", s.Index)
		return
	}
	fmt.Fprintf(b, "policy #%d\n", s.Index)
	for _, a := range s.Attrs {
		nested := a.Nested
		a.Nested = nil
		fmt.Fprintf(b, "%sattr %d: %s", indent, a.Type, a)
		if nested == nil {
			b.WriteString("\n")
			continue
		}
		b.WriteString(" ")
		writeSet(b, nested, indent+"  ", shown)
	}
}

// policyBuilder collects the messages of a CTRL_CMD_GETPOLICY dump.
type policyBuilder struct {
	p       Policy
	sets    map[uint32]*PolicySet
	ops     map[uint8]*opRefs
	orphans []*opRefs // dump-only commands, which the kernel reports as command 0
}

type opRefs struct {
	do, dump       uint32
	hasDo, hasDump bool
}

func newPolicyBuilder(family string) *policyBuilder {
	return &policyBuilder{p: Policy{Family: family}, sets: make(map[uint32]*PolicySet), ops: make(map[uint8]*opRefs)}
}

// add decodes the attributes of one policy dump message.
func (pb *policyBuilder) add(b []byte) error {
	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case ctrlAttrFamilyID:
			pb.p.FamilyID = d.Uint16()
		case ctrlAttrOpPolicy:
			ops := d.Nested()
			for ops.Next() {
				if ops.Type() > 0xff {
					ops.Fail(fmt.Errorf("command %d does not fit genlmsghdr.cmd", ops.Type()))
					break
				}
				cmd := uint8(ops.Type())
				r := new(opRefs)
				od := ops.Nested()
				for od.Next() {
					switch od.Type() {
					case ctrlAttrPolicyDo:
						r.do, r.hasDo = od.Uint32(), true
					case ctrlAttrPolicyDump:
						r.dump, r.hasDump = od.Uint32(), true
					}
				}
				if cmd == 0 && !r.hasDo {
					pb.orphans = append(pb.orphans, r)
				} else {
					pb.ops[cmd] = r
				}
			}
		case ctrlAttrPolicy:
			sets := d.Nested()
			for sets.Next() {
				idx := uint32(sets.Type())
				s := pb.sets[idx]
				if s == nil {
					s = &PolicySet{Index: idx}
					pb.sets[idx] = s
				}
				attrs := sets.Nested()
				for attrs.Next() {
					a := AttrPolicy{Type: attrs.Type()}
					decodeAttrPolicy(&a, attrs.Nested())
					i, found := slices.BinarySearchFunc(s.Attrs, a.Type, func(x AttrPolicy, t uint16) int { return int(x.Type) - int(t) })
					if found {
						s.Attrs[i] = a
					} else {
						s.Attrs = slices.Insert(s.Attrs, i, a)
					}
				}
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("genl: decoding policy of %s: %w", pb.p.Family, err)
	}
	return nil
}

func decodeAttrPolicy(a *AttrPolicy, d nlattr.Decoder) {
	var r Range
	var haveS, haveU bool
	for d.Next() {
		switch d.Type() {
		case policyAttrType:
			a.Kind = PolicyKind(d.Uint32())
		case policyAttrMinValueS:
			r.Min, haveS = d.Int64(), true
		case policyAttrMaxValueS:
			r.Max, haveS = d.Int64(), true
		case policyAttrMinValueU:
			r.UMin, haveU = d.Uint64(), true
		case policyAttrMaxValueU:
			r.UMax, haveU = d.Uint64(), true
		case policyAttrMinLength:
			a.MinLength = d.Uint32()
		case policyAttrMaxLength:
			a.MaxLength = d.Uint32()
		case policyAttrPolicyIdx:
			a.nestedIdx, a.hasNestedIdx = d.Uint32(), true
		case policyAttrPolicyMaxType:
			a.MaxType = d.Uint32()
		case policyAttrBitfield32:
			a.Bitfield32Mask = d.Uint32()
		case policyAttrMask:
			a.Mask = d.Uint64()
		}
	}
	switch {
	case haveS:
		r.Signed = true
		a.Range = &r
	case haveU:
		a.Range = &r
	}
}

// finish resolves references between sets and returns the policy.
// dumpOnly lists, in the kernel's order, the commands that have a dump
// handler with a policy and no do handler: the kernel (up to at least
// 6.18) reports their policies under command 0, in that order.
func (pb *policyBuilder) finish(dumpOnly []uint8) (*Policy, error) {
	p := &pb.p
	// The kernel sends no message for a set without attributes (such as
	// the dump policy of a command that takes none): a reference to a set
	// never sent is a reference to an empty set.
	lookup := func(idx uint32) *PolicySet {
		s := pb.sets[idx]
		if s == nil {
			s = &PolicySet{Index: idx}
			pb.sets[idx] = s
		}
		return s
	}
	for _, s := range pb.sets {
		for i := range s.Attrs {
			if a := &s.Attrs[i]; a.hasNestedIdx {
				a.Nested = lookup(a.nestedIdx)
			}
		}
	}
	for i, r := range pb.orphans {
		if i < len(dumpOnly) {
			if _, dup := pb.ops[dumpOnly[i]]; !dup {
				pb.ops[dumpOnly[i]] = r
				continue
			}
		}
		if _, dup := pb.ops[0]; !dup {
			pb.ops[0] = r // cannot tell which command: leave it as the kernel said
		}
	}
	for cmd, r := range pb.ops {
		o := OpPolicy{Command: cmd}
		if r.hasDo {
			o.Do = lookup(r.do)
		}
		if r.hasDump {
			o.Dump = lookup(r.dump)
		}
		p.Ops = append(p.Ops, o)
	}
	slices.SortFunc(p.Ops, func(a, b OpPolicy) int { return cmp.Compare(a.Command, b.Command) })
	p.Sets = slices.SortedFunc(maps.Values(pb.sets), func(a, b *PolicySet) int { return cmp.Compare(a.Index, b.Index) })
	return p, nil
}

// Policy dumps the attribute policies of every command of the named family
// (CTRL_CMD_GETPOLICY). Families whose commands validate nothing give an
// error wrapping the kernel's (ENODATA on current kernels); kernels before
// 5.10 do not support policy dumps (EOPNOTSUPP).
func (c *Conn) Policy(ctx context.Context, family string) (*Policy, error) {
	return c.policy(ctx, family, 0, false)
}

// CommandPolicy dumps the policies of one command of the named family
// (CTRL_CMD_GETPOLICY with CTRL_ATTR_OP): Ops then holds that command only,
// and Sets the sets it reaches.
func (c *Conn) CommandPolicy(ctx context.Context, family string, cmd uint8) (*Policy, error) {
	return c.policy(ctx, family, cmd, true)
}

func (c *Conn) policy(ctx context.Context, family string, cmd uint8, oneOp bool) (*Policy, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	var dumpOnly []uint8
	if oneOp {
		dumpOnly = []uint8{cmd}
	} else {
		f, err := c.resolve(ctx, family)
		if err != nil {
			return nil, err
		}
		for _, o := range f.Ops {
			if o.Flags&(OpDo|OpDump|OpHasPolicy) == OpDump|OpHasPolicy {
				dumpOnly = append(dumpOnly, o.Command)
			}
		}
	}
	e := nlattr.NewEncoder([]byte{ctrlCmdGetPolicy, ctrlVersion, 0, 0})
	e.String(ctrlAttrFamilyName, family)
	if oneOp {
		e.Uint32(ctrlAttrOp, uint32(cmd))
	}
	body, err := e.Finish()
	if err != nil {
		return nil, err
	}
	what := "policy " + family
	if oneOp {
		what = fmt.Sprintf("policy %s cmd %d", family, cmd)
	}
	req := netlink.Message{Header: netlink.Header{Type: ctrlID}, Data: body}
	var p *Policy
	err = netlink.RetryInterrupted(ctx, 3, func() error {
		pb := newPolicyBuilder(family)
		for nm, err := range c.nl.Dump(ctx, req) {
			if err != nil {
				return err
			}
			m, err := parse(nm)
			if err != nil {
				return err
			}
			if err := pb.add(m.Data); err != nil {
				return err
			}
		}
		var err error
		p, err = pb.finish(dumpOnly)
		return err
	})
	if err != nil {
		// ENOENT pointing at CTRL_ATTR_OP: no such command; otherwise: no
		// such family.
		if ne, ok := errors.AsType[*netlink.Error](err); ok && ne.Errno == syscall.ENOENT && !(oneOp && ne.AttrType == ctrlAttrOp) {
			c.Forget(family)
			return nil, familyError(what, fmt.Sprintf("%q", family), err)
		}
		return nil, netlink.NameOp("genl", what, err)
	}
	return p, nil
}
