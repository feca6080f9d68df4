package conntrack

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
)

// Decoding errors name the attribute at fault by its path from the top
// level, as the UAPI header spells it ("conntrack: decode flow:
// CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_SRC_PORT: ..."). The path is
// found again from the offset of the *nlattr.Error; only the error path
// pays.

// space names one nesting level's attributes and says which are nests.
type space struct {
	prefix string
	names  []string
	inner  func(typ uint16) *space
}

func (s *space) name(t uint16) string {
	if int(t) < len(s.names) && s.names[t] != "" {
		return s.names[t]
	}
	return s.prefix + strconv.Itoa(int(t))
}

var (
	ipSpace    = &space{prefix: "CTA_IP_", names: []string{1: "CTA_IP_V4_SRC", "CTA_IP_V4_DST", "CTA_IP_V6_SRC", "CTA_IP_V6_DST"}}
	protoSpace = &space{prefix: "CTA_PROTO_", names: []string{1: "CTA_PROTO_NUM", "CTA_PROTO_SRC_PORT", "CTA_PROTO_DST_PORT",
		"CTA_PROTO_ICMP_ID", "CTA_PROTO_ICMP_TYPE", "CTA_PROTO_ICMP_CODE", "CTA_PROTO_ICMPV6_ID", "CTA_PROTO_ICMPV6_TYPE", "CTA_PROTO_ICMPV6_CODE"}}
	tupleSpace = &space{prefix: "CTA_TUPLE_", names: []string{1: "CTA_TUPLE_IP", "CTA_TUPLE_PROTO", "CTA_TUPLE_ZONE"},
		inner: func(t uint16) *space {
			switch t {
			case ctaTupleIP:
				return ipSpace
			case ctaTupleProto:
				return protoSpace
			}
			return nil
		}}
	tcpSpace = &space{prefix: "CTA_PROTOINFO_TCP_", names: []string{1: "CTA_PROTOINFO_TCP_STATE", "CTA_PROTOINFO_TCP_WSCALE_ORIGINAL",
		"CTA_PROTOINFO_TCP_WSCALE_REPLY", "CTA_PROTOINFO_TCP_FLAGS_ORIGINAL", "CTA_PROTOINFO_TCP_FLAGS_REPLY"}}
	sctpSpace      = &space{prefix: "CTA_PROTOINFO_SCTP_", names: []string{1: "CTA_PROTOINFO_SCTP_STATE", "CTA_PROTOINFO_SCTP_VTAG_ORIGINAL", "CTA_PROTOINFO_SCTP_VTAG_REPLY"}}
	dccpSpace      = &space{prefix: "CTA_PROTOINFO_DCCP_", names: []string{1: "CTA_PROTOINFO_DCCP_STATE", "CTA_PROTOINFO_DCCP_ROLE", "CTA_PROTOINFO_DCCP_HANDSHAKE_SEQ"}}
	protoInfoSpace = &space{prefix: "CTA_PROTOINFO_", names: []string{1: "CTA_PROTOINFO_TCP", "CTA_PROTOINFO_DCCP", "CTA_PROTOINFO_SCTP"},
		inner: func(t uint16) *space {
			switch t {
			case ctaProtoInfoTCP:
				return tcpSpace
			case ctaProtoInfoDCCP:
				return dccpSpace
			case ctaProtoInfoSCTP:
				return sctpSpace
			}
			return nil
		}}
	countersSpace = &space{prefix: "CTA_COUNTERS_", names: []string{1: "CTA_COUNTERS_PACKETS", "CTA_COUNTERS_BYTES", "CTA_COUNTERS32_PACKETS", "CTA_COUNTERS32_BYTES"}}
	tstampSpace   = &space{prefix: "CTA_TIMESTAMP_", names: []string{1: "CTA_TIMESTAMP_START", "CTA_TIMESTAMP_STOP"}}
	seqAdjSpace   = &space{prefix: "CTA_SEQADJ_", names: []string{1: "CTA_SEQADJ_CORRECTION_POS", "CTA_SEQADJ_OFFSET_BEFORE", "CTA_SEQADJ_OFFSET_AFTER"}}
	helpSpace     = &space{prefix: "CTA_HELP_", names: []string{1: "CTA_HELP_NAME", "CTA_HELP_INFO"}}
	secCtxSpace   = &space{prefix: "CTA_SECCTX_", names: []string{1: "CTA_SECCTX_NAME"}}
	protoNATSpace = &space{prefix: "CTA_PROTONAT_", names: []string{1: "CTA_PROTONAT_PORT_MIN", "CTA_PROTONAT_PORT_MAX"}}
	natSpace      = &space{prefix: "CTA_NAT_", names: []string{1: "CTA_NAT_V4_MINIP", "CTA_NAT_V4_MAXIP", "CTA_NAT_PROTO", "CTA_NAT_V6_MINIP", "CTA_NAT_V6_MAXIP"},
		inner: func(t uint16) *space {
			if t == ctaNATProto {
				return protoNATSpace
			}
			return nil
		}}
	synproxySpace = &space{prefix: "CTA_SYNPROXY_", names: []string{1: "CTA_SYNPROXY_ISN", "CTA_SYNPROXY_ITS", "CTA_SYNPROXY_TSOFF"}}
	flowSpace     = &space{prefix: "CTA_", names: []string{1: "CTA_TUPLE_ORIG", "CTA_TUPLE_REPLY", "CTA_STATUS", "CTA_PROTOINFO",
		"CTA_HELP", "CTA_NAT_SRC", "CTA_TIMEOUT", "CTA_MARK", "CTA_COUNTERS_ORIG", "CTA_COUNTERS_REPLY", "CTA_USE", "CTA_ID",
		"CTA_NAT_DST", "CTA_TUPLE_MASTER", "CTA_SEQ_ADJ_ORIG", "CTA_SEQ_ADJ_REPLY", "CTA_SECMARK", "CTA_ZONE", "CTA_SECCTX",
		"CTA_TIMESTAMP", "CTA_MARK_MASK", "CTA_LABELS", "CTA_LABELS_MASK", "CTA_SYNPROXY", "CTA_FILTER", "CTA_STATUS_MASK",
		"CTA_TIMESTAMP_EVENT"},
		inner: func(t uint16) *space {
			switch t {
			case AttrTupleOrig, AttrTupleReply, AttrTupleMaster:
				return tupleSpace
			case AttrProtoInfo:
				return protoInfoSpace
			case AttrCountersOrig, AttrCountersReply:
				return countersSpace
			case AttrTimestamp:
				return tstampSpace
			case AttrSeqAdjOrig, AttrSeqAdjReply:
				return seqAdjSpace
			case AttrHelp:
				return helpSpace
			case AttrSecCtx:
				return secCtxSpace
			case AttrSynproxy:
				return synproxySpace
			case AttrNATSrc, AttrNATDst:
				return natSpace
			}
			return nil
		}}
	expectNATSpace = &space{prefix: "CTA_EXPECT_NAT_", names: []string{1: "CTA_EXPECT_NAT_DIR", "CTA_EXPECT_NAT_TUPLE"},
		inner: func(t uint16) *space {
			if t == ctaExpectNATTuple {
				return tupleSpace
			}
			return nil
		}}
	expectSpace = &space{prefix: "CTA_EXPECT_", names: []string{1: "CTA_EXPECT_MASTER", "CTA_EXPECT_TUPLE", "CTA_EXPECT_MASK",
		"CTA_EXPECT_TIMEOUT", "CTA_EXPECT_ID", "CTA_EXPECT_HELP_NAME", "CTA_EXPECT_ZONE", "CTA_EXPECT_FLAGS", "CTA_EXPECT_CLASS",
		"CTA_EXPECT_NAT", "CTA_EXPECT_FN"},
		inner: func(t uint16) *space {
			switch t {
			case ctaExpectMaster, ctaExpectTuple, ctaExpectMask:
				return tupleSpace
			case ctaExpectNAT:
				return expectNATSpace
			}
			return nil
		}}
)

