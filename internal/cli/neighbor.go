package cli

import (
	"context"
	"fmt"
	"net/netip"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/rtnl"
)

const neighHelp = `Usage: nl neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] | proxy ADDR } [ dev DEV ]
                [ router ] [ use ] [ managed ] [ extern_learn ] [ protocol PROTO ]

       nl neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
                                 [ vrf NAME ] [ nomaster ]
       nl neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale | all }
`

// neighStateNone stands for NUD_NONE in a filter (ip's 0x100).
const neighStateNone = 0x100

// neighRequest is a parsed neighbour command.
type neighRequest struct {
	cmd    string // show, flush, get, add, replace, change, delete
	dev    string
	hasDev bool // dev was given (possibly as "", which is no link)
	// show, flush
	states uint32       // NUD_* bits, with neighStateNone for entries in no state
	to     netip.Prefix // filter; invalid: all
	proxy  bool
	vrf    string // vrf NAME: the entries of the vrf's ports
	nomast bool   // nomaster: the entries of links without a master
	// add, replace, change, delete, get
	neigh rtnl.Neighbor // without Index
}

// neighNUD reads a nud STATE (ip's nud_state_a2n).
func neighNUD(w string) (rtnl.NeighborState, bool) {
	switch {
	case matches(w, "permanent"):
		return rtnl.NeighborPermanent, true
	case matches(w, "reachable"):
		return rtnl.NeighborReachable, true
	case w == "noarp":
		return rtnl.NeighborNoARP, true
	case w == "none":
		return rtnl.NeighborNone, true
	case w == "stale":
		return rtnl.NeighborStale, true
	case w == "incomplete":
		return rtnl.NeighborIncomplete, true
	case w == "delay":
		return rtnl.NeighborDelay, true
	case w == "probe":
		return rtnl.NeighborProbe, true
	case matches(w, "failed"):
		return rtnl.NeighborFailed, true
	}
	n, ok := getU32(w)
	if !ok || n >= 0x100 || n&(n-1) != 0 {
		return 0, false
	}
	return rtnl.NeighborState(n), true
}

// parseNeigh turns the words after "neighbour" into a request; fam is the
// -4/-6 option.
func parseNeigh(args []string, fam Family) (neighRequest, error) {
	var r neighRequest
	a := wordsOf(args)
	if !a.more() {
		return r, parseNeighSelector(&r, a, fam)
	}
	var err error
	if r.cmd, err = pickCommand("neigh", a.next(), neighCommands); err != nil {
		return r, err
	}
	switch r.cmd {
	case "show":
		return r, parseNeighSelector(&r, a, fam)
	case "flush":
		if !a.more() {
			return r, errBadWord("Flush requires arguments.")
		}
		return r, parseNeighSelector(&r, a, fam)
	}
	n := &r.neigh
	var dst inet
	var dstOK, devOK bool
	var lladdr *string
	get := r.cmd == "get" // ip's ipneigh_get, which takes fewer words
	for a.more() {
		var err error
		switch w := a.next(); {
		case matches(w, "lladdr") && !get:
			var v string
			if v, err = a.value(); err != nil {
				return r, err
			}
			if lladdr != nil {
				return r, errDuparg("lladdr", v)
			}
			lladdr = &v
		case w == "nud" && !get:
			n.State, err = valueOf(a, neighNUD, "nud state is bad")
			n.HasState = true
		case matches(w, "proxy"):
			var v string
			if v, err = a.value(); err != nil {
				return r, err
			}
			if dstOK {
				return r, errDuparg("address", v)
			}
			if dst, err = getAddr(v, fam); err != nil {
				return r, err
			}
			dstOK, devOK = true, devOK || !get
			n.Flags |= rtnl.NeighborProxy
		case w == "router" && !get:
			n.Flags |= rtnl.NeighborRouter
		case w == "use" && !get:
			n.Flags |= rtnl.NeighborUse
		case w == "managed" && !get:
			n.Flags |= rtnl.NeighborManaged
		case matches(w, "extern_learn") && !get:
			n.Flags |= rtnl.NeighborExtLearned
		case w == "dev": // as in ip, the last one counts
			r.dev, err = a.value()
			r.hasDev, devOK = true, true
		case matches(w, "protocol") && !get:
			n.Protocol, err = valueOf(a, parseProtocol, "\"protocol\" value is invalid\n")
		default:
			if w == "to" {
				if w, err = a.value(); err != nil {
					return r, err
				}
			}
			if dstOK {
				return r, errDuparg2("to", w)
			}
			if dst, err = getAddr(w, fam); err != nil {
				return r, err
			}
			dstOK = true
		}
		if err != nil {
			return r, err
		}
	}
	if !devOK || !dstOK || !dst.Addr.IsValid() {
		if get {
			return r, errBadWord("Device and address are required arguments.")
		}
		return r, usagef("Device and destination are required arguments.")
	}
	n.Addr = dst.Addr
	n.Family = dst.Family.rtnl()
	if lladdr != nil && *lladdr != "null" {
		var err error
		if n.LinkAddr, err = parseLLAddr(*lladdr, 20); err != nil {
			return r, err
		}
	}
	return r, nil
}

