package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/rtnl"
)

// -brief: ip's print_linkinfo_brief and the brief forms of address and
// neighbour show, one line per link (per neighbour) in fixed columns.

// printLinkBrief prints a link's brief columns: its name (with @PARENT)
// in 16, its operational state in 14, then, for link show (and address
// show -0), its link-layer address and flags.
func (e *env) printLinkBrief(ctx context.Context, p *printer, v *linkView, withLL bool) {
	l := &v.l
	name := l.Name
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
	p.text("%s", e.paint(colorIfname, fmt.Sprintf("%-16s ", name)))
	if l.OperState <= rtnl.OperUp {
		state := l.OperState.String()
		p.jsonOnly("operstate", state)
		p.text("%s", e.paint(operColor(l.OperState), fmt.Sprintf("%-14s ", state)))
	} else {
		p.field("operstate_index", "%#x ", int(l.OperState))
	}
	if !withLL {
		return
	}
	if len(l.HardwareAddr) > 0 {
		a := llAddrString(l.HardwareAddr, l.Type)
		p.jsonOnly("address", a)
		p.text("%s", e.paint(colorMAC, a+" "))
	}
	words := l.Flags.Words()
	if v.mdown {
		words = append(words, "M-DOWN")
	}
	p.jsonOnly("flags", words)
	p.text("<%s> ", strings.Join(words, ","))
}

// operColor is the colour ip gives an operational state: green up, red
// down, none otherwise.
func operColor(s rtnl.OperState) string {
	switch s {
	case rtnl.OperUp:
		return colorUp
	case rtnl.OperDown:
		return colorDown
	}
	return ""
}

// printAddressBrief prints an address as ip -brief does: ADDR[ peer
// PEER]/LEN[ metric N], and in JSON local, address (the peer), prefixlen
// and metric.
func (e *env) printAddressBrief(p *printer, a *rtnl.Address) {
	color := colorInet
	if a.Family == rtnl.FamilyIPv6 {
		color = colorInet6
	}
	local := e.host(a.Prefix.Addr()) // -resolve
	p.jsonOnly("local", local)
	p.text("%s", e.paint(color, local))
	if a.Peer.IsValid() {
		peer := e.host(a.Peer.Addr())
		p.text(" peer ")
		p.jsonOnly("address", peer)
		p.text("%s", e.paint(color, peer))
	}
	p.field("prefixlen", "/%d ", a.Prefix.Bits())
	if a.Metric != 0 {
		p.field("metric", "metric %d ", a.Metric)
	}
}

// showLinksBrief is link show -brief.
func (e *env) showLinksBrief(ctx context.Context, views []linkView) error {
	recs := make([]*printer, len(views))
	for i := range views {
		recs[i] = e.record()
		e.printLinkBrief(ctx, recs[i], &views[i], true)
		recs[i].text("\n")
	}
	return writeRecords(e, recs)
}

// showAddressesBrief is address show -brief: a link per line with its
// addresses (or, with -0, as link show -brief).
func (e *env) showAddressesBrief(ctx context.Context, links []addrLink, family Family) error {
	recs := make([]*printer, len(links))
	for i := range links {
		al := &links[i]
		p := e.record()
		e.printLinkBrief(ctx, p, &al.view, family == FamilyLink)
		if family != FamilyLink {
			p.list("addr_info", len(al.addrs), func(j int, c *printer) { e.printAddressBrief(c, &al.addrs[j]) })
		}
		p.text("\n")
		recs[i] = p
	}
	return writeRecords(e, recs)
}

// showAddressesOneline is address show -oneline: one record per address,
// "INDEX: NAME" and the address (the link itself is not printed).
func (e *env) showAddressesOneline(links []addrLink) error {
	for i := range links {
		al := &links[i]
		for j := range al.addrs {
			p := e.line()
			p.b = fmt.Appendf(p.b, "%d: %s", al.view.l.Index, al.view.l.Name)
			printAddress(p, &al.addrs[j])
			if _, err := e.stdout.Write(p.b); err != nil {
				return err
			}
		}
	}
	return nil
}

// neighBrief prints a neighbour as ip -brief does: the address in 39
// columns, the device in 16 (unless show named it), the link-layer
// address.
func (e *env) neighBrief(ctx context.Context, p *line, n *rtnl.Neighbor, devFixed bool) {
	if n.Addr.IsValid() {
		color := familyColor(n.Addr.Is6())
		if p.json {
			p.addr("dst", "", "", n.Addr)
		} else {
			p.paintOn("", color)
			start := len(p.b)
			p.b = p.appendHost(p.b, n.Addr)
			p.pad(start, 39)
			p.paintOff(color)
		}
	}
	if !devFixed && n.Index != 0 {
		name := e.linkName(ctx, n.Index)
		if p.json {
			p.str("dev", "", "", name)
		} else {
			p.paintOn("", colorIfname)
			start := len(p.b)
			p.b = append(p.b, name...)
			p.pad(start, 16)
			p.paintOff(colorIfname)
		}
	}
	if n.LinkAddr != nil {
		if p.json {
			p.mac("lladdr", "", "", n.LinkAddr)
		} else {
			paint := p.color && len(n.LinkAddr) > 0
			if paint {
				p.b = append(p.b, colorMAC...)
			}
			p.b = appendMAC(p.b, n.LinkAddr)
			if paint {
				p.b = append(p.b, colorClear...)
			}
		}
	}
	p.text("\n")
}
