package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const monitorHelp = `Usage: nl monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]
                  [ dev DEVICE ]
OBJECTS := { address | link | mroute | neigh | netconf |
             nexthop | nsid | prefix | route | rule | stats }...
FILE := file FILENAME
Prints route-netlink change events as they happen, like ip monitor: one
record per event, "Deleted " before removals, "[OBJECT]" before each with
"all" or "label". With -j, one JSON object per line: {"event":"new"|"deleted",
"object":"link"|"address"|"route"|"neigh"|"rule", ...the fields nl OBJECT
show -j prints}. Lost events (the kernel's receive buffer overflowed) are
reported as "Overrun: events were lost" / {"event":"overrun"}.
`

// monitorRequest is a parsed monitor command.
type monitorRequest struct {
	objects map[string]bool // what to listen to (and, live, print)
	banner  bool            // "all", "label": prefix each record with [OBJECT]
	file    string          // file FILE: print the events saved in FILE
	dev     string          // dev DEVICE: only that link's links, addresses, routes, neighbours
	allNSID bool            // all-nsid: the events of every namespace with an id here
}

// monitorWords are monitor's words in ip's order (do_ipmonitor), which
// decides what abbreviations mean ("l" is label, "a" address); exact
// ones must be given whole.
var monitorWords = []command{
	{name: "all", abbrev: []string{}, exact: []string{"all"}}, // "all" itself is not all-nsid
	{name: "file"}, {name: "label"}, {name: "link"}, {name: "address"}, {name: "all-nsid"}, {name: "route"},
	{name: "mroute"}, {name: "prefix"}, {name: "neigh", abbrev: []string{"neigh", "neighbour", "neighbor"}},
	{name: "netconf"}, {name: "rule", abbrev: []string{}, exact: []string{"rule"}},
	{name: "nsid", abbrev: []string{}, exact: []string{"nsid"}}, {name: "nexthop"},
	{name: "stats", abbrev: []string{}, exact: []string{"stats"}},
	{name: "dev"}, {name: "help"},
}

// monitorDefault are the objects monitor listens to when none is named,
// or with "all" (ip's: not stats).
var monitorDefault = []string{"link", "address", "route", "mroute", "prefix", "neigh", "netconf", "rule", "nsid", "nexthop"}

// monitorKinds are the objects the library decodes as events.
var monitorKinds = map[string]rtnl.EventKind{"link": rtnl.EventLink, "address": rtnl.EventAddress,
	"route": rtnl.EventRoute, "neigh": rtnl.EventNeighbor, "rule": rtnl.EventRule}

// parseMonitor turns the words after "monitor" into a request.
func parseMonitor(args []string) (monitorRequest, error) {
	r := monitorRequest{objects: map[string]bool{}}
	for i := 0; i < len(args); i++ {
		w := args[i]
		name, ok := lookupCommand(w, monitorWords)
		if w == "f" { // ip's matches: "f" is not file (too short to be told from others)
			ok = false
		}
		switch {
		case !ok:
			return r, usagef("Argument \"%s\" is unknown, try \"nl monitor help\".", w)
		case name == "help":
			return r, &UsageError{Msg: strings.TrimSuffix(monitorHelp, "\n")}
		case name == "file" || name == "dev":
			if i+1 == len(args) {
				return r, errIncomplete()
			}
			i++
			if name == "file" {
				r.file = args[i]
			} else {
				r.dev = args[i]
			}
		case name == "label":
			r.banner = true
		case name == "all-nsid":
			r.allNSID = true
		case name == "all":
			r.banner = true
			for _, o := range monitorDefault {
				r.objects[o] = true
			}
		default:
			r.objects[name] = true
		}
	}
	if len(r.objects) == 0 {
		for _, o := range monitorDefault {
			r.objects[o] = true
		}
	}
	return r, nil
}

