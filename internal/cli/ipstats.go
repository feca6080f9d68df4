package cli

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/rtnl"
)

// nl stats: ip 6.1's `ip stats show|set` on rtnl.Conn.LinkStats (the
// RTM_GETSTATS groups, asked for with ip's filter masks) and
// rtnl.Conn.SetL3Stats. (stats.go is -s of link and address show.)

const statsHelp = `Usage: nl stats help
       nl stats show [ dev DEV ] [ group GROUP [ subgroup SUBGROUP [ suite SUITE ] ... ] ... ] ...
       nl stats set dev DEV l3_stats { on | off }
GROUP := { link | xstats | xstats_slave | offload | afstats }
xstats SUBGROUP := { bridge [ suite stp ] [ suite mcast ] | bond [ suite 802.3ad ] }
xstats_slave SUBGROUP := { bridge [ suite stp ] [ suite mcast ] | bond [ suite 802.3ad ] }
offload SUBGROUP := { cpu_hit | hw_stats_info | l3_stats }
afstats SUBGROUP := { mpls }
`

// lineEnd ends the lines ip prints with a newline in its format (the
// bridge and bond counters): with -oneline they stay newlines, while the
// others (ip's print_nl and _SL_) become "\\". The text is written with
// both replaced (statsWrite).
const lineEnd = "\x00"

// ipstatsLevels are the words of ip's selection levels.
var ipstatsLevels = [3]string{"group", "subgroup", "suite"}

// statsLeaf is one statistics suite ip can show: its path of names
// (group, subgroup, suite), and what it asks the kernel for.
type statsLeaf struct {
	path    []string
	group   rtnl.StatsGroups
	offload rtnl.OffloadStats
}

// statsTree is ip's tree of statistics: top-level groups in its order,
// each a leaf or a group of subgroups (in its order, which its help
// prints).
type statsNode struct {
	name string
	subs []*statsNode
	leaf *statsLeaf
}

func statsTree() *statsNode {
	leaf := func(g rtnl.StatsGroups, o rtnl.OffloadStats, path ...string) *statsNode {
		return &statsNode{name: path[len(path)-1], leaf: &statsLeaf{path: path, group: g, offload: o}}
	}
	xstats := func(group string, g rtnl.StatsGroups) *statsNode {
		return &statsNode{name: group, subs: []*statsNode{
			{name: "bridge", subs: []*statsNode{leaf(g, 0, group, "bridge", "stp"), leaf(g, 0, group, "bridge", "mcast")}},
			{name: "bond", subs: []*statsNode{leaf(g, 0, group, "bond", "802.3ad")}},
		}}
	}
	return &statsNode{name: "top-level", subs: []*statsNode{
		leaf(rtnl.StatsLink64, 0, "link"),
		xstats("xstats", rtnl.StatsXstats),
		xstats("xstats_slave", rtnl.StatsXstatsSlave),
		{name: "offload", subs: []*statsNode{
			leaf(rtnl.StatsOffload, rtnl.OffloadCPUHit, "offload", "cpu_hit"),
			leaf(rtnl.StatsOffload, rtnl.OffloadHWStatsInfo, "offload", "hw_stats_info"),
			leaf(rtnl.StatsOffload, rtnl.OffloadL3Stats|rtnl.OffloadHWStatsInfo, "offload", "l3_stats"),
		}},
		{name: "afstats", subs: []*statsNode{leaf(rtnl.StatsAFSpec, 0, "afstats", "mpls")}},
	}}
}

// statsOrder is the order ip 6.1 prints the suites in, whatever the
// command line's order: ip sorts them by the address of their descriptor
// in its binary (ipstats_comp_enabled), which in Debian's iproute2 6.1
// gives this order.
var statsOrder = []string{"afstats/mpls", "link", "offload/l3_stats", "offload/hw_stats_info", "offload/cpu_hit",
	"xstats_slave/bond/802.3ad", "xstats/bond/802.3ad", "xstats_slave/bridge/mcast", "xstats_slave/bridge/stp",
	"xstats/bridge/mcast", "xstats/bridge/stp"}

func statsRank(l *statsLeaf) int {
	p := strings.Join(l.path, "/")
	for i, s := range statsOrder {
		if s == p {
			return i
		}
	}
	return len(statsOrder)
}

// statsShowReq is a parsed `stats show`.
type statsShowReq struct {
	dev    string
	hasDev bool
	leaves []*statsLeaf // in ip's order, each once
	help   bool
}

