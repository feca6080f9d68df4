package audit

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Sizes of struct audit_rule_data (linux/audit.h).
const (
	bitmaskSize  = 64 // AUDIT_BITMASK_SIZE: words of the syscall mask
	maxFields    = 64 // AUDIT_MAX_FIELDS
	ruleFixedLen = 4*3 + 4*bitmaskSize + 4*maxFields*3 + 4
	maxKeyLen    = 256  // AUDIT_MAX_KEY_LEN
	keySep       = 0x01 // AUDIT_KEY_SEPARATOR: several keys in one key field
)

// Syscalls is the system call mask of a rule (the mask of struct
// audit_rule_data): bit nr is system call nr of the rule's architecture.
type Syscalls [bitmaskSize]uint32

// Include adds system call nr to the mask; numbers out of range are
// ignored.
func (s *Syscalls) Include(nr int) {
	if nr >= 0 && nr < bitmaskSize*32 {
		s[nr/32] |= 1 << (nr % 32)
	}
}

// IncludeAll sets every bit: -S all.
func (s *Syscalls) IncludeAll() {
	for i := range s {
		s[i] = ^uint32(0)
	}
}

// Contains reports whether system call nr is in the mask.
func (s *Syscalls) Contains(nr int) bool {
	return nr >= 0 && nr < bitmaskSize*32 && s[nr/32]&(1<<(nr%32)) != 0
}

// IsAll reports whether the mask means every system call, as auditctl
// reads it: all words but the last, whose top bits the kernel uses for
// syscall classes, are full.
func (s *Syscalls) IsAll() bool {
	for i := range bitmaskSize - 1 {
		if s[i] != ^uint32(0) {
			return false
		}
	}
	return true
}

// IsEmpty reports whether no bit is set.
func (s *Syscalls) IsEmpty() bool { return *s == Syscalls{} }

// RuleField is one field of a rule: Field Op Value, or Field Op Text for
// string fields (Field.IsString), whose Value is the text's length.
type RuleField struct {
	Field Field
	Op    Op
	Value uint32
	Text  string
}

// Rule is an audit rule (struct audit_rule_data): the list it is on, its
// action, the system calls it applies to and its fields. Its text form is
// auditctl's (String, UnmarshalText, RuleFromArgs). A Rule holds no
// references to buffers it was decoded from.
type Rule struct {
	List     List
	Action   Action
	Prepend  bool // AUDIT_FILTER_PREPEND: added at the head of its list (auditctl -A)
	Syscalls Syscalls
	Fields   []RuleField
}

// Keys returns the rule's keys (-k): the key field split at its separators.
func (r *Rule) Keys() []string {
	for _, f := range r.Fields {
		if f.Field == FieldKey {
			return strings.Split(f.Text, string(rune(keySep)))
		}
	}
	return nil
}

// Arch returns the value of the rule's arch field, and false if it has none.
func (r *Rule) Arch() (Arch, bool) {
	for _, f := range r.Fields {
		if f.Field == FieldArch {
			return Arch(f.Value), true
		}
	}
	return 0, false
}

// MarshalBinary encodes r as struct audit_rule_data.
func (r Rule) MarshalBinary() ([]byte, error) { return r.AppendBinary(nil) }

