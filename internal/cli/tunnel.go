package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

// nl tunnel and nl -6 tunnel: ip tunnel's grammar (iptunnel.c and
// ip6tunnel.c of ip 6.1) and output. ip sends the SIOCADDTUNNEL,
// SIOCCHGTUNNEL and SIOCDELTUNNEL ioctls to the fallback devices of the
// tunnel modules (gre0, tunl0, sit0, ip_vti0, ip6tnl0, ip6gre0, ip6_vti0);
// nl sends the netlink requests of the same tunnels instead: tunnel add is
// link add of the kind the mode names, with the words translated (so
// `tunnel add T mode gre remote A local B ttl 64` sends what `link add T
// type gre remote A local B ttl 64` sends), change is link set (from the
// tunnel's current settings), del is link del, show lists the links of
// tunnel types. Failures read as ip's: a kernel without the tunnel's
// module has no fallback device for ip's ioctl ("No such device"), and
// nl's request for the kind is refused ("Unknown device type"): nl reports
// the first. prl (potential router lists of ISATAP) exists only as
// ioctls: nl checks the device and then refuses loudly.

const tunnelHelp4 = `Usage: nl tunnel { add | change | del | show | prl | 6rd } [ NAME ]
        [ mode { gre | ipip | isatap | sit | vti } ]
        [ remote ADDR ] [ local ADDR ]
        [ [i|o]seq ] [ [i|o]key KEY ] [ [i|o]csum ]
        [ prl-default ADDR ] [ prl-nodefault ADDR ] [ prl-delete ADDR ]
        [ 6rd-prefix ADDR ] [ 6rd-relay_prefix ADDR ] [ 6rd-reset ]
        [ ttl TTL ] [ tos TOS ] [ [no]pmtudisc ] [ dev PHYS_DEV ]

Where: NAME := STRING
       ADDR := { IP_ADDRESS | any }
       TOS  := { STRING | 00..ff | inherit | inherit/STRING | inherit/00..ff }
       TTL  := { 1..255 | inherit }
       KEY  := { DOTTED_QUAD | NUMBER }
`

const tunnelHelp6 = `Usage: nl -f inet6 tunnel { add | change | del | show } [ NAME ]
          [ mode { ip6ip6 | ipip6 | ip6gre | vti6 | any } ]
          [ remote ADDR local ADDR ] [ dev PHYS_DEV ]
          [ encaplimit ELIM ]
          [ hoplimit TTL ] [ tclass TCLASS ] [ flowlabel FLOWLABEL ]
          [ dscp inherit ]
          [ [no]allow-localremote ]
          [ [i|o]seq ] [ [i|o]key KEY ] [ [i|o]csum ]

Where: NAME      := STRING
       ADDR      := IPV6_ADDRESS
       ELIM      := { none | 0..255 }(default=4)
       TTL       := 0..255 (default=64)
       TCLASS    := { 0x0..0xff | inherit }
       FLOWLABEL := { 0x0..0xfffff | inherit }
       KEY       := { DOTTED_QUAD | NUMBER }
`

// tunnelHelpText is the usage: -6's when six.
func tunnelHelpText(six bool) string {
	if six {
		return tunnelHelp6
	}
	return tunnelHelp4
}

// tunnelRequest is one ip tunnel command.
type tunnelRequest struct {
	cmd     string // add, change, del, show, prl, 6rd
	six     bool
	name    string
	kind    string   // the link kind of the mode ("" when none was found)
	basedev string   // ip's fallback device of the mode
	words   []string // the link words the tunnel words say
	dev     string   // dev PHYS_DEV
	// show's filters (ip compares them with each tunnel's parameters).
	remote, local netip.Addr
	ikey          uint32
	// prl, 6rd
	ioctl uint32 // the ioctl ip would send (for its message)
	rd    struct {
		prefix, relay netip.Prefix
		hasPrefix     bool
		hasRelay      bool
		reset         bool
	}
}

// tunnelMode is what a mode word (or a name's prefix) says.
type tunnelMode struct {
	kind, basedev string
	proto         string // the link word of the inner protocol ("" none)
	isatap        bool
}