// statsEnable adds the leaves under the selection sel (ip's
// ipstats_enable_check).
func statsEnable(root *statsNode, sel []string, r *statsShowReq) error {
	n := root
	for i, name := range sel {
		if n.leaf != nil {
			return &UsageError{Msg: fmt.Sprintf("Error: %s %s requested inside leaf %s %s", ipstatsLevels[i], name,
				ipstatsLevels[i-1], n.name), Exit: 22}
		}
		var next *statsNode
		for _, s := range n.subs {
			if s.name == name {
				next = s
				break
			}
		}
		if next == nil {
			return &UsageError{Msg: fmt.Sprintf("Error: no %s named %s found inside %s", ipstatsLevels[i], name, n.name), Exit: 22}
		}
		n = next
	}
	var add func(n *statsNode)
	add = func(n *statsNode) {
		if n.leaf != nil {
			for _, l := range r.leaves {
				if l == n.leaf {
					return
				}
			}
			r.leaves = append(r.leaves, n.leaf)
			return
		}
		for _, s := range n.subs {
			add(s)
		}
	}
	add(n)
	return nil
}

// parseStatsShow reads `stats show`'s words as ip's ipstats_show.
func parseStatsShow(args []string) (statsShowReq, error) {
	var r statsShowReq
	root := statsTree()
	var sel []string // the selection being built, one name per level
	a := wordsOf(args)
	for a.more() {
		w := a.next()
		switch w {
		case "dev":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if r.hasDev {
				return r, errDuparg2("dev", v)
			}
			if !validIfname(v) {
				return r, errInvarg(`"dev" not a valid ifname`, v)
			}
			r.dev, r.hasDev = v, true
		case "help":
			r.help = true
			return r, nil
		case "group", "subgroup", "suite":
			level := map[string]int{"group": 0, "subgroup": 1, "suite": 2}[w]
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if len(sel) < level {
				return r, &UsageError{Msg: fmt.Sprintf("Error: %s %s requested without selecting a %s first",
					w, v, ipstatsLevels[len(sel)]), Exit: 22}
			}
			if len(sel) > level {
				if err := statsEnable(root, sel, &r); err != nil {
					return r, err
				}
			}
			sel = append(sel[:level], v)
		default:
			return r, &UsageError{Msg: fmt.Sprintf("What is \"%s\"?\n%s", w, strings.TrimSuffix(statsHelp, "\n")), Exit: 22}
		}
	}
	if err := statsEnable(root, sel, &r); err != nil {
		return r, err
	}
	// Sort into ip's order (a handful of leaves: insertion sort).
	for i := 1; i < len(r.leaves); i++ {
		for j := i; j > 0 && statsRank(r.leaves[j]) < statsRank(r.leaves[j-1]); j-- {
			r.leaves[j], r.leaves[j-1] = r.leaves[j-1], r.leaves[j]
		}
	}
	return r, nil
}

// statsSetReq is a parsed `stats set`.
type statsSetReq struct {
	dev    string
	hasDev bool
	l3     *bool
	help   bool
}

// parseStatsSet reads `stats set`'s words as ip's ipstats_set.
func parseStatsSet(args []string) (statsSetReq, error) {
	var r statsSetReq
	a := wordsOf(args)
	for a.more() {
		switch w := a.next(); w {
		case "dev":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if r.hasDev {
				return r, errDuparg2("dev", v)
			}
			if !validIfname(v) {
				return r, errInvarg(`"dev" not a valid ifname`, v)
			}
			r.dev, r.hasDev = v, true
		case "l3_stats":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if r.l3 != nil {
				return r, &UsageError{Msg: "A statistics suite to toggle was already given.", Exit: 22}
			}
			if v != "on" && v != "off" {
				return r, &UsageError{Msg: fmt.Sprintf(`Error: argument of "l3_stats" must be one of "off", "on", not "%s"`, v), Exit: 22}
			}
			on := v == "on"
			r.l3 = &on
		case "help":
			r.help = true
			return r, nil
		default:
			return r, &UsageError{Msg: fmt.Sprintf("What is \"%s\"?\n%s", w, strings.TrimSuffix(statsHelp, "\n")), Exit: 22}
		}
	}
	if !r.hasDev {
		return r, usagef(`Not enough information: "dev" argument is required.`)
	}
	if r.l3 == nil {
		return r, usagef("Not enough information: stat type to toggle is required.")
	}
	return r, nil
}

