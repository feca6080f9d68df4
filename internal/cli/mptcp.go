package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/genl/mptcp"
	"github.com/nlkit/nlkit/netlink"
)

const mptcpHelp = `Usage: nl mptcp endpoint add ADDRESS [ dev NAME ] [ id ID ]
                                [ port NR ] [ FLAG-LIST ]
       nl mptcp endpoint delete id ID [ ADDRESS ]
       nl mptcp endpoint change [ id ID ] [ ADDRESS ] [ port NR ] CHANGE-OPT
       nl mptcp endpoint show [ id ID ]
       nl mptcp endpoint flush
       nl mptcp limits set [ subflows NR ] [ add_addr_accepted NR ]
       nl mptcp limits show
       nl mptcp monitor
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ signal | subflow | backup | fullmesh | implicit | laminar ]
CHANGE-OPT := [ backup | nobackup | fullmesh | nofullmesh ]
With -j, endpoints print as ip -j does ({"address", "port", "id", one
true boolean per flag, "rawflags", "dev"}) and limits as
[{"add_addr_accepted", "subflows"}].
`

// mptcpRequest is a parsed mptcp command.
type mptcpRequest struct {
	obj string // "endpoint", "limits" or "monitor"
	cmd string // endpoint: show, add, delete, change, flush; limits: show, set

	// endpoint arguments
	addr  netip.Addr // the ADDRESS, if given
	id    uint8
	idSet bool
	dev   string // dev NAME, resolved when run
	port  uint16
	flags mptcp.EndpointFlags

	// limits set arguments: only those given are sent, as ip does
	subflows, addAddrAccepted       uint32
	subflowsSet, addAddrAcceptedSet bool
}

// mptcpFlagWords are the endpoint flag words, matched exactly as ip does
// (strcmp, no abbreviation); "nobackup" and "nofullmesh" set nothing.
var mptcpFlagWords = []struct {
	word string
	flag mptcp.EndpointFlags
}{
	{"signal", mptcp.Signal},
	{"subflow", mptcp.Subflow},
	{"backup", mptcp.Backup},
	{"fullmesh", mptcp.Fullmesh},
	{"implicit", mptcp.Implicit},
	{"laminar", mptcp.Laminar},
	{"nobackup", 0},
	{"nofullmesh", 0},
}

// The words of mptcp, in ip's order: its objects, the commands of
// endpoint and those of limits.
var (
	mptcpObjects   = []command{{name: "endpoint"}, {name: "limits"}, {name: "monitor"}}
	mptcpEndpoints = []command{{name: "add"}, {name: "change"}, {name: "delete"}, {name: "show", abbrev: []string{"show", "list"}}, {name: "flush"}}
	mptcpLimits    = []command{{name: "set"}, {name: "show"}}
)

// parseMptcp turns the words after "mptcp" into a request.
func parseMptcp(args []string) (mptcpRequest, error) {
	var r mptcpRequest
	a := wordsOf(args)
	if !a.more() {
		return r, usagef("%s", strings.TrimSuffix(mptcpHelp, "\n"))
	}
	var err error
	if r.obj, err = pickCommand("mptcp", a.next(), mptcpObjects); err != nil {
		return r, err
	}
	switch r.obj {
	case "monitor":
		if a.more() {
			_, err = pickCommand("mptcp", a.next(), nil)
		}
		return r, err
	case "endpoint":
		r.cmd = "show"
		if a.more() {
			r.cmd, err = pickCommand("mptcp", a.next(), mptcpEndpoints)
		}
	case "limits":
		r.cmd = "show"
		if a.more() {
			r.cmd, err = pickCommand("mptcp", a.next(), mptcpLimits)
		}
	}
	switch {
	case err != nil:
		return r, err
	case r.obj == "limits" && r.cmd == "set":
		return r, parseMptcpLimits(&r, a)
	case r.cmd == "flush" || r.obj == "limits" || r.cmd == "show" && !a.more():
		// Commands without words; show alone is a dump.
		if a.more() {
			return r, errInvarg("unknown argument", a.peek())
		}
		return r, nil
	}
	return r, parseMptcpEndpoint(&r, a)
}