var tunnelModes4 = map[string]tunnelMode{
	"ipip": {"ipip", "tunl0", "ipip", false}, "ip/ip": {"ipip", "tunl0", "ipip", false},
	"gre": {"gre", "gre0", "", false}, "gre/ip": {"gre", "gre0", "", false},
	"sit": {"sit", "sit0", "ip6ip", false}, "ipv6/ip": {"sit", "sit0", "ip6ip", false},
	"isatap": {"sit", "sit0", "ip6ip", true},
	"vti":    {"vti", "ip_vti0", "", false},
}

var tunnelModes6 = map[string]tunnelMode{
	"ipv6/ipv6": {"ip6tnl", "ip6tnl0", "ip6ip6", false}, "ip6ip6": {"ip6tnl", "ip6tnl0", "ip6ip6", false},
	"ip/ipv6": {"ip6tnl", "ip6tnl0", "ipip6", false}, "ipv4/ipv6": {"ip6tnl", "ip6tnl0", "ipip6", false},
	"ipip6": {"ip6tnl", "ip6tnl0", "ipip6", false}, "ip4ip6": {"ip6tnl", "ip6tnl0", "ipip6", false},
	"gre/ipv6": {"ip6gre", "ip6gre0", "", false}, "ip6gre": {"ip6gre", "ip6gre0", "", false},
	"vti6":     {"vti6", "ip6_vti0", "", false},
	"any/ipv6": {"ip6tnl", "ip6tnl0", "any", false}, "any": {"ip6tnl", "ip6tnl0", "any", false},
}

// get_addr32's message.
func errAddr32(w string) error {
	return errBadWord(`Error: an IP address is expected rather than "%s"`, w)
}

// addr32 is ip's get_addr32: an IPv4 address ("any" is none).
func addr32(w string) (netip.Addr, error) {
	if w == "any" {
		return netip.Addr{}, nil
	}
	p, ok := parseAddr(w, FamilyInet)
	if !ok || !p.Addr.Is4() {
		return netip.Addr{}, errAddr32(w)
	}
	return p.Addr, nil
}

func runTunnel(ctx context.Context, e *env, args []string) error {
	six := e.opts.Family == FamilyInet6
	switch e.opts.Family {
	case FamilyAny, FamilyInet, FamilyInet6:
	default:
		return usagef("Unsupported protocol family: %d", familyNumber(e.opts.Family))
	}
	cmd := "show"
	if len(args) > 0 {
		w := args[0]
		switch {
		case matches(w, "add"):
			cmd = "add"
		case matches(w, "change"):
			cmd = "change"
		case matches(w, "delete"):
			cmd = "del"
		case matches(w, "show") || matches(w, "lst") || matches(w, "list"):
			cmd = "show"
		case !six && matches(w, "prl"):
			cmd = "prl"
		case !six && matches(w, "6rd"):
			cmd = "6rd"
		case matches(w, "help"):
			return usagef("%s", strings.TrimSuffix(tunnelHelpText(six), "\n"))
		case six:
			return usagef(`Command "%s" is unknown, try "nl -f inet6 tunnel help".`, w)
		default:
			return usagef(`Command "%s" is unknown, try "nl tunnel help"`, w)
		}
		args = args[1:]
	}
	// ip 6.1 takes an IPv6 mode given without -6 for ip -6 tunnel.
	if !six && cmd != "prl" && cmd != "6rd" {
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "mode" {
				if _, ok := tunnelModes6[args[i+1]]; ok && args[i+1] != "any" {
					six = true
				}
			}
		}
	}
	switch cmd {
	case "prl", "6rd":
		r, err := parseTunnelIoctl(cmd, args)
		if err != nil {
			return err
		}
		return e.tunnelIoctlCmd(ctx, r)
	}
	r, err := parseTunnel(cmd, six, args)
	if err != nil {
		return err
	}
	switch cmd {
	case "add":
		return e.tunnelAdd(ctx, r)
	case "change":
		return e.tunnelChange(ctx, r)
	case "del":
		return e.tunnelDel(ctx, r)
	}
	return e.tunnelShow(ctx, r)
}

