package cli

import (
	"context"
	"errors"
	"fmt"
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
	c, err := mptcp.Dial(&netlink.Config{NetNS: e.ns})
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
			if e.opts.JSON {
				return writeJSON(e, []mptcpLimitsJSON{{AddAddrAccepted: l.AddAddrAccepted, Subflows: l.Subflows}})
			}
			fmt.Fprintf(e.stdout, "add_addr_accepted %d subflows %d \n", l.AddAddrAccepted, l.Subflows)
			return nil
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

// mptcpEndpointJSON is an endpoint as `ip -j mptcp endpoint show` prints
// it, keys in ip's order.
type mptcpEndpointJSON struct {
	Address  string `json:"address,omitempty"`
	Port     uint16 `json:"port,omitempty"`
	ID       uint8  `json:"id"`
	Signal   bool   `json:"signal,omitempty"`
	Subflow  bool   `json:"subflow,omitempty"`
	Backup   bool   `json:"backup,omitempty"`
	Fullmesh bool   `json:"fullmesh,omitempty"`
	Implicit bool   `json:"implicit,omitempty"`
	Laminar  bool   `json:"laminar,omitempty"`
	RawFlags string `json:"rawflags,omitempty"`
	Dev      string `json:"dev,omitempty"`
}

// mptcpLimitsJSON is the limits with -j (ip prints text even with -j).
type mptcpLimitsJSON struct {
	AddAddrAccepted uint32 `json:"add_addr_accepted"`
	Subflows        uint32 `json:"subflows"`
}

// mptcpKnownFlags are the flags with a word (and a JSON key).
const mptcpKnownFlags = mptcp.Signal | mptcp.Subflow | mptcp.Backup | mptcp.Fullmesh | mptcp.Implicit | mptcp.Laminar

func mptcpPrintEndpoints(ctx context.Context, e *env, eps []mptcp.Endpoint) error {
	out := make([]mptcpEndpointJSON, 0, len(eps))
	var b strings.Builder
	for _, ep := range eps {
		j := mptcpEndpointJSON{Port: ep.Port, ID: ep.ID}
		if ep.Addr.IsValid() {
			j.Address = ep.Addr.String()
			b.WriteString(j.Address + " ")
		}
		if ep.Port != 0 {
			fmt.Fprintf(&b, "port %d ", ep.Port)
		}
		fmt.Fprintf(&b, "id %d ", ep.ID)
		for _, f := range mptcpFlagWords {
			if f.flag != 0 && ep.Flags&f.flag != 0 {
				b.WriteString(f.word + " ")
			}
		}
		j.Signal, j.Subflow, j.Backup = ep.Flags&mptcp.Signal != 0, ep.Flags&mptcp.Subflow != 0, ep.Flags&mptcp.Backup != 0
		j.Fullmesh, j.Implicit, j.Laminar = ep.Flags&mptcp.Fullmesh != 0, ep.Flags&mptcp.Implicit != 0, ep.Flags&mptcp.Laminar != 0
		if rest := ep.Flags &^ mptcpKnownFlags; rest != 0 {
			j.RawFlags = fmt.Sprintf("%02x", uint32(rest))
			fmt.Fprintf(&b, "rawflags %s ", j.RawFlags)
		}
		if ep.IfIndex != 0 {
			j.Dev = e.linkName(ctx, ep.IfIndex)
			fmt.Fprintf(&b, "dev %s ", j.Dev)
		}
		b.WriteString("\n")
		out = append(out, j)
	}
	if e.opts.JSON {
		return writeJSON(e, out)
	}
	_, err := fmt.Fprint(e.stdout, b.String())
	return err
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
		if e.opts.JSON {
			if err := writeJSON(e, mptcpEventJSON(ev)); err != nil {
				return err
			}
			continue
		}
		if _, err := fmt.Fprintln(e.stdout, ev); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// mptcpEventJSONOut is an event with -j (ip mptcp monitor has no JSON):
// the attributes the kernel sent (mptcp.Event.Present), keys in the order
// of the text.
type mptcpEventJSONOut struct {
	Type        string  `json:"type"`
	Token       string  `json:"token,omitempty"`
	RemoteID    *uint8  `json:"remid,omitempty"`
	LocalID     *uint8  `json:"locid,omitempty"`
	Saddr       string  `json:"saddr,omitempty"`
	Daddr       string  `json:"daddr,omitempty"`
	Sport       *uint16 `json:"sport,omitempty"`
	Dport       *uint16 `json:"dport,omitempty"`
	Backup      *bool   `json:"backup,omitempty"`
	Error       *uint8  `json:"error,omitempty"`
	Flags       *uint16 `json:"flags,omitempty"`
	Timeout     *uint32 `json:"timeout,omitempty"`
	IfIndex     *uint32 `json:"ifindex,omitempty"`
	ResetReason *uint32 `json:"reset_reason,omitempty"`
	ResetFlags  *uint32 `json:"reset_flags,omitempty"`
	ServerSide  bool    `json:"server_side,omitempty"`
}

func mptcpEventJSON(ev mptcp.Event) mptcpEventJSONOut {
	j := mptcpEventJSONOut{Type: ev.Type.String(), ServerSide: ev.ServerSide,
		RemoteID: mptcpPresent(ev, mptcp.AttrRemoteID, ev.RemoteID), LocalID: mptcpPresent(ev, mptcp.AttrLocalID, ev.LocalID),
		Sport: mptcpPresent(ev, mptcp.AttrSport, ev.Source.Port()), Dport: mptcpPresent(ev, mptcp.AttrDport, ev.Dest.Port()),
		Backup: mptcpPresent(ev, mptcp.AttrBackup, ev.Backup), Error: mptcpPresent(ev, mptcp.AttrError, ev.Error),
		Flags: mptcpPresent(ev, mptcp.AttrFlags, ev.Flags), Timeout: mptcpPresent(ev, mptcp.AttrTimeout, ev.Timeout),
		IfIndex: mptcpPresent(ev, mptcp.AttrIfIndex, ev.IfIndex), ResetReason: mptcpPresent(ev, mptcp.AttrResetReason, ev.ResetReason),
		ResetFlags: mptcpPresent(ev, mptcp.AttrResetFlags, ev.ResetFlags)}
	if ev.Has(mptcp.AttrToken) {
		j.Token = fmt.Sprintf("%08x", ev.Token)
	}
	if a := ev.Source.Addr(); a.IsValid() {
		j.Saddr = a.String()
	}
	if a := ev.Dest.Addr(); a.IsValid() {
		j.Daddr = a.String()
	}
	return j
}

// mptcpPresent is &v when the event carried attribute a, else nil.
func mptcpPresent[T any](ev mptcp.Event, a mptcp.EventAttrs, v T) *T {
	if !ev.Has(a) {
		return nil
	}
	return &v
}