func runStats(ctx context.Context, e *env, args []string) error {
	level := e.opts.StatsLevel // ip's show_stats: "stats show" adds one, and one more with -d
	cmd := "show"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
		if cmd == "show" {
			level++
			if e.opts.Details {
				level++
			}
		}
	}
	switch cmd {
	case "help":
		_, err := io.WriteString(e.stderr, statsHelp)
		return err
	case "show":
		r, err := parseStatsShow(args)
		if err != nil {
			return err
		}
		if r.help {
			_, err := io.WriteString(e.stderr, statsHelp)
			return err
		}
		return e.statsShow(ctx, r, level)
	case "set":
		r, err := parseStatsSet(args)
		if err != nil {
			return err
		}
		if r.help {
			_, err := io.WriteString(e.stderr, statsHelp)
			return err
		}
		c, idx, err := e.rtLink(ctx, r.dev)
		if err != nil {
			return err
		}
		return c.SetL3Stats(ctx, idx, *r.l3)
	}
	return errBadWord("Command \"%s\" is unknown, try \"nl stats help\".", cmd)
}

// statsShow asks for the statistics the leaves need, of one link or all,
// and prints them as ip's ipstats_process_ifsm.
func (e *env) statsShow(ctx context.Context, r statsShowReq, level int) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	var f rtnl.StatsFilter
	for _, l := range r.leaves {
		f.Groups |= l.group
		f.Offload |= l.offload
	}
	if f.Groups&rtnl.StatsOffload == 0 {
		f.Offload = 0
	}
	if r.hasDev {
		if f.Index, err = e.linkIndex(ctx, r.dev); err != nil {
			return err
		}
	} else if err := e.loadLinkNames(ctx); err != nil {
		return err
	}
	var recs []*printer
	for s, err := range c.LinkStats(ctx, f) {
		if err != nil {
			if r.hasDev {
				return err
			}
			return &dumpError{err: err, what: "Dump"}
		}
		name := e.linkName(ctx, s.Index)
		for _, l := range r.leaves {
			p := e.record()
			p.field("ifindex", "%d:", s.Index)
			p.add("ifname", name, p.paint(colorIfname, " "+name+":"))
			for i, w := range l.path {
				p.jsonOnly(ipstatsLevels[i], w)
				p.text(" %s %s", ipstatsLevels[i], w)
			}
			e.statsLeafFormat(ctx, p, &s, l, level)
			p.text("\n")
			recs = append(recs, p)
		}
		if !r.hasDev && !e.opts.JSON {
			nl := e.record()
			nl.text("\n")
			recs = append(recs, nl)
		}
	}
	return e.statsWrite(recs)
}

// statsWrite prints the records: JSON as every object's, text with ip's
// line ends (see lineEnd), -oneline's written as ip does, not joined again.
func (e *env) statsWrite(recs []*printer) error {
	if e.opts.JSON {
		return writeRecords(e, recs)
	}
	var b strings.Builder
	for _, p := range recs {
		b.WriteString(p.b.String())
	}
	s := b.String()
	out := e.stdout
	if e.opts.Oneline {
		s = strings.ReplaceAll(s, "\n", "\\")
		out = e.unjoined()
	}
	_, err := io.WriteString(out, strings.ReplaceAll(s, lineEnd, "\n"))
	return err
}

