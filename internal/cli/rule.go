package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const ruleHelp = `Usage: nl rule { add | del } SELECTOR ACTION
       nl rule { flush | save | restore }
       nl rule [ list [ SELECTOR ]]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ fwmark FWMARK[/MASK] ]
            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ tos TOS ] [ l3mdev ]
            [ uidrange NUMBER-NUMBER ] [ ipproto PROTOCOL ]
            [ sport [ NUMBER | NUMBER-NUMBER ] ] [ dport [ NUMBER | NUMBER-NUMBER ] ]
            [ tun_id NUMBER ]
ACTION := [ table TABLE_ID ] [ protocol PROTO ] [ nat ADDRESS ]
          [ realms [SRCREALM/]DSTREALM ] [ goto NUMBER ]
          [ blackhole | unreachable | prohibit | nop ] SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ] [ suppress_ifgroup DEVGROUP ]
TABLE_ID := [ local | main | default | NUMBER ]
`

// ruleRequest is a parsed rule command.
type ruleRequest struct {
	cmd  string // show, add, delete
	rule rtnl.Rule
	// show selectors (what is given must match)
	hasPref, hasMark, hasMask, hasTable bool
	hasTos, hasL3MDev                   bool
	warning                             string // what ip says while parsing (nat's warning)
	save                                bool   // save: the selected rules as the kernel's messages
}

// ruleCommands are rule's commands in ip's order.
var ruleCommands = []command{{name: "show", abbrev: []string{"list", "lst", "show"}}, {name: "add"}, {name: "delete"}, {name: "flush"},
	{name: "save"}, {name: "restore"}}