// familyNumber is the AF_ number of a family, for ip's message.
func familyNumber(f Family) int {
	switch f.rtnl() {
	case rtnl.FamilyIPv4:
		return syscall.AF_INET
	case rtnl.FamilyIPv6:
		return syscall.AF_INET6
	}
	return int(f.rtnl())
}

// parseTunnel is ip's parse_args (iptunnel.c, ip6tunnel.c): the words,
// translated into the words of link add ... type KIND.
func parseTunnel(cmd string, six bool, args []string) (tunnelRequest, error) {
	r := tunnelRequest{cmd: cmd, six: six}
	a := wordsOf(args)
	var mode *tunnelMode
	var words []string
	var ttl uint8
	var nopmtudisc, keys bool
	var daddr, saddr netip.Addr
	modes := tunnelModes4
	if six {
		modes = tunnelModes6
	}
	add := func(w ...string) { words = append(words, w...) }
	for a.more() {
		w := a.next()
		switch {
		case w == "mode":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			m, ok := modes[v]
			if !ok {
				if six {
					return r, usagef(`Unknown tunnel mode "%s"`, v)
				}
				return r, usagef(`Unknown tunnel mode "%s"`, v)
			}
			if mode != nil && mode.kind != m.kind && !six {
				return r, usagef("You managed to ask for more than one tunnel mode.")
			}
			mode = &m
		case w == "key" || w == "ikey" || w == "okey":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			k, err := tunnelKey(w, v)
			if err != nil {
				return r, err
			}
			if w != "okey" {
				r.ikey = k
			}
			keys = true
			add(w, fmt.Sprint(k))
		case w == "seq" || w == "iseq" || w == "oseq" || w == "csum" || w == "icsum" || w == "ocsum":
			add(w)
		case !six && (w == "nopmtudisc" || w == "pmtudisc"):
			nopmtudisc = w == "nopmtudisc"
			add(w)
		case w == "remote" || w == "local":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			var addr netip.Addr
			if six {
				p, err := getAddr(v, FamilyInet6)
				if err != nil {
					return r, err
				}
				addr = p.Addr
			} else if addr, err = addr32(v); err != nil {
				return r, err
			}
			if w == "remote" {
				daddr = addr
			} else {
				saddr = addr
			}
			add(w, v)
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			r.dev = v
			add("dev", v)
		case w == "ttl" || w == "hoplimit" || w == "hlim":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if v != "inherit" {
				n, ok := getU8(v)
				if !ok {
					msg := "invalid TTL\n"
					if six {
						msg = "invalid HLIM"
					}
					return r, errInvarg(msg, v)
				}
				ttl = n
			} else {
				ttl = 0
			}
			add("ttl", v)
		case !six && (w == "tos" || w == "tclass" || matches(w, "dsfield")):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			// [inherit/]DSFIELD: bit 0 says inherit.
			var tos uint8
			field := v
			if before, after, found := strings.Cut(v, "/"); found && before == "inherit" {
				tos, field = 1, after
			} else if v == "inherit" {
				tos, field = 1, ""
			}
			if field != "" {
				n, ok := parseDSField(field)
				if !ok {
					return r, errInvarg("bad TOS value", v)
				}
				tos |= n
			}
			add("tos", fmt.Sprintf("%#x", tos))
		case six && (w == "encaplimit" || w == "tclass" || w == "tc" || matches(w, "dsfield") ||
			w == "flowlabel" || w == "fl" || w == "dscp"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if w == "tc" || matches(w, "dsfield") {
				w = "tclass"
			}
			add(w, v)
		case six && (w == "allow-localremote" || w == "noallow-localremote"):
			add(w)
		default:
			if w == "name" {
				v, err := a.value()
				if err != nil {
					return r, err
				}
				w = v
			} else if matches(w, "help") {
				return r, usagef("%s", strings.TrimSuffix(tunnelHelpText(six), "\n"))
			}
			if r.name != "" {
				return r, errDuparg2("name", w)
			}
			r.name = w
		}
	}
	if mode == nil && !six {
		for _, p := range [...]string{"gre", "ipip", "sit", "isatap", "vti"} {
			if strings.HasPrefix(r.name, p) {
				m := tunnelModes4[p]
				mode = &m
				break
			}
		}
	}
	if mode == nil && six {
		m := tunnelModes6["ip6ip6"]
		mode = &m
	}
	if mode != nil {
		r.kind, r.basedev = mode.kind, mode.basedev
		if mode.proto != "" {
			words = append([]string{"mode", mode.proto}, words...)
		}
		if mode.isatap {
			words = append(words, "isatap")
		}
	}
	if !six && keys && mode != nil && mode.kind != "gre" && mode.kind != "vti" {
		return r, errBadWord("Keys are not allowed with ipip and sit tunnels")
	}
	if !six && daddr.IsMulticast() && !saddr.IsValid() {
		return r, errBadWord("A broadcast tunnel requires a source address")
	}
	if !six && cmd == "add" && ttl != 0 && nopmtudisc {
		return r, errBadWord("ttl != 0 and nopmtudisc are incompatible")
	}
	r.remote, r.local, r.words = daddr, saddr, words
	return r, nil
}

// tunnelKernelError is ip's message of a failed tunnel ioctl for what
// the kernel said to nl's request: without the tunnel's module, ip finds
// no fallback device (ENODEV) where nl's kind is unknown (EOPNOTSUPP).
func tunnelKernelError(what, name string, err error) error {
	var ne *netlink.Error
	if errors.As(err, &ne) {
		errno := ne.Errno
		if errno == syscall.EOPNOTSUPP {
			errno = syscall.ENODEV
		}
		return failf(`%s tunnel "%s" failed: %s`, what, name, capitalize(errno.Error()))
	}
	return err
}

// tunnelLinkRequest is the link request of the tunnel words.
func (r *tunnelRequest) linkRequest(cmd string) (linkRequest, error) {
	lr := linkRequest{cmd: cmd, dev: r.name, kind: r.kind}
	if err := parseTunnelKind(wordsOf(r.words), &lr); err != nil {
		return lr, err
	}
	return lr, nil
}

func (e *env) tunnelAdd(ctx context.Context, r tunnelRequest) error {
	if r.kind == "" {
		return failf("cannot determine tunnel mode (ipip, gre, vti or sit)")
	}
	if r.dev != "" {
		if _, err := e.linkIndex(ctx, r.dev); err != nil {
			return failf(`Cannot find device "%s"`, r.dev)
		}
	}
	lr, err := r.linkRequest("add")
	if err != nil {
		return err
	}
	if lr.info == nil {
		lr.info = &rtnl.UnknownKind{Kind: r.kind}
	}
	if err := e.addLink(ctx, lr); err != nil {
		return tunnelKernelError("add", r.basedev, err)
	}
	return nil
}

func (e *env) tunnelChange(ctx context.Context, r tunnelRequest) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	l, err := c.LinkByName(ctx, r.name)
	if err != nil || r.name == "" {
		return failf(`get tunnel "%s" failed: No such device`, r.name)
	}
	if r.kind == "" {
		r.kind = l.Kind
	}
	if tunnelFamilyOf(r.kind) == famXfrm || lookupLinkKind(r.kind) == nil || lookupLinkKind(r.kind).parse == nil {
		return failf(`get tunnel "%s" failed: Operation not supported`, r.name)
	}
	lr, err := r.linkRequest("set")
	if err != nil {
		return err
	}
	if lr.tunnel == nil {
		lr.tunnel = &tunnelArgs{}
		lr.info = newTunnelState(r.kind).info()
	}
	if err := e.setLink(ctx, lr); err != nil {
		var fe *failure
		if errors.As(err, &fe) {
			return err
		}
		return tunnelKernelError("add", r.name, err)
	}
	return nil
}

