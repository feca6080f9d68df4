package genl

import (
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

// Helpers shared by several test files of the package; the kernel-test
// helpers are in helpers_linux_test.go.

// familyAttrs builds a CTRL_CMD_NEWFAMILY payload like the kernel's.
func familyAttrs(t testing.TB) []byte {
	e := nlattr.NewEncoder(nil)
	e.Uint16(ctrlAttrFamilyID, 0x15)
	e.String(ctrlAttrFamilyName, "ethtool")
	e.Uint32(ctrlAttrVersion, 1)
	e.Uint32(ctrlAttrHdrSize, 0)
	e.Uint32(ctrlAttrMaxAttr, 0)
	e.Nest(ctrlAttrOps)
	for i, o := range []Op{{1, OpDo | OpDump | OpHasPolicy}, {3, OpUnsAdminPerm | OpDo | OpHasPolicy}} {
		e.Nest(uint16(i + 1))
		e.Uint32(ctrlAttrOpID, uint32(o.Command))
		e.Uint32(ctrlAttrOpFlags, uint32(o.Flags))
		e.End()
	}
	e.End()
	e.Nest(ctrlAttrMcastGroups)
	e.Nest(1)
	e.String(ctrlAttrMcastGrpName, "monitor")
	e.Uint32(ctrlAttrMcastGrpID, 6)
	e.End()
	e.End()
	e.Uint32(99, 7) // unknown attribute: skipped
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func opTooLong(t testing.TB) []byte {
	e := nlattr.NewEncoder(familyAttrs(t))
	e.Nest(ctrlAttrOps)
	e.Nest(1)
	e.Uint32(ctrlAttrOpID, 300)
	e.End()
	e.End()
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// policyMsgs builds a policy dump like the kernel's for a family with
// one do-command (3, set #0) and one dump-only command (10, set #1,
// reported as command 0), set #0 nesting set #2, set #2 recursive.
func policyMsgs(t testing.TB) [][]byte {
	var out [][]byte
	msg := func(f func(e *nlattr.Encoder)) {
		e := nlattr.NewEncoder(nil)
		e.Uint16(ctrlAttrFamilyID, 0x42)
		f(e)
		b, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	op := func(cmd uint16, do, dump int) {
		msg(func(e *nlattr.Encoder) {
			e.Nest(ctrlAttrOpPolicy)
			e.Nest(cmd)
			if do >= 0 {
				e.Uint32(ctrlAttrPolicyDo, uint32(do))
			}
			if dump >= 0 {
				e.Uint32(ctrlAttrPolicyDump, uint32(dump))
			}
			e.End()
			e.End()
		})
	}
	attr := func(set, typ uint16, f func(e *nlattr.Encoder)) {
		msg(func(e *nlattr.Encoder) {
			e.Nest(ctrlAttrPolicy)
			e.Nest(set)
			e.Nest(typ)
			f(e)
			e.End()
			e.End()
			e.End()
		})
	}
	op(3, 0, 0)
	op(0, -1, 1) // the kernel's way of reporting dump-only command 10
	attr(0, 1, func(e *nlattr.Encoder) {
		e.Uint32(policyAttrType, uint32(PolicyU16))
		e.Uint64(policyAttrMinValueU, 0)
		e.Uint64(policyAttrMaxValueU, 65535)
	})
	attr(0, 2, func(e *nlattr.Encoder) {
		e.Uint32(policyAttrType, uint32(PolicyNulString))
		e.Uint32(policyAttrMaxLength, 15)
	})
	attr(0, 5, func(e *nlattr.Encoder) {
		e.Uint32(policyAttrType, uint32(PolicyNested))
		e.Uint32(policyAttrPolicyIdx, 2)
		e.Uint32(policyAttrPolicyMaxType, 2)
	})
	attr(2, 1, func(e *nlattr.Encoder) {
		e.Uint32(policyAttrType, uint32(PolicyS32))
		e.Int64(policyAttrMinValueS, -5)
		e.Int64(policyAttrMaxValueS, 5)
	})
	attr(2, 2, func(e *nlattr.Encoder) {
		e.Uint32(policyAttrType, uint32(PolicyNestedArray))
		e.Uint32(policyAttrPolicyIdx, 2)
	})
	attr(1, 10, func(e *nlattr.Encoder) {
		e.Uint32(policyAttrType, uint32(PolicyU32))
		e.Uint64(policyAttrMask, 0x3)
	})
	return out
}

// testSet exercises every kind, a nest, a nested array and recursion.
func testSet() *AttrSet {
	inner := &AttrSet{Name: "inner", Attrs: []Attr{
		{Name: "id", Type: 1, Kind: KindU32},
		{Name: "label", Type: 2, Kind: KindString},
	}}
	s := &AttrSet{Name: "all", Attrs: []Attr{
		{Name: "u8", Type: 1, Kind: KindU8},
		{Name: "u16", Type: 2, Kind: KindU16},
		{Name: "u32", Type: 3, Kind: KindU32},
		{Name: "u64", Type: 4, Kind: KindU64},
		{Name: "s8", Type: 5, Kind: KindS8},
		{Name: "s16", Type: 6, Kind: KindS16},
		{Name: "s32", Type: 7, Kind: KindS32},
		{Name: "s64", Type: 8, Kind: KindS64},
		{Name: "port", Type: 9, Kind: KindU16BE},
		{Name: "be32", Type: 10, Kind: KindU32BE},
		{Name: "be64", Type: 11, Kind: KindU64BE},
		{Name: "uint", Type: 12, Kind: KindUint},
		{Name: "sint", Type: 13, Kind: KindSint},
		{Name: "name", Type: 14, Kind: KindString},
		{Name: "blob", Type: 15, Kind: KindBinary},
		{Name: "on", Type: 16, Kind: KindFlag},
		{Name: "addr", Type: 17, Kind: KindIPAddr},
		{Name: "inner", Type: 18, Kind: KindNested, Set: inner},
		{Name: "list", Type: 19, Kind: KindNestedArray, Set: inner},
		{Name: "ids", Type: 20, Kind: KindU32, Multi: true},
		{Name: "addrs", Type: 21, Kind: KindIPAddr, Multi: true},
	}}
	s.Attrs = append(s.Attrs, Attr{Name: "self", Type: 22, Kind: KindNested, Set: s})
	return s
}

// ctrlSet lays out the attributes of the controller's replies
// (CTRL_CMD_GETFAMILY and CTRL_CMD_GETPOLICY), as a family package would
// describe them. CTRL_ATTR_POLICY, a nest of nests keyed by index and
// attribute type, has no AttrSet kind: its bytes are kept.
func ctrlSet() *AttrSet {
	op := &AttrSet{Name: "op", Attrs: []Attr{
		{Name: "id", Type: ctrlAttrOpID, Kind: KindU32},
		{Name: "flags", Type: ctrlAttrOpFlags, Kind: KindU32},
	}}
	group := &AttrSet{Name: "mcast-group", Attrs: []Attr{
		{Name: "name", Type: ctrlAttrMcastGrpName, Kind: KindString},
		{Name: "id", Type: ctrlAttrMcastGrpID, Kind: KindU32},
	}}
	opPolicy := &AttrSet{Name: "op-policy", Attrs: []Attr{
		{Name: "do", Type: ctrlAttrPolicyDo, Kind: KindU32},
		{Name: "dump", Type: ctrlAttrPolicyDump, Kind: KindU32},
	}}
	return &AttrSet{Name: "ctrl-attrs", Attrs: []Attr{
		{Name: "family-id", Type: ctrlAttrFamilyID, Kind: KindU16},
		{Name: "family-name", Type: ctrlAttrFamilyName, Kind: KindString},
		{Name: "version", Type: ctrlAttrVersion, Kind: KindU32},
		{Name: "hdrsize", Type: ctrlAttrHdrSize, Kind: KindU32},
		{Name: "maxattr", Type: ctrlAttrMaxAttr, Kind: KindU32},
		{Name: "ops", Type: ctrlAttrOps, Kind: KindNestedArray, Set: op},
		{Name: "mcast-groups", Type: ctrlAttrMcastGroups, Kind: KindNestedArray, Set: group},
		{Name: "policy", Type: ctrlAttrPolicy, Kind: KindBinary},
		{Name: "op-policy", Type: ctrlAttrOpPolicy, Kind: KindNestedArray, Set: opPolicy},
		{Name: "op", Type: ctrlAttrOp, Kind: KindU32},
	}}
}