// AppendBinary appends struct audit_rule_data for r to b. String fields get
// their length as value. More than 64 fields is an error.
func (r Rule) AppendBinary(b []byte) ([]byte, error) {
	if len(r.Fields) > maxFields {
		return b, fmt.Errorf("audit: rule has %d fields, at most %d", len(r.Fields), maxFields)
	}
	buflen := 0
	for _, f := range r.Fields {
		if f.Field.IsString() {
			buflen += len(f.Text)
		}
	}
	start := len(b)
	b = append(b, make([]byte, ruleFixedLen+buflen)...)
	d := b[start:]
	ne := binary.NativeEndian
	flags := uint32(r.List)
	if r.Prepend {
		flags |= listPrepend
	}
	ne.PutUint32(d[0:], flags)
	ne.PutUint32(d[4:], uint32(r.Action))
	ne.PutUint32(d[8:], uint32(len(r.Fields)))
	for i, w := range r.Syscalls {
		ne.PutUint32(d[12+4*i:], w)
	}
	fields := 12 + 4*bitmaskSize
	values := fields + 4*maxFields
	flagsOff := values + 4*maxFields
	buf := d[ruleFixedLen:]
	for i, f := range r.Fields {
		v := f.Value
		if f.Field.IsString() {
			v = uint32(len(f.Text))
			buf = buf[copy(buf, f.Text):]
		}
		ne.PutUint32(d[fields+4*i:], uint32(f.Field))
		ne.PutUint32(d[values+4*i:], v)
		ne.PutUint32(d[flagsOff+4*i:], uint32(f.Op))
	}
	ne.PutUint32(d[ruleFixedLen-4:], uint32(buflen))
	return b, nil
}

// UnmarshalBinary decodes struct audit_rule_data (an AUDIT_LIST_RULES
// reply) into r. Malformed data gives an error naming the field at fault.
func (r *Rule) UnmarshalBinary(d []byte) error {
	if len(d) < ruleFixedLen {
		return fmt.Errorf("audit: rule of %d bytes, want at least %d: %w", len(d), ruleFixedLen, errMalformed)
	}
	ne := binary.NativeEndian
	flags := ne.Uint32(d[0:])
	n := ne.Uint32(d[8:])
	if n > maxFields {
		return fmt.Errorf("audit: rule field_count %d, at most %d: %w", n, maxFields, errMalformed)
	}
	buflen := ne.Uint32(d[ruleFixedLen-4:])
	buf := d[ruleFixedLen:]
	if uint64(buflen) > uint64(len(buf)) {
		return fmt.Errorf("audit: rule buflen %d, %d bytes follow: %w", buflen, len(buf), errMalformed)
	}
	buf = buf[:buflen]
	nr := Rule{List: List(flags & listMask), Action: Action(ne.Uint32(d[4:])), Prepend: flags&listPrepend != 0}
	for i := range nr.Syscalls {
		nr.Syscalls[i] = ne.Uint32(d[12+4*i:])
	}
	fields := 12 + 4*bitmaskSize
	values := fields + 4*maxFields
	flagsOff := values + 4*maxFields
	if n > 0 {
		nr.Fields = make([]RuleField, n)
	}
	for i := range int(n) {
		f := RuleField{
			Field: Field(ne.Uint32(d[fields+4*i:]) &^ opMask),
			Value: ne.Uint32(d[values+4*i:]),
			Op:    Op(ne.Uint32(d[flagsOff+4*i:]) & opMask),
		}
		if f.Field.IsString() {
			if uint64(f.Value) > uint64(len(buf)) {
				return fmt.Errorf("audit: rule field %d (%s): string of %d bytes, %d left in the buffer: %w", i, f.Field, f.Value, len(buf), errMalformed)
			}
			f.Text = string(buf[:f.Value])
			buf = buf[f.Value:]
		}
		nr.Fields[i] = f
	}
	*r = nr
	return nil
}

// Equal reports whether r and o are the same rule as the kernel compares
// them when deleting: same list, action, system calls and fields (the
// syscall class bits of the mask's last word aside).
func (r *Rule) Equal(o *Rule) bool {
	if r.List != o.List || r.Action != o.Action || len(r.Fields) != len(o.Fields) {
		return false
	}
	if r.Syscalls.IsAll() != o.Syscalls.IsAll() || !r.Syscalls.IsAll() && r.Syscalls != o.Syscalls {
		return false
	}
	for i, f := range r.Fields {
		g := o.Fields[i]
		if f.Field != g.Field || f.Op != g.Op || f.Text != g.Text || !f.Field.IsString() && f.Value != g.Value {
			return false
		}
	}
	return true
}
