package rtnl

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Rule is a policy routing rule (FIB rule): struct fib_rule_hdr and the
// FRA_* attributes of RTM_NEWRULE, RTM_DELRULE and RTM_GETRULE messages
// (linux/fib_rules.h), as `ip rule` shows them.
//
// The zero value of each field means "not set" (match anything) except
// where its comment says otherwise. A decoded Rule owns all its memory.
type Rule struct {
	// Family is FamilyIPv4 or FamilyIPv6 (fib_rule_hdr.family). AddRule
	// and DeleteRule take it from Src or Dst when it is zero; a rule
	// without addresses needs it.
	Family Family

	// Priority orders the rules, lowest first (FRA_PRIORITY, iproute2
	// "pref"). Zero in AddRule lets the kernel pick one just below the
	// first rule after priority 0.
	Priority uint32

	// Table is the table to look up (fib_rule_hdr.table, or FRA_TABLE for
	// every id, always sent when non-zero).
	Table Table

	// Action is what the rule does (fib_rule_hdr.action). Zero in AddRule
	// means RuleActionGoto when Goto is set, RuleActionLookup otherwise.
	Action RuleAction

	// Src and Dst match the packet's source and destination (FRA_SRC,
	// FRA_DST with src_len, dst_len; iproute2 "from", "to"). Zero: all.
	Src, Dst netip.Prefix

	// Tos matches the IPv4 type of service / DSCP (fib_rule_hdr.tos).
	Tos uint8

	// Invert negates the selector (FIB_RULE_INVERT, iproute2 "not").
	Invert bool

	// Mark and Mask match the firewall mark: mark&Mask == Mark&Mask
	// (FRA_FWMARK, FRA_FWMASK, iproute2 "fwmark MARK/MASK"). A zero Mask
	// with a non-zero Mark means all bits (0xffffffff), which is what
	// reads back.
	Mark, Mask uint32

	// IifName and OifName match the input and output link by name
	// (FRA_IIFNAME, FRA_OIFNAME, iproute2 "iif", "oif").
	IifName, OifName string

	// IifDetached and OifDetached report that no link of the name in
	// IifName or OifName exists, so the rule matches nothing for now
	// (FIB_RULE_IIF_DETACHED, FIB_RULE_OIF_DETACHED in
	// fib_rule_hdr.flags; iproute2 "[detached]"). Read-only: the kernel
	// computes them; AddRule and DeleteRule do not send them.
	IifDetached, OifDetached bool

	// Unresolved reports a RuleActionGoto rule whose target priority has
	// no rule (FIB_RULE_UNRESOLVED; iproute2 "[unresolved]"). Read-only,
	// like IifDetached.
	Unresolved bool

	// Goto is the priority of the rule RuleActionGoto jumps to (FRA_GOTO).
	Goto uint32

	// Protocol says who installed the rule (FRA_PROTOCOL, iproute2
	// "protocol"); the kernel reads it back as it was given, 0 if none.
	Protocol Protocol

	// IPProto matches the IP protocol (FRA_IP_PROTO, iproute2
	// "ipproto"), e.g. 6 for TCP.
	IPProto uint8

	// SrcPorts and DstPorts match the transport ports (FRA_SPORT_RANGE,
	// FRA_DPORT_RANGE, iproute2 "sport", "dport").
	SrcPorts, DstPorts PortRange

	// UIDRange matches the socket owner's uid (FRA_UID_RANGE, iproute2
	// "uidrange"); nil: all.
	UIDRange *UIDRange

	// SuppressPrefixLength rejects lookup results whose prefix is this
	// long or shorter (FRA_SUPPRESS_PREFIXLEN, iproute2
	// "suppress_prefixlength"); nil: not set, which the kernel sends as
	// 0xffffffff. 0 is meaningful: it suppresses default routes.
	SuppressPrefixLength *uint32

	// SuppressIfGroup rejects lookup results through links of this group
	// (FRA_SUPPRESS_IFGROUP, iproute2 "suppress_ifgroup"); nil: not set
	// (0xffffffff on the wire).
	SuppressIfGroup *uint32

	// L3MDev looks up the table of the L3 master device (VRF) of the
	// packet's link (FRA_L3MDEV, iproute2 "l3mdev").
	L3MDev bool

	// TunID matches the tunnel id of packets from metadata-based
	// (external) tunnels (FRA_TUN_ID, big-endian on the wire; iproute2
	// "tun_id"); 0: any.
	TunID uint64

	// Realms is the IPv4 routing realm to assign (FRA_FLOW, iproute2
	// "realms").
	Realms uint32
}