func (e *env) tunnelDel(ctx context.Context, r tunnelRequest) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	name := r.name
	if name == "" {
		name = r.basedev
	}
	l, err := c.LinkByName(ctx, name)
	if err != nil || name == "" {
		return failf(`delete tunnel "%s" failed: No such device`, name)
	}
	if err := c.DeleteLink(ctx, l.Index); err != nil {
		return tunnelKernelError("delete", name, err)
	}
	return nil
}

// tunnelParams are the parameters ip tunnel show prints, as its ioctl
// reads them (struct ip_tunnel_parm, struct ip6_tnl_parm2).
type tunnelParams struct {
	name           string
	proto          uint8
	link           int32
	iflags, oflags uint16
	ikey, okey     uint32
	local, remote  netip.Addr
	ttl, tos       uint8
	df             bool
	encapLimit     uint8
	flowinfo       uint32
	flags          uint32
	prefix6rd      netip.Prefix
	relay6rd       netip.Prefix
	stats          rtnl.LinkStats64
}

const ipprotoGRE = 47

// tunnelParamsOf gives the parameters of a tunnel link, false for links
// ip tunnel (or ip -6 tunnel) does not list: those whose type is not a
// tunnel's of the family.
func tunnelParamsOf(l *rtnl.Link, six bool) (tunnelParams, bool) {
	p := tunnelParams{name: l.Name, stats: l.Stats}
	if six != (l.Type == rtnl.LinkTypeTunnel6 || l.Type == rtnl.LinkTypeIP6GRE) {
		return p, false
	}
	if !six && l.Type != rtnl.LinkTypeTunnel && l.Type != rtnl.LinkTypeIPGRE && l.Type != rtnl.LinkTypeSIT {
		return p, false
	}
	s := newTunnelState(l.Kind)
	s.pmtudisc, s.ttl, s.encapLimit = 0, 0, 0
	if err := s.load(l.Info); err != nil {
		return p, false
	}
	p.link, p.iflags, p.oflags, p.ikey, p.okey = s.link, s.iflags, s.oflags, s.ikey, s.okey
	p.local, p.remote, p.ttl, p.tos, p.df = s.saddr, s.daddr, s.ttl, s.tos, s.pmtudisc != 0
	p.encapLimit, p.flowinfo, p.flags, p.prefix6rd, p.relay6rd = s.encapLimit, s.flowinfo, s.flags, s.prefix6rd, s.relay6rd
	switch l.Kind {
	case "gre", "ip6gre":
		p.proto = ipprotoGRE
	case "vti":
		p.proto = ipprotoIPIP
	case "vti6":
		p.proto = ipprotoIPv6
	default:
		p.proto = s.proto
	}
	return p, true
}

