package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/rtnl"
)

// Printing links, as ip's print_linkinfo, for link show, address show and
// monitor. The kinds' settings are printed by their entries in linkKinds.
// linkU32Details are the u32 attributes ip -d prints after the kind, in
// its order (0: not reported, not printed).
var linkU32Details = [...]struct {
	key, text string
	v         func(l *rtnl.Link) uint32
}{
	{"num_tx_queues", "numtxqueues %d ", func(l *rtnl.Link) uint32 { return l.NumTxQueues }},
	{"num_rx_queues", "numrxqueues %d ", func(l *rtnl.Link) uint32 { return l.NumRxQueues }},
	{"gso_max_size", "gso_max_size %d ", func(l *rtnl.Link) uint32 { return l.GSOMaxSize }},
	{"gso_max_segs", "gso_max_segs %d ", func(l *rtnl.Link) uint32 { return l.GSOMaxSegs }},
	{"tso_max_size", "tso_max_size %d ", func(l *rtnl.Link) uint32 { return l.TSOMaxSize }},
	{"tso_max_segs", "tso_max_segs %d ", func(l *rtnl.Link) uint32 { return l.TSOMaxSegs }},
	{"gro_max_size", "gro_max_size %d ", func(l *rtnl.Link) uint32 { return l.GROMaxSize }},
}

// linkView is a link as show prints it.
type linkView struct {
	l     rtnl.Link
	mdown bool // the link it is stacked on is down (ip's M-DOWN)
}

// selectLinks lists the links that s selects, in the kernel's order.
// byName is for link show DEV, for which ip asks for the link by its name
// once the name has been looked up (so that "ifN" finds no link there).
func (e *env) selectLinks(ctx context.Context, s linkShow, byName bool) ([]linkView, error) {
	c, err := e.rt()
	if err != nil {
		return nil, err
	}
	var f rtnl.LinkFilter
	portKind, isPort := strings.CutSuffix(s.kind, "_slave")
	if !isPort {
		f.Kind = s.kind
	}
	if s.master != "" {
		if f.Master, err = e.masterIndex(ctx, s.master); err != nil {
			return nil, err
		}
	}
	if s.vrf != "" {
		if f.Master, err = e.vrfIndex(ctx, s.vrf); err != nil {
			return nil, err
		}
	}
	if s.nomaster {
		f.Master = -1
	}
	var links []rtnl.Link
	if s.hasDev {
		// As ip: the name is looked up (ll_name_to_index), then the
		// link of that index is asked for.
		idx, err := e.linkIndex(ctx, s.dev)
		var fe *failure
		if errors.As(err, &fe) {
			return nil, failf(`Device "%s" does not exist.`, s.dev)
		}
		if err != nil {
			return nil, err
		}
		var l rtnl.Link
		switch {
		case !byName:
			l, err = c.Link(ctx, idx)
		case validIfname(s.dev):
			l, err = c.LinkByName(ctx, s.dev)
		default:
			l, err = linkByAltName(ctx, c, s.dev)
		}
		if errors.Is(err, syscall.ENODEV) {
			if byName {
				return nil, failf("RTNETLINK answers: No such device\nCannot send link get request: No such device")
			}
			return nil, failf(`Device "%s" does not exist.`, s.dev)
		}
		if err != nil {
			return nil, err
		}
		masterOK := f.Master == 0 || f.Master == -1 && l.Master == 0 || f.Master == l.Master
		if (f.Kind == "" || f.Kind == l.Kind) && masterOK {
			links = append(links, l)
		}
	} else if links, err = c.LinkList(ctx, f); err != nil {
		return nil, err
	}
	up := make(map[int32]bool, len(links)) // flags of the listed links, for M-DOWN
	// By index: a Link is 500 bytes to copy.
	for i := range links {
		l := &links[i]
		e.remember(l.Index, l.Name)
		up[l.Index] = l.Flags&rtnl.LinkUp != 0
	}
	views := make([]linkView, 0, len(links))
	for i := range links {
		l := &links[i]
		if s.up && l.Flags&rtnl.LinkUp == 0 || s.hasGroup && l.Group != s.group {
			continue
		}
		if isPort && (l.Port == nil || l.Port.PortKind() != portKind) {
			continue
		}
		if s.label != "" {
			continue // link show label: ip has no addresses to match it with
		}
		v := linkView{l: *l}
		if l.Parent != 0 && !l.HasLinkNetNSID {
			if pu, ok := up[l.Parent]; ok {
				v.mdown = !pu
			} else if p, err := c.Link(ctx, l.Parent); err == nil {
				v.mdown = p.Flags&rtnl.LinkUp == 0
				up[l.Parent] = !v.mdown
			}
		}
		views = append(views, v)
	}
	return views, nil
}