// PortRange is an inclusive range of ports (struct fib_rule_port_range).
// The zero value means all ports; a single port has Start == End.
type PortRange struct {
	Start, End uint16
}

// UIDRange is an inclusive range of uids (struct fib_rule_uid_range).
type UIDRange struct {
	Start, End uint32
}

// RuleAction is fib_rule_hdr.action (FR_ACT_*).
type RuleAction uint8

// Rule actions (linux/fib_rules.h).
const (
	RuleActionUnspec      RuleAction = unix.FR_ACT_UNSPEC      // FR_ACT_UNSPEC
	RuleActionLookup      RuleAction = unix.FR_ACT_TO_TBL      // FR_ACT_TO_TBL: look up Table
	RuleActionGoto        RuleAction = unix.FR_ACT_GOTO        // FR_ACT_GOTO: continue at rule Goto
	RuleActionNop         RuleAction = unix.FR_ACT_NOP         // FR_ACT_NOP: do nothing
	RuleActionBlackhole   RuleAction = unix.FR_ACT_BLACKHOLE   // FR_ACT_BLACKHOLE: drop silently
	RuleActionUnreachable RuleAction = unix.FR_ACT_UNREACHABLE // FR_ACT_UNREACHABLE: drop with ENETUNREACH
	RuleActionProhibit    RuleAction = unix.FR_ACT_PROHIBIT    // FR_ACT_PROHIBIT: drop with EACCES
)

// String gives iproute2's words: lookup, goto, nop, blackhole,
// unreachable, prohibit (and unspec), or the number.
func (a RuleAction) String() string {
	switch a {
	case RuleActionUnspec:
		return "unspec"
	case RuleActionLookup:
		return "lookup"
	case RuleActionGoto:
		return "goto"
	case RuleActionNop:
		return "nop"
	case RuleActionBlackhole:
		return "blackhole"
	case RuleActionUnreachable:
		return "unreachable"
	case RuleActionProhibit:
		return "prohibit"
	}
	return strconv.Itoa(int(a))
}

const fibRuleHdrLen = 12 // sizeof(struct fib_rule_hdr)

// fraNames names the FRA_* attributes in decoding errors.
var fraNames = [...]string{"FRA_UNSPEC", "FRA_DST", "FRA_SRC", "FRA_IIFNAME", "FRA_GOTO", "FRA_UNUSED2",
	"FRA_PRIORITY", "FRA_UNUSED3", "FRA_UNUSED4", "FRA_UNUSED5", "FRA_FWMARK", "FRA_FLOW", "FRA_TUN_ID",
	"FRA_SUPPRESS_IFGROUP", "FRA_SUPPRESS_PREFIXLEN", "FRA_TABLE", "FRA_FWMASK", "FRA_OIFNAME", "FRA_PAD",
	"FRA_L3MDEV", "FRA_UID_RANGE", "FRA_PROTOCOL", "FRA_IP_PROTO", "FRA_SPORT_RANGE", "FRA_DPORT_RANGE"}

// MarshalBinary encodes u as the body of a rule message: struct
// fib_rule_hdr and attributes, without the netlink header. It encodes u
// as it is; AddRule's defaults are not applied.
func (u Rule) MarshalBinary() ([]byte, error) { return u.AppendBinary(nil) }