// tnlProto is ip's tnl_strproto.
func tnlProto(proto uint8) string {
	switch proto {
	case ipprotoIPIP:
		return "ip"
	case ipprotoGRE:
		return "gre"
	case ipprotoIPv6:
		return "ipv6"
	case 50:
		return "esp"
	case 0:
		return "any"
	}
	return "unknown"
}

// printGreFlags is ip's tnl_print_gre_flags: the keys, and for GRE the
// flags (text: a line each; JSON: an array).
func (p *tunnelParams) printGreFlags(o *printer) {
	ik, ok := p.iflags&greKey != 0, p.oflags&greKey != 0
	if ik && ok && p.ikey == p.okey {
		o.field("key", " key %d", p.ikey)
	} else {
		if ik {
			o.field("ikey", " ikey %d", p.ikey)
		}
		if ok {
			o.field("okey", " okey %d", p.okey)
		}
	}
	if p.proto != ipprotoGRE {
		return
	}
	flags := []any{}
	for _, f := range [...]struct {
		on        bool
		key, text string
	}{{p.iflags&greSeq != 0, "rx_drop_ooseq", "Drop packets out of sequence."},
		{p.iflags&greCsum != 0, "rx_csum", "Checksum in received packet is required."},
		{p.oflags&greSeq != 0, "tx_seq", "Sequence packets on output."},
		{p.oflags&greCsum != 0, "tx_csum", "Checksum output packets."}} {
		if f.on {
			flags = append(flags, f.key)
			o.text("\n  %s", f.text)
		}
	}
	o.jsonOnly("flags", flags)
}