// monitorGroups gives the multicast groups (RTNLGRP_*) for the objects
// and the family option (-4/-6).
func monitorGroups(objects map[string]bool, family Family) []uint32 {
	// The groups of each object: of any family, of IPv4, of IPv6.
	groups := map[string][3][]uint32{
		"link":    {{unix.RTNLGRP_LINK}},
		"neigh":   {{unix.RTNLGRP_NEIGH}},
		"address": {nil, {unix.RTNLGRP_IPV4_IFADDR}, {unix.RTNLGRP_IPV6_IFADDR}},
		"route":   {nil, {unix.RTNLGRP_IPV4_ROUTE}, {unix.RTNLGRP_IPV6_ROUTE}},
		"mroute":  {nil, {unix.RTNLGRP_IPV4_MROUTE}, {unix.RTNLGRP_IPV6_MROUTE}},
		"prefix":  {nil, nil, {unix.RTNLGRP_IPV6_PREFIX}},
		"rule":    {nil, {unix.RTNLGRP_IPV4_RULE}, {unix.RTNLGRP_IPV6_RULE}},
		"netconf": {nil, {unix.RTNLGRP_IPV4_NETCONF}, {unix.RTNLGRP_IPV6_NETCONF}},
		"nsid":    {{unix.RTNLGRP_NSID}},
		"nexthop": {{unix.RTNLGRP_NEXTHOP}},
		"stats":   {{unix.RTNLGRP_STATS}},
	}
	var g []uint32
	for _, o := range monitorWords {
		if !objects[o.name] {
			continue
		}
		gs := groups[o.name]
		g = append(g, gs[0]...)
		if family != FamilyInet6 {
			g = append(g, gs[1]...)
		}
		if family != FamilyInet {
			g = append(g, gs[2]...)
		}
	}
	return g
}

func runMonitor(ctx context.Context, e *env, args []string) error {
	r, err := parseMonitor(args)
	if err != nil {
		return err
	}
	if r.dev != "" {
		if _, err := e.linkIndex(ctx, r.dev); err != nil {
			return errInvarg("Device does not exist\n", r.dev)
		}
	}
	if r.file != "" {
		return e.monitorFile(ctx, r)
	}
	// ip keeps a table of the links (names, flags) from the start, and
	// updates it from the events.
	e.linkFlags = map[int32]rtnl.LinkFlags{}
	if err := e.loadLinkNames(ctx); err != nil {
		return err
	}
	cfg := e.netlinkConfig()
	cfg.Groups = monitorGroups(r.objects, e.opts.Family)
	cfg.ListenAllNSID = r.allNSID
	c, err := rtnl.Dial(cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	for n, err := range c.Netlink().Receive(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			if e.opts.JSON {
				fmt.Fprintln(e.stdout, `{"event":"overrun"}`)
			} else {
				fmt.Fprintln(e.stdout, "Overrun: events were lost")
			}
			e.flush()
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted: the normal end of a monitor
			}
			return err
		}
		if err := e.printMessage(ctx, r, n.Message, n.NSID, true); err != nil {
			return err
		}
		if err := e.flush(); err != nil {
			return err
		}
	}
	return nil
}

// printMessage prints one route-netlink message of a monitor as ip's
// accept_msg: the timestamp (-t), the namespace (all-nsid), the object's
// banner (label, all: printed even when dev then filters the event out,
// as ip), and the event. live says whether the message came from the
// kernel (a file's events come with their own timestamps).
func (e *env) printMessage(ctx context.Context, r monitorRequest, m netlink.Message, nsid int32, live bool) error {
	obj, deleted := monitorObject(m)
	if obj == "" || obj == "neigh" && !e.monitorFamily(m) {
		return nil // ip drops a neighbour of another family (-4, -6) before anything
	}
	var prefix string
	if e.opts.Timestamp && !e.opts.JSON { // a file's events too, as ip
		prefix = timestamp(time.Now(), e.opts.TShort)
	}
	if r.allNSID && !e.opts.JSON {
		if nsid < 0 {
			prefix += "[nsid current]"
		} else {
			prefix += fmt.Sprintf("[nsid %d]", nsid)
		}
	}
	if r.banner && !e.opts.JSON {
		prefix += monitorBanners[obj]
	}
	if _, ok := monitorKinds[obj]; ok {
		ev, ok, err := rtnl.DecodeEvent(m)
		if err != nil || !ok {
			_, werr := io.WriteString(e.stdout, prefix)
			return werr
		}
		ev.NSID = nsid
		inet6 := obj == "link" && len(m.Data) > 0 && m.Data[0] == unix.AF_INET6
		if (obj == "route" || obj == "rule") && !e.monitorFamily(m) {
			// -4, -6: ip prints these of the family only (not addresses)
			_, err := io.WriteString(e.stdout, prefix)
			return err
		}
		return e.printEvent(ctx, r, &ev, prefix, inet6)
	}
	var p *printer
	switch obj {
	case "netconf":
		if r.dev != "" && netconfIndex(m) != e.names[r.dev] {
			break
		}
		p = e.netconfFormat(ctx, m)
	case "nexthop":
		p = e.nexthopFormat(ctx, m)
	case "nsid":
		p = e.nsidFormat(ctx, m)
	case "prefix":
		p = e.prefixFormat(ctx, m)
	case "mroute":
		p = e.mrouteMonitorFormat(ctx, m) // mroute.go
	}
	if p == nil || e.opts.JSON {
		if e.opts.JSON && p != nil {
			return e.writeMonitorJSON(obj, deleted, p.obj)
		}
		_, err := io.WriteString(e.stdout, prefix)
		return err
	}
	if deleted {
		prefix += "Deleted "
	}
	_, err := io.WriteString(e.stdout, prefix+p.b.String())
	return err
}