// parseMptcpEndpoint parses the arguments of endpoint add, delete, change
// and show as ip's mptcp_parse_opt does: flag words first (exact), then
// id, dev and port (abbreviated), then an address.
func parseMptcpEndpoint(r *mptcpRequest, a *words) error {
	adding, deleting, changing := r.cmd == "add", r.cmd == "delete", r.cmd == "change"
	var portSet, devSet bool
	for a.more() {
		w := a.next()
		isFlag := false
		for _, f := range mptcpFlagWords {
			if w == f.word {
				isFlag = true
				r.flags |= f.flag
			}
		}
		var err error
		switch {
		case isFlag:
			if adding && r.flags&mptcp.Signal != 0 && r.flags&mptcp.Fullmesh != 0 {
				return errInvarg("flags mustn't have both signal and fullmesh", w)
			}
			if changing && r.flags&^(mptcp.Backup|mptcp.Fullmesh) != 0 {
				return errInvarg("invalid flags, backup and fullmesh only", w)
			}
		case matches(w, "id"):
			r.id, err = onceOf(a, "id", &r.idSet, getU8, "invalid ID\n")
		case matches(w, "dev"):
			r.dev, err = onceOf(a, "dev", &devSet, ifnameWord, "invalid interface name\n")
		case matches(w, "port"):
			r.port, err = onceOf(a, "port", &portSet, getU16, "expected port")
		default:
			var addr netip.Addr
			if addr, err = getIPAddr(w, FamilyAny); err == nil && r.addr.IsValid() {
				err = errDuparg("ADDRESS", w)
			}
			r.addr = addr
		}
		if err != nil {
			return err
		}
	}
	switch {
	case adding && !r.addr.IsValid():
		return errMissarg("ADDRESS")
	case deleting && !r.idSet:
		return errMissarg("ID")
	case deleting && r.id != 0 && r.addr.IsValid():
		return errInvarg("invalid for non-zero id address", "ADDRESS")
	case deleting && r.id == 0 && !r.addr.IsValid():
		return errInvarg("address is needed for deleting id 0 address", "ID")
	case adding && r.port != 0 && r.flags&mptcp.Signal == 0:
		return errInvarg("flags must have signal when using port", "port")
	case changing && r.idSet && r.port != 0:
		return errInvarg("port can't be used with id", "port")
	case changing && !r.idSet && !r.addr.IsValid():
		return errMissarg("ID")
	case r.cmd == "show" && !r.idSet:
		return errMissarg("ID")
	}
	return nil
}