// dsfieldName is ip's rtnl_dsfield_n2a: the name in
// /etc/iproute2/rt_dsfield, else the number in hexadecimal.
func dsfieldName(v uint8) string {
	if b, err := os.ReadFile("/etc/iproute2/rt_dsfield"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) < 2 || strings.HasPrefix(f[0], "#") {
				continue
			}
			if n, end, over := strtoul(f[0], 0); end == len(f[0]) && !over && n == uint64(v) {
				return f[1]
			}
		}
	}
	return fmt.Sprintf("0x%02x", v)
}

// format is ip's print_tunnel of iptunnel.c (four) or ip6tunnel.c (six),
// text and JSON.
func (p *tunnelParams) format(ctx context.Context, e *env, six bool) *printer {
	o := newRecord(e.opts.JSON)
	o.field("ifname", "%s: ", p.name)
	if six {
		o.field("mode", "%s ", tnlProto(p.proto)+"/ipv6")
		v6 := func(a netip.Addr) string {
			if !a.IsValid() {
				return "::"
			}
			return a.String()
		}
		o.text("remote ")
		o.field("remote", "%s ", v6(p.remote))
		o.text("local ")
		o.field("local", "%s", v6(p.local))
		if p.link != 0 {
			o.field("link", " dev %s", e.linkName(ctx, p.link))
		}
		if p.flags&ip6IgnEncapLimit != 0 {
			o.field("ip6_tnl_f_ign_encap_limit", " encaplimit none", nil)
		} else {
			o.field("encap_limit", " encaplimit %d", p.encapLimit)
		}
		if p.ttl != 0 {
			o.field("hoplimit", " hoplimit %d", p.ttl)
		} else {
			o.text(" hoplimit inherit")
		}
		if p.flags&ip6OrigTClass != 0 {
			o.field("ip6_tnl_f_use_orig_tclass", " tclass inherit", nil)
		} else {
			o.field("tclass", " tclass %s", fmt.Sprintf("0x%02x", (p.flowinfo&ip6TClassMask)>>20))
		}
		if p.flags&ip6OrigFlowLabel != 0 {
			o.field("ip6_tnl_f_use_orig_flowlabel", " flowlabel inherit", nil)
		} else {
			o.field("flowlabel", " flowlabel %s", fmt.Sprintf("0x%05x", p.flowinfo&ip6FlowLabelMask))
		}
		o.field("flowinfo", " (flowinfo %s)", fmt.Sprintf("0x%08x", p.flowinfo))
		if p.flags&ip6RcvDscpCopy != 0 {
			o.field("ip6_tnl_f_rcv_dscp_copy", " dscp inherit", nil)
		}
		if p.flags&ip6AllowLocalRmt != 0 {
			o.field("ip6_tnl_f_allow_local_remote", " allow-localremote", nil)
		}
		p.printGreFlags(o)
		return o
	}
	v4 := func(a netip.Addr) string {
		switch {
		case a.IsValid() && !a.IsUnspecified():
			return a.String()
		case o.json:
			return "0.0.0.0"
		}
		return "any"
	}
	o.field("mode", "%s ", tnlProto(p.proto)+"/ip")
	o.text("remote ")
	o.field("remote", "%s ", v4(p.remote))
	o.text("local ")
	o.field("local", "%s", v4(p.local))
	if p.link != 0 {
		o.field("dev", " dev %s", e.linkName(ctx, p.link))
	}
	if p.ttl != 0 {
		o.field("ttl", " ttl %d", p.ttl)
	} else {
		o.text(" ttl inherit")
	}
	switch {
	case p.tos == 1:
		o.text(" tos inherit")
	case p.tos != 0:
		o.jsonOnly("tos", dsfieldName(p.tos))
		if p.tos&1 != 0 {
			o.text(" tos inherit/%s", dsfieldName(p.tos&^1))
		} else {
			o.text(" tos %s", dsfieldName(p.tos))
		}
	}
	if !p.df {
		o.field("nopmtudisc", " nopmtudisc", nil)
	}
	if p.proto == ipprotoIPv6 && p.prefix6rd.IsValid() && p.prefix6rd.Bits() != 0 {
		o.field("6rd-prefix", " 6rd-prefix %s", p.prefix6rd.Addr().String())
		o.field("6rd-prefixlen", "/%d", p.prefix6rd.Bits())
		if p.relay6rd.IsValid() && !p.relay6rd.Addr().IsUnspecified() {
			o.field("6rd-relay_prefix", " 6rd-relay_prefix %s", p.relay6rd.Addr().String())
			o.field("6rd-relay_prefixlen", "/%d", p.relay6rd.Bits())
		}
	}
	p.printGreFlags(o)
	return o
}