// parseRule turns the words after "rule" into a request; fam is the -4/-6
// option (rules default to IPv4 as in ip).
func parseRule(args []string, fam Family) (ruleRequest, error) {
	var r ruleRequest
	a := wordsOf(args)
	if !a.more() {
		r.cmd = "show"
		r.rule.Family = fam.or(FamilyInet).rtnl()
		return r, nil
	}
	var err error
	if r.cmd, err = pickCommand("rule", a.next(), ruleCommands); err != nil {
		return r, err
	}
	if r.cmd == "restore" {
		return r, nil
	}
	if r.cmd == "save" {
		if a.more() {
			return r, failf(`"nl rule save" does not take any arguments.`)
		}
		r.cmd, r.save = "show", true
		r.rule.Family = fam.or(FamilyInet).rtnl()
		return r, nil
	}
	if r.cmd != "show" && r.cmd != "flush" && !a.more() {
		return r, errBadWord("\"nl rule %s\" requires arguments.", map[string]string{"add": "add", "delete": "del"}[r.cmd])
	}
	u := &r.rule
	tableOK := false
	// prefix reads FROM or TO: "all" is no selector. As in ip, the
	// family is the option's (else inet), whatever the addresses: an
	// IPv6 one without -6 goes in an IPv4 rule, which the kernel refuses.
	show := r.cmd == "show" || r.cmd == "flush"
	prefix := func(v string) (netip.Prefix, error) {
		pf := fam
		if show { // ip's list reads them as its family, inet by default
			pf = fam.or(FamilyInet)
		}
		p, err := getPrefix(v, pf)
		return p.Prefix(), err
	}
	ifname := func(msg string) (string, error) {
		v, err := a.value()
		if err == nil && !validIfname(v) {
			err = errInvarg(msg, v)
		}
		return v, err
	}
	for a.more() {
		var v string
		switch w := a.next(); {
		case w == "not":
			u.Invert = true
		case w == "from" || (r.cmd == "show" || r.cmd == "flush") && matches(w, "src"):
			if v, err = a.value(); err == nil {
				u.Src, err = prefix(v)
			}
		case w == "to" || (r.cmd == "show" || r.cmd == "flush") && matches(w, "dst"):
			if v, err = a.value(); err == nil {
				u.Dst, err = prefix(v)
			}
		case matches(w, "preference") || matches(w, "order") || matches(w, "priority"):
			u.Priority, err = valueOf(a, getU32, "preference value is invalid\n")
			r.hasPref = true
		case w == "tos" || matches(w, "dsfield"):
			u.Tos, err = valueOf(a, parseDSField, "TOS value is invalid\n")
			r.hasTos = true
		case w == "fwmark":
			if v, err = a.value(); err != nil {
				return r, err
			}
			mark, mask, slash := strings.Cut(v, "/")
			if u.Mark, err = parseWord(mark, getU32, "fwmark value is invalid\n"); err == nil && slash {
				u.Mask, err = parseWord(mask, getU32, "fwmask value is invalid\n")
			}
			r.hasMark, r.hasMask = true, slash
		case matches(w, "realms") && r.cmd != "show" && r.cmd != "flush":
			u.Realms, err = valueOf(a, parseRealms, "invalid realms\n")
		case matches(w, "protocol"):
			u.Protocol, err = valueOf(a, parseProtocol, "\"protocol\" value is invalid\n")
		case matches(w, "table") || w == "lookup":
			msg := "invalid table ID\n"
			if r.cmd == "show" || r.cmd == "flush" {
				msg = "table id value is invalid\n" // ip's list and flush say this
			}
			u.Table, err = valueOf(a, parseTable, msg)
			tableOK, r.hasTable = true, true
		case matches(w, "suppress_prefixlength") && !show:
			var n int64
			if n, err = valueOf(a, func(s string) (int64, bool) { return getInt(s, 32) }, "suppress_prefixlength value is invalid\n"); err == nil {
				v := uint32(n)
				u.SuppressPrefixLength = &v
			}
		case matches(w, "suppress_ifgroup") && !show:
			var g uint32
			if g, err = valueOf(a, parseGroup, `Invalid "suppress_ifgroup" value`+"\n"); err == nil {
				u.SuppressIfGroup = &g
			}
		case w == "l3mdev":
			u.L3MDev, r.hasL3MDev = true, true
		case w == "uidrange":
			var ur rtnl.UIDRange
			if ur, err = valueOf(a, parseUIDRange, "invalid UID range\n"); err == nil {
				u.UIDRange = &ur
			}
		case w == "ipproto":
			u.IPProto, err = valueOf(a, parseIPProto, `Invalid "ipproto" value`+"\n")
		case w == "sport":
			u.SrcPorts, err = valueOf(a, parsePortRange, "invalid port range\n")
		case w == "dport":
			u.DstPorts, err = valueOf(a, parsePortRange, "invalid dport range\n")
		case w == "tun_id":
			u.TunID, err = valueOf(a, func(s string) (uint64, bool) { return getUint(s, 0, 64) }, `"tun_id" value is invalid`+"\n")
		case (w == "nat" || matches(w, "map-to")) && !show:
			r.warning = "Warning: route NAT is deprecated"
			if v, err = a.value(); err == nil {
				// The kernel keeps no address (FRA_GATEWAY); ip sends it.
				if a4, perr := netip.ParseAddr(v); perr != nil || !a4.Is4() {
					err = errBadWord(`Error: an IP address is expected rather than "%s"`, v)
				}
			}
			u.Action, tableOK = ruleActionNAT, true
		case w == "dev" || w == "iif":
			u.IifName, err = ifname(`"iif"/"dev" not a valid ifname`)
		case w == "oif":
			u.OifName, err = ifname(`"oif" not a valid ifname`)
		default:
			if w == "type" {
				if w, err = a.value(); err != nil {
					return r, err
				}
			}
			switch {
			case matches(w, "goto"):
				if u.Goto, err = valueOf(a, getU32, "invalid target\n"); err != nil {
					return r, err
				}
				u.Action = rtnl.RuleActionGoto
			case matches(w, "nop"):
				u.Action = rtnl.RuleActionNop
			case r.cmd == "show" || r.cmd == "flush":
				// ip's list takes any other word as "to PREFIX"
				if u.Dst, err = prefix(w); err != nil {
					return r, err
				}
				continue
			default:
				t, ok := parseRouteType(w)
				if !ok {
					return r, errInvarg("Failed to parse rule type", w)
				}
				u.Action = rtnl.RuleAction(t) // FR_ACT_* share the RTN_* numbers
			}
			tableOK = true
		}
		if err != nil {
			var ue *UsageError
			if r.warning != "" && errors.As(err, &ue) { // ip said it before failing
				ue.Msg = r.warning + "\n" + ue.Msg
			}
			return r, err
		}
	}
	u.Family = fam.or(FamilyInet).rtnl()
	if !show && u.L3MDev && r.hasTable {
		return r, &UsageError{Msg: "table can not be specified for l3mdev rules", Exit: 22}
	}
	if !show && u.L3MDev {
		tableOK = true
	}
	if r.cmd == "add" && !tableOK {
		u.Table = rtnl.TableMain
	}
	return r, nil
}