// parseMptcpLimits parses `limits set [subflows NR] [add_addr_accepted NR]`.
func parseMptcpLimits(r *mptcpRequest, a *words) error {
	for a.more() {
		var err error
		switch w := a.next(); {
		case matches(w, "subflows"):
			r.subflows, err = onceOf(a, "subflows", &r.subflowsSet, getU32, "invalid subflows\n")
		case matches(w, "add_addr_accepted"):
			r.addAddrAccepted, err = onceOf(a, "add_addr_accepted", &r.addAddrAcceptedSet, getU32, "invalid add_addr_accepted\n")
		default:
			err = errInvarg("unknown limit", w)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func runMptcp(ctx context.Context, e *env, args []string) error {
	r, err := parseMptcp(args)
	if err != nil {
		return err
	}
	var ifindex int32
	if r.dev != "" {
		if ifindex, err = mptcpDevIndex(ctx, e, r.dev); err != nil {
			return err
		}
	}
	c, err := mptcp.Dial(e.netlinkConfig())
	if err != nil {
		return fmt.Errorf("Cannot open generic netlink socket: %w", err)
	}
	defer c.Close()

	if r.obj == "monitor" {
		return mptcpMonitor(ctx, e, c)
	}
	if r.obj == "limits" {
		if r.cmd == "show" {
			l, err := c.Limits(ctx)
			if err != nil {
				return err
			}
			// ip prints text even with -j; nl prints
			// [{"add_addr_accepted", "subflows"}].
			p := newRecord(e.opts.JSON)
			p.add("add_addr_accepted", l.AddAddrAccepted, fmt.Sprintf("add_addr_accepted %d ", l.AddAddrAccepted))
			p.add("subflows", l.Subflows, fmt.Sprintf("subflows %d \n", l.Subflows))
			return writeRecords(e, []*printer{p})
		}
		// Only the limits given are sent, as ip does: the kernel keeps
		// the other.
		var ch mptcp.LimitsChange
		if r.subflowsSet {
			ch.Subflows = &r.subflows
		}
		if r.addAddrAcceptedSet {
			ch.AddAddrAccepted = &r.addAddrAccepted
		}
		return c.SetLimits(ctx, ch)
	}

	switch r.cmd {
	case "add":
		return c.AddEndpoint(ctx, mptcp.Endpoint{ID: r.id, Addr: r.addr, Port: r.port, Flags: r.flags, IfIndex: ifindex})
	case "delete":
		// id 0 with an address withdraws the address from the
		// connections using it (see mptcp.Conn.DeleteEndpoint).
		return c.DeleteEndpoint(ctx, mptcp.Endpoint{ID: r.id, Addr: r.addr, Port: r.port})
	case "change":
		// By id, or by address (and port) when one is given.
		return c.SetEndpointFlags(ctx, mptcp.Endpoint{ID: r.id, Addr: r.addr, Port: r.port, Flags: r.flags})
	case "flush":
		return c.FlushEndpoints(ctx)
	}
	// show
	var eps []mptcp.Endpoint
	if r.idSet {
		ep, err := c.Endpoint(ctx, r.id)
		if err != nil {
			return err
		}
		eps = append(eps, ep)
	} else {
		for ep, err := range c.Endpoints(ctx) {
			if err != nil {
				return err
			}
			eps = append(eps, ep)
		}
	}
	return mptcpPrintEndpoints(ctx, e, eps)
}

// mptcpDevIndex resolves dev NAME as ip does, with its message.
func mptcpDevIndex(ctx context.Context, e *env, name string) (int32, error) {
	idx, err := e.linkIndex(ctx, name)
	var fe *failure
	if errors.As(err, &fe) {
		return 0, errInvarg("device does not exist\n", name) // as in ip, an empty line follows
	}
	return idx, err
}

// mptcpKnownFlags are the flags with a word (and a JSON key).
const mptcpKnownFlags = mptcp.Signal | mptcp.Subflow | mptcp.Backup | mptcp.Fullmesh | mptcp.Implicit | mptcp.Laminar

// mptcpEndpointFormat prints an endpoint as ip's print_mptcp_addr: with
// -j as ip -j does ({"address", "port", "id", one true boolean per flag,
// "rawflags", "dev"}).
func mptcpEndpointFormat(ctx context.Context, e *env, ep *mptcp.Endpoint) *printer {
	p := newRecord(e.opts.JSON)
	if ep.Addr.IsValid() {
		p.add("address", ep.Addr.String(), ep.Addr.String()+" ")
	}
	if ep.Port != 0 {
		p.add("port", ep.Port, fmt.Sprintf("port %d ", ep.Port))
	}
	p.add("id", ep.ID, fmt.Sprintf("id %d ", ep.ID))
	for _, f := range mptcpFlagWords {
		if f.flag != 0 && ep.Flags&f.flag != 0 {
			p.add(f.word, true, f.word+" ")
		}
	}
	if rest := ep.Flags &^ mptcpKnownFlags; rest != 0 {
		raw := fmt.Sprintf("%02x", uint32(rest))
		p.add("rawflags", raw, "rawflags "+raw+" ")
	}
	if ep.IfIndex != 0 {
		dev := e.linkName(ctx, ep.IfIndex)
		p.add("dev", dev, "dev "+dev+" ")
	}
	p.b.WriteString("\n")
	return p
}

func mptcpPrintEndpoints(ctx context.Context, e *env, eps []mptcp.Endpoint) error {
	recs := make([]*printer, len(eps))
	for i := range eps {
		recs[i] = mptcpEndpointFormat(ctx, e, &eps[i])
	}
	return writeRecords(e, recs)
}

// mptcpMonitor prints the path manager's events until ctx ends.
func mptcpMonitor(ctx context.Context, e *env, c *mptcp.Conn) error {
	if err := c.JoinGroup(ctx, mptcp.GroupEvents); err != nil {
		return err
	}
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Fprintln(e.stderr, "Warning: events were lost (socket buffer overrun)")
			continue
		}
		if err != nil {
			return err
		}
		p := mptcpEventFormat(ev, e.opts.JSON)
		if e.opts.JSON {
			if err := writeJSON(e, p.obj); err != nil {
				return err
			}
			continue
		}
		if _, err := io.WriteString(e.stdout, p.b.String()); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// mptcpEventFormat prints a path manager event as ip mptcp monitor does
// (the attributes the kernel sent, mptcp.Event.Present). ip has no JSON
// for it; nl's keys follow the text: {"type", "token", "remid", "locid",
// "saddr", "daddr", "sport", "dport", "backup", "error", "flags",
// "timeout", "ifindex", "reset_reason", "reset_flags", "server_side"}.
func mptcpEventFormat(ev mptcp.Event, asJSON bool) *printer {
	p := newRecord(asJSON)
	// An event of a type the library does not know prints as
	// "[UNKNOWN N]" alone, its attributes in JSON only.
	text := ev.String()
	unknown := strings.HasPrefix(text, "[UNKNOWN")
	add := func(key string, v any, text string) {
		if unknown {
			text = ""
		}
		p.add(key, v, text)
	}
	if !unknown {
		text = fmt.Sprintf("[%16s]", ev.Type)
	}
	p.add("type", ev.Type.String(), text)
	if ev.Has(mptcp.AttrToken) {
		t := fmt.Sprintf("%08x", ev.Token)
		add("token", t, " token="+t)
	}
	if ev.Has(mptcp.AttrRemoteID) {
		add("remid", ev.RemoteID, fmt.Sprintf(" remid=%d", ev.RemoteID))
	}
	if ev.Has(mptcp.AttrLocalID) {
		add("locid", ev.LocalID, fmt.Sprintf(" locid=%d", ev.LocalID))
	}
	for _, a := range [...]struct {
		key        string
		addr       netip.Addr
		has4, has6 mptcp.EventAttrs
		key4, key6 string
	}{
		{key: "saddr", addr: ev.Source.Addr(), has4: mptcp.AttrSaddr4, has6: mptcp.AttrSaddr6, key4: "saddr4", key6: "saddr6"},
		{key: "daddr", addr: ev.Dest.Addr(), has4: mptcp.AttrDaddr4, has6: mptcp.AttrDaddr6, key4: "daddr4", key6: "daddr6"},
	} {
		if !a.addr.IsValid() {
			continue
		}
		text := ""
		switch {
		case a.addr.Is4() && ev.Has(a.has4):
			text = " " + a.key4 + "=" + a.addr.String()
		case !a.addr.Is4() && ev.Has(a.has6):
			text = " " + a.key6 + "=" + a.addr.String()
		}
		add(a.key, a.addr.String(), text)
	}
	if ev.Has(mptcp.AttrSport) {
		add("sport", ev.Source.Port(), fmt.Sprintf(" sport=%d", ev.Source.Port()))
	}
	if ev.Has(mptcp.AttrDport) {
		add("dport", ev.Dest.Port(), fmt.Sprintf(" dport=%d", ev.Dest.Port()))
	}
	if ev.Has(mptcp.AttrBackup) {
		add("backup", ev.Backup, fmt.Sprintf(" backup=%d", map[bool]int{false: 0, true: 1}[ev.Backup]))
	}
	if ev.Has(mptcp.AttrError) {
		add("error", ev.Error, fmt.Sprintf(" error=%d", ev.Error))
	}
	if ev.Has(mptcp.AttrFlags) {
		add("flags", uint16(ev.Flags), fmt.Sprintf(" flags=%x", uint16(ev.Flags)))
	}
	if ev.Has(mptcp.AttrTimeout) {
		add("timeout", ev.Timeout, fmt.Sprintf(" timeout=%d", ev.Timeout))
	}
	if ev.Has(mptcp.AttrIfIndex) {
		add("ifindex", ev.IfIndex, fmt.Sprintf(" ifindex=%d", ev.IfIndex))
	}
	if ev.Has(mptcp.AttrResetReason) {
		add("reset_reason", ev.ResetReason, fmt.Sprintf(" reset_reason=%d", ev.ResetReason))
	}
	if ev.Has(mptcp.AttrResetFlags) {
		add("reset_flags", ev.ResetFlags, fmt.Sprintf(" reset_flags=%#x", ev.ResetFlags))
	}
	if ev.ServerSide {
		add("server_side", true, "")
	}
	p.b.WriteString("\n")
	return p
}