// AppendBinary appends the encoding of u (see MarshalBinary) to b.
func (u Rule) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	var dstLen, srcLen uint8
	if u.Dst.IsValid() {
		dstLen = uint8(u.Dst.Bits())
	}
	if u.Src.IsValid() {
		srcLen = uint8(u.Src.Bits())
	}
	tbl := uint8(TableUnspec)
	if u.Table < 256 {
		tbl = uint8(u.Table)
	}
	var flags uint32
	if u.Invert {
		flags |= unix.FIB_RULE_INVERT
	}
	if u.IifDetached {
		flags |= unix.FIB_RULE_IIF_DETACHED
	}
	if u.OifDetached {
		flags |= unix.FIB_RULE_OIF_DETACHED
	}
	if u.Unresolved {
		flags |= unix.FIB_RULE_UNRESOLVED
	}
	b = append(b, byte(u.Family), dstLen, srcLen, u.Tos, tbl, 0, 0, byte(u.Action), 0, 0, 0, 0)
	binary.NativeEndian.PutUint32(b[start+8:], flags)
	var e nlattr.Encoder
	e.Reset(b)
	if u.Priority != 0 {
		e.Uint32(unix.FRA_PRIORITY, u.Priority)
	}
	if u.Table != 0 {
		e.Uint32(unix.FRA_TABLE, uint32(u.Table))
	}
	if u.Src.IsValid() {
		e.Addr(unix.FRA_SRC, u.Src.Addr())
	}
	if u.Dst.IsValid() {
		e.Addr(unix.FRA_DST, u.Dst.Addr())
	}
	if u.Mark != 0 || u.Mask != 0 {
		e.Uint32(unix.FRA_FWMARK, u.Mark)
		// Without FRA_FWMASK the kernel compares all bits of a
		// non-zero mark.
		if u.Mask != 0 && !(u.Mask == 0xffffffff && u.Mark != 0) {
			e.Uint32(unix.FRA_FWMASK, u.Mask)
		}
	}
	if u.IifName != "" {
		e.String(unix.FRA_IIFNAME, u.IifName)
	}
	if u.OifName != "" {
		e.String(unix.FRA_OIFNAME, u.OifName)
	}
	if u.Goto != 0 {
		e.Uint32(unix.FRA_GOTO, u.Goto)
	}
	if u.Protocol != 0 {
		e.Uint8(unix.FRA_PROTOCOL, uint8(u.Protocol))
	}
	if u.IPProto != 0 {
		e.Uint8(unix.FRA_IP_PROTO, u.IPProto)
	}
	if u.SrcPorts != (PortRange{}) {
		e.Bytes(unix.FRA_SPORT_RANGE, rulePortRangeBytes(u.SrcPorts))
	}
	if u.DstPorts != (PortRange{}) {
		e.Bytes(unix.FRA_DPORT_RANGE, rulePortRangeBytes(u.DstPorts))
	}
	if u.UIDRange != nil {
		var p [8]byte
		binary.NativeEndian.PutUint32(p[0:], u.UIDRange.Start)
		binary.NativeEndian.PutUint32(p[4:], u.UIDRange.End)
		e.Bytes(unix.FRA_UID_RANGE, p[:])
	}
	if u.SuppressPrefixLength != nil {
		e.Uint32(unix.FRA_SUPPRESS_PREFIXLEN, *u.SuppressPrefixLength)
	}
	if u.SuppressIfGroup != nil {
		e.Uint32(unix.FRA_SUPPRESS_IFGROUP, *u.SuppressIfGroup)
	}
	if u.L3MDev {
		e.Uint8(unix.FRA_L3MDEV, 1)
	}
	if u.Realms != 0 {
		e.Uint32(unix.FRA_FLOW, u.Realms)
	}
	if u.TunID != 0 {
		var p [8]byte
		binary.BigEndian.PutUint64(p[:], u.TunID)
		e.Bytes(unix.FRA_TUN_ID, p[:])
	}
	b, err := e.Finish()
	if err != nil {
		return b[:start], fmt.Errorf("rtnl: encode rule: %w", err)
	}
	return b, nil
}

func rulePortRangeBytes(r PortRange) []byte {
	var p [4]byte
	binary.NativeEndian.PutUint16(p[0:], r.Start)
	binary.NativeEndian.PutUint16(p[2:], r.End)
	return p[:]
}