func runRule(ctx context.Context, e *env, args []string) error {
	req, c, err := rtRequest(e, args, parseRule)
	if err != nil {
		return err
	}
	if req.warning != "" {
		fmt.Fprintln(e.stderr, req.warning)
	}
	switch {
	case req.save:
		return e.ruleSave(ctx, c, &req)
	case req.cmd == "restore":
		return e.ruleRestore(ctx, c)
	}
	switch req.cmd {
	case "add":
		return c.AddRule(ctx, req.rule)
	case "delete":
		return c.DeleteRule(ctx, req.rule)
	case "flush":
		// As ip: every rule the selectors match but the one of
		// preference 0 (the local table's), main's and default's
		// included.
		rules, err := c.RuleList(ctx, rtnl.RuleFilter{Family: req.rule.Family})
		if err != nil {
			return err
		}
		for i := range rules {
			if rules[i].Priority == 0 || !req.match(&rules[i]) {
				continue
			}
			if err := c.DeleteRule(ctx, rules[i]); err != nil {
				return err
			}
		}
		return nil
	}
	f := rtnl.RuleFilter{Family: req.rule.Family}
	err = showRecords(e, c.Rules(ctx, f), req.match, func(u *rtnl.Rule) *printer { return ruleFormat(e, u) })
	var de *dumpError
	if errors.As(err, &de) {
		de.exit = ExitUsage // ip's rule list exits with 255 here
	}
	return err
}

// match is ip's filter for rule list: the selectors given must match.
func (r *ruleRequest) match(u *rtnl.Rule) bool {
	s := &r.rule
	if r.hasPref && u.Priority != s.Priority || s.Invert && !u.Invert ||
		r.hasTable && u.Table != s.Table || r.hasMark && u.Mark != s.Mark ||
		r.hasMask && u.Mask != s.Mask || s.IifName != "" && u.IifName != s.IifName ||
		s.OifName != "" && u.OifName != s.OifName || s.Protocol != 0 && u.Protocol != s.Protocol ||
		r.hasTos && u.Tos != s.Tos || r.hasL3MDev && !u.L3MDev ||
		s.UIDRange != nil && (u.UIDRange == nil || *u.UIDRange != *s.UIDRange) ||
		s.IPProto != 0 && u.IPProto != s.IPProto || s.TunID != 0 && u.TunID != s.TunID ||
		s.SrcPorts != (rtnl.PortRange{}) && u.SrcPorts != s.SrcPorts || s.DstPorts != (rtnl.PortRange{}) && u.DstPorts != s.DstPorts {
		return false
	}
	for _, p := range [...][2]netip.Prefix{{s.Src, u.Src}, {s.Dst, u.Dst}} {
		want, got := p[0], p[1]
		if want.IsValid() && (!got.IsValid() || got.Bits() < want.Bits() || !want.Masked().Contains(got.Addr())) {
			return false
		}
	}
	return true
}