func (e *env) showLinks(ctx context.Context, s linkShow) error {
	views, err := e.selectLinks(ctx, s, true)
	if err != nil {
		return err
	}
	if e.opts.Brief {
		return e.showLinksBrief(ctx, views)
	}
	var arr *jsonArray
	if e.opts.JSON {
		arr = e.beginJSONArray()
	}
	for i := range views {
		p := e.line()
		e.printLink(ctx, p, &views[i], linkPrint{doLink: true, showLL: true})
		if err := e.writeLine(arr, p); err != nil {
			return err
		}
	}
	if arr != nil {
		return arr.end()
	}
	return nil
}

// llAddrString formats a link-layer address as ip's ll_addr_n2a.
func llAddrString(a net.HardwareAddr, t rtnl.LinkType) string {
	switch {
	case len(a) == 4 && (t == rtnl.LinkTypeTunnel || t == rtnl.LinkTypeSIT || t == rtnl.LinkTypeIPGRE):
		return netip.AddrFrom4([4]byte(a)).String()
	case len(a) == 16 && (t == rtnl.LinkTypeTunnel6 || t == rtnl.LinkTypeIP6GRE):
		return netip.AddrFrom16([16]byte(a)).String()
	}
	return a.String()
}

// linkPrint says how printLink prints a link.
type linkPrint struct {
	// doLink: for link show; address show leaves out the mode, address
	// generation, alias and statistics (it prints the statistics after
	// the addresses).
	doLink bool
	// showLL prints the link-layer line (ip leaves it out when an address
	// family is selected).
	showLL bool
	// inet6: ip -6 address show (without a device, -s or -d) lists the
	// links with an AF_INET6 RTM_GETLINK dump, whose messages lack most
	// attributes; print only what they have, as ip does.
	inet6 bool
	// noQueue leaves out the queue length, as ip monitor does (ip's
	// filter.showqueue is set by show only).
	noQueue bool
}