// attrPath walks b as s describes it to the attribute whose header is at
// off, and returns the names on the way.
func attrPath(s *space, b []byte, off int) string {
	var path []string
	base := 0
	for s != nil {
		d := nlattr.NewDecoder(b)
		found := false
		for d.Next() {
			start := base + d.Offset()
			end := start + nlattr.HeaderLen + d.Len()
			if off < start || off >= nlattr.Align(end) && off != start {
				continue
			}
			path = append(path, s.name(d.Type()))
			if off == start {
				return strings.Join(path, "/")
			}
			var in *space
			if s.inner != nil {
				in = s.inner(d.Type())
			}
			b, base, s, found = d.Bytes(), start+nlattr.HeaderLen, in, true
			break
		}
		if !found {
			break
		}
	}
	if len(path) == 0 {
		return ""
	}
	return strings.Join(path, "/") + "/?"
}

// decodeError names the attribute an nlattr error points at in a flow or
// an expectation.
func decodeError(what string, b []byte, err error) error {
	s := flowSpace
	if what == "expectation" {
		s = expectSpace
	}
	return decodeErrorIn(s, what, b, err)
}

// decodeErrorIn names the attribute an nlattr error points at in b, whose
// attributes s describes (b nil: name the type only).
func decodeErrorIn(s *space, what string, b []byte, err error) error {
	var ae *nlattr.Error
	if errors.As(err, &ae) {
		p := ""
		if b != nil {
			p = attrPath(s, b, ae.Offset)
		} else if ae.Type != 0 {
			p = s.name(ae.Type)
		}
		if p != "" {
			return fmt.Errorf("conntrack: decode %s: %s: %w", what, p, err)
		}
	}
	return fmt.Errorf("conntrack: decode %s: %w", what, err)
}
