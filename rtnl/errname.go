package rtnl

import (
	"errors"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netlink"
)

// The names of objects in the errors of failed operations, so that
// "rtnl: add route 198.18.0.0/24 table 100: file exists" says which route.
// They name what the request identifies the object by, in ip's words, and
// stay short: the request's other fields are the caller's.

// linkName names a link by name if it has one, else by index.
func linkName(name string, index int32) string {
	if name != "" {
		return strconv.Quote(name)
	}
	return strconv.Itoa(int(index))
}

// routeName names r by its key fields: destination, source, TOS, table
// (when not main) and metric (when set).
func routeName(r *Route) string {
	var b strings.Builder
	if r.Dst.IsValid() {
		b.WriteString(r.Dst.String())
	} else {
		b.WriteString("(no dst)")
	}
	if r.Src.IsValid() {
		b.WriteString(" from ")
		b.WriteString(r.Src.String())
	}
	if r.Tos != 0 {
		b.WriteString(" tos ")
		b.WriteString(strconv.Itoa(int(r.Tos)))
	}
	if r.Table != TableUnspec && r.Table != TableMain {
		b.WriteString(" table ")
		b.WriteString(r.Table.String())
	}
	if r.Priority != 0 {
		b.WriteString(" metric ")
		b.WriteString(strconv.FormatUint(uint64(r.Priority), 10))
	}
	return b.String()
}

// addressName names a by prefix, peer and link.
func addressName(a *Address) string {
	s := a.Prefix.String()
	if a.Peer.IsValid() {
		s += " peer " + a.Peer.String()
	}
	return s + " dev " + strconv.Itoa(int(a.Index))
}

// neighborName names n by address (or, for a bridge FDB entry, link-layer
// address) and link.
func neighborName(n *Neighbor) string {
	var s string
	switch {
	case n.Addr.IsValid():
		s = n.Addr.String()
	case len(n.LinkAddr) > 0:
		s = n.LinkAddr.String()
	default:
		s = "(no address)"
	}
	s += " dev " + strconv.Itoa(int(n.Index))
	if n.Flags&NeighborProxy != 0 {
		s += " proxy"
	}
	return s
}

func proxyFlag(proxy bool) NeighborFlags {
	if proxy {
		return NeighborProxy
	}
	return 0
}

// ruleOp names operation verb on u by priority and table, those set.
func ruleOp(verb string, u *Rule) string {
	s := verb + " rule"
	if u.Priority != 0 {
		s += " priority " + strconv.FormatUint(uint64(u.Priority), 10)
	}
	if u.Table != TableUnspec {
		s += " table " + u.Table.String()
	}
	return s
}

// nameFailures names the kernel's failures in a *netlink.BatchError of a
// batch of items (indexed as in items) after their objects: "rtnl: add
// route 198.18.0.0/24 table 100: file exists". The streaming (Seq) forms
// name the operation only, not keeping a name per item.
func nameFailures[T any](err error, op string, items []T, name func(*T) string) error {
	be, ok := errors.AsType[*netlink.BatchError](err)
	if !ok {
		return err
	}
	for i, f := range be.Failures {
		if _, kernel := errors.AsType[*netlink.Error](f.Err); kernel && f.Index >= 0 && f.Index < len(items) {
			be.Failures[i].Err = nameOp(op+" "+name(&items[f.Index]), f.Err)
		}
	}
	return err
}