// printLink prints a link as ip's print_linkinfo, on a line: in JSON the
// members of its object. The kinds' settings (linkKinds) and the
// statistics are printed by their printers and spliced in (line.with).
func (e *env) printLink(ctx context.Context, p *line, v *linkView, how linkPrint) {
	l := &v.l
	doLink, showLL := how.doLink, how.showLL
	details := e.opts.Details && !how.inet6
	if p.json {
		p.uint("ifindex", "", uint64(l.Index))
	} else {
		p.b = append(strconv.AppendInt(p.b, int64(l.Index), 10), ':', ' ')
	}
	parent := ""
	if l.Parent != 0 {
		if l.HasLinkNetNSID {
			if p.json {
				p.uint("link_index", "", uint64(l.Parent))
			}
		} else {
			parent = e.linkName(ctx, l.Parent)
			if p.json {
				p.str("link", "", "", parent)
			}
		}
	}
	if p.json {
		p.str("ifname", "", "", l.Name)
	} else {
		p.paintOn("", colorIfname)
		p.b = append(p.b, l.Name...)
		if l.Parent == 0 && l.HasParent {
			p.b = append(p.b, "@NONE"...)
		}
		if l.Parent != 0 {
			if l.HasLinkNetNSID {
				p.b = strconv.AppendInt(append(p.b, "@if"...), int64(l.Parent), 10)
			} else {
				p.b = append(append(p.b, '@'), parent...)
			}
		}
		p.b = append(p.b, ':')
		p.paintOff(colorIfname)
	}

	words := e.linkFlagWords(l.Flags)
	if p.json {
		p.key("flags")
		p.b = append(p.b, '[')
		for i, w := range words {
			if i > 0 {
				p.b = append(p.b, ',')
			}
			p.b = appendJSONString(p.b, w)
		}
		if v.mdown {
			if len(words) > 0 {
				p.b = append(p.b, ',')
			}
			p.b = append(p.b, `"M-DOWN"`...)
		}
		p.b = append(p.b, ']')
	} else {
		p.b = append(p.b, '<')
		for i, w := range words {
			if i > 0 {
				p.b = append(p.b, ',')
			}
			p.b = append(p.b, w...)
		}
		if v.mdown {
			p.b = append(p.b, ",M-DOWN"...)
		}
		p.b = append(p.b, '>', ' ')
	}
	p.uint("mtu", "mtu ", uint64(l.MTU))
	if l.Qdisc != "" && !how.inet6 {
		p.str("qdisc", "qdisc ", "", l.Qdisc)
	}
	if l.Master != 0 && !how.inet6 {
		p.str("master", "master ", "", e.linkName(ctx, l.Master))
	}
	if l.OperState <= rtnl.OperUp {
		p.str("operstate", "state ", operColor(l.OperState), l.OperState.String())
	} else if p.json {
		p.uint("operstate_index", "", uint64(l.OperState))
	} else {
		p.b = fmt.Appendf(p.b, "state %#x ", int(l.OperState))
	}
	if doLink && !how.inet6 {
		if l.LinkMode <= rtnl.LinkModeDormant {
			p.str("linkmode", "mode ", "", l.LinkMode.String())
		} else {
			p.uint("linkmode_index", "mode ", uint64(l.LinkMode))
		}
	}
	if !how.inet6 {
		if l.Group != 0 || e.opts.Numeric {
			if p.json {
				p.key("group")
				p.b = append(strconv.AppendUint(append(p.b, '"'), uint64(l.Group), 10), '"')
			} else {
				p.uint("", "group ", uint64(l.Group))
			}
		} else {
			p.str("group", "group ", "", "default")
		}
	}
	if l.TxQueueLen != 0 && !how.noQueue {
		if p.json {
			p.uint("txqlen", "", uint64(l.TxQueueLen))
		} else {
			p.b = strconv.AppendUint(append(p.b, "qlen "...), uint64(l.TxQueueLen), 10)
		}
	}
	if showLL || details {
		p.text("\n")
		lt := l.Type.String()
		if e.opts.Numeric {
			lt = "[" + strconv.Itoa(int(l.Type)) + "]"
		}
		p.str("link_type", "    link/", "", lt)
		if len(l.HardwareAddr) > 0 {
			p.llAddr("address", l.HardwareAddr, l.Type)
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnl.LinkPointToPoint != 0 {
				p.text(" peer ")
				if p.json {
					p.key("link_pointtopoint")
					p.b = append(p.b, "true"...)
				}
			} else {
				p.text(" brd ")
			}
			p.llAddr("broadcast", l.Broadcast, l.Type)
		}
	}
	if l.HasLinkNetNSID {
		if p.json {
			p.key("link_netnsid")
			p.b = strconv.AppendInt(p.b, int64(l.LinkNetNSID), 10)
		} else if l.LinkNetNSID >= 0 {
			if n := e.nsidName(ctx, l.LinkNetNSID); n != "" {
				p.b = append(append(p.b, " link-netns "...), n...)
			} else {
				p.b = strconv.AppendInt(append(p.b, " link-netnsid "...), int64(l.LinkNetNSID), 10)
			}
		} else {
			p.text(" link-netnsid unknown")
		}
	}
	if l.HasNewNetNSID { // a deletion: the link moved to that namespace
		if n := e.nsidName(ctx, l.NewNetNSID); n != "" && l.NewNetNSID >= 0 {
			if p.json {
				p.str("new-netns", "", "", n)
			} else {
				p.b = append(append(p.b, " new-netns "...), n...)
			}
		} else if p.json {
			p.key("new-netnsid")
			p.b = strconv.AppendInt(p.b, int64(l.NewNetNSID), 10)
		} else {
			p.b = strconv.AppendInt(append(p.b, " new-netnsid "...), int64(l.NewNetNSID), 10)
		}
	}
	if l.NewIndex != 0 {
		if p.json {
			p.key("new-ifindex")
			p.b = strconv.AppendInt(p.b, int64(l.NewIndex), 10)
		} else {
			p.b = strconv.AppendInt(append(p.b, " new-ifindex "...), int64(l.NewIndex), 10)
		}
	}
	if l.ProtoDown && !how.inet6 {
		if p.json {
			p.key("proto_down")
			p.b = append(p.b, "true"...)
		} else {
			p.text(" protodown on ")
		}
	}
	if details {
		p.uint("promiscuity", " promiscuity ", uint64(l.Promiscuity))
		if l.HasAllMulti {
			p.uint("allmulti", " allmulti ", uint64(l.AllMulti))
		}
		p.uint("min_mtu", "minmtu ", uint64(l.MinMTU))
		p.uint("max_mtu", "maxmtu ", uint64(l.MaxMTU))
		if l.Kind != "" || l.Port != nil {
			p.with("linkinfo", func(k *printer) { e.printLinkKind(ctx, k, l) })
		}
		if doLink && l.HasAddrGenMode {
			p.str("inet6_addr_gen_mode", "addrgenmode ", "", l.AddrGenMode.String())
		}
		for _, a := range linkU32Details {
			if n := a.v(l); n != 0 {
				p.uint(a.key, strings.TrimSuffix(a.text, "%d "), uint64(n))
			}
		}
	}
	if (doLink || details) && l.Alias != "" {
		if p.json {
			p.str("ifalias", "", "", l.Alias)
		} else {
			p.b = append(append(p.b, "\n    alias "...), l.Alias...)
		}
	}
	if doLink && e.opts.Stats && l.HasStats {
		p.text("\n")
		p.with("", func(k *printer) { e.printStats(ctx, k, l) })
	}
	if len(l.AltNames) > 0 && !how.inet6 {
		if p.json {
			p.words("altnames", l.AltNames)
		} else {
			for _, n := range l.AltNames {
				p.b = append(append(p.b, "\n    altname "...), n...)
			}
		}
	}
	p.text("\n")
}