// ruleFormat prints a rule as ip's print_rule does.
func ruleFormat(e *env, u *rtnl.Rule) *printer {
	o := e.record()
	o.add("priority", u.Priority, fmt.Sprintf("%d:\t", u.Priority))
	if u.Invert {
		o.add("not", nil, "not ")
	}
	addr := func(key, text string, p netip.Prefix) {
		o.add(key, p.Addr().String(), e.cjoin(text, familyColor(p.Addr().Is6()), p.Addr().String(), ""))
		if p.Bits() != p.Addr().BitLen() {
			o.add(key+"len", p.Bits(), fmt.Sprintf("/%d", p.Bits()))
		}
	}
	if u.Src.IsValid() {
		addr("src", "from ", u.Src)
	} else {
		o.add("src", "all", "from all")
	}
	if u.Dst.IsValid() {
		addr("dst", " to ", u.Dst)
	}
	if u.Tos != 0 {
		t := fmt.Sprintf("0x%02x", u.Tos)
		o.add("tos", t, " tos "+t)
	}
	if u.Mark != 0 || u.Mask != 0 {
		m := fmt.Sprintf("%#x", u.Mark)
		if u.Mark == 0 {
			m = "0"
		}
		o.add("fwmark", m, " fwmark "+m)
		if u.Mask != 0xffffffff {
			mk := fmt.Sprintf("%#x", u.Mask)
			o.add("fwmask", mk, "/"+mk)
		}
	}
	if u.IifName != "" {
		o.add("iif", u.IifName, e.cjoin(" iif ", colorIfname, u.IifName, ""))
		if u.IifDetached {
			o.add("iif_detached", nil, " [detached]")
		}
	}
	if u.OifName != "" {
		o.add("oif", u.OifName, e.cjoin(" oif ", colorIfname, u.OifName, ""))
		if u.OifDetached {
			o.add("oif_detached", nil, " [detached]")
		}
	}
	if u.L3MDev {
		o.add("l3mdev", nil, " lookup [l3mdev-table]")
	}
	if u.UIDRange != nil {
		o.add("uid_start", u.UIDRange.Start, fmt.Sprintf(" uidrange %d", u.UIDRange.Start))
		o.add("uid_end", u.UIDRange.End, fmt.Sprintf("-%d", u.UIDRange.End))
	}
	if u.IPProto != 0 {
		p := e.ruleProtoName(u.IPProto)
		o.add("ipproto", p, " ipproto "+p)
	}
	ports := func(name string, r rtnl.PortRange) {
		if r == (rtnl.PortRange{}) {
			return
		}
		if r.Start == r.End {
			o.add(name, r.Start, fmt.Sprintf(" %s %d", name, r.Start))
			return
		}
		o.add(name+"_start", r.Start, fmt.Sprintf(" %s %d", name, r.Start))
		o.add(name+"_end", r.End, fmt.Sprintf("-%d", r.End))
	}
	ports("sport", u.SrcPorts)
	ports("dport", u.DstPorts)
	if u.TunID != 0 {
		o.add("tun_id", u.TunID, fmt.Sprintf(" tun_id %d", u.TunID))
	}
	if u.Table != 0 {
		t := e.num(u.Table.String(), uint64(u.Table))
		o.add("table", t, " lookup "+t)
		if u.SuppressPrefixLength != nil {
			n := int32(*u.SuppressPrefixLength)
			o.add("suppress_prefixlen", n, fmt.Sprintf(" suppress_prefixlength %d", n))
		}
		if u.SuppressIfGroup != nil {
			g := fmt.Sprint(*u.SuppressIfGroup)
			if *u.SuppressIfGroup == 0 && !e.opts.Numeric {
				g = "default"
			}
			o.add("suppress_ifgroup", g, " suppress_ifgroup "+g)
		}
	}
	if u.Realms != 0 {
		to, from := u.Realms&0xffff, u.Realms>>16
		if from != 0 {
			f := e.realmName(uint16(from))
			o.add("flow_from", f, " realms "+f+"/")
		} else {
			o.b.WriteString(" realms ")
		}
		t := e.realmName(uint16(to))
		o.add("flow_to", t, t)
	}
	switch u.Action {
	case rtnl.RuleActionGoto:
		if u.Goto != 0 {
			o.add("goto", u.Goto, fmt.Sprintf(" goto %d", u.Goto))
		} else {
			o.add("goto", "none", " goto none")
		}
		if u.Unresolved {
			o.add("unresolved", nil, " [unresolved]")
		}
	case rtnl.RuleActionNop:
		o.add("nop", nil, " nop")
	case ruleActionNAT:
		// The kernel keeps no address for these (FRA_GATEWAY is gone):
		// ip prints masquerade.
		o.add("masquerade", nil, " masquerade")
	case rtnl.RuleActionLookup:
	default:
		t := e.num(rtnl.RouteType(u.Action).String(), uint64(u.Action))
		o.add("action", t, " "+t)
	}
	// The kernel always sends FRA_PROTOCOL; ip hides 0 and kernel
	// unless -d.
	if u.Protocol != 0 && u.Protocol != rtnl.ProtoKernel || e.opts.Details {
		t := e.num(u.Protocol.String(), uint64(u.Protocol))
		o.add("protocol", t, " proto "+t)
	}
	o.b.WriteString("\n")
	return o
}

