package conntrack

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Expectation is an expectation: a flow the kernel expects because a helper
// (ftp, sip ...) saw it announced on a master flow (NFNL_SUBSYS_CTNETLINK_EXP,
// enum ctattr_expect).
type Expectation struct {
	Family netfilter.Family // nfgen_family

	Master Tuple // CTA_EXPECT_MASTER: the master flow's original tuple
	Tuple  Tuple // CTA_EXPECT_TUPLE: the expected flow
	Mask   Tuple // CTA_EXPECT_MASK: which bits of Tuple must match

	Timeout time.Duration // CTA_EXPECT_TIMEOUT: whole seconds left
	ID      uint32        // CTA_EXPECT_ID
	Helper  string        // CTA_EXPECT_HELP_NAME
	Zone    uint16        // CTA_EXPECT_ZONE
	Flags   uint32        // CTA_EXPECT_FLAGS: NF_CT_EXPECT_PERMANENT (1), INACTIVE (2), USERSPACE (4)
	Class   uint32        // CTA_EXPECT_CLASS
	Fn      string        // CTA_EXPECT_FN: the NAT function

	NATDir   uint32 // CTA_EXPECT_NAT/CTA_EXPECT_NAT_DIR
	NATTuple Tuple  // CTA_EXPECT_NAT/CTA_EXPECT_NAT_TUPLE
}

// Expectation flags (CTA_EXPECT_FLAGS).
const (
	ExpectPermanent = 1 << 0 // NF_CT_EXPECT_PERMANENT
	ExpectInactive  = 1 << 1 // NF_CT_EXPECT_INACTIVE
	ExpectUserspace = 1 << 2 // NF_CT_EXPECT_USERSPACE
)

// UnmarshalBinary decodes e from the payload of a ctnetlink expectation
// message (nfgenmsg header and attributes). Unknown attributes are skipped;
// a known one of the wrong length is an error naming its path.
func (e *Expectation) UnmarshalBinary(b []byte) error {
	var h netfilter.Header
	if err := h.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("conntrack: decode expectation: %w", err)
	}
	return decodeExpectation(e, h.Family, b[netfilter.HeaderLen:])
}

func decodeExpectation(e *Expectation, fam netfilter.Family, b []byte) error {
	*e = Expectation{Family: fam}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case ctaExpectMaster:
			decodeTuple(&d, &e.Master)
		case ctaExpectTuple:
			decodeTuple(&d, &e.Tuple)
		case ctaExpectMask:
			decodeTuple(&d, &e.Mask)
		case ctaExpectTimeout:
			e.Timeout = time.Duration(d.Uint32BE()) * time.Second
		case ctaExpectID:
			e.ID = d.Uint32BE()
		case ctaExpectHelpName:
			e.Helper = d.StringOf("ftp", "tftp", "sip", "irc", "amanda", "h323", "pptp", "sane")
		case ctaExpectZone:
			e.Zone = d.Uint16BE()
		case ctaExpectFlags:
			e.Flags = d.Uint32BE()
		case ctaExpectClass:
			e.Class = d.Uint32BE()
		case ctaExpectFn:
			e.Fn = d.String()
		case ctaExpectNAT:
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case ctaExpectNATDir:
					e.NATDir = n.Uint32BE()
				case ctaExpectNATTuple:
					decodeTuple(&n, &e.NATTuple)
				}
			}
		}
	}
	if err := d.Err(); err != nil {
		return decodeError("expectation", b, err)
	}
	if !e.Tuple.IsValid() {
		return errors.New("conntrack: decode expectation: no CTA_EXPECT_TUPLE")
	}
	return nil
}

// MarshalBinary encodes e as the payload of an IPCTNL_MSG_EXP_NEW request.
func (e Expectation) MarshalBinary() ([]byte, error) { return e.AppendBinary(nil) }

// AppendBinary appends MarshalBinary's bytes to b.
func (e Expectation) AppendBinary(b []byte) ([]byte, error) {
	fam := e.Family
	if fam == netfilter.FamilyUnspec {
		fam = e.Tuple.Family()
	}
	b, _ = netfilter.Header{Family: fam, Version: netfilter.Version}.AppendBinary(b)
	enc := nlattr.NewEncoder(b)
	encodeExpectation(enc, &e)
	return enc.Finish()
}