// llAddr prints a link-layer address as ip's ll_addr_n2a, painted as a
// MAC address, without a blank after it.
func (p *line) llAddr(key string, a net.HardwareAddr, t rtnl.LinkType) {
	if p.json {
		p.key(key)
		p.b = append(p.b, '"')
	} else {
		p.paintOn("", colorMAC)
	}
	switch {
	case len(a) == 4 && (t == rtnl.LinkTypeTunnel || t == rtnl.LinkTypeSIT || t == rtnl.LinkTypeIPGRE):
		p.b = netip.AddrFrom4([4]byte(a)).AppendTo(p.b)
	case len(a) == 16 && (t == rtnl.LinkTypeTunnel6 || t == rtnl.LinkTypeIP6GRE):
		p.b = netip.AddrFrom16([16]byte(a)).AppendTo(p.b)
	default:
		p.b = appendMAC(p.b, a)
	}
	if p.json {
		p.b = append(p.b, '"')
	} else {
		p.paintEnd(colorMAC)
	}
}

// linkFlagWords is l.Flags.Words() of the last flags asked for: a table's
// links share a few sets of flags, and Words allocates.
func (e *env) linkFlagWords(f rtnl.LinkFlags) []string {
	if e.lineBuf != nil && e.lineBuf.flagWords != nil && e.lineBuf.flags == f {
		return e.lineBuf.flagWords
	}
	w := f.Words()
	if e.lineBuf != nil {
		e.lineBuf.flags, e.lineBuf.flagWords = f, w
	}
	return w
}