// statsLeafFormat prints one suite of s after its header line, as ip's
// show callback for it.
func (e *env) statsLeafFormat(ctx context.Context, p *printer, s *rtnl.LinkStats, l *statsLeaf, level int) {
	switch strings.Join(l.path, "/") {
	case "link":
		p.text("\n")
		if s.HasLink64 {
			e.statsLink64(ctx, p, &s.Link64, level)
		}
	case "offload/cpu_hit":
		p.text("\n")
		if s.Offload.HasCPUHit {
			e.statsLink64(ctx, p, &s.Offload.CPUHit, level)
		}
	case "offload/hw_stats_info":
		if !s.Offload.HasHWSInfo {
			return
		}
		p.text("\n")
		info := p.nested("info")
		if in := s.Offload.L3Info; in != nil {
			info.text("    l3_stats")
			statsInfoFormat(info.nested("l3_stats"), in)
		}
	case "offload/l3_stats":
		if !s.Offload.HasHWSInfo {
			return
		}
		info := p.nested("info")
		if in := s.Offload.L3Info; in != nil {
			statsInfoFormat(info, in)
		}
		if s.Offload.HasL3 {
			p.text("\n")
			e.statsHW64(p.nested("stats64"), &s.Offload.L3)
		}
	case "afstats/mpls":
		if s.MPLS != nil {
			p.text("\n")
			e.statsMPLS(p.nested("mpls_stats"), s.MPLS)
		}
	default:
		x := &s.Xstats
		if l.path[0] == "xstats_slave" {
			x = &s.XstatsSlave
		}
		switch l.path[1] + "/" + l.path[2] {
		case "bridge/mcast":
			if x.Bridge != nil && x.Bridge.Mcast != nil {
				p.text("\n")
				statsBridgeMcast(p.nested("multicast"), x.Bridge.Mcast)
			}
		case "bridge/stp":
			if x.Bridge != nil && x.Bridge.STP != nil {
				p.text("\n")
				st := x.Bridge.STP
				q := p.nested("stp")
				q.text("%-16s    STP BPDU:  ", "")
				q.field("rx_bpdu", "RX: %d ", st.RxBPDU)
				q.field("tx_bpdu", "TX: %d"+lineEnd, st.TxBPDU)
				q.text("%-16s    STP TCN:   ", "")
				q.field("rx_tcn", "RX: %d ", st.RxTCN)
				q.field("tx_tcn", "TX: %d"+lineEnd, st.TxTCN)
				q.text("%-16s    STP Transitions: ", "")
				q.field("transition_blk", "Blocked: %d ", st.TransitionBlk)
				q.field("transition_fwd", "Forwarding: %d"+lineEnd, st.TransitionFwd)
			}
		case "bond/802.3ad":
			if x.Bond != nil && x.Bond.LACP != nil {
				p.text("\n")
				statsBond3AD(p.nested("802.3ad"), x.Bond.LACP)
			}
		}
	}
}

// statsLink64 prints struct rtnl_link_stats64 as ip's print_stats64
// without carrier changes (ip stats passes none).
func (e *env) statsLink64(ctx context.Context, p *printer, s *rtnl.LinkStats64, level int) {
	saved, savedCC := e.opts.StatsLevel, e.carriers
	// No carrier changes (and no link dump for them, which would wait
	// for the statistics dump in progress on the same Conn).
	e.opts.StatsLevel, e.carriers = max(level, 1), map[int32]uint32{}
	e.printStats(ctx, p, &rtnl.Link{Stats: *s})
	e.opts.StatsLevel, e.carriers = saved, savedCC
}

// statsInfoFormat prints a hardware statistics suite's state as ip's
// __ipstats_show_hw_s_info_one: " on|off" and " used on|off".
func statsInfoFormat(p *printer, in *rtnl.HWStatsInfo) {
	if in.HasRequest {
		p.onOff("request", " %s", in.Request)
	}
	if in.HasUsed {
		p.onOff("used", " used %s", in.Used)
	}
}

// statsColumns prints a table of counters as ip's print_hw_stats64 and
// print_mpls_link_stats: each row's heads, then its numbers, columns as
// wide as their widest number (not with -h), at least as wide as ip's
// minimums cols.
func (e *env) statsColumns(p *printer, indent string, cols []int, heads [2][]string, rows [2][]uint64) {
	if !e.opts.Human {
		for _, r := range rows {
			for i, n := range r {
				cols[i] = max(cols[i], len(strconv.FormatUint(n, 10)))
			}
		}
	}
	for i, dir := range [2]string{"RX", "TX"} {
		if i > 0 {
			p.text("\n")
		}
		p.text("%s%s: %*s", indent, dir, cols[0]-4, heads[i][0])
		for j, h := range heads[i][1:] {
			p.text(" %*s", cols[j+1], h)
		}
		p.text("\n%s", indent)
		for j, n := range rows[i] {
			if e.opts.Human {
				p.text("%*s ", cols[j], humanNum(n, e.opts.IEC))
			} else {
				p.text("%*d ", cols[j], n)
			}
		}
	}
}

// statsHW64 prints struct rtnl_hw_stats64 as ip's print_hw_stats64.
func (e *env) statsHW64(p *printer, s *rtnl.HWStats64) {
	if p.json {
		rx := p.nested("rx")
		for i, n := range [...]uint64{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.Multicast} {
			rx.field([...]string{"bytes", "packets", "errors", "dropped", "multicast"}[i], "", n)
		}
		tx := p.nested("tx")
		for i, n := range [...]uint64{s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped} {
			tx.field([...]string{"bytes", "packets", "errors", "dropped"}[i], "", n)
		}
		return
	}
	// ip sizes the mcast column for "overrun".
	e.statsColumns(p, "    ", []int{9, 7, 6, 7, 7}, [2][]string{{"bytes", "packets", "errors", "dropped", "mcast"}, {"bytes", "packets", "errors", "dropped"}},
		[2][]uint64{{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.Multicast}, {s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped}})
}