// neighCommands are neighbour's commands in ip's order.
var neighCommands = []command{
	{name: "add"}, {name: "change", exact: []string{"chg"}}, {name: "replace"}, {name: "delete"}, {name: "get"},
	{name: "show", abbrev: []string{"show", "lst", "list"}}, {name: "flush"},
}

// parseNeighSelector parses the arguments of show and flush (ip's
// do_show_or_flush).
func parseNeighSelector(r *neighRequest, a *words, fam Family) error {
	if r.cmd == "" {
		r.cmd = "show"
	}
	if r.cmd == "flush" {
		r.states = ^uint32(rtnl.NeighborPermanent|rtnl.NeighborNoARP) & (0xff | neighStateNone)
	} else {
		r.states = 0xff &^ uint32(rtnl.NeighborNoARP)
	}
	given := false
	for a.more() {
		var err error
		switch w := a.next(); w {
		case "dev":
			var v string
			if v, err = a.value(); err != nil {
				return err
			}
			if r.hasDev {
				return errDuparg("dev", v)
			}
			r.dev, r.hasDev = v, true
		case "nud":
			var v string
			if v, err = a.value(); err != nil {
				return err
			}
			if !given {
				given, r.states = true, 0
			}
			st, ok := neighNUD(v)
			state := uint32(st)
			if !ok {
				if v != "all" {
					return errInvarg("nud state is bad", v)
				}
				state = 0xff | neighStateNone
				if r.cmd == "flush" {
					state &^= uint32(rtnl.NeighborNoARP)
				}
			}
			if state == 0 {
				state = neighStateNone
			}
			r.states |= state
		case "proxy":
			r.proxy = true
		case "vrf":
			if r.vrf, err = a.value(); err != nil {
				return err
			}
		case "nomaster":
			r.nomast = true
		default:
			if w == "to" {
				if w, err = a.value(); err != nil {
					return err
				}
			}
			p, err := getPrefix(w, fam)
			if err != nil {
				return err
			}
			r.to, _ = p.defaultOr()
			fam = fam.or(p.Family)
		}
	}
	r.neigh.Family = fam.rtnl()
	return nil
}

// match is ip's filter for show and flush: the state (proxy entries have
// none and always match) and the prefix.
func (r *neighRequest) match(n *rtnl.Neighbor) bool {
	st := uint32(n.State)
	if r.states&st == 0 && n.Flags&(rtnl.NeighborProxy|rtnl.NeighborExtLearned) == 0 &&
		(st != 0 || r.states&neighStateNone == 0) {
		return false
	}
	if r.to.IsValid() && (n.Addr.BitLen() != r.to.Addr().BitLen() || !r.to.Masked().Contains(n.Addr)) {
		return false
	}
	return true
}

// neighBuild resolves the link of an add, replace, change, delete or get.
func neighBuild(ctx context.Context, e *env, r *neighRequest) (rtnl.Neighbor, error) {
	n := r.neigh
	if r.hasDev {
		idx, err := e.linkIndex(ctx, r.dev)
		if err != nil {
			return n, err
		}
		n.Index = idx
	}
	return n, nil
}

func runNeigh(ctx context.Context, e *env, args []string) error {
	req, c, err := rtRequest(e, args, parseNeigh)
	if err != nil {
		return err
	}
	switch req.cmd {
	case "show", "flush":
		return neighShowOrFlush(ctx, e, &req)
	}
	n, err := neighBuild(ctx, e, &req)
	if err != nil {
		return err
	}
	switch req.cmd {
	case "add":
		return c.AddNeighbor(ctx, n)
	case "replace":
		return c.ReplaceNeighbor(ctx, n)
	case "change":
		return c.ChangeNeighbor(ctx, n)
	case "delete":
		return c.DeleteNeighbor(ctx, n)
	}
	get := c.Neighbor
	if n.Flags&rtnl.NeighborProxy != 0 {
		get = c.ProxyNeighbor
	}
	got, err := get(ctx, n.Index, n.Addr)
	if err != nil {
		return err
	}
	o := neighFormat(ctx, e, &got, false, &neighPrint{stats: e.opts.Stats})
	if e.opts.JSON {
		return writeJSON(e, []any{o})
	}
	_, err = e.stdout.Write(o.b)
	return err
}