func encodeExpectation(enc *nlattr.Encoder, e *Expectation) {
	if e.Master.IsValid() {
		encodeTuple(enc, ctaExpectMaster, e.Master)
	}
	encodeTuple(enc, ctaExpectTuple, e.Tuple)
	if e.Mask.IsValid() {
		encodeTuple(enc, ctaExpectMask, e.Mask)
	}
	if e.Timeout != 0 {
		enc.Uint32BE(ctaExpectTimeout, seconds(e.Timeout))
	}
	if e.Helper != "" {
		enc.String(ctaExpectHelpName, e.Helper)
	}
	if e.Zone != 0 {
		enc.Uint16BE(ctaExpectZone, e.Zone)
	}
	if e.Flags != 0 {
		enc.Uint32BE(ctaExpectFlags, e.Flags)
	}
	if e.Class != 0 {
		enc.Uint32BE(ctaExpectClass, e.Class)
	}
	if e.Fn != "" {
		enc.String(ctaExpectFn, e.Fn)
	}
	if e.NATTuple.IsValid() {
		enc.Nest(ctaExpectNAT)
		enc.Uint32BE(ctaExpectNATDir, e.NATDir)
		encodeTuple(enc, ctaExpectNATTuple, e.NATTuple)
		enc.End()
	}
}

// Expectations streams the expectations of family fam (FamilyUnspec: all). It
// is a single-use iterator; it stops at the first error.
func (c *Conn) Expectations(ctx context.Context, fam netfilter.Family) iter.Seq2[Expectation, error] {
	return func(yield func(Expectation, error) bool) {
		req := request(netfilter.SubsysCTNetlinkExp, msgExpGet, netlink.Dump, fam, nil)
		var e Expectation
		for m, err := range c.nf.Dump(ctx, req) {
			if err != nil {
				yield(Expectation{}, netlink.NameOp("conntrack", "dump expectations", err))
				return
			}
			if m.Subsystem != netfilter.SubsysCTNetlinkExp {
				continue
			}
			if err := decodeExpectation(&e, m.Header.Family, m.Attrs); err != nil {
				yield(Expectation{}, netlink.NameOp("conntrack", "dump expectations", err))
				return
			}
			if !yield(e, nil) {
				return
			}
		}
	}
}

// ExpectationList returns the expectations of family fam as a slice.
func (c *Conn) ExpectationList(ctx context.Context, fam netfilter.Family) ([]Expectation, error) {
	var out []Expectation
	for e, err := range c.Expectations(ctx, fam) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// AddExpectation creates expectation e (IPCTNL_MSG_EXP_NEW with
// NLM_F_CREATE|NLM_F_EXCL). Master names an existing flow with a helper
// (CTA_HELP); Tuple, Mask and Timeout are needed.
func (c *Conn) AddExpectation(ctx context.Context, e Expectation) error {
	op := "add expectation " + e.Tuple.String()
	if !e.Tuple.IsValid() {
		return netlink.NameOp("conntrack", op, ErrNoTuple)
	}
	enc := nlattr.NewEncoder(nil)
	encodeExpectation(enc, &e)
	attrs, err := enc.Finish()
	if err != nil {
		return netlink.NameOp("conntrack", op, err)
	}
	_, err = c.nf.Execute(ctx, request(netfilter.SubsysCTNetlinkExp, msgExpNew, netlink.Create|netlink.Excl, e.Tuple.Family(), attrs))
	return netlink.NameOp("conntrack", op, err)
}

// DeleteExpectation removes the expectation whose tuple is t in zone
// (IPCTNL_MSG_EXP_DELETE). A missing one is an error matching
// syscall.ENOENT.
func (c *Conn) DeleteExpectation(ctx context.Context, t Tuple, zone uint16) error {
	op := "delete expectation " + t.String()
	if !t.IsValid() {
		return netlink.NameOp("conntrack", op, ErrNoTuple)
	}
	enc := nlattr.NewEncoder(nil)
	encodeTuple(enc, ctaExpectTuple, t)
	if zone != 0 {
		enc.Uint16BE(ctaExpectZone, zone)
	}
	attrs, err := enc.Finish()
	if err != nil {
		return netlink.NameOp("conntrack", op, err)
	}
	_, err = c.nf.Execute(ctx, request(netfilter.SubsysCTNetlinkExp, msgExpDelete, 0, t.Family(), attrs))
	return netlink.NameOp("conntrack", op, err)
}

// FlushExpectations removes every expectation of family fam (FamilyUnspec:
// all).
func (c *Conn) FlushExpectations(ctx context.Context, fam netfilter.Family) error {
	req := netfilter.NewMessage(netfilter.SubsysCTNetlinkExp, msgExpDelete, 0, netfilter.Header{Family: fam, Version: 1}, nil)
	_, err := c.nf.Execute(ctx, req)
	return netlink.NameOp("conntrack", "flush expectations", err)
}