// ruleActionNAT is RTN_NAT as a rule's action (iproute2 "nat ADDR",
// "type nat"), which ip prints as masquerade.
const ruleActionNAT = rtnl.RuleAction(10)

// parseUIDRange reads "START-END" (sscanf "%u-%u": both needed).
func parseUIDRange(s string) (rtnl.UIDRange, bool) {
	a, b, ok := strings.Cut(s, "-")
	x, ok1 := scanU32(a)
	y, ok2 := scanU32(b)
	return rtnl.UIDRange{Start: x, End: y}, ok && ok1 && ok2
}

// parsePortRange reads "PORT" or "START-END" as ip's sscanf "%hu-%hu":
// the numbers wrap at 16 bits, and a missing end is the start.
func parsePortRange(s string) (rtnl.PortRange, bool) {
	a, b, dash := strings.Cut(s, "-")
	x, ok := scanU32(a)
	if !ok {
		return rtnl.PortRange{}, false
	}
	r := rtnl.PortRange{Start: uint16(x), End: uint16(x)}
	if y, ok := scanU32(b); dash && ok {
		r.End = uint16(y)
	}
	return r, true
}

// scanU32 is sscanf's %u of a word's start: blanks, a sign, digits
// (anything after them ignored).
func scanU32(s string) (uint32, bool) {
	n, end, _ := strtoul(s, 10)
	return uint32(n), end > 0
}

// ruleProtoName is ip's inet_proto_n2a: the name /etc/protocols gives the
// number (getprotobynumber), else (and with -N) "ipproto-N".
func (e *env) ruleProtoName(p uint8) string {
	if !e.opts.Numeric {
		if e.protoNames == nil { // read once per run, not once per rule
			e.protoNames = map[uint8]string{}
			etcProtocols(func(n uint8, names []string) bool {
				if _, dup := e.protoNames[n]; !dup { // getprotobynumber: the first entry
					e.protoNames[n] = names[0]
				}
				return true
			})
		}
		if name, ok := e.protoNames[p]; ok {
			return name
		}
	}
	return "ipproto-" + strconv.Itoa(int(p))
}

// ruleDumpMagic starts what rule save writes (ip's rule_dump_magic, in
// the host's byte order).
const ruleDumpMagic = 0x71706986

// ruleSave is rule save: the rules of the family (-4 by default, -6), as
// the kernel's messages after the magic number, on standard output (not a
// terminal).
func (e *env) ruleSave(ctx context.Context, c *rtnl.Conn, r *ruleRequest) error {
	if isTerminal(e.rawStdout) {
		return failf("Not sending a binary stream to stdout")
	}
	req := make([]byte, 12) // struct fib_rule_hdr
	req[0] = byte(r.rule.Family)
	err := e.saveDump(ctx, c, ruleDumpMagic, unix.RTM_GETRULE, req, func(ev *rtnl.Event) bool {
		return ev.Kind == rtnl.EventRule && r.match(&ev.Rule)
	})
	var de *dumpError
	if errors.As(err, &de) {
		de.exit = ExitUsage // as rule list's
	}
	return err
}

// ruleRestore is rule restore: the saved rules added again, one request
// each (rules may repeat: the kernel adds a second copy, as with ip).
func (e *env) ruleRestore(ctx context.Context, c *rtnl.Conn) error {
	msgs, err := e.readDump("restore", "rule", ruleDumpMagic)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Header.Type != unix.RTM_NEWRULE {
			continue
		}
		req := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWRULE, Flags: netlink.Create}, Data: m.Data}
		if _, err := c.Netlink().Execute(ctx, req); err != nil {
			return err
		}
	}
	return nil
}