// text is format's text.
func (p *tunnelParams) text(ctx context.Context, e *env, six bool) string {
	return p.format(ctx, e, six).b.String()
}

// statsText is ip's tnl_print_stats.
func (p *tunnelParams) statsText() string {
	s := &p.stats
	return fmt.Sprintf("\nRX: Packets    Bytes        Errors CsumErrs OutOfSeq Mcasts\n"+
		"    %-10d %-12d %-6d %-8d %-8d %-8d\n"+
		"TX: Packets    Bytes        Errors DeadLoop NoRoute  NoBufs\n"+
		"    %-10d %-12d %-6d %-8d %-8d %-6d",
		s.RxPackets, s.RxBytes, s.RxErrors, s.RxFrameErrors, s.RxFIFOErrors, s.Multicast,
		s.TxPackets, s.TxBytes, s.TxErrors, s.Collisions, s.TxCarrierErrors, s.TxDropped)
}

// tunnelShow is ip's do_show: one tunnel when the mode (or the name's
// prefix) names one, else the list, filtered by name, dev, remote, local
// and key.
func (e *env) tunnelShow(ctx context.Context, r tunnelRequest) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	var link int32
	if r.dev != "" {
		if link, err = e.linkIndex(ctx, r.dev); err != nil {
			return failf(`Cannot find device "%s"`, r.dev)
		}
	}
	if r.kind != "" && !r.six || r.six && r.name != "" && r.kind != "" && tunnelModeGiven(r) {
		name := r.name
		if name == "" {
			name = r.basedev
		}
		l, err := c.LinkByName(ctx, name)
		if err != nil {
			return failf(`get tunnel "%s" failed: No such device`, name)
		}
		p, ok := tunnelParamsOf(&l, r.six)
		if !ok {
			return failf(`get tunnel "%s" failed: Operation not supported`, name)
		}
		o := p.format(ctx, e, r.six)
		o.text("\n")
		return writeRecords(e, []*printer{o})
	}
	links, err := c.LinkList(ctx, rtnl.LinkFilter{})
	if err != nil {
		return err
	}
	for i := range links {
		e.remember(links[i].Index, links[i].Name)
	}
	var recs []*printer
	for i := range links {
		p, ok := tunnelParamsOf(&links[i], r.six)
		if !ok {
			continue
		}
		if (r.name != "" && p.name != r.name) || (link != 0 && p.link != link) ||
			(r.remote.IsValid() && !r.remote.IsUnspecified() && p.remote != r.remote) ||
			(r.local.IsValid() && !r.local.IsUnspecified() && p.local != r.local) ||
			(r.ikey != 0 && p.ikey != r.ikey) {
			continue
		}
		o := p.format(ctx, e, r.six)
		if e.opts.Stats {
			o.text("%s", p.statsText())
		}
		o.text("\n")
		recs = append(recs, o)
	}
	return writeRecords(e, recs)
}

// tunnelModeGiven reports whether ip -6 tunnel show was given a mode
// (ip6tunnel.c shows one tunnel only then).
func tunnelModeGiven(r tunnelRequest) bool {
	for i, w := range r.words {
		if w == "mode" && i+1 < len(r.words) {
			return true
		}
	}
	return false
}

