package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"syscall"

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

// mptcpInvarg is ip's invarg(): `Error: argument "ARG" is wrong: MSG`.
func mptcpInvarg(msg, arg string) error {
	return usagef(`Error: argument "%s" is wrong: %s`, arg, msg)
}

// mptcpParseUint parses a number as ip's get_u8/get_u16/get_u32 do
// (decimal, 0x hex or 0 octal).
func mptcpParseUint(s string, bits int) (uint64, bool) {
	if s == "" || strings.ContainsAny(s, "_+-") || strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0o") ||
		strings.HasPrefix(s, "0B") || strings.HasPrefix(s, "0O") {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, bits)
	return n, err == nil
}

// parseMptcp turns the words after "mptcp" into a request.
func parseMptcp(args []string) (mptcpRequest, error) {
	var r mptcpRequest
	if len(args) == 0 {
		return r, usagef("%s", strings.TrimSuffix(mptcpHelp, "\n"))
	}
	w, rest := args[0], args[1:]
	switch {
	case matches(w, "endpoint"):
		r.obj, r.cmd = "endpoint", "show"
		if len(rest) == 0 {
			return r, nil
		}
		c := rest[0]
		switch {
		case matches(c, "add"):
			r.cmd = "add"
		case matches(c, "change"):
			r.cmd = "change"
		case matches(c, "delete"):
			r.cmd = "delete"
		case matches(c, "show") || matches(c, "list"):
			r.cmd = "show"
		case matches(c, "flush"):
			r.cmd = "flush"
			if len(rest) > 1 {
				return r, mptcpInvarg("unknown argument", rest[1])
			}
			return r, nil
		default:
			return r, usagef(`Command "%s" is unknown, try "nl mptcp help".`, c)
		}
		if r.cmd == "show" && len(rest) == 1 {
			return r, nil // a dump
		}
		return r, parseMptcpEndpoint(&r, rest[1:])
	case matches(w, "limits"):
		r.obj, r.cmd = "limits", "show"
		if len(rest) == 0 {
			return r, nil
		}
		switch c := rest[0]; {
		case matches(c, "set"):
			r.cmd = "set"
			return r, parseMptcpLimits(&r, rest[1:])
		case matches(c, "show"):
			if len(rest) > 1 {
				return r, mptcpInvarg("unknown argument", rest[1])
			}
			return r, nil
		default:
			return r, usagef(`Command "%s" is unknown, try "nl mptcp help".`, c)
		}
	case matches(w, "monitor"):
		r.obj = "monitor"
		if len(rest) > 0 {
			return r, usagef(`Command "%s" is unknown, try "nl mptcp help".`, rest[0])
		}
		return r, nil
	}
	return r, usagef(`Command "%s" is unknown, try "nl mptcp help".`, w)
}

