package cli

import (
	"context"
	"errors"
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
	for _, l := range links {
		e.remember(l.Index, l.Name)
		up[l.Index] = l.Flags&rtnl.LinkUp != 0
	}
	views := make([]linkView, 0, len(links))
	for _, l := range links {
		if s.up && l.Flags&rtnl.LinkUp == 0 || s.hasGroup && l.Group != s.group {
			continue
		}
		if isPort && (l.Port == nil || l.Port.PortKind() != portKind) {
			continue
		}
		if s.label != "" {
			continue // link show label: ip has no addresses to match it with
		}
		v := linkView{l: l}
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
	recs := make([]*printer, len(views))
	for i := range views {
		recs[i] = e.record()
		e.printLink(ctx, recs[i], &views[i], linkPrint{doLink: true, showLL: true})
	}
	return writeRecords(e, recs)
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

// printLink prints a link as ip's print_linkinfo.
func (e *env) printLink(ctx context.Context, p *printer, v *linkView, how linkPrint) {
	l := &v.l
	doLink, showLL := how.doLink, how.showLL
	details := e.opts.Details && !how.inet6
	p.field("ifindex", "%d: ", l.Index)
	name := l.Name
	if l.Parent == 0 && l.HasParent {
		name += "@NONE"
	}
	if l.Parent != 0 {
		if l.HasLinkNetNSID {
			p.jsonOnly("link_index", l.Parent)
			name += "@if" + strconv.Itoa(int(l.Parent))
		} else {
			parent := e.linkName(ctx, l.Parent)
			p.jsonOnly("link", parent)
			name += "@" + parent
		}
	}
	p.jsonOnly("ifname", l.Name)
	p.text("%s", p.paint(colorIfname, name+": "))

	words := l.Flags.Words()
	if v.mdown {
		words = append(words, "M-DOWN")
	}
	p.jsonOnly("flags", words)
	if v.mdown {
		words = words[:len(words)-1]
		p.text("<%s,M-DOWN> ", strings.Join(words, ","))
	} else {
		p.text("<%s> ", strings.Join(words, ","))
	}
	p.field("mtu", "mtu %d ", l.MTU)
	if l.Qdisc != "" && !how.inet6 {
		p.field("qdisc", "qdisc %s ", l.Qdisc)
	}
	if l.Master != 0 && !how.inet6 {
		p.field("master", "master %s ", e.linkName(ctx, l.Master))
	}
	if l.OperState <= rtnl.OperUp {
		p.jsonOnly("operstate", l.OperState.String())
		p.text("state %s", p.paint(operColor(l.OperState), l.OperState.String()+" "))
	} else {
		p.jsonOnly("operstate_index", int(l.OperState))
		p.text("state %#x ", int(l.OperState))
	}
	if doLink && !how.inet6 {
		if l.LinkMode <= rtnl.LinkModeDormant {
			p.field("linkmode", "mode %s ", l.LinkMode.String())
		} else {
			p.field("linkmode_index", "mode %d ", int(l.LinkMode))
		}
	}
	if !how.inet6 {
		group := "default"
		if l.Group != 0 || e.opts.Numeric {
			group = strconv.FormatUint(uint64(l.Group), 10)
		}
		p.field("group", "group %s ", group)
	}
	if l.TxQueueLen != 0 && !how.noQueue {
		p.field("txqlen", "qlen %d", l.TxQueueLen)
	}
	if showLL || details {
		p.text("\n")
		lt := l.Type.String()
		if e.opts.Numeric {
			lt = "[" + strconv.Itoa(int(l.Type)) + "]"
		}
		p.field("link_type", "    link/%s ", lt)
		if len(l.HardwareAddr) > 0 {
			a := llAddrString(l.HardwareAddr, l.Type)
			p.add("address", a, p.paint(colorMAC, a))
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnl.LinkPointToPoint != 0 {
				p.text(" peer ")
				p.jsonOnly("link_pointtopoint", true)
			} else {
				p.text(" brd ")
			}
			b := llAddrString(l.Broadcast, l.Type)
			p.add("broadcast", b, p.paint(colorMAC, b))
		}
	}
	if l.HasLinkNetNSID {
		p.jsonOnly("link_netnsid", l.LinkNetNSID)
		if l.LinkNetNSID >= 0 && !p.json {
			if n := e.nsidName(ctx, l.LinkNetNSID); n != "" {
				p.text(" link-netns %s", n)
			} else {
				p.text(" link-netnsid %d", l.LinkNetNSID)
			}
		} else {
			p.text(" link-netnsid unknown")
		}
	}
	if l.HasNewNetNSID { // a deletion: the link moved to that namespace
		if n := e.nsidName(ctx, l.NewNetNSID); n != "" && l.NewNetNSID >= 0 {
			p.field("new-netns", " new-netns %s", n)
		} else {
			p.field("new-netnsid", " new-netnsid %d", l.NewNetNSID)
		}
	}
	if l.NewIndex != 0 {
		p.field("new-ifindex", " new-ifindex %d", l.NewIndex)
	}
	if l.ProtoDown && !how.inet6 {
		p.field("proto_down", " protodown on ", true)
	}
	if details {
		p.field("promiscuity", " promiscuity %d ", l.Promiscuity)
		if l.HasAllMulti {
			p.field("allmulti", " allmulti %d ", l.AllMulti)
		}
		p.field("min_mtu", "minmtu %d ", l.MinMTU)
		p.field("max_mtu", "maxmtu %d ", l.MaxMTU)
		if l.Kind != "" || l.Port != nil {
			e.printLinkKind(ctx, p.nested("linkinfo"), l)
		}
		if doLink && l.HasAddrGenMode {
			p.field("inet6_addr_gen_mode", "addrgenmode %s ", l.AddrGenMode.String())
		}
		for _, a := range linkU32Details {
			if n := a.v(l); n != 0 {
				p.field(a.key, a.text, n)
			}
		}
	}
	if (doLink || details) && l.Alias != "" {
		p.text("\n    ")
		p.field("ifalias", "alias %s", l.Alias)
	}
	if doLink && e.opts.Stats && l.HasStats {
		p.text("\n")
		e.printStats(ctx, p, l)
	}
	if len(l.AltNames) > 0 && !how.inet6 {
		p.jsonOnly("altnames", l.AltNames)
		for _, n := range l.AltNames {
			p.text("\n    altname %s", n)
		}
	}
	p.text("\n")
}