// SIOCDEVPRIVATE-based ioctls ip tunnel prl and 6rd send (linux/if_tunnel.h).
const (
	siocAddPRL = 0x89f0 + 5
	siocDelPRL = 0x89f0 + 6
	siocAdd6RD = 0x89f0 + 9
	siocDel6RD = 0x89f0 + 10
)

// parseTunnelIoctl is ip's do_prl and do_6rd argument parsing.
func parseTunnelIoctl(cmd string, args []string) (tunnelRequest, error) {
	r := tunnelRequest{cmd: cmd}
	a := wordsOf(args)
	count, devname := 0, false
	for a.more() {
		w := a.next()
		switch {
		case cmd == "prl" && (w == "prl-default" || w == "prl-nodefault" || w == "prl-delete"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if _, err := addr32(v); err != nil || v == "any" {
				if err == nil {
					err = errAddr32(v)
				}
				return r, err
			}
			r.ioctl = siocAddPRL
			if w == "prl-delete" {
				r.ioctl = siocDelPRL
			}
			count++
		case cmd == "6rd" && w == "6rd-prefix":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			p, err := getPrefix(v, FamilyInet6)
			if err != nil {
				return r, errInvarg("invalid 6rd_prefix\n", v)
			}
			r.rd.prefix, r.rd.hasPrefix, r.ioctl = p.Prefix(), true, siocAdd6RD
		case cmd == "6rd" && w == "6rd-relay_prefix":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			p, err := getPrefix(v, FamilyInet)
			if err != nil {
				return r, errInvarg("invalid 6rd-relay_prefix\n", v)
			}
			r.rd.relay, r.rd.hasRelay, r.ioctl = p.Prefix(), true, siocAdd6RD
		case cmd == "6rd" && w == "6rd-reset":
			r.rd.reset, r.ioctl = true, siocDel6RD
		case w == "dev":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			r.name, devname = v, true
		default:
			if cmd == "prl" {
				return r, usagef(`Invalid PRL parameter "%s"`, w)
			}
			return r, usagef(`Invalid 6RD parameter "%s"`, w)
		}
		if count > 1 {
			return r, usagef("One PRL entry at a time")
		}
	}
	if !devname {
		return r, usagef("Must specify device")
	}
	return r, nil
}

// tunnelIoctlCmd runs prl and 6rd: 6rd as a change of the sit tunnel's
// IFLA_IPTUN_6RD_* settings; prl, which has no netlink request, is
// refused once the device is found.
func (e *env) tunnelIoctlCmd(ctx context.Context, r tunnelRequest) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	l, err := c.LinkByName(ctx, r.name)
	if err != nil {
		return failf("%s: ioctl %x failed: No such device", r.name, r.ioctl)
	}
	t, ok := l.Info.(*rtnl.IPTunnel)
	if r.cmd == "prl" || !ok || t.Kind != "sit" {
		if r.cmd == "prl" && ok && t.Kind == "sit" {
			return failf("%s: ioctl %x: nl has no netlink request for the potential router list (ip sends SIOC*PRL ioctls)", r.name, r.ioctl)
		}
		return failf("%s: ioctl %x failed: Operation not supported", r.name, r.ioctl)
	}
	s := newTunnelState("sit")
	if err := s.load(t); err != nil {
		return err
	}
	switch {
	case r.rd.reset:
		s.prefix6rd, s.relay6rd = netip.MustParsePrefix("2002::/16"), netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	default:
		if r.rd.hasPrefix {
			s.prefix6rd = r.rd.prefix
		}
		if r.rd.hasRelay {
			s.relay6rd = r.rd.relay
		}
	}
	info := s.info()
	if err := c.SetLink(ctx, l.Index, rtnl.LinkChange{Info: info}); err != nil {
		var ne *netlink.Error
		if errors.As(err, &ne) {
			return failf("%s: ioctl %x failed: %s", r.name, r.ioctl, capitalize(ne.Errno.Error()))
		}
		return err
	}
	return nil
}