// parseMptcpEndpoint parses the arguments of endpoint add, delete, change
// and show as ip's mptcp_parse_opt does: flag words first (exact), then
// id, dev and port (abbreviated), then an address.
func parseMptcpEndpoint(r *mptcpRequest, args []string) error {
	adding, deleting, changing := r.cmd == "add", r.cmd == "delete", r.cmd == "change"
	var portSet bool
	for len(args) > 0 {
		w := args[0]
		next := func() (string, error) {
			if len(args) < 2 {
				return "", usagef(`Command line is not complete. Try option "help"`)
			}
			args = args[1:]
			return args[0], nil
		}
		isFlag := false
		for _, f := range mptcpFlagWords {
			if w == f.word {
				isFlag = true
				r.flags |= f.flag
			}
		}
		switch {
		case isFlag:
			if adding && r.flags&mptcp.Signal != 0 && r.flags&mptcp.Fullmesh != 0 {
				return mptcpInvarg("flags mustn't have both signal and fullmesh", w)
			}
			if changing && r.flags&^(mptcp.Backup|mptcp.Fullmesh) != 0 {
				return mptcpInvarg("invalid flags, backup and fullmesh only", w)
			}
		case matches(w, "id"):
			v, err := next()
			if err != nil {
				return err
			}
			if r.idSet {
				return usagef(`Error: duplicate "id": "%s" is the second value.`, v)
			}
			n, ok := mptcpParseUint(v, 8)
			if !ok {
				return mptcpInvarg("invalid ID", v)
			}
			r.id, r.idSet = uint8(n), true
		case matches(w, "dev"):
			v, err := next()
			if err != nil {
				return err
			}
			if r.dev != "" {
				return usagef(`Error: duplicate "dev": "%s" is the second value.`, v)
			}
			if !validIfname(v) {
				// ip's text ends in a newline: an empty line follows.
				return mptcpInvarg("invalid interface name\n", v)
			}
			r.dev = v
		case matches(w, "port"):
			v, err := next()
			if err != nil {
				return err
			}
			if portSet {
				return usagef(`Error: duplicate "port": "%s" is the second value.`, v)
			}
			n, ok := mptcpParseUint(v, 16)
			if !ok {
				return mptcpInvarg("expected port", v)
			}
			r.port, portSet = uint16(n), true
		default:
			a, err := netip.ParseAddr(w)
			if err != nil || a.Zone() != "" {
				return usagef(`Error: any valid address is expected rather than "%s".`, w)
			}
			if r.addr.IsValid() {
				return usagef(`Error: duplicate "ADDRESS": "%s" is the second value.`, w)
			}
			r.addr = a
		}
		args = args[1:]
	}
	switch {
	case adding && !r.addr.IsValid():
		return usagef(`Error: argument "ADDRESS" is required`)
	case deleting && !r.idSet:
		return usagef(`Error: argument "ID" is required`)
	case deleting && r.id != 0 && r.addr.IsValid():
		return mptcpInvarg("invalid for non-zero id address", "ADDRESS")
	case deleting && r.id == 0 && !r.addr.IsValid():
		return mptcpInvarg("address is needed for deleting id 0 address", "ID")
	case !deleting && r.idSet && r.id == 0:
		return mptcpInvarg("cannot be 0", "ID")
	case adding && r.port != 0 && r.flags&mptcp.Signal == 0:
		return mptcpInvarg("flags must have signal when using port", "port")
	case changing && r.idSet && r.port != 0:
		return mptcpInvarg("port can't be used with id", "port")
	case changing && !r.idSet && !r.addr.IsValid():
		return usagef(`Error: argument "ID" is required`)
	case r.cmd == "show" && !r.idSet:
		return usagef(`Error: argument "ID" is required`)
	}
	return nil
}

// parseMptcpLimits parses `limits set [subflows NR] [add_addr_accepted NR]`.
func parseMptcpLimits(r *mptcpRequest, args []string) error {
	for len(args) > 0 {
		w := args[0]
		if len(args) < 2 && (matches(w, "subflows") || matches(w, "add_addr_accepted")) {
			return usagef(`Command line is not complete. Try option "help"`)
		}
		switch {
		case matches(w, "subflows"):
			if r.subflowsSet {
				return usagef(`Error: duplicate "subflows": "%s" is the second value.`, args[1])
			}
			n, ok := mptcpParseUint(args[1], 32)
			if !ok {
				return mptcpInvarg("invalid subflows", args[1])
			}
			r.subflows, r.subflowsSet = uint32(n), true
		case matches(w, "add_addr_accepted"):
			if r.addAddrAcceptedSet {
				return usagef(`Error: duplicate "add_addr_accepted": "%s" is the second value.`, args[1])
			}
			n, ok := mptcpParseUint(args[1], 32)
			if !ok {
				return mptcpInvarg("invalid add_addr_accepted", args[1])
			}
			r.addAddrAccepted, r.addAddrAcceptedSet = uint32(n), true
		default:
			return mptcpInvarg("unknown limit", w)
		}
		args = args[2:]
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
	rc, err := e.rt()
	if err != nil {
		return 0, err
	}
	l, err := rc.LinkByName(ctx, name)
	if errors.Is(err, syscall.ENODEV) {
		return 0, mptcpInvarg("device does not exist\n", name) // as in ip, an empty line follows
	}
	if err != nil {
		return 0, err
	}
	return l.Index, nil
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