// UnmarshalBinary decodes the body of a rule message (struct fib_rule_hdr
// and attributes, without the netlink header) into u, replacing all of u.
// Unknown attributes are skipped; a known one with the wrong length, or an
// address whose size contradicts the family, is an error naming it.
func (u *Rule) UnmarshalBinary(b []byte) error {
	*u = Rule{}
	if len(b) < fibRuleHdrLen {
		return fmt.Errorf("rtnl: decode rule: %d-byte message, want at least %d (struct fib_rule_hdr)", len(b), fibRuleHdrLen)
	}
	u.Family = Family(b[0])
	dstLen, srcLen := int(b[1]), int(b[2])
	u.Tos = b[3]
	u.Table = Table(b[4])
	u.Action = RuleAction(b[7])
	flags := binary.NativeEndian.Uint32(b[8:12])
	u.Invert = flags&unix.FIB_RULE_INVERT != 0
	u.IifDetached = flags&unix.FIB_RULE_IIF_DETACHED != 0
	u.OifDetached = flags&unix.FIB_RULE_OIF_DETACHED != 0
	u.Unresolved = flags&unix.FIB_RULE_UNRESOLVED != 0
	bits := 0
	switch u.Family {
	case FamilyIPv4:
		bits = 32
	case FamilyIPv6:
		bits = 128
	}
	var src, dst netip.Addr
	var hasMark, hasMask bool
	d := nlattr.NewDecoder(b[fibRuleHdrLen:])
	for d.Next() {
		switch d.Type() {
		case unix.FRA_SRC, unix.FRA_DST:
			a := d.Addr()
			if a.IsValid() && bits != 0 && a.BitLen() != bits {
				d.Fail(errRouteAddrFamily)
			}
			if d.Type() == unix.FRA_SRC {
				src = a
			} else {
				dst = a
			}
		case unix.FRA_PRIORITY:
			u.Priority = d.Uint32()
		case unix.FRA_TABLE:
			u.Table = Table(d.Uint32())
		case unix.FRA_FWMARK:
			u.Mark, hasMark = d.Uint32(), true
		case unix.FRA_FWMASK:
			u.Mask, hasMask = d.Uint32(), true
		case unix.FRA_IIFNAME:
			u.IifName = d.String()
		case unix.FRA_OIFNAME:
			u.OifName = d.String()
		case unix.FRA_GOTO:
			u.Goto = d.Uint32()
		case unix.FRA_PROTOCOL:
			u.Protocol = Protocol(d.Uint8())
		case unix.FRA_IP_PROTO:
			u.IPProto = d.Uint8()
		case unix.FRA_SPORT_RANGE:
			u.SrcPorts = ruleDecodePortRange(&d)
		case unix.FRA_DPORT_RANGE:
			u.DstPorts = ruleDecodePortRange(&d)
		case unix.FRA_UID_RANGE:
			if d.Len() != 8 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			p := d.Bytes()
			u.UIDRange = &UIDRange{Start: binary.NativeEndian.Uint32(p), End: binary.NativeEndian.Uint32(p[4:])}
		case unix.FRA_SUPPRESS_PREFIXLEN:
			u.SuppressPrefixLength = ruleOptionalUint32(&d)
		case unix.FRA_SUPPRESS_IFGROUP:
			u.SuppressIfGroup = ruleOptionalUint32(&d)
		case unix.FRA_L3MDEV:
			u.L3MDev = d.Uint8() != 0
		case unix.FRA_FLOW:
			u.Realms = d.Uint32()
		case unix.FRA_TUN_ID:
			if d.Len() != 8 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			u.TunID = binary.BigEndian.Uint64(d.Bytes())
		}
	}
	if err := d.Err(); err != nil {
		*u = Rule{}
		return decodeAttrError("rule", namesSpace(fraNames[:], "FRA_"), b[fibRuleHdrLen:], err)
	}
	if hasMark && !hasMask && u.Mark != 0 {
		u.Mask = 0xffffffff
	}
	for _, p := range [...]struct {
		a    netip.Addr
		n    int
		out  *netip.Prefix
		name string
	}{{src, srcLen, &u.Src, "src"}, {dst, dstLen, &u.Dst, "dst"}} {
		if !p.a.IsValid() {
			continue // iproute2 "all"; a length without address is ignored, as the kernel does
		}
		if p.n > p.a.BitLen() {
			*u = Rule{}
			return fmt.Errorf("rtnl: decode rule: %s_len %d for a %d-bit address", p.name, p.n, p.a.BitLen())
		}
		*p.out = netip.PrefixFrom(p.a, p.n)
	}
	return nil
}