// monitorFamily says whether m is of the family -4 or -6 selects (the
// family byte that starts route, neighbour and rule messages).
func (e *env) monitorFamily(m netlink.Message) bool {
	f := e.opts.Family.rtnl()
	return f == 0 || len(m.Data) > 0 && m.Data[0] == byte(f)
}

// netconfIndex is the link a netconf message is about (NETCONFA_IFINDEX),
// 0 for none.
func netconfIndex(m netlink.Message) int32 {
	if len(m.Data) < 4 {
		return 0
	}
	d := nlattr.NewDecoder(m.Data[4:])
	for d.Next() {
		if d.Type() == netconfaIfindex {
			return d.Int32()
		}
	}
	return 0
}

// monitorObject names the object of a message ("" for none monitor
// prints) and says whether it is a removal.
func monitorObject(m netlink.Message) (string, bool) {
	switch m.Header.Type {
	case unix.RTM_NEWLINK, unix.RTM_DELLINK:
		if len(m.Data) > 0 && m.Data[0] == unix.AF_BRIDGE {
			return "", false // a bridge port's state: bridge monitor's, not ip's
		}
		return "link", m.Header.Type == unix.RTM_DELLINK
	case unix.RTM_NEWADDR, unix.RTM_DELADDR:
		return "address", m.Header.Type == unix.RTM_DELADDR
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE:
		if len(m.Data) > 0 && (m.Data[0] == rtnlFamilyIPMR || m.Data[0] == rtnlFamilyIP6MR) {
			if mrouteCloned(m) {
				return "", false // ip drops cloned routes before anything
			}
			return "mroute", m.Header.Type == unix.RTM_DELROUTE // mroute's own format (mroute.go)
		}
		return "route", m.Header.Type == unix.RTM_DELROUTE
	case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH:
		return "neigh", m.Header.Type == unix.RTM_DELNEIGH
	case unix.RTM_NEWRULE, unix.RTM_DELRULE:
		return "rule", m.Header.Type == unix.RTM_DELRULE
	case unix.RTM_NEWNETCONF, unix.RTM_DELNETCONF:
		return "netconf", m.Header.Type == unix.RTM_DELNETCONF
	case unix.RTM_NEWNEXTHOP, unix.RTM_DELNEXTHOP:
		return "nexthop", m.Header.Type == unix.RTM_DELNEXTHOP
	case unix.RTM_NEWNSID, unix.RTM_DELNSID:
		return "nsid", m.Header.Type == unix.RTM_DELNSID
	case unix.RTM_NEWPREFIX:
		return "prefix", false
	}
	return "", false
}

// monitorBanners are ip's banners of the objects.
var monitorBanners = map[string]string{"link": "[LINK]", "address": "[ADDR]", "route": "[ROUTE]", "mroute": "[MROUTE]",
	"prefix": "[PREFIX]", "neigh": "[NEIGH]", "netconf": "[NETCONF]", "rule": "[RULE]", "nsid": "[NSID]",
	"nexthop": "[NEXTHOP]", "stats": "[STATS]"}

// rtnlFamilyIPMR and rtnlFamilyIP6MR are the families of multicast
// routes (RTNL_FAMILY_IPMR, RTNL_FAMILY_IP6MR).
const (
	rtnlFamilyIPMR  = 128
	rtnlFamilyIP6MR = 129
)

// writeMonitorJSON writes one event of an object the library does not
// model as a JSON line.
func (e *env) writeMonitorJSON(obj string, deleted bool, fields *jsonObject) error {
	out := &jsonObject{}
	event := "new"
	if deleted {
		event = "deleted"
	}
	out.set("event", event)
	out.set("object", obj)
	if fields != nil {
		for i, k := range fields.keys {
			out.set(k, fields.vals[i])
		}
	}
	return writeJSON(e, out)
}

