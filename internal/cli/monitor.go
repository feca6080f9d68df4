package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

const monitorHelp = `Usage: nl monitor [ all | OBJECTS ] [ file FILE ]
OBJECTS := { link | address | route | neigh | rule }...
Prints route-netlink change events as they happen, like ip monitor: one
record per event, "Deleted " before removals, "[OBJECT]" before each with
"all". With -j, one JSON object per line: {"event":"new"|"deleted",
"object":"link"|"address"|"route"|"neigh"|"rule", ...the fields nl OBJECT
show -j prints}. Lost events (the kernel's receive buffer overflowed) are
reported as "Overrun: events were lost" / {"event":"overrun"}.
`

// monitorRequest is a parsed monitor command.
type monitorRequest struct {
	kinds  []rtnl.EventKind // what to print
	banner bool             // "all": prefix each record with [OBJECT]
	file   string           // file FILE: print the events saved in FILE
}

// monitorObjects are the objects monitor takes, "all" last as in ip ("a"
// is address); monitorKinds their events.
var (
	monitorObjects = []command{{name: "link"}, {name: "address"}, {name: "route"},
		{name: "neigh", abbrev: []string{"neigh", "neighbour", "neighbor"}}, {name: "rule"}, {name: "all"}}
	monitorKinds = map[string]rtnl.EventKind{"link": rtnl.EventLink, "address": rtnl.EventAddress,
		"route": rtnl.EventRoute, "neigh": rtnl.EventNeighbor, "rule": rtnl.EventRule}
)

// parseMonitor turns the words after "monitor" into a request.
func parseMonitor(args []string) (monitorRequest, error) {
	var r monitorRequest
	seen := map[rtnl.EventKind]bool{}
	add := func(k rtnl.EventKind) {
		if !seen[k] {
			seen[k] = true
			r.kinds = append(r.kinds, k)
		}
	}
	all := []rtnl.EventKind{rtnl.EventLink, rtnl.EventAddress, rtnl.EventRoute, rtnl.EventNeighbor, rtnl.EventRule}
	for i := 0; i < len(args); i++ {
		w := args[i]
		if matches(w, "file") && w != "f" || w == "file" {
			if i+1 == len(args) {
				return r, errIncomplete()
			}
			i++
			r.file = args[i]
			continue
		}
		name, ok := lookupCommand(w, monitorObjects)
		switch {
		case !ok:
			return r, usagef("Argument \"%s\" is unknown, try \"nl monitor help\".", w)
		case name == "all":
			r.banner = true
			for _, k := range all {
				add(k)
			}
		default:
			add(monitorKinds[name])
		}
	}
	if len(r.kinds) == 0 {
		r.kinds = all
	}
	return r, nil
}

// monitorGroups gives the multicast groups for the kinds and the family
// option (-4/-6).
func monitorGroups(kinds []rtnl.EventKind, family Family) []rtnl.Group {
	// The groups of each kind: of any family, of IPv4, of IPv6.
	groups := map[rtnl.EventKind][3][]rtnl.Group{
		rtnl.EventLink:     {{rtnl.GroupLink}},
		rtnl.EventNeighbor: {{rtnl.GroupNeighbor}},
		rtnl.EventAddress:  {nil, {rtnl.GroupIPv4Addr}, {rtnl.GroupIPv6Addr}},
		rtnl.EventRoute:    {nil, {rtnl.GroupIPv4Route}, {rtnl.GroupIPv6Route}},
		rtnl.EventRule:     {nil, {rtnl.GroupIPv4Rule}, {rtnl.GroupIPv6Rule}},
	}
	var g []rtnl.Group
	for _, k := range kinds {
		gs := groups[k]
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
	if r.file != "" {
		return e.monitorFile(ctx, r)
	}
	groups := monitorGroups(r.kinds, e.opts.Family)
	for ev, err := range rtnl.Events(ctx, e.netlinkConfig(), groups...) {
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
		if err := e.printEvent(ctx, r, &ev); err != nil {
			return err
		}
		if err := e.flush(); err != nil {
			return err
		}
	}
	return nil
}

// printEvent prints one event with the formatting of OBJECT show.
func (e *env) printEvent(ctx context.Context, r monitorRequest, ev *rtnl.Event) error {
	if ev.Kind == rtnl.EventLink {
		if ev.Deleted {
			delete(e.names, ev.Link.Name)
			delete(e.indexes, ev.Link.Index)
		} else {
			e.remember(ev.Link.Index, ev.Link.Name)
		}
	}
	var o *printer
	switch ev.Kind {
	case rtnl.EventLink:
		o = newRecord(e.opts.JSON)
		// As ip's monitor: print_linkinfo without do_link (no mode,
		// alias, statistics, address generation), no queue length,
		// M-DOWN from the lower link's state now.
		v := linkView{l: ev.Link, mdown: e.lowerDown(ctx, &ev.Link)}
		if !e.opts.JSON {
			v.l.TxQueueLen = 0
		}
		e.printLink(ctx, o, &v, linkPrint{showLL: true})
	case rtnl.EventAddress:
		o = newRecord(e.opts.JSON)
		name := e.linkName(ctx, ev.Address.Index)
		o.add("ifindex", ev.Address.Index, fmt.Sprintf("%d: ", ev.Address.Index))
		o.add("ifname", name, name)
		printAddress(o, &ev.Address)
	case rtnl.EventRoute:
		o = routeFormat(ctx, e, &ev.Route, routeView{}) // table shown unless main, as ip monitor
	case rtnl.EventNeighbor:
		o = neighFormat(ctx, e, &ev.Neighbor, false, nil)
	case rtnl.EventRule:
		o = ruleFormat(e, &ev.Rule)
	default:
		return nil
	}
	obj, text := o.obj, o.b.String()
	if e.opts.JSON {
		out := &jsonObject{}
		event := "new"
		if ev.Deleted {
			event = "deleted"
		}
		out.set("event", event)
		out.set("object", ev.Kind.String())
		if obj != nil {
			for i, k := range obj.keys {
				out.set(k, obj.vals[i])
			}
		}
		return writeJSON(e, out)
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	prefix := ""
	if e.opts.Timestamp {
		prefix = timestamp(time.Now(), e.opts.TShort)
	}
	if r.banner {
		prefix += "[" + strings.ToUpper(map[rtnl.EventKind]string{rtnl.EventLink: "link", rtnl.EventAddress: "addr",
			rtnl.EventRoute: "route", rtnl.EventNeighbor: "neigh", rtnl.EventRule: "rule"}[ev.Kind]) + "]"
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

// lowerDown reports whether the link l is stacked on (in its namespace)
// is down, ip's M-DOWN.
func (e *env) lowerDown(ctx context.Context, l *rtnl.Link) bool {
	if l.Parent == 0 || l.HasLinkNetNSID || l.Parent == l.Index {
		return false
	}
	c, err := e.rt()
	if err != nil {
		return false
	}
	p, err := c.Link(ctx, l.Parent)
	return err == nil && p.Flags&rtnl.LinkUp == 0
}
