package conntrack

import (
	"net/netip"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/nlattr"
)

// FlowFilter selects flows. The zero value selects every flow; each set
// field narrows the selection. The kernel filters what it can (see
// Flows); Match is the same test in user space.
type FlowFilter struct {
	// Family is the L3 family (nfgen_family): FamilyIPv4, FamilyIPv6, or
	// FamilyUnspec for both.
	Family netfilter.Family
	// Proto is the L4 protocol of the original tuple (CTA_PROTO_NUM); 0:
	// any.
	Proto uint8

	// Src and Dst select the original tuple's addresses (conntrack -s,
	// -d); ReplySrc and ReplyDst the reply tuple's (-r, -q). A single
	// address is a /32 or /128 prefix; the zero Prefix matches any.
	Src, Dst, ReplySrc, ReplyDst netip.Prefix

	// SrcPort and DstPort select the original tuple's ports (--sport,
	// --dport); 0: any.
	SrcPort, DstPort uint16

	// Mark and MarkMask select flows whose mark&MarkMask == Mark
	// (CTA_MARK, CTA_MARK_MASK); MarkMask 0 selects any mark. Mark 0 with
	// MarkMask 0xffffffff selects unmarked flows.
	Mark, MarkMask uint32

	// Status and StatusMask select flows whose status&StatusMask ==
	// Status (CTA_STATUS, CTA_STATUS_MASK); StatusMask 0: any status.
	Status, StatusMask Status

	// Zone selects flows of that zone (CTA_ZONE) when MatchZone is set.
	Zone      uint16
	MatchZone bool

	userOnly bool // send nothing to the kernel (see userOnly)
}

// family is the L3 family f implies: Family, or that of its addresses.
func (f *FlowFilter) family() netfilter.Family {
	if f.Family != netfilter.FamilyUnspec {
		return f.Family
	}
	for _, p := range []netip.Prefix{f.Src, f.Dst, f.ReplySrc, f.ReplyDst} {
		switch {
		case !p.IsValid():
		case p.Addr().Is4():
			return netfilter.FamilyIPv4
		default:
			return netfilter.FamilyIPv6
		}
	}
	return netfilter.FamilyUnspec
}

func host(p netip.Prefix) bool { return p.IsValid() && p.IsSingleIP() }

// kernelAttrs encodes what the kernel can filter of f in a dump request.
func (f *FlowFilter) kernelAttrs(b []byte) ([]byte, netfilter.Family, error) {
	fam := f.family()
	if f.userOnly {
		return b, fam, nil
	}
	e := nlattr.NewEncoder(b)
	if f.MarkMask != 0 {
		e.Uint32BE(AttrMark, f.Mark)
		e.Uint32BE(AttrMarkMask, f.MarkMask)
	}
	if f.StatusMask != 0 {
		e.Uint32BE(AttrStatus, uint32(f.Status))
		e.Uint32BE(AttrStatusMask, uint32(f.StatusMask))
	}
	if f.MatchZone {
		e.Uint16BE(AttrZone, f.Zone)
	}
	// CTA_FILTER: the original tuple's addresses, protocol and ports, with
	// the family known (the kernel parses addresses by family) and ports
	// only with a protocol. IPv6 addresses stay in user space: Linux 6.18
	// matches them inverted (ctnetlink_filter_match_tuple takes
	// ipv6_addr_cmp's 0 for a difference; TestKernelIPv6FilterInverted).
	var flags uint32
	if fam != netfilter.FamilyUnspec {
		if host(f.Src) && fam == netfilter.FamilyIPv4 {
			flags |= filterIPSrc
		}
		if host(f.Dst) && fam == netfilter.FamilyIPv4 {
			flags |= filterIPDst
		}
		if f.Proto != 0 {
			flags |= filterProtoNum
			if hasPorts(f.Proto) {
				if f.SrcPort != 0 {
					flags |= filterSrcPort
				}
				if f.DstPort != 0 {
					flags |= filterDstPort
				}
			}
		}
	}
	if flags != 0 {
		e.Nest(AttrTupleOrig)
		if flags&(filterIPSrc|filterIPDst) != 0 {
			e.Nest(ctaTupleIP)
			v4 := fam == netfilter.FamilyIPv4
			if flags&filterIPSrc != 0 {
				e.Addr(pick(v4, ctaIPv4Src, ctaIPv6Src), f.Src.Addr())
			}
			if flags&filterIPDst != 0 {
				e.Addr(pick(v4, ctaIPv4Dst, ctaIPv6Dst), f.Dst.Addr())
			}
			e.End()
		}
		if flags&filterProtoNum != 0 {
			e.Nest(ctaTupleProto)
			e.Uint8(ctaProtoNum, f.Proto)
			if flags&filterSrcPort != 0 {
				e.Uint16BE(ctaProtoSrcPort, f.SrcPort)
			}
			if flags&filterDstPort != 0 {
				e.Uint16BE(ctaProtoDstPort, f.DstPort)
			}
			e.End()
		}
		e.End()
		e.Nest(AttrFilter)
		e.Uint32(ctaFilterOrigFlags, flags)
		e.Uint32(ctaFilterReplyFlags, 0)
		e.End()
	}
	out, err := e.Finish()
	return out, fam, err
}

func pick(c bool, a, b uint16) uint16 {
	if c {
		return a
	}
	return b
}

// Match reports whether f selects fl.
func (f *FlowFilter) Match(fl *Flow) bool {
	if fam := f.family(); fam != netfilter.FamilyUnspec && fl.Family != fam && fl.Orig.Family() != fam {
		return false
	}
	if f.Proto != 0 && fl.Orig.Proto != f.Proto {
		return false
	}
	in := func(p netip.Prefix, a netip.Addr) bool { return !p.IsValid() || p.Contains(a) }
	if !in(f.Src, fl.Orig.Src) || !in(f.Dst, fl.Orig.Dst) || !in(f.ReplySrc, fl.Reply.Src) || !in(f.ReplyDst, fl.Reply.Dst) {
		return false
	}
	if f.SrcPort != 0 && (!hasPorts(fl.Orig.Proto) || fl.Orig.SrcPort != f.SrcPort) {
		return false
	}
	if f.DstPort != 0 && (!hasPorts(fl.Orig.Proto) || fl.Orig.DstPort != f.DstPort) {
		return false
	}
	if fl.Mark&f.MarkMask != f.Mark&f.MarkMask {
		return false
	}
	if fl.Status&f.StatusMask != f.Status&f.StatusMask {
		return false
	}
	if f.MatchZone && fl.Zone != f.Zone {
		return false
	}
	return true
}