// ruleOptionalUint32 reads a u32 attribute whose value -1 (0xffffffff) means
// "not set", as the kernel sends it for FRA_SUPPRESS_PREFIXLEN.
func ruleOptionalUint32(d *nlattr.Decoder) *uint32 {
	v := d.Uint32()
	if v == 0xffffffff || d.Err() != nil {
		return nil
	}
	return &v
}

func ruleDecodePortRange(d *nlattr.Decoder) PortRange {
	if d.Len() != 4 {
		d.Fail(nlattr.ErrBadLength)
		return PortRange{}
	}
	p := d.Bytes()
	return PortRange{Start: binary.NativeEndian.Uint16(p), End: binary.NativeEndian.Uint16(p[2:])}
}

// RuleFilter selects rules in Rules. Its zero value selects every rule of
// every family.
type RuleFilter struct {
	// Family selects FamilyIPv4 or FamilyIPv6 rules (filtered by the
	// kernel); zero: all families, including the multicast routing rules
	// (families 128 and 129) when the kernel has them.
	Family Family
	// Table selects the rules that look up one table (filtered here: the
	// kernel cannot).
	Table Table
}

// Rules streams the policy routing rules that match f, in priority order
// per family (like `ip rule show`). It is a single-use iterator that stops
// at the first error; breaking out early is fine.
func (c *Conn) Rules(ctx context.Context, f RuleFilter) iter.Seq2[Rule, error] {
	return f.dump().seq(c, ctx)
}

// RuleList returns the rules that match f (see Rules) as a slice the
// caller owns, read whole before decoding (see RouteList). An error
// returns no rules.
func (c *Conn) RuleList(ctx context.Context, f RuleFilter) ([]Rule, error) {
	return f.dump().list(c, ctx)
}

// dump is the rule dump f asks for.
func (f RuleFilter) dump() dumpReq[Rule] {
	body := make([]byte, fibRuleHdrLen)
	body[0] = byte(f.Family)
	return dumpReq[Rule]{op: "list rules", typ: unix.RTM_GETRULE, want: unix.RTM_NEWRULE, body: body,
		decode: func(u *Rule, m netlink.Message) (bool, error) {
			if err := u.UnmarshalBinary(m.Data); err != nil {
				return false, err
			}
			return (f.Family == 0 || u.Family == f.Family) && (f.Table == 0 || u.Table == f.Table), nil
		}}
}

// forChange fills in the family from the addresses and drops the flags
// the kernel computes (it would keep them if sent).
func (u Rule) forChange() Rule {
	u.IifDetached, u.OifDetached, u.Unresolved = false, false, false
	if u.Family == FamilyUnspec {
		if u.Src.IsValid() {
			u.Family = routeAddrFamily(u.Src.Addr())
		} else if u.Dst.IsValid() {
			u.Family = routeAddrFamily(u.Dst.Addr())
		}
	}
	return u
}

// AddRule adds u (RTM_NEWRULE with NLM_F_CREATE|NLM_F_EXCL, like `ip rule
// add`). An identical rule gives EEXIST. Family comes from Src or Dst when
// zero, and a zero Action is RuleActionGoto if Goto is set,
// RuleActionLookup otherwise.
func (c *Conn) AddRule(ctx context.Context, u Rule) error {
	u = u.forChange()
	if u.Action == RuleActionUnspec {
		u.Action = RuleActionLookup
		if u.Goto != 0 {
			u.Action = RuleActionGoto
		}
	}
	b, err := u.AppendBinary(make([]byte, 0, 96))
	return c.send(ctx, ruleOp("add", &u), unix.RTM_NEWRULE, netlink.Create|netlink.Excl, b, err)
}

// DeleteRule deletes the first rule that matches u (RTM_DELRULE, `ip rule
// del`): every field that is set must match. A missing rule gives ENOENT.
func (c *Conn) DeleteRule(ctx context.Context, u Rule) error {
	u = u.forChange()
	b, err := u.AppendBinary(make([]byte, 0, 96))
	return c.send(ctx, ruleOp("delete", &u), unix.RTM_DELRULE, 0, b, err)
}