// statsMPLS prints struct mpls_link_stats as ip's print_mpls_link_stats.
func (e *env) statsMPLS(p *printer, s *rtnl.MPLSLinkStats) {
	if p.json {
		rx := p.nested("rx")
		for i, n := range [...]uint64{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxNoRoute} {
			rx.field([...]string{"bytes", "packets", "errors", "dropped", "noroute"}[i], "", n)
		}
		tx := p.nested("tx")
		for i, n := range [...]uint64{s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped} {
			tx.field([...]string{"bytes", "packets", "errors", "dropped"}[i], "", n)
		}
		return
	}
	e.statsColumns(p, "    ", []int{9, 7, 6, 7, 7}, [2][]string{{"bytes", "packets", "errors", "dropped", "noroute"}, {"bytes", "packets", "errors", "dropped"}},
		[2][]uint64{{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxNoRoute}, {s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped}})
}

// statsBridgeMcast prints struct br_mcast_stats as ip's bridge xstats.
func statsBridgeMcast(p *printer, m *rtnl.BridgeMcastStats) {
	const pad = "                    " // ip's "%-16s    "
	// Lines end with lineEnd: ip's own newlines, even with -oneline.
	dirs := func(key, title string, vs ...*rtnl.McastDir) {
		q := p.nested(key)
		q.text("%s%s:"+lineEnd, pad, title)
		for d, dir := range [2]string{"rx", "tx"} {
			q.text("%s  %s:", pad, strings.ToUpper(dir))
			for i, v := range vs {
				q.field(fmt.Sprintf("%s_v%d", dir, i+1), fmt.Sprintf(" v%d %%d", i+1), v[d])
			}
			q.text(lineEnd)
		}
	}
	leaves := func(key, title string, v rtnl.McastDir) {
		q := p.nested(key)
		q.text("%s%s: ", pad, title)
		q.field("rx", "RX: %d ", v[0])
		q.field("tx", "TX: %d"+lineEnd, v[1])
	}
	dirs("igmp_queries", "IGMP queries", &m.IGMPv1Queries, &m.IGMPv2Queries, &m.IGMPv3Queries)
	dirs("igmp_reports", "IGMP reports", &m.IGMPv1Reports, &m.IGMPv2Reports, &m.IGMPv3Reports)
	leaves("igmp_leaves", "IGMP leaves", m.IGMPLeaves)
	p.text("%sIGMP parse errors: ", pad)
	p.field("igmp_parse_errors", "%d"+lineEnd, m.IGMPParseErrors)
	dirs("mld_queries", "MLD queries", &m.MLDv1Queries, &m.MLDv2Queries)
	dirs("mld_reports", "MLD reports", &m.MLDv1Reports, &m.MLDv2Reports)
	leaves("mld_leaves", "MLD leaves", m.MLDLeaves)
	p.text("%sMLD parse errors: ", pad)
	p.field("mld_parse_errors", "%d"+lineEnd, m.MLDParseErrors)
}

// statsBond3AD prints 802.3ad counters as ip's bond_print_3ad_stats: the
// counters the kernel sent.
func statsBond3AD(p *printer, s *rtnl.Bond3ADStats) {
	names := [...][2]string{{"lacpdu_rx", "LACPDU Rx"}, {"lacpdu_tx", "LACPDU Tx"},
		{"lacpdu_unknown_rx", "LACPDU Unknown type Rx"}, {"lacpdu_illegal_rx", "LACPDU Illegal Rx"},
		{"marker_rx", "Marker Rx"}, {"marker_tx", "Marker Tx"}, {"marker_response_rx", "Marker response Rx"},
		{"marker_response_tx", "Marker response Tx"}, {"marker_unknown_rx", "Marker unknown type Rx"}}
	vals := [...]uint64{s.LACPDURx, s.LACPDUTx, s.LACPDUUnknownRx, s.LACPDUIllegalRx, s.MarkerRx, s.MarkerTx,
		s.MarkerRespRx, s.MarkerRespTx, s.MarkerUnkRx}
	for i, n := range names {
		if s.Present&(1<<i) != 0 {
			p.text("%-16s    ", "")
			p.field(n[0], n[1]+" %d"+lineEnd, vals[i])
		}
	}
}
