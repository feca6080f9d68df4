package conntrack

import (
	"context"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Stats is the table's size (IPCTNL_MSG_CT_GET_STATS), as conntrack -C
// counts it.
type Stats struct {
	Entries    uint32 // CTA_STATS_GLOBAL_ENTRIES: flows in the table
	MaxEntries uint32 // CTA_STATS_GLOBAL_MAX_ENTRIES: nf_conntrack_max
}

// CPUStats is one CPU's conntrack counters (IPCTNL_MSG_CT_GET_STATS_CPU),
// as conntrack -S prints them.
type CPUStats struct {
	CPU           uint16 // the nfgenmsg res_id
	Found         uint32 // CTA_STATS_FOUND
	Invalid       uint32 // CTA_STATS_INVALID
	Insert        uint32 // CTA_STATS_INSERT
	InsertFailed  uint32 // CTA_STATS_INSERT_FAILED
	Drop          uint32 // CTA_STATS_DROP
	EarlyDrop     uint32 // CTA_STATS_EARLY_DROP
	Error         uint32 // CTA_STATS_ERROR
	SearchRestart uint32 // CTA_STATS_SEARCH_RESTART
	ClashResolve  uint32 // CTA_STATS_CLASH_RESOLVE
	ChainTooLong  uint32 // CTA_STATS_CHAIN_TOOLONG
	// Obsolete counters older kernels report.
	Searched, New, Ignore, Delete, DeleteList uint32
}

// ExpectationCPUStats is one CPU's expectation counters
// (IPCTNL_MSG_EXP_GET_STATS_CPU), as conntrack -S expect prints them.
type ExpectationCPUStats struct {
	CPU    uint16 // the nfgenmsg res_id
	New    uint32 // CTA_STATS_EXP_NEW
	Create uint32 // CTA_STATS_EXP_CREATE
	Delete uint32 // CTA_STATS_EXP_DELETE
}

// Stats returns the number of flows in the table and its limit.
func (c *Conn) Stats(ctx context.Context) (Stats, error) {
	msgs, err := c.nf.Execute(ctx, request(netfilter.SubsysCTNetlink, msgGetStats, 0, netfilter.FamilyUnspec, nil))
	if err != nil {
		return Stats{}, netlink.NameOp("conntrack", "get stats", err)
	}
	var s Stats
	for _, m := range msgs {
		if err := s.UnmarshalBinary(m.Attrs); err != nil {
			return Stats{}, netlink.NameOp("conntrack", "get stats", err)
		}
	}
	return s, nil
}

// UnmarshalBinary decodes the attributes of a GET_STATS answer.
func (s *Stats) UnmarshalBinary(b []byte) error {
	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case ctaStatsGlobalEntries:
			s.Entries = d.Uint32BE()
		case ctaStatsGlobalMaxEntries:
			s.MaxEntries = d.Uint32BE()
		}
	}
	if err := d.Err(); err != nil {
		return statsError("global stats", err)
	}
	return nil
}

var cpuStatsNames = []string{1: "CTA_STATS_SEARCHED", "CTA_STATS_FOUND", "CTA_STATS_NEW", "CTA_STATS_INVALID", "CTA_STATS_IGNORE",
	"CTA_STATS_DELETE", "CTA_STATS_DELETE_LIST", "CTA_STATS_INSERT", "CTA_STATS_INSERT_FAILED", "CTA_STATS_DROP",
	"CTA_STATS_EARLY_DROP", "CTA_STATS_ERROR", "CTA_STATS_SEARCH_RESTART", "CTA_STATS_CLASH_RESOLVE", "CTA_STATS_CHAIN_TOOLONG"}

func statsError(what string, err error) error {
	return decodeErrorIn(&space{prefix: "CTA_STATS_", names: cpuStatsNames}, what, nil, err)
}

// UnmarshalBinary decodes the attributes of one CPU's GET_STATS_CPU
// answer; CPU is the caller's (the message header's res_id).
func (s *CPUStats) UnmarshalBinary(b []byte) error {
	d := nlattr.NewDecoder(b)
	for d.Next() {
		var p *uint32
		switch d.Type() {
		case ctaStatsSearched:
			p = &s.Searched
		case ctaStatsFound:
			p = &s.Found
		case ctaStatsNew:
			p = &s.New
		case ctaStatsInvalid:
			p = &s.Invalid
		case ctaStatsIgnore:
			p = &s.Ignore
		case ctaStatsDelete:
			p = &s.Delete
		case ctaStatsDeleteList:
			p = &s.DeleteList
		case ctaStatsInsert:
			p = &s.Insert
		case ctaStatsInsertFailed:
			p = &s.InsertFailed
		case ctaStatsDrop:
			p = &s.Drop
		case ctaStatsEarlyDrop:
			p = &s.EarlyDrop
		case ctaStatsError:
			p = &s.Error
		case ctaStatsSearchRestart:
			p = &s.SearchRestart
		case ctaStatsClashResolve:
			p = &s.ClashResolve
		case ctaStatsChainTooLong:
			p = &s.ChainTooLong
		default:
			continue
		}
		*p = d.Uint32BE()
	}
	if err := d.Err(); err != nil {
		return statsError("cpu stats", err)
	}
	return nil
}

// CPUStatsList returns every CPU's counters, by CPU.
func (c *Conn) CPUStatsList(ctx context.Context) ([]CPUStats, error) {
	var out []CPUStats
	for m, err := range c.nf.Dump(ctx, request(netfilter.SubsysCTNetlink, msgGetStatsCPU, netlink.Dump, netfilter.FamilyUnspec, nil)) {
		if err != nil {
			return out, netlink.NameOp("conntrack", "dump cpu stats", err)
		}
		s := CPUStats{CPU: m.Header.ResourceID}
		if err := s.UnmarshalBinary(m.Attrs); err != nil {
			return out, netlink.NameOp("conntrack", "dump cpu stats", err)
		}
		out = append(out, s)
	}
	return out, nil
}

// ExpectationCPUStatsList returns every CPU's expectation counters, by CPU.
func (c *Conn) ExpectationCPUStatsList(ctx context.Context) ([]ExpectationCPUStats, error) {
	var out []ExpectationCPUStats
	for m, err := range c.nf.Dump(ctx, request(netfilter.SubsysCTNetlinkExp, msgExpGetStatsCPU, netlink.Dump, netfilter.FamilyUnspec, nil)) {
		if err != nil {
			return out, netlink.NameOp("conntrack", "dump expectation cpu stats", err)
		}
		s := ExpectationCPUStats{CPU: m.Header.ResourceID}
		d := nlattr.NewDecoder(m.Attrs)
		for d.Next() {
			switch d.Type() {
			case ctaStatsExpNew:
				s.New = d.Uint32BE()
			case ctaStatsExpCreate:
				s.Create = d.Uint32BE()
			case ctaStatsExpDelete:
				s.Delete = d.Uint32BE()
			}
		}
		if err := d.Err(); err != nil {
			return out, netlink.NameOp("conntrack", "dump expectation cpu stats", decodeErrorIn(&space{prefix: "CTA_STATS_EXP_",
				names: []string{1: "CTA_STATS_EXP_NEW", "CTA_STATS_EXP_CREATE", "CTA_STATS_EXP_DELETE"}}, "expectation cpu stats", m.Attrs, err))
		}
		out = append(out, s)
	}
	return out, nil
}