func neighShowOrFlush(ctx context.Context, e *env, r *neighRequest) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	f := rtnl.NeighborFilter{Family: r.neigh.Family, Proxy: r.proxy}
	if r.vrf != "" {
		if f.Master, err = e.vrfIndex(ctx, r.vrf); err != nil {
			return err
		}
	}
	if r.nomast {
		f.Master = -1
	}
	if r.hasDev {
		if f.Index, err = e.linkIndex(ctx, r.dev); err != nil {
			return err
		}
	}
	if r.cmd == "flush" {
		return neighFlush(ctx, e, r, f)
	}
	if err := e.loadLinkNames(ctx); err != nil {
		return err
	}
	how := &neighPrint{stats: e.opts.Stats}
	return showLines(e, c.Neighbors(ctx, f), r.match, func(n *rtnl.Neighbor) *line {
		return neighFormat(ctx, e, n, r.hasDev, how)
	})
}

// neighFlush deletes the entries a selector lists, in rounds as ip does
// (at most 10); FAILED entries are left alone after the first round.
func neighFlush(ctx context.Context, e *env, r *neighRequest, f rtnl.NeighborFilter) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	return flushRounds(e, func() ([]rtnl.Neighbor, error) {
		var del []rtnl.Neighbor
		for n, err := range c.Neighbors(ctx, f) {
			if err != nil {
				return nil, err
			}
			if r.match(&n) {
				del = append(del, n)
			}
		}
		return del, nil
	}, func(del []rtnl.Neighbor) error { return c.DeleteNeighbors(ctx, del) }, syscall.ENOENT,
		func() { r.states &^= uint32(rtnl.NeighborFailed) })
}

// neighPrint says how neighFormat prints; nil: without statistics.
type neighPrint struct {
	stats bool // -s: ages, reference count, probes

	// The words of the last state printed: a table's entries share a
	// few states, and NeighborState.Words allocates.
	state rtnl.NeighborState
	words []string
}

// neighFormat prints an entry as ip's print_neigh does, into the env's
// line (valid until the next record); devFixed leaves the link out (the
// selector named it).
func neighFormat(ctx context.Context, e *env, n *rtnl.Neighbor, devFixed bool, how *neighPrint) *line {
	o := e.line()
	if e.opts.Brief {
		e.neighBrief(ctx, o, n, devFixed)
		return o
	}
	if n.Addr.IsValid() {
		o.addr("dst", "", familyColor(n.Addr.Is6()), n.Addr)
	}
	if !devFixed && n.Index != 0 {
		o.str("dev", "dev ", colorIfname, e.linkName(ctx, n.Index))
	}
	if n.LinkAddr != nil {
		o.mac("lladdr", "lladdr ", colorMAC, n.LinkAddr)
	}
	for _, f := range neighFlagWords {
		if n.Flags&f.f != 0 {
			o.null(f.word)
		}
	}
	if how != nil && how.stats {
		if ci := &n.CacheInfo; n.HasCacheInfo {
			secs := func(d time.Duration) uint64 { return uint64(d / time.Second) }
			if o.json {
				if ci.RefCount != 0 {
					o.uint("refcnt", "", uint64(ci.RefCount))
				}
				o.uint("used", "", secs(ci.Used))
				o.uint("confirmed", "", secs(ci.Confirmed))
				o.uint("updated", "", secs(ci.Updated))
			} else {
				if ci.RefCount != 0 {
					o.b = fmt.Appendf(o.b, " ref %d", ci.RefCount)
				}
				o.b = fmt.Appendf(o.b, " used %d/%d/%d", secs(ci.Used), secs(ci.Confirmed), secs(ci.Updated))
			}
		}
		if n.HasProbes {
			o.uint("probes", "probes ", uint64(n.Probes))
		}
	}
	if n.State != rtnl.NeighborNone {
		var words []string
		switch {
		case how == nil:
			words = n.State.Words()
		case how.words != nil && how.state == n.State:
			words = how.words
		default:
			how.state, how.words = n.State, n.State.Words()
			words = how.words
		}
		o.words("state", words)
	}
	if n.Protocol != 0 {
		o.str("protocol", "proto ", "", n.Protocol.String())
	}
	o.text("\n")
	return o
}

// neighFlagWords are the flags ip's print_neigh prints, in its order.
var neighFlagWords = []struct {
	f    rtnl.NeighborFlags
	word string
}{{rtnl.NeighborRouter, "router"}, {rtnl.NeighborProxy, "proxy"}, {rtnl.NeighborManaged, "managed"},
	{rtnl.NeighborExtLearned, "extern_learn"}, {rtnl.NeighborOffloaded, "offload"}}
