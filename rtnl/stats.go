package rtnl

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"strconv"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Link statistics (RTM_GETSTATS, linux/if_link.h: struct if_stats_msg and
// the IFLA_STATS_* attributes), as `ip stats show` reads them: the
// generic counters, the link-type extended counters of bridges and bonds
// and of their ports, the offload (hardware) counters and the per-family
// ones (MPLS). The request says which groups it wants (a filter mask), so
// the kernel computes only those.

// StatsGroups is the filter mask of a statistics request
// (if_stats_msg.filter_mask): the groups wanted, IFLA_STATS_FILTER_BIT of
// each IFLA_STATS_* attribute.
type StatsGroups uint32

// The statistics groups.
const (
	StatsLink64      StatsGroups = 1 << (iflaStatsLink64 - 1)          // IFLA_STATS_LINK_64
	StatsXstats      StatsGroups = 1 << (iflaStatsLinkXstats - 1)      // IFLA_STATS_LINK_XSTATS (the link's own kind)
	StatsXstatsSlave StatsGroups = 1 << (iflaStatsLinkXstatsSlave - 1) // IFLA_STATS_LINK_XSTATS_SLAVE (as a port of its master)
	StatsOffload     StatsGroups = 1 << (iflaStatsLinkOffloadXstats - 1)
	StatsAFSpec      StatsGroups = 1 << (iflaStatsAFSpec - 1) // IFLA_STATS_AF_SPEC
	// StatsAll is every group this package knows.
	StatsAll = StatsLink64 | StatsXstats | StatsXstatsSlave | StatsOffload | StatsAFSpec
)

// OffloadStats is the filter mask of the offload group's members
// (IFLA_STATS_GET_FILTERS for IFLA_STATS_LINK_OFFLOAD_XSTATS).
type OffloadStats uint32

// The offload group's members.
const (
	OffloadCPUHit      OffloadStats = 1 << (iflaOffloadXstatsCPUHit - 1)  // IFLA_OFFLOAD_XSTATS_CPU_HIT
	OffloadHWStatsInfo OffloadStats = 1 << (iflaOffloadXstatsHWSInfo - 1) // IFLA_OFFLOAD_XSTATS_HW_S_INFO
	OffloadL3Stats     OffloadStats = 1 << (iflaOffloadXstatsL3Stats - 1) // IFLA_OFFLOAD_XSTATS_L3_STATS
)

const (
	ifStatsMsgLen = 12 // struct if_stats_msg

	iflaStatsLink64            = 1 // IFLA_STATS_LINK_64
	iflaStatsLinkXstats        = 2 // IFLA_STATS_LINK_XSTATS
	iflaStatsLinkXstatsSlave   = 3 // IFLA_STATS_LINK_XSTATS_SLAVE
	iflaStatsLinkOffloadXstats = 4 // IFLA_STATS_LINK_OFFLOAD_XSTATS
	iflaStatsAFSpec            = 5 // IFLA_STATS_AF_SPEC

	iflaStatsGetFilters              = 1 // IFLA_STATS_GET_FILTERS
	iflaStatsSetOffloadXstatsL3Stats = 2 // IFLA_STATS_SET_OFFLOAD_XSTATS_L3_STATS

	linkXstatsTypeBridge = 1 // LINK_XSTATS_TYPE_BRIDGE
	linkXstatsTypeBond   = 2 // LINK_XSTATS_TYPE_BOND

	iflaOffloadXstatsCPUHit  = 1 // IFLA_OFFLOAD_XSTATS_CPU_HIT
	iflaOffloadXstatsHWSInfo = 2 // IFLA_OFFLOAD_XSTATS_HW_S_INFO
	iflaOffloadXstatsL3Stats = 3 // IFLA_OFFLOAD_XSTATS_L3_STATS

	iflaHWSInfoRequest = 1 // IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST
	iflaHWSInfoUsed    = 2 // IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED

	bridgeXstatsVlan  = 1 // BRIDGE_XSTATS_VLAN
	bridgeXstatsMcast = 2 // BRIDGE_XSTATS_MCAST
	bridgeXstatsSTP   = 4 // BRIDGE_XSTATS_STP

	bondXstats3AD = 1 // BOND_XSTATS_3AD

	mplsStatsLink = 1 // MPLS_STATS_LINK

	bridgeVlanLen = 40 // struct bridge_vlan_xstats
)

// StatsFilter selects the statistics LinkStats asks for. The zero value
// asks for every group of every link.
type StatsFilter struct {
	// Index asks for one link (a doit RTM_GETSTATS); 0 dumps them all.
	Index int32
	// Groups are the groups wanted; 0 means StatsAll.
	Groups StatsGroups
	// Offload narrows the offload group to these members
	// (IFLA_STATS_GET_FILTERS); 0 means all of them.
	Offload OffloadStats
}

// LinkStats are one link's statistics (RTM_NEWSTATS). Each group is
// present (its Has field true, or its pointer non-nil) only if the
// request asked for it and the kernel had it for this link.
type LinkStats struct {
	Index int32 // if_stats_msg.ifindex
	// Groups is the reply's filter_mask: the groups the request asked for.
	Groups StatsGroups

	// Link64 are the generic counters (IFLA_STATS_LINK_64).
	Link64    LinkStats64
	HasLink64 bool

	// Xstats are the counters of the link's own kind (a bridge's
	// multicast counters, a bond's 802.3ad counters:
	// IFLA_STATS_LINK_XSTATS); HasXstats says the nest was present.
	Xstats    Xstats
	HasXstats bool
	// XstatsSlave are the counters the master keeps on this link as its
	// port (IFLA_STATS_LINK_XSTATS_SLAVE).
	XstatsSlave    Xstats
	HasXstatsSlave bool

	// Offload are the offload counters (IFLA_STATS_LINK_OFFLOAD_XSTATS).
	Offload    OffloadXstats
	HasOffload bool

	// MPLS are the MPLS counters inside IFLA_STATS_AF_SPEC (AF_MPLS/
	// MPLS_STATS_LINK); nil if absent. HasAFSpec says IFLA_STATS_AF_SPEC
	// itself was present, HasAFMPLS its AF_MPLS nest.
	MPLS      *MPLSLinkStats
	HasAFSpec bool
	HasAFMPLS bool
}

// Xstats are the link-type extended counters of IFLA_STATS_LINK_XSTATS
// or IFLA_STATS_LINK_XSTATS_SLAVE: nil for a type absent.
type Xstats struct {
	Bridge *BridgeXstats // LINK_XSTATS_TYPE_BRIDGE
	Bond   *BondXstats   // LINK_XSTATS_TYPE_BOND
}

// BridgeXstats are a bridge's (or a bridge port's) counters.
type BridgeXstats struct {
	Mcast *BridgeMcastStats // BRIDGE_XSTATS_MCAST; nil if absent
	STP   *BridgeSTPStats   // BRIDGE_XSTATS_STP; nil if absent
	Vlans []BridgeVlanStats // BRIDGE_XSTATS_VLAN, one per VLAN
}

// McastDir are a multicast counter's received ([0], BR_MCAST_DIR_RX)
// and sent ([1], BR_MCAST_DIR_TX) counts.
type McastDir [2]uint64

// BridgeMcastStats are IGMP and MLD counters (struct br_mcast_stats).
type BridgeMcastStats struct {
	IGMPv1Queries, IGMPv2Queries, IGMPv3Queries McastDir
	IGMPLeaves                                  McastDir
	IGMPv1Reports, IGMPv2Reports, IGMPv3Reports McastDir
	IGMPParseErrors                             uint64
	MLDv1Queries, MLDv2Queries                  McastDir
	MLDLeaves                                   McastDir
	MLDv1Reports, MLDv2Reports                  McastDir
	MLDParseErrors                              uint64
	McastBytes, McastPackets                    McastDir
}

func (s *BridgeMcastStats) fields() [30]*uint64 {
	return [30]*uint64{&s.IGMPv1Queries[0], &s.IGMPv1Queries[1], &s.IGMPv2Queries[0], &s.IGMPv2Queries[1],
		&s.IGMPv3Queries[0], &s.IGMPv3Queries[1], &s.IGMPLeaves[0], &s.IGMPLeaves[1],
		&s.IGMPv1Reports[0], &s.IGMPv1Reports[1], &s.IGMPv2Reports[0], &s.IGMPv2Reports[1],
		&s.IGMPv3Reports[0], &s.IGMPv3Reports[1], &s.IGMPParseErrors,
		&s.MLDv1Queries[0], &s.MLDv1Queries[1], &s.MLDv2Queries[0], &s.MLDv2Queries[1],
		&s.MLDLeaves[0], &s.MLDLeaves[1], &s.MLDv1Reports[0], &s.MLDv1Reports[1],
		&s.MLDv2Reports[0], &s.MLDv2Reports[1], &s.MLDParseErrors,
		&s.McastBytes[0], &s.McastBytes[1], &s.McastPackets[0], &s.McastPackets[1]}
}

// BridgeSTPStats are a bridge port's STP counters (struct
// bridge_stp_xstats).
type BridgeSTPStats struct {
	TransitionBlk, TransitionFwd uint64
	RxBPDU, TxBPDU               uint64
	RxTCN, TxTCN                 uint64
}

// BridgeVlanStats are one VLAN's counters on a bridge (struct
// bridge_vlan_xstats).
type BridgeVlanStats struct {
	RxBytes, RxPackets, TxBytes, TxPackets uint64
	VID                                    uint16
	Flags                                  uint16 // BRIDGE_VLAN_INFO_*
}

// BondXstats are a bond's (or a bond port's) counters.
type BondXstats struct {
	LACP *Bond3ADStats // BOND_XSTATS_3AD; nil if absent
}

// Bond3ADStats are 802.3ad (LACP) counters (BOND_3AD_STAT_*). Present
// has bit i set for counter i (BOND_3AD_STAT_LACPDU_RX is 0) the kernel
// sent.
type Bond3ADStats struct {
	LACPDURx, LACPDUTx, LACPDUUnknownRx, LACPDUIllegalRx        uint64
	MarkerRx, MarkerTx, MarkerRespRx, MarkerRespTx, MarkerUnkRx uint64
	Present                                                     uint16
}

func (s *Bond3ADStats) fields() [9]*uint64 {
	return [9]*uint64{&s.LACPDURx, &s.LACPDUTx, &s.LACPDUUnknownRx, &s.LACPDUIllegalRx,
		&s.MarkerRx, &s.MarkerTx, &s.MarkerRespRx, &s.MarkerRespTx, &s.MarkerUnkRx}
}

// OffloadXstats are the offload group (IFLA_STATS_LINK_OFFLOAD_XSTATS).
type OffloadXstats struct {
	// CPUHit are the packets the hardware handed to the CPU
	// (IFLA_OFFLOAD_XSTATS_CPU_HIT).
	CPUHit    LinkStats64
	HasCPUHit bool
	// L3Info is the L3 hardware statistics' state, inside
	// IFLA_OFFLOAD_XSTATS_HW_S_INFO; HasHWSInfo says that nest was
	// present.
	L3Info     *HWStatsInfo
	HasHWSInfo bool
	// L3 are the hardware's L3 counters (IFLA_OFFLOAD_XSTATS_L3_STATS),
	// sent only while they are in use.
	L3    HWStats64
	HasL3 bool
}

// HWStatsInfo is the state of one hardware statistics suite
// (IFLA_OFFLOAD_XSTATS_HW_S_INFO_*): whether it was asked for (SetL3Stats)
// and whether a driver provides it. HasRequest and HasUsed say the
// attributes were present.
type HWStatsInfo struct {
	Request, HasRequest bool
	Used, HasUsed       bool
}

// HWStats64 are hardware counters (struct rtnl_hw_stats64).
type HWStats64 struct {
	RxPackets, TxPackets, RxBytes, TxBytes   uint64
	RxErrors, TxErrors, RxDropped, TxDropped uint64
	Multicast                                uint64
}

func (s *HWStats64) fields() [9]*uint64 {
	return [9]*uint64{&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes, &s.RxErrors, &s.TxErrors,
		&s.RxDropped, &s.TxDropped, &s.Multicast}
}

// MPLSLinkStats are a link's MPLS counters (struct mpls_link_stats).
type MPLSLinkStats struct {
	RxPackets, TxPackets, RxBytes, TxBytes   uint64
	RxErrors, TxErrors, RxDropped, TxDropped uint64
	RxNoRoute                                uint64
}

func (s *MPLSLinkStats) fields() [9]*uint64 {
	return [9]*uint64{&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes, &s.RxErrors, &s.TxErrors,
		&s.RxDropped, &s.TxDropped, &s.RxNoRoute}
}

// statsRequest is the body of an RTM_GETSTATS request for f.
func statsRequest(f StatsFilter) ([]byte, error) {
	groups := f.Groups
	if groups == 0 {
		groups = StatsAll
	}
	b := make([]byte, ifStatsMsgLen, 32)
	binary.NativeEndian.PutUint32(b[4:], uint32(f.Index))
	binary.NativeEndian.PutUint32(b[8:], uint32(groups))
	if f.Offload == 0 || f.Offload == OffloadCPUHit|OffloadHWStatsInfo|OffloadL3Stats {
		return b, nil
	}
	e := nlattr.NewEncoder(b)
	e.Nest(iflaStatsGetFilters)
	e.Uint32(iflaStatsLinkOffloadXstats, uint32(f.Offload))
	e.End()
	return e.Finish()
}

// LinkStats streams the statistics f selects: one link's (f.Index, asked
// with a doit request: an unknown index is an error) or every link's (a
// dump). It is a single-use iterator; errors end it.
func (c *Conn) LinkStats(ctx context.Context, f StatsFilter) iter.Seq2[LinkStats, error] {
	body, err := statsRequest(f)
	if f.Index == 0 {
		return dumpReq[LinkStats]{op: "dump link stats", typ: unix.RTM_GETSTATS, want: unix.RTM_NEWSTATS, body: body, err: err,
			decode: func(v *LinkStats, m netlink.Message) (bool, error) {
				var e error
				*v, e = decodeLinkStats(m.Data)
				return true, e
			}}.seq(c, ctx)
	}
	return func(yield func(LinkStats, error) bool) {
		op := "get link stats of " + strconv.Itoa(int(f.Index))
		if err != nil {
			yield(LinkStats{}, nameOp(op, err))
			return
		}
		msgs, err := c.execute(ctx, op, unix.RTM_GETSTATS, 0, body)
		if err != nil {
			yield(LinkStats{}, err)
			return
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWSTATS {
				continue
			}
			s, err := decodeLinkStats(m.Data)
			if !yield(s, err) || err != nil {
				return
			}
		}
	}
}

// LinkStatsList is LinkStats collected into a slice.
func (c *Conn) LinkStatsList(ctx context.Context, f StatsFilter) ([]LinkStats, error) {
	var out []LinkStats
	for s, err := range c.LinkStats(ctx, f) {
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// SetL3Stats asks the drivers of a link to keep (on) or stop keeping
// L3 hardware statistics (RTM_SETSTATS with
// IFLA_STATS_SET_OFFLOAD_XSTATS_L3_STATS; `ip stats set dev DEV l3_stats
// on|off`). Whether a driver does shows in OffloadXstats.L3Info.Used.
func (c *Conn) SetL3Stats(ctx context.Context, index int32, on bool) error {
	b := make([]byte, ifStatsMsgLen, 20)
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	e := nlattr.NewEncoder(b)
	v := uint8(0)
	if on {
		v = 1
	}
	e.Uint8(iflaStatsSetOffloadXstatsL3Stats, v)
	body, err := e.Finish()
	return c.send(ctx, "set l3 stats of "+strconv.Itoa(int(index)), unix.RTM_SETSTATS, 0, body, err)
}

// UnmarshalBinary decodes an RTM_NEWSTATS message body (struct
// if_stats_msg, then IFLA_STATS_* attributes).
func (s *LinkStats) UnmarshalBinary(b []byte) error {
	v, err := decodeLinkStats(b)
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// MarshalBinary encodes s as an RTM_NEWSTATS message body.
func (s LinkStats) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// AppendBinary appends s, encoded as an RTM_NEWSTATS message body, to b.
func (s LinkStats) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	b = append(b, make([]byte, ifStatsMsgLen)...)
	binary.NativeEndian.PutUint32(b[start+4:], uint32(s.Index))
	binary.NativeEndian.PutUint32(b[start+8:], uint32(s.Groups))
	e := nlattr.NewEncoder(b)
	u64s := func(typ uint16, fields []*uint64) {
		p := make([]byte, 0, 8*len(fields))
		for _, f := range fields {
			p = binary.NativeEndian.AppendUint64(p, *f)
		}
		e.Bytes(typ, p)
	}
	if s.HasLink64 {
		f := s.Link64.fields()
		u64s(iflaStatsLink64, f[:])
	}
	xstats := func(typ uint16, x *Xstats) {
		e.Nest(typ)
		if br := x.Bridge; br != nil {
			e.Nest(linkXstatsTypeBridge)
			for _, v := range br.Vlans {
				p := make([]byte, bridgeVlanLen)
				for i, n := range [...]uint64{v.RxBytes, v.RxPackets, v.TxBytes, v.TxPackets} {
					binary.NativeEndian.PutUint64(p[8*i:], n)
				}
				binary.NativeEndian.PutUint16(p[32:], v.VID)
				binary.NativeEndian.PutUint16(p[34:], v.Flags)
				e.Bytes(bridgeXstatsVlan, p)
			}
			if br.Mcast != nil {
				f := br.Mcast.fields()
				u64s(bridgeXstatsMcast, f[:])
			}
			if br.STP != nil {
				st := br.STP
				u64s(bridgeXstatsSTP, []*uint64{&st.TransitionBlk, &st.TransitionFwd, &st.RxBPDU, &st.TxBPDU, &st.RxTCN, &st.TxTCN})
			}
			e.End()
		}
		if bo := x.Bond; bo != nil {
			e.Nest(linkXstatsTypeBond)
			if l := bo.LACP; l != nil {
				e.Nest(bondXstats3AD)
				for i, f := range l.fields() {
					if l.Present&(1<<i) != 0 {
						e.Uint64(uint16(i), *f)
					}
				}
				e.End()
			}
			e.End()
		}
		e.End()
	}
	if s.HasXstats {
		xstats(iflaStatsLinkXstats, &s.Xstats)
	}
	if s.HasXstatsSlave {
		xstats(iflaStatsLinkXstatsSlave, &s.XstatsSlave)
	}
	if s.HasOffload {
		o := &s.Offload
		e.Nest(iflaStatsLinkOffloadXstats)
		if o.HasCPUHit {
			f := o.CPUHit.fields()
			u64s(iflaOffloadXstatsCPUHit, f[:])
		}
		if o.HasHWSInfo {
			e.Nest(iflaOffloadXstatsHWSInfo)
			if in := o.L3Info; in != nil {
				e.Nest(iflaOffloadXstatsL3Stats)
				if in.HasRequest {
					e.Uint8(iflaHWSInfoRequest, b2u8(in.Request))
				}
				if in.HasUsed {
					e.Uint8(iflaHWSInfoUsed, b2u8(in.Used))
				}
				e.End()
			}
			e.End()
		}
		if o.HasL3 {
			f := o.L3.fields()
			u64s(iflaOffloadXstatsL3Stats, f[:])
		}
		e.End()
	}
	if s.HasAFSpec {
		e.Nest(iflaStatsAFSpec)
		if s.HasAFMPLS || s.MPLS != nil {
			e.Nest(unix.AF_MPLS)
			if s.MPLS != nil {
				f := s.MPLS.fields()
				u64s(mplsStatsLink, f[:])
			}
			e.End()
		}
		e.End()
	}
	return e.Finish()
}

func b2u8(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}

// readU64s fills fields from a struct of u64 counters p; a payload
// shorter than min counters, or not a whole number of them, fails d. A
// longer one (a newer kernel's) keeps the counters known.
func readU64s(d *nlattr.Decoder, fields []*uint64, min int) {
	p := d.Bytes()
	if len(p) < 8*min || len(p)%8 != 0 {
		d.Fail(nlattr.ErrBadLength)
		return
	}
	for i, f := range fields {
		if 8*i+8 > len(p) {
			break
		}
		*f = binary.NativeEndian.Uint64(p[8*i:])
	}
}

func decodeXstats(d *nlattr.Decoder) Xstats {
	var x Xstats
	nd := d.Nested()
	for nd.Next() {
		switch nd.Type() {
		case linkXstatsTypeBridge:
			br := &BridgeXstats{}
			x.Bridge = br
			bd := nd.Nested()
			for bd.Next() {
				switch bd.Type() {
				case bridgeXstatsVlan:
					p := bd.Bytes()
					if len(p) < bridgeVlanLen {
						bd.Fail(nlattr.ErrBadLength)
						break
					}
					br.Vlans = append(br.Vlans, BridgeVlanStats{
						RxBytes: binary.NativeEndian.Uint64(p), RxPackets: binary.NativeEndian.Uint64(p[8:]),
						TxBytes: binary.NativeEndian.Uint64(p[16:]), TxPackets: binary.NativeEndian.Uint64(p[24:]),
						VID: binary.NativeEndian.Uint16(p[32:]), Flags: binary.NativeEndian.Uint16(p[34:])})
				case bridgeXstatsMcast:
					m := &BridgeMcastStats{}
					f := m.fields()
					readU64s(&bd, f[:], len(f))
					br.Mcast = m
				case bridgeXstatsSTP:
					st := &BridgeSTPStats{}
					readU64s(&bd, []*uint64{&st.TransitionBlk, &st.TransitionFwd, &st.RxBPDU, &st.TxBPDU, &st.RxTCN, &st.TxTCN}, 6)
					br.STP = st
				}
			}
		case linkXstatsTypeBond:
			bo := &BondXstats{}
			x.Bond = bo
			bd := nd.Nested()
			for bd.Next() {
				if bd.Type() != bondXstats3AD {
					continue
				}
				l := &Bond3ADStats{}
				ld := bd.Nested()
				f := l.fields()
				for ld.Next() {
					if t := ld.Type(); int(t) < len(f) {
						*f[t] = ld.Uint64()
						if ld.Err() == nil {
							l.Present |= 1 << t
						}
					}
				}
				bo.LACP = l
			}
		}
	}
	return x
}

// decodeLinkStats decodes an RTM_NEWSTATS body.
func decodeLinkStats(b []byte) (LinkStats, error) {
	var s LinkStats
	if len(b) < ifStatsMsgLen {
		return s, fmt.Errorf("rtnl: decode link stats: %d-byte message, want at least %d (struct if_stats_msg)", len(b), ifStatsMsgLen)
	}
	s.Index = int32(binary.NativeEndian.Uint32(b[4:]))
	s.Groups = StatsGroups(binary.NativeEndian.Uint32(b[8:]))
	d := nlattr.NewDecoder(b[ifStatsMsgLen:])
	for d.Next() {
		switch d.Type() {
		case iflaStatsLink64:
			f := s.Link64.fields()
			readU64s(&d, f[:], linkStatsMinLen/8)
			s.HasLink64 = d.Err() == nil
		case iflaStatsLinkXstats:
			s.Xstats = decodeXstats(&d)
			s.HasXstats = true
		case iflaStatsLinkXstatsSlave:
			s.XstatsSlave = decodeXstats(&d)
			s.HasXstatsSlave = true
		case iflaStatsLinkOffloadXstats:
			s.HasOffload = true
			o := &s.Offload
			od := d.Nested()
			for od.Next() {
				switch od.Type() {
				case iflaOffloadXstatsCPUHit:
					f := o.CPUHit.fields()
					readU64s(&od, f[:], linkStatsMinLen/8)
					o.HasCPUHit = od.Err() == nil
				case iflaOffloadXstatsHWSInfo:
					o.HasHWSInfo = true
					hd := od.Nested()
					for hd.Next() {
						if hd.Type() != iflaOffloadXstatsL3Stats {
							continue
						}
						in := &HWStatsInfo{}
						id := hd.Nested()
						for id.Next() {
							switch id.Type() {
							case iflaHWSInfoRequest:
								in.Request, in.HasRequest = id.Uint8() != 0, true
							case iflaHWSInfoUsed:
								in.Used, in.HasUsed = id.Uint8() != 0, true
							}
						}
						o.L3Info = in
					}
				case iflaOffloadXstatsL3Stats:
					f := o.L3.fields()
					readU64s(&od, f[:], len(f))
					o.HasL3 = od.Err() == nil
				}
			}
		case iflaStatsAFSpec:
			s.HasAFSpec = true
			ad := d.Nested()
			for ad.Next() {
				if ad.Type() != unix.AF_MPLS {
					continue
				}
				s.HasAFMPLS = true
				md := ad.Nested()
				for md.Next() {
					if md.Type() == mplsStatsLink {
						m := &MPLSLinkStats{}
						f := m.fields()
						readU64s(&md, f[:], len(f))
						s.MPLS = m
					}
				}
			}
		}
	}
	if err := d.Err(); err != nil {
		return LinkStats{}, decodeAttrError("link stats", statsSpace(), b[ifStatsMsgLen:], err)
	}
	return s, nil
}

var statsNames = [...]string{"IFLA_STATS_UNSPEC", "IFLA_STATS_LINK_64", "IFLA_STATS_LINK_XSTATS",
	"IFLA_STATS_LINK_XSTATS_SLAVE", "IFLA_STATS_LINK_OFFLOAD_XSTATS", "IFLA_STATS_AF_SPEC"}

// statsSpace names the IFLA_STATS_* attributes and the nests the decoder
// reads, for decoding errors.
func statsSpace() attrSpace {
	xtype := namesSpace([]string{"", "LINK_XSTATS_TYPE_BRIDGE", "LINK_XSTATS_TYPE_BOND"}, "LINK_XSTATS_TYPE_")
	bridge := namesSpace([]string{"", "BRIDGE_XSTATS_VLAN", "BRIDGE_XSTATS_MCAST", "BRIDGE_XSTATS_PAD", "BRIDGE_XSTATS_STP"}, "BRIDGE_XSTATS_")
	bond := namesSpace([]string{"", "BOND_XSTATS_3AD"}, "BOND_XSTATS_")
	bond.inner = func(uint16, []byte) (attrSpace, int, bool, bool) {
		return attrSpace{name: func(t uint16) string { return "BOND_3AD_STAT_" + strconv.Itoa(int(t)) }}, 0, false, true
	}
	xtype.inner = func(t uint16, _ []byte) (attrSpace, int, bool, bool) {
		switch t {
		case linkXstatsTypeBridge:
			return bridge, 0, false, true
		case linkXstatsTypeBond:
			return bond, 0, false, true
		}
		return attrSpace{}, 0, false, false
	}
	hwsInfo := namesSpace([]string{"", "IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST", "IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED"}, "IFLA_OFFLOAD_XSTATS_HW_S_INFO_")
	offNames := []string{"", "IFLA_OFFLOAD_XSTATS_CPU_HIT", "IFLA_OFFLOAD_XSTATS_HW_S_INFO", "IFLA_OFFLOAD_XSTATS_L3_STATS"}
	hws := namesSpace(offNames, "IFLA_OFFLOAD_XSTATS_")
	hws.inner = func(uint16, []byte) (attrSpace, int, bool, bool) { return hwsInfo, 0, false, true }
	offload := namesSpace(offNames, "IFLA_OFFLOAD_XSTATS_")
	offload.inner = func(t uint16, _ []byte) (attrSpace, int, bool, bool) {
		return hws, 0, false, t == iflaOffloadXstatsHWSInfo
	}
	mpls := namesSpace([]string{"", "MPLS_STATS_LINK"}, "MPLS_STATS_")
	af := attrSpace{name: func(t uint16) string {
		if t == unix.AF_MPLS {
			return "AF_MPLS"
		}
		return "AF_" + strconv.Itoa(int(t))
	}, inner: func(t uint16, _ []byte) (attrSpace, int, bool, bool) { return mpls, 0, false, t == unix.AF_MPLS }}
	s := namesSpace(statsNames[:], "IFLA_STATS_")
	s.inner = func(t uint16, _ []byte) (attrSpace, int, bool, bool) {
		switch t {
		case iflaStatsLinkXstats, iflaStatsLinkXstatsSlave:
			return xtype, 0, false, true
		case iflaStatsLinkOffloadXstats:
			return offload, 0, false, true
		case iflaStatsAFSpec:
			return af, 0, false, true
		}
		return attrSpace{}, 0, false, false
	}
	return s
}