// writeMonitorLine is writeMonitorJSON of a record printed on a line.
func (e *env) writeMonitorLine(obj string, deleted bool, ln *line) error {
	event := "new"
	if deleted {
		event = "deleted"
	}
	b := append([]byte(`{"event":"`), event...)
	b = appendJSONString(append(b, `","object":`...), obj)
	if len(ln.b) > 0 {
		b = append(append(b, ','), ln.b...)
	}
	return writeJSON(e, rawJSON(append(b, '}')))
}

// printEvent prints one event with the formatting of OBJECT show, after
// prefix; with dev, the events of other links print only the prefix (as
// ip), and routes and neighbours leave out their device. inet6 is a link
// message of the IPv6 family (addrconf's), whose few attributes ip prints
// alone.
func (e *env) printEvent(ctx context.Context, r monitorRequest, ev *rtnl.Event, prefix string, inet6 bool) error {
	var mdown bool
	if l := &ev.Link; ev.Kind == rtnl.EventLink {
		if e.linkFlags == nil {
			e.linkFlags = map[int32]rtnl.LinkFlags{}
		}
		switch {
		case ev.Deleted && !inet6:
			delete(e.names, l.Name)
			delete(e.indexes, l.Index)
			delete(e.linkFlags, l.Index)
		case !inet6:
			e.remember(l.Index, l.Name)
			e.linkFlags[l.Index] = l.Flags
		default:
			e.linkFlags[l.Index] = l.Flags
		}
		// As ip: M-DOWN when the link it is stacked on is known to be
		// down.
		if f, ok := e.linkFlags[l.Parent]; ok && l.Parent != 0 && !l.HasLinkNetNSID {
			mdown = f&rtnl.LinkUp == 0
		}
	}
	var dev int32
	if r.dev != "" {
		dev = e.names[r.dev]
	}
	skip := func(idx int32) bool { return dev != 0 && idx != dev }
	var o *printer
	var ln *line // the records printed on a line (all but rules)
	switch ev.Kind {
	case rtnl.EventLink:
		if skip(ev.Link.Index) {
			break
		}
		ln = e.line()
		ln.color, ln.numeric = false, false // monitor paints no link
		e.printLink(ctx, ln, &linkView{l: ev.Link, mdown: mdown}, linkPrint{showLL: true, inet6: inet6, noQueue: true})
	case rtnl.EventAddress:
		if skip(ev.Address.Index) {
			break
		}
		ln = e.line()
		ln.color, ln.numeric = false, false
		name := e.linkName(ctx, ev.Address.Index)
		if ln.json {
			ln.uint("ifindex", "", uint64(ev.Address.Index))
			ln.str("ifname", "", "", name)
		} else {
			ln.b = fmt.Appendf(ln.b, "%d: %s", ev.Address.Index, name)
		}
		printAddress(ln, &ev.Address)
	case rtnl.EventRoute:
		if skip(ev.Route.OutIndex) {
			break
		}
		ln = routeFormat(ctx, e, &ev.Route, routeView{dev: dev != 0}) // table shown unless main, as ip monitor
	case rtnl.EventNeighbor:
		if skip(ev.Neighbor.Index) {
			break
		}
		ln = neighFormat(ctx, e, &ev.Neighbor, dev != 0, &neighPrint{stats: e.opts.Stats})
	case rtnl.EventRule:
		o = ruleFormat(e, &ev.Rule)
	}
	if o == nil && ln == nil {
		if e.opts.JSON {
			return nil
		}
		_, err := io.WriteString(e.stdout, prefix)
		return err
	}
	if e.opts.JSON {
		if ln != nil {
			return e.writeMonitorLine(ev.Kind.String(), ev.Deleted, ln)
		}
		return e.writeMonitorJSON(ev.Kind.String(), ev.Deleted, o.obj)
	}
	var text string
	if ln != nil {
		text = string(ln.b)
	} else {
		text = o.b.String()
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if ev.Deleted {
		prefix += "Deleted "
	}
	_, err := fmt.Fprint(e.stdout, prefix+text)
	return err
}

// timestamp is what ip -t (-ts: short) prints before an event, as ip's
// print_timestamp: the local time as asctime with microseconds on a line
// of its own, or in brackets, ISO 8601, before the event.
func timestamp(t time.Time, short bool) string {
	if short {
		return fmt.Sprintf("[%s.%06d] ", t.Format("2006-01-02T15:04:05"), t.Nanosecond()/1000)
	}
	return fmt.Sprintf("Timestamp: %s %d usec\n", t.Format("Mon Jan _2 15:04:05 2006"), t.Nanosecond()/1000)
}
