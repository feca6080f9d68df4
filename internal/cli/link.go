package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

// The link object: its grammar and commands, then its kinds (veth,
// bridge ...), then the printing of links.

const linkHelp = `Usage: nl link add [link PARENT] [name] NAME [up] [mtu MTU] [address LLADDR]
                   [txqueuelen PACKETS] [master DEVICE] [group GROUP]
                   [netns { NETNSNAME | PID }] [alias NAME] type TYPE [ARGS]
       nl link set [dev] DEVICE [up | down] [mtu MTU] [name NEWNAME] [address LLADDR]
                   [master DEVICE | nomaster] [netns { NETNSNAME | PID }]
                   [txqueuelen PACKETS] [alias NAME] [group GROUP] [type TYPE ARGS]
       nl link delete [dev] DEVICE
       nl link [ show | list ] [ [dev] DEVICE ] [type TYPE] [master DEVICE | nomaster] [up]
TYPE := { veth | bridge | macvlan | macvtap | vxlan | ifb | vlan | ... }
   veth ARGS := [ peer [name] NAME [mtu MTU] [address LLADDR] [txqueuelen PACKETS]
                       [netns { NETNSNAME | PID }] ]
   bridge ARGS := [ forward_delay CS ] [ hello_time CS ] [ max_age CS ] [ ageing_time CS ]
                  [ stp_state 0|1 ] [ priority PRIO ] [ vlan_filtering 0|1 ]
                  [ vlan_protocol { 802.1Q | 802.1ad } ] [ vlan_default_pvid VID ]
                  [ mcast_snooping 0|1 ]             (times in centiseconds)
   macvlan, macvtap ARGS := [ mode { private | vepa | bridge | passthru | source } ]
                            [ nopromisc ] [ nodst ]  (they need "link PARENT")
   vxlan ARGS := id VNI [ { remote | group } ADDR ] [ local ADDR ] [ dev PHYS_DEV ]
                 [ dstport PORT ] [ ttl { TTL | auto } ] [ tos { TOS | inherit } ]
                 [ [no]learning ]
   vlan ARGS := id VLANID [ protocol { 802.1Q | 802.1ad } ]  (it needs "link PARENT")
Options -d (details: kind settings, port settings, queues) and -s (statistics) apply to show.
`

// linkRequest is a parsed link command.
type linkRequest struct {
	cmd  string   // "show", "add", "set", "delete", "help"
	show linkShow // show: the filters
	// dev is the link to set or delete, or the name of the link to add
	// ("" lets the kernel choose).
	dev  string
	opts linkOpts // add, set
	// add, set: the kind, its settings (nil for kinds without settings)
	// and the names in them that are resolved when the command runs.
	kind      string
	info      rtnl.LinkInfo
	peerNetNS string // veth: peer netns NAME|PID
	vxlanDev  string // vxlan: dev NAME
	warning   string // what ip says on stderr while parsing (vxlan without dstport)
}

// linkShow are the filters of link show (and of address show).
type linkShow struct {
	dev      string
	hasDev   bool   // dev was given (possibly as "", which selects no link)
	kind     string // type KIND; "bridge_slave" selects ports of bridges
	master   string
	nomaster bool
	up       bool
	label    string // link show: a label pattern (ip then lists no link)
}

// linkOpts are the generic settings of link add and link set (ip's
// iplink_parse).
type linkOpts struct {
	name     string // name NEW
	parent   string // link PARENT (add)
	hasLink  bool   // link was given (possibly as "", which is no link)
	up       *bool
	mtu      *uint32
	address  net.HardwareAddr
	txqlen   *uint32
	master   string
	nomaster bool
	netns    string
	alias    *string
	group    *uint32
}

// linkMode says which command parseLinkOpts parses for.
type linkMode int

const (
	linkModeAdd linkMode = iota
	linkModeSet
	linkModePeer // the peer of a veth
)

var linkModeNames = [...]string{"link add", "link set", "veth peer"}

// parseLink turns the words after "link" into a request.
func parseLink(args []string) (linkRequest, error) {
	a := wordsOf(args)
	if !a.more() {
		return linkRequest{cmd: "show"}, nil
	}
	switch w := a.next(); {
	case matches(w, "add"):
		return parseLinkAdd(a)
	case matches(w, "set") || matches(w, "change"):
		return parseLinkSet(a)
	case matches(w, "delete"):
		return parseLinkDelete(a)
	case matches(w, "show") || matches(w, "lst") || matches(w, "list"):
		s, err := parseLinkShow(a)
		if err != nil {
			return linkRequest{}, err
		}
		if s.dev == "help" {
			return linkRequest{cmd: "help"}, nil
		}
		return linkRequest{cmd: "show", show: s}, nil
	case matches(w, "help"):
		return linkRequest{cmd: "help"}, nil
	default:
		return linkRequest{}, usagef(`Command "%s" is unknown, try "nl link help".`, w)
	}
}

// parseLinkShow parses the filters of link show: ip reads them as those
// of address show, with the link family ("to PREFIX" is refused); with
// label it lists no link (it matches the labels of addresses, which link
// show does not read).
func parseLinkShow(a *words) (linkShow, error) {
	f, err := parseAddrFilter(a, FamilyLink)
	f.link.label = f.label
	return f.link, err
}

// devWord reads the device word of a command: "dev NAME" or a bare NAME
// (w, just taken), once (ip's duparg2("dev", ...) for a second one).
// check, if not nil, checks the name's syntax as ip does while parsing.
func devWord(a *words, w string, dev *string, given *bool, check func(string) error) error {
	if w == "dev" {
		var err error
		if w, err = a.value(); err != nil {
			return err
		}
	}
	if *given {
		return errDuparg2("dev", w)
	}
	if check != nil {
		if err := check(w); err != nil {
			return err
		}
	}
	*dev, *given = w, true
	return nil
}

// noMasterMsg is ip's message for a "master" that finds no device. ip's
// text ends in a newline of its own, so an empty line follows it.
const noMasterMsg = "Device does not exist\n"

// masterWord reads the word after "master". ip looks the device up right
// there and stops with 255 if there is none; nl looks it up when the
// command runs (masterIndex), except the empty name, which can name no
// device: it fails here, as in ip.
func masterWord(a *words) (string, error) {
	v, err := a.value()
	if err == nil && v == "" {
		err = errInvarg(noMasterMsg, v)
	}
	return v, err
}

// checkDevWord checks the "dev" word of link add, set and delete (ip's
// check_altifname).
func checkDevWord(w string) error {
	if !validAltIfname(w) {
		return errInvarg(`"dev" not a valid ifname`, w)
	}
	return nil
}

// parseGroup is ip's rtnl_group_a2n: "default" or a number (strtol, base
// 0) that is not negative as an int.
func parseGroup(s string) (uint32, bool) {
	if s == "default" {
		return 0, true
	}
	n, end, _ := strtol(s, 0)
	if s == "" || end == 0 || end != len(s) || int32(n) < 0 {
		return 0, false
	}
	return uint32(n), true
}

// parseLinkOpts parses the generic words of link add, link set or a veth
// peer (ip's iplink_parse), up to "type KIND" (not for a peer): it returns
// the device word and the settings, and the kind, with a left on the
// kind's words.
func parseLinkOpts(a *words, mode linkMode) (dev string, o linkOpts, kind string, err error) {
	unsupported := func(w string) error {
		return usagef(`Error: "%s" is not supported in "%s".`, w, linkModeNames[mode])
	}
	// get_integer's value as the u32 ip sends.
	integer := func(key string, dst **uint32) error {
		v, err := a.value()
		if err != nil {
			return err
		}
		if *dst != nil {
			return errDuparg(key, v)
		}
		n, ok := getInt(v, 32)
		if !ok || key == "mtu" && n == 0 {
			// The library sends no MTU of 0 (0 is "the default"),
			// which the kernel refuses anyway.
			return errInvarg(`Invalid "`+key+`" value`+"\n", v)
		}
		u := uint32(n)
		*dst = &u
		return nil
	}
	var hasDev bool
	for a.more() {
		w := a.next()
		// Keywords in ip's order, which decides what abbreviations mean.
		switch {
		case w == "up" || w == "down":
			if mode == linkModePeer {
				return dev, o, "", unsupported(w)
			}
			up := w == "up"
			o.up = &up
		case w == "name":
			v, err := a.value()
			if err != nil {
				return dev, o, "", err
			}
			if o.name != "" {
				return dev, o, "", errDuparg("name", v)
			}
			if !validIfname(v) {
				return dev, o, "", errInvarg(`"name" not a valid ifname`, v)
			}
			o.name = v
		case matches(w, "link"):
			if mode != linkModeAdd {
				return dev, o, "", unsupported(w)
			}
			if o.parent, err = a.value(); err != nil {
				return dev, o, "", err
			}
			o.hasLink = true
		case matches(w, "address"):
			v, err := a.value()
			if err != nil {
				return dev, o, "", err
			}
			if o.address, err = parseLLAddr(v, 32); err != nil {
				return dev, o, "", err
			}
		case matches(w, "txqueuelen") || w == "qlen" || matches(w, "txqlen"):
			if err = integer("txqueuelen", &o.txqlen); err != nil {
				return dev, o, "", err
			}
		case w == "mtu":
			if err = integer("mtu", &o.mtu); err != nil {
				return dev, o, "", err
			}
		case w == "netns":
			v, err := a.value()
			if err != nil {
				return dev, o, "", err
			}
			if o.netns != "" {
				return dev, o, "", errDuparg("netns", v)
			}
			o.netns = v
		case matches(w, "master"):
			if mode == linkModePeer {
				return dev, o, "", unsupported(w)
			}
			if o.master, err = masterWord(a); err != nil {
				return dev, o, "", err
			}
		case matches(w, "nomaster"):
			if mode != linkModeSet {
				return dev, o, "", unsupported(w)
			}
			o.nomaster = true
		case matches(w, "type"):
			if mode == linkModePeer {
				return dev, o, "", unsupported(w)
			}
			kind, err = a.value()
			return dev, o, kind, err
		case matches(w, "alias"):
			if mode == linkModePeer {
				return dev, o, "", unsupported(w)
			}
			v, err := a.value()
			if err != nil {
				return dev, o, "", err
			}
			if len(v) >= 256 { // IFALIASZ
				return dev, o, "", errInvarg("alias too long\n", v)
			}
			o.alias = &v
		case w == "group":
			if mode == linkModePeer {
				return dev, o, "", unsupported(w)
			}
			g, err := valueOf(a, parseGroup, `Invalid "group" value`+"\n")
			if err != nil {
				return dev, o, "", err
			}
			if o.group != nil {
				return dev, o, "", errDuparg("group", a.w[a.i-1])
			}
			o.group = &g
		default:
			if err = devWord(a, w, &dev, &hasDev, checkDevWord); err != nil {
				return dev, o, "", err
			}
		}
	}
	return dev, o, "", nil
}

func parseLinkAdd(a *words) (linkRequest, error) {
	dev, o, kind, err := parseLinkOpts(a, linkModeAdd)
	if err != nil {
		return linkRequest{}, err
	}
	if kind == "" {
		return linkRequest{}, usagef(`Not enough information: "type" argument is required`)
	}
	r := linkRequest{cmd: "add", dev: dev, opts: o, kind: kind}
	if o.name != "" {
		r.dev, r.opts.name = o.name, ""
	}
	if err := parseLinkKind(a, &r); err != nil {
		return linkRequest{}, err
	}
	return r, nil
}

func parseLinkSet(a *words) (linkRequest, error) {
	dev, o, kind, err := parseLinkOpts(a, linkModeSet)
	if err != nil {
		return linkRequest{}, err
	}
	if dev == "" {
		return linkRequest{}, usagef(`Not enough information: "dev" argument is required.`)
	}
	if o.master != "" && o.nomaster {
		return linkRequest{}, errDuparg2("master", "nomaster")
	}
	r := linkRequest{cmd: "set", dev: dev, opts: o, kind: kind}
	if kind != "" {
		if err := parseLinkKind(a, &r); err != nil {
			return linkRequest{}, err
		}
	}
	return r, nil
}

func parseLinkDelete(a *words) (linkRequest, error) {
	r := linkRequest{cmd: "delete"}
	var hasDev bool
	for a.more() {
		w := a.next()
		if w == "type" { // accepted as ip does; the kernel checks nothing
			if _, err := a.value(); err != nil {
				return r, err
			}
			continue
		}
		if err := devWord(a, w, &r.dev, &hasDev, checkDevWord); err != nil {
			return r, err
		}
	}
	if r.dev == "" {
		return r, usagef(`Not enough information: "dev" argument is required.`)
	}
	return r, nil
}

func runLink(ctx context.Context, e *env, args []string) error {
	r, err := parseLink(args)
	if err != nil {
		return err
	}
	switch r.cmd {
	case "help":
		_, err := io.WriteString(e.stdout, linkHelp)
		return err
	case "show":
		return e.showLinks(ctx, r.show)
	case "add":
		return e.addLink(ctx, r)
	case "set":
		return e.setLink(ctx, r)
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	idx, err := e.linkIndex(ctx, r.dev)
	if err != nil {
		return err
	}
	return c.DeleteLink(ctx, idx)
}

// masterIndex resolves the device of a "master" word, with ip's message
// for a missing one.
func (e *env) masterIndex(ctx context.Context, name string) (int32, error) {
	idx, err := e.linkIndex(ctx, name)
	var fe *failure
	if errors.As(err, &fe) {
		return 0, errInvarg(noMasterMsg, name)
	}
	return idx, err
}

// openNetNSWord opens the namespace of a "netns" word as ip does: a name
// in /run/netns (or a path), else a process id (get_integer).
func openNetNSWord(arg string) (*netns.NS, error) {
	var ns *netns.NS
	var err error
	if strings.Contains(arg, "/") {
		ns, err = netns.OpenPath(arg)
	} else {
		ns, err = netns.Open(arg)
	}
	if err == nil {
		return ns, nil
	}
	if pid, ok := getInt(arg, 32); ok && pid > 0 {
		if ns, err = netns.OpenPID(int(pid)); err == nil {
			return ns, nil
		}
	}
	return nil, errInvarg(`Invalid "netns" value`+"\n", arg)
}

// checkLLAddrLen is ip's check of a new link-layer address against the
// device's (iplink_parse, when the device exists): exit status 1.
func (e *env) checkLLAddrLen(ctx context.Context, idx int32, hw net.HardwareAddr) error {
	if len(hw) == 0 {
		return nil
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	l, err := c.Link(ctx, idx)
	if err != nil {
		return nil // the request will say what is wrong
	}
	if len(l.HardwareAddr) != len(hw) {
		return failf("Invalid address length %d - must be %d bytes", len(hw), len(l.HardwareAddr))
	}
	return nil
}

func (e *env) addLink(ctx context.Context, r linkRequest) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	l := rtnl.Link{Name: r.dev, Kind: r.kind, Info: r.info, HardwareAddr: r.opts.address}
	if r.opts.alias != nil {
		l.Alias = *r.opts.alias
	}
	if r.opts.netns != "" {
		ns, err := openNetNSWord(r.opts.netns)
		if err != nil {
			return err
		}
		defer ns.Close()
		l.NetNS = ns
	}
	if r.opts.up != nil && *r.opts.up {
		l.Flags |= rtnl.LinkUp
	}
	if r.opts.mtu != nil {
		l.MTU = *r.opts.mtu
	}
	if r.opts.txqlen != nil {
		l.TxQueueLen = *r.opts.txqlen
	}
	if r.opts.group != nil {
		l.Group = *r.opts.group
	}
	if r.opts.master != "" {
		if l.Master, err = e.masterIndex(ctx, r.opts.master); err != nil {
			return err
		}
	}
	if r.opts.hasLink {
		if l.Parent, err = e.linkIndex(ctx, r.opts.parent); err != nil {
			return err
		}
	}
	closeNS, err := e.resolveLinkKind(ctx, &r)
	defer closeNS()
	if err != nil {
		return err
	}
	if r.warning != "" { // ip's kind parser says it last
		fmt.Fprintln(e.stderr, r.warning)
	}
	return c.AddLink(ctx, l)
}

func (e *env) setLink(ctx context.Context, r linkRequest) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	idx, err := e.linkIndex(ctx, r.dev)
	if err != nil {
		return err
	}
	o := r.opts
	if err := e.checkLLAddrLen(ctx, idx, o.address); err != nil {
		return err
	}
	ch := rtnl.LinkChange{Name: o.name, HardwareAddr: o.address, Up: o.up, TxQueueLen: o.txqlen, Alias: o.alias, Group: o.group}
	if r.kind != "" {
		closeNS, err := e.resolveLinkKind(ctx, &r)
		defer closeNS()
		if err != nil {
			return err
		}
		ch.Info = r.info
		if ch.Info == nil {
			ch.Info = &rtnl.UnknownKind{Kind: r.kind}
		}
	}
	if o.mtu != nil {
		ch.MTU = *o.mtu
	}
	if o.master != "" {
		m, err := e.masterIndex(ctx, o.master)
		if err != nil {
			return err
		}
		ch.Master = &m
	}
	if o.nomaster {
		var none int32
		ch.Master = &none
	}
	if o.netns != "" {
		ns, err := openNetNSWord(o.netns)
		if err != nil {
			return err
		}
		defer ns.Close()
		ch.NetNS = ns
	}
	return c.SetLink(ctx, idx, ch)
}

// linkKind is what nl knows of one kind of link, as iproute2's link_util:
// how the words after "type KIND" are read (link add and link set), what
// in them is resolved when the command runs, and how ip -d prints the
// kind's settings. A kind nl does not know is still added by name ("type
// ifb"), without words.
type linkKind struct {
	name string
	// parse reads the kind's words into r (nil: the kind takes none).
	parse func(a *words, r *linkRequest) error
	// resolve opens or looks up what the words named (nil: nothing);
	// closeNS releases it once the request is sent.
	resolve func(ctx context.Context, e *env, r *linkRequest) (closeNS func(), err error)
	// print prints the kind's settings (IFLA_INFO_DATA), or a port's
	// (IFLA_INFO_SLAVE_DATA) for a "_slave" kind (nil: nothing).
	print func(ctx context.Context, e *env, p *printer, l *rtnl.Link)
}

// linkKinds are the kinds nl reads and prints; ports are "KIND_slave".
var linkKinds = []linkKind{
	{name: "veth", parse: parseVeth, resolve: resolveVeth},
	{name: "bridge", parse: parseBridge, print: printBridge},
	{name: "bridge_slave", print: printBridgePort},
	{name: "macvlan", parse: parseMacvlan, print: printMacvlan},
	{name: "macvtap", parse: parseMacvlan, print: printMacvlan},
	{name: "vxlan", parse: parseVxlan, resolve: resolveVxlan, print: printVxlan},
	{name: "vlan", parse: parseVlan, print: printVlan},
}

// lookupLinkKind finds a kind by its exact name.
func lookupLinkKind(name string) *linkKind {
	for i := range linkKinds {
		if linkKinds[i].name == name {
			return &linkKinds[i]
		}
	}
	return nil
}

// parseLinkKind parses the words after "type KIND" (r.kind) into r.
func parseLinkKind(a *words, r *linkRequest) error {
	if k := lookupLinkKind(r.kind); k != nil && k.parse != nil {
		return k.parse(a, r)
	}
	if a.more() {
		return usagef(`Garbage instead of arguments "%s ...". Try "nl link help".`, a.peek())
	}
	return nil
}

// resolveLinkKind resolves what the kind's words named; closeNS releases
// it.
func (e *env) resolveLinkKind(ctx context.Context, r *linkRequest) (closeNS func(), err error) {
	if k := lookupLinkKind(r.kind); k != nil && k.resolve != nil {
		return k.resolve(ctx, e, r)
	}
	return func() {}, nil
}

// printLinkKind prints the settings of a link's kind and of its port, as
// ip -d's linkinfo.
func (e *env) printLinkKind(ctx context.Context, p *printer, l *rtnl.Link) {
	if l.Kind != "" {
		p.text("\n")
		p.field("info_kind", "    %s ", l.Kind)
		if k := lookupLinkKind(l.Kind); k != nil && k.print != nil {
			k.print(ctx, e, p.nested("info_data"), l)
		}
	}
	if l.Port != nil {
		p.text("\n")
		p.field("info_slave_kind", "    %s_slave ", l.Port.PortKind())
		if k := lookupLinkKind(l.Port.PortKind() + "_slave"); k != nil && k.print != nil {
			k.print(ctx, e, p.nested("info_slave_data"), l)
		}
	}
}

// vlanProtoValue reads a VLAN protocol, 802.1Q or 802.1ad in any case;
// another word fails as ip's invarg(msg, word).
func vlanProtoValue(a *words, msg string) (rtnl.VlanProtocol, error) {
	return valueOf(a, func(v string) (rtnl.VlanProtocol, bool) {
		switch {
		case strings.EqualFold(v, "802.1Q"):
			return rtnl.VlanProto8021Q, true
		case strings.EqualFold(v, "802.1ad"):
			return rtnl.VlanProto8021AD, true
		}
		return 0, false
	}, msg)
}

func parseVeth(a *words, r *linkRequest) error {
	v := &rtnl.Veth{}
	r.info = v
	if !a.more() {
		return nil
	}
	if w := a.next(); w != "peer" {
		return usagef(`Error: "peer" is expected rather than "%s".`, w)
	}
	dev, o, _, err := parseLinkOpts(a, linkModePeer)
	if err != nil {
		return err
	}
	v.PeerName = dev
	if o.name != "" {
		v.PeerName = o.name
	}
	if o.mtu != nil {
		v.PeerMTU = *o.mtu
	}
	if o.txqlen != nil {
		v.PeerTxQueueLen = *o.txqlen
	}
	v.PeerHardwareAddr = o.address
	r.peerNetNS = o.netns
	return nil
}

// resolveVeth opens the peer's namespace.
func resolveVeth(_ context.Context, _ *env, r *linkRequest) (func(), error) {
	info, _ := r.info.(*rtnl.Veth)
	if info == nil || r.peerNetNS == "" {
		return func() {}, nil
	}
	ns, err := openNetNSWord(r.peerNetNS)
	if err != nil {
		return func() {}, err
	}
	info.PeerNetNS = ns
	return func() { ns.Close() }, nil
}

// bridgeNumbers are the bridge's numeric words and their widths (ip's
// get_u32, get_u16, get_u8).
var bridgeNumbers = map[string]int{
	"forward_delay": 32, "hello_time": 32, "max_age": 32, "ageing_time": 32, "stp_state": 32,
	"priority": 16, "vlan_default_pvid": 16, "vlan_filtering": 8, "mcast_snooping": 8,
}

func parseBridge(a *words, r *linkRequest) error {
	b := &rtnl.Bridge{}
	r.info = b
	for a.more() {
		w := a.next()
		if w == "vlan_protocol" {
			p, err := vlanProtoValue(a, "invalid vlan_protocol")
			if err != nil {
				return err
			}
			b.VlanProtocol = p
			continue
		}
		bits, ok := bridgeNumbers[w]
		if !ok {
			return usagef(`bridge: unknown command "%s"?`, w)
		}
		n, err := valueOf(a, func(v string) (uint64, bool) { return getUint(v, 0, bits) }, "invalid "+w)
		if err != nil {
			return err
		}
		d := time.Duration(n) * 10 * time.Millisecond
		u16, u32, on := uint16(n), uint32(n), n != 0
		switch w {
		case "forward_delay":
			b.ForwardDelay = &d
		case "hello_time":
			b.HelloTime = &d
		case "max_age":
			b.MaxAge = &d
		case "ageing_time":
			b.AgeingTime = &d
		case "stp_state":
			b.StpState = &u32
		case "priority":
			b.Priority = &u16
		case "vlan_default_pvid":
			b.VlanDefaultPVID = &u16
		case "vlan_filtering":
			b.VlanFiltering = &on
		case "mcast_snooping":
			b.MulticastSnooping = &on
		}
	}
	return nil
}

var macvlanModes = map[string]rtnl.MacvlanMode{
	"private": rtnl.MacvlanPrivate, "vepa": rtnl.MacvlanVEPA, "bridge": rtnl.MacvlanBridge,
	"passthru": rtnl.MacvlanPassthru, "source": rtnl.MacvlanSource,
}

func parseMacvlan(a *words, r *linkRequest) error {
	m := &rtnl.Macvlan{Tap: r.kind == "macvtap"}
	r.info = m
	for a.more() {
		switch w := a.next(); w {
		case "mode":
			v, err := a.value()
			if err != nil {
				return err
			}
			mode, ok := macvlanModes[v]
			if !ok {
				return usagef(`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "%s"`, v)
			}
			m.Mode = mode
		case "nopromisc":
			m.Flags |= rtnl.MacvlanNoPromisc
		case "nodst":
			m.Flags |= rtnl.MacvlanNoDst
		default:
			return usagef(`%s: unknown option "%s"?`, r.kind, w)
		}
	}
	return nil
}

// vxlanNoPortWarning is what ip says when a vxlan is added without
// dstport.
const vxlanNoPortWarning = `vxlan: destination port not specified
Will use Linux kernel default (non-standard value)
Use 'dstport 4789' to get the IANA assigned value
Use 'dstport 0' to get default and quiet this message`

func parseVxlan(a *words, r *linkRequest) error {
	v := &rtnl.Vxlan{}
	r.info = v
	var haveID, haveGroup, haveRemote, haveLocal, havePort bool
	for a.more() {
		w := a.next()
		if w == "learning" || w == "nolearning" {
			on := w == "learning"
			v.Learning = &on
			continue
		}
		isKey := matches(w, "id") || matches(w, "vni") || w == "group" || w == "remote" || w == "local" ||
			w == "dev" || w == "dstport" || w == "ttl" || w == "hoplimit" || w == "tos" || w == "dsfield"
		if !isKey {
			return usagef(`vxlan: unknown command "%s"?`, w)
		}
		arg, err := a.value()
		if err != nil {
			return err
		}
		switch {
		case matches(w, "id") || matches(w, "vni"):
			if haveID {
				return errDuparg("id", arg)
			}
			n, ok := getU32(arg)
			if !ok || n >= 1<<24 {
				return errInvarg("invalid id", arg)
			}
			v.VNI, haveID = n, true
		case w == "group" || w == "remote":
			if haveGroup && w == "group" || haveRemote && w == "remote" {
				return errDuparg(w, arg)
			}
			if haveGroup || haveRemote {
				return usagef("vxlan: both group and remote cannot be specified")
			}
			p, err := getAddr(arg, FamilyAny)
			if err != nil {
				return err
			}
			addr := p.Addr
			if !addr.IsValid() || addr.IsMulticast() != (w == "group") {
				return errInvarg("invalid "+w+" address", arg)
			}
			v.Remote = addr
			haveGroup, haveRemote = w == "group", w == "remote"
		case w == "local":
			if haveLocal {
				return errDuparg("local", arg)
			}
			p, err := getAddr(arg, FamilyAny)
			if err != nil {
				return err
			}
			addr := p.Addr
			if !addr.IsValid() || addr.IsMulticast() {
				return errInvarg("invalid local address", arg)
			}
			v.Local, haveLocal = addr, true
		case w == "dev":
			if r.vxlanDev != "" {
				return errDuparg("dev", arg)
			}
			if arg == "" {
				// ip looks the device up here and exits with 255;
				// nl does so when the command runs, but the empty
				// name can name no device.
				return usagef("%s", nodev(arg))
			}
			r.vxlanDev = arg
		case w == "dstport":
			if havePort {
				return errDuparg("dstport", arg)
			}
			n, ok := getUint(arg, 0, 16)
			if !ok {
				return errInvarg("dst port", arg)
			}
			v.Port, havePort = uint16(n), true
		case w == "ttl" || w == "hoplimit":
			if arg != "auto" {
				n, ok := getUint(arg, 0, 32)
				if !ok || n > 255 {
					return errInvarg("invalid TTL", arg)
				}
				v.TTL = uint8(n)
			}
		default: // tos, dsfield
			if arg == "inherit" {
				v.TOS = 1
			} else {
				n, ok := getUint(arg, 16, 8)
				if !ok {
					return errInvarg("bad TOS value", arg)
				}
				v.TOS = uint8(n)
			}
		}
	}
	if !haveID {
		return usagef("vxlan: missing virtual network identifier")
	}
	if haveGroup && r.vxlanDev == "" {
		return usagef("vxlan: 'group' requires 'dev' to be specified")
	}
	if haveLocal && v.Remote.IsValid() && v.Local.Is4() != v.Remote.Is4() {
		return usagef("vxlan: local and remote/group addresses must be of the same family")
	}
	if !havePort && r.cmd == "add" {
		r.warning = vxlanNoPortWarning
	}
	return nil
}

// resolveVxlan looks up the vxlan's dev.
func resolveVxlan(ctx context.Context, e *env, r *linkRequest) (func(), error) {
	info, _ := r.info.(*rtnl.Vxlan)
	if info == nil || r.vxlanDev == "" {
		return func() {}, nil
	}
	var err error
	if info.Device, err = e.linkIndex(ctx, r.vxlanDev); err != nil {
		var fe *failure
		if errors.As(err, &fe) {
			err = usagef("%s", fe.msg) // ip exits from vxlan's parser: 255
		}
	}
	return func() {}, err
}

func parseVlan(a *words, r *linkRequest) error {
	vl := &rtnl.Vlan{}
	r.info = vl
	haveID := false
	for a.more() {
		switch w := a.next(); w {
		case "id":
			n, err := valueOf(a, func(v string) (uint64, bool) { return getUint(v, 0, 16) }, "id is invalid")
			if err != nil {
				return err
			}
			vl.ID, haveID = uint16(n), true
		case "protocol":
			p, err := vlanProtoValue(a, "protocol is invalid")
			if err != nil {
				return err
			}
			vl.Protocol = p
		default:
			return usagef(`vlan: unknown command "%s"?`, w)
		}
	}
	if !haveID {
		return usagef(`Not enough information: "id" argument is required`)
	}
	return nil
}

func printVlan(_ context.Context, _ *env, p *printer, l *rtnl.Link) {
	info, ok := l.Info.(*rtnl.Vlan)
	if !ok {
		return
	}
	if info.Protocol != 0 {
		p.field("protocol", "protocol %s ", info.Protocol.String())
	}
	p.field("id", "id %d ", info.ID)
}

// printTimer prints a bridge timer as ip's _print_timer: seconds with two
// decimals, a number in JSON.
func printTimer(p *printer, key string, d time.Duration) {
	cs := int64(d / (10 * time.Millisecond))
	p.jsonOnly(key, json.Number(fmt.Sprintf("%d.%02d", cs/100, cs%100)))
	p.text("%s %4d.%02d ", key, cs/100, cs%100)
}

// hex0x is iproute2's print_0xhex: "%#llx", so 0 is "0".
func hex0x(n uint64) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", n)
}

func printBridge(_ context.Context, _ *env, p *printer, l *rtnl.Link) {
	b, ok := l.Info.(*rtnl.Bridge)
	if !ok {
		return
	}
	cs := func(key, text string, d *time.Duration) {
		if d != nil {
			p.field(key, text+" %d ", uint64(*d/(10*time.Millisecond)))
		}
	}
	flag := func(key string, v *bool) {
		if v != nil {
			n := 0
			if *v {
				n = 1
			}
			p.field(key, key+" %d ", n)
		}
	}
	num := func(key, text string, v any) {
		if rv := reflect.ValueOf(v); !rv.IsNil() {
			p.field(key, text+" %d ", rv.Elem().Interface())
		}
	}
	cs("forward_delay", "forward_delay", b.ForwardDelay)
	cs("hello_time", "hello_time", b.HelloTime)
	cs("max_age", "max_age", b.MaxAge)
	cs("ageing_time", "ageing_time", b.AgeingTime)
	num("stp_state", "stp_state", b.StpState)
	num("priority", "priority", b.Priority)
	flag("vlan_filtering", b.VlanFiltering)
	if b.VlanProtocol != 0 {
		p.field("vlan_protocol", "vlan_protocol %s ", b.VlanProtocol.String())
	}
	if b.BridgeID != nil {
		p.field("bridge_id", "bridge_id %s ", b.BridgeID.String())
	}
	if b.RootID != nil {
		p.field("root_id", "designated_root %s ", b.RootID.String())
	}
	num("root_port", "root_port", b.RootPort)
	num("root_path_cost", "root_path_cost", b.RootPathCost)
	flag("topology_change", b.TopologyChange)
	flag("topology_change_detected", b.TopologyChangeDetected)
	for _, t := range [...]struct {
		key string
		d   *time.Duration
	}{{"hello_timer", b.HelloTimer}, {"tcn_timer", b.TCNTimer}, {"topology_change_timer", b.TopologyChangeTimer}, {"gc_timer", b.GCTimer}} {
		if t.d != nil {
			printTimer(p, t.key, *t.d)
		}
	}
	num("vlan_default_pvid", "vlan_default_pvid", b.VlanDefaultPVID)
	flag("vlan_stats_enabled", b.VlanStatsEnabled)
	flag("vlan_stats_per_port", b.VlanStatsPerPort)
	if b.GroupFwdMask != nil {
		p.field("group_fwd_mask", "group_fwd_mask %s ", hex0x(uint64(*b.GroupFwdMask)))
	}
	if len(b.GroupAddr) > 0 {
		p.field("group_addr", "group_address %s ", b.GroupAddr.String())
	}
	flag("mcast_snooping", b.MulticastSnooping)
	flag("no_linklocal_learn", b.NoLinkLocalLearn)
	flag("mcast_vlan_snooping", b.MulticastVlanSnooping)
	num("mcast_router", "mcast_router", b.MulticastRouter)
	flag("mcast_query_use_ifaddr", b.MulticastQueryUseIfaddr)
	flag("mcast_querier", b.MulticastQuerier)
	num("mcast_hash_elasticity", "mcast_hash_elasticity", b.MulticastHashElasticity)
	num("mcast_hash_max", "mcast_hash_max", b.MulticastHashMax)
	num("mcast_last_member_cnt", "mcast_last_member_count", b.MulticastLastMemberCount)
	num("mcast_startup_query_cnt", "mcast_startup_query_count", b.MulticastStartupQueryCount)
	cs("mcast_last_member_intvl", "mcast_last_member_interval", b.MulticastLastMemberInterval)
	cs("mcast_membership_intvl", "mcast_membership_interval", b.MulticastMembershipInterval)
	cs("mcast_querier_intvl", "mcast_querier_interval", b.MulticastQuerierInterval)
	cs("mcast_query_intvl", "mcast_query_interval", b.MulticastQueryInterval)
	cs("mcast_query_response_intvl", "mcast_query_response_interval", b.MulticastQueryResponseInterval)
	cs("mcast_startup_query_intvl", "mcast_startup_query_interval", b.MulticastStartupQueryInterval)
	flag("mcast_stats_enabled", b.MulticastStatsEnabled)
	num("mcast_igmp_version", "mcast_igmp_version", b.MulticastIGMPVersion)
	num("mcast_mld_version", "mcast_mld_version", b.MulticastMLDVersion)
	flag("nf_call_iptables", b.NfCallIptables)
	flag("nf_call_ip6tables", b.NfCallIP6tables)
	flag("nf_call_arptables", b.NfCallArptables)
}

// fwdMaskNames are ip's names of group_fwd_mask bits.
var fwdMaskNames = map[int]string{0: "stp", 2: "lacp", 14: "lldp"}

// printBridgePort prints bridge port settings as ip's
// bridge_slave_print_opt.
func printBridgePort(ctx context.Context, e *env, d *printer, l *rtnl.Link) {
	bp, ok := l.Port.(*rtnl.BridgePort)
	if !ok {
		return
	}
	if bp.State <= rtnl.BridgePortBlocking {
		d.field("state", "state %s ", bp.State.String())
	} else {
		d.field("state_index", "state (%d) ", int(bp.State))
	}
	bit := map[bool]int{false: 0, true: 1}
	d.field("priority", "priority %d ", bp.Priority)
	d.field("cost", "cost %d ", bp.Cost)
	d.onOff("hairpin", "hairpin %s ", bp.Hairpin)
	d.onOff("guard", "guard %s ", bp.Guard)
	d.onOff("root_block", "root_block %s ", bp.RootBlock)
	d.onOff("fastleave", "fastleave %s ", bp.FastLeave)
	d.onOff("learning", "learning %s ", bp.Learning)
	d.onOff("flood", "flood %s ", bp.UnicastFlood)
	d.field("id", "port_id %s ", hex0x(uint64(bp.ID)))
	d.field("no", "port_no %s ", hex0x(uint64(bp.No)))
	d.field("designated_port", "designated_port %d ", bp.DesignatedPort)
	d.field("designated_cost", "designated_cost %d ", bp.DesignatedCost)
	d.field("bridge_id", "designated_bridge %s ", bp.DesignatedBridge.String())
	d.field("root_id", "designated_root %s ", bp.DesignatedRoot.String())
	printTimer(d, "hold_timer", bp.HoldTimer)
	printTimer(d, "message_age_timer", bp.MessageAgeTimer)
	printTimer(d, "forward_delay_timer", bp.ForwardDelayTimer)
	d.field("topology_change_ack", "topology_change_ack %d ", bit[bp.TopologyChangeAck])
	d.field("config_pending", "config_pending %d ", bit[bp.ConfigPending])
	d.onOff("proxy_arp", "proxy_arp %s ", bp.ProxyARP)
	d.onOff("proxy_arp_wifi", "proxy_arp_wifi %s ", bp.ProxyARPWiFi)
	d.field("multicast_router", "mcast_router %d ", bp.MulticastRouter)
	d.text("mcast_fast_leave %s ", map[bool]string{false: "off", true: "on"}[bp.FastLeave])
	d.onOff("mcast_flood", "mcast_flood %s ", bp.MulticastFlood)
	d.onOff("bcast_flood", "bcast_flood %s ", bp.BroadcastFlood)
	d.onOff("mcast_to_unicast", "mcast_to_unicast %s ", bp.MulticastToUnicast)
	d.onOff("neigh_suppress", "neigh_suppress %s ", bp.NeighSuppress)
	d.field("group_fwd_mask", "group_fwd_mask %s ", hex0x(uint64(bp.GroupFwdMask)))
	var names []string
	for i := range 16 {
		if bp.GroupFwdMask&(1<<i) == 0 {
			continue
		}
		if n, ok := fwdMaskNames[i]; ok {
			names = append(names, n)
		} else {
			names = append(names, fmt.Sprintf("0x%x", 1<<i))
		}
	}
	str := "0x0"
	if len(names) > 0 {
		str = strings.Join(names, ",")
	}
	d.field("group_fwd_mask_str", "group_fwd_mask_str %s ", str)
	d.onOff("vlan_tunnel", "vlan_tunnel %s ", bp.VlanTunnel)
	d.onOff("isolated", "isolated %s ", bp.Isolated)
	d.onOff("locked", "locked %s ", bp.Locked)
	if bp.BackupPort != 0 {
		d.field("backup_port", "backup_port %s ", e.linkName(ctx, bp.BackupPort))
	}
}

func printMacvlan(_ context.Context, _ *env, p *printer, l *rtnl.Link) {
	m, ok := l.Info.(*rtnl.Macvlan)
	if !ok {
		return
	}
	if m.Mode == 0 {
		return
	}
	mode := m.Mode.String()
	if _, known := macvlanModes[mode]; !known {
		mode = "unknown"
	}
	p.field("mode", "mode %s ", mode)
	if m.Flags&rtnl.MacvlanNoDst != 0 {
		p.field("nodst", "nodst ", true)
	}
	if m.Flags&rtnl.MacvlanNoPromisc != 0 {
		p.field("nopromisc", "nopromisc ", true)
	}
	if m.BcQueueLen != nil {
		p.field("bcqueuelen", "bcqueuelen %d ", *m.BcQueueLen)
	}
	if m.UsedBcQueueLen != nil {
		p.field("usedbcqueuelen", "usedbcqueuelen %d ", *m.UsedBcQueueLen)
	}
}

func printVxlan(ctx context.Context, e *env, p *printer, l *rtnl.Link) {
	v, ok := l.Info.(*rtnl.Vxlan)
	if !ok {
		return
	}
	p.field("id", "id %d ", v.VNI)
	six := func(a netip.Addr) string {
		if a.Is6() {
			return "6"
		}
		return ""
	}
	if v.Remote.IsValid() && !v.Remote.IsUnspecified() {
		if v.Remote.IsMulticast() {
			p.field("group"+six(v.Remote), "group %s ", v.Remote.String())
		} else {
			p.field("remote"+six(v.Remote), "remote %s ", v.Remote.String())
		}
	}
	if v.Local.IsValid() && !v.Local.IsUnspecified() {
		p.field("local"+six(v.Local), "local %s ", v.Local.String())
	}
	if v.Device != 0 {
		p.field("link", "dev %s ", e.linkName(ctx, v.Device))
	}
	if v.SrcPorts != nil {
		r := p.nested("port_range")
		r.field("low", "srcport %d ", v.SrcPorts.Start)
		r.field("high", "%d ", v.SrcPorts.End)
	}
	if v.Port != 0 {
		p.field("port", "dstport %d ", v.Port)
	}
	if v.Learning != nil {
		p.jsonOnly("learning", *v.Learning)
		if !*v.Learning {
			p.text("nolearning ")
		}
	}
	if v.TTL != 0 || p.json {
		p.field("ttl", "ttl %d ", v.TTL)
	} else {
		p.text("ttl auto ")
	}
	if v.DF != nil {
		if *v.DF == rtnl.VxlanDFUnset {
			p.jsonOnly("df", v.DF.String())
		} else {
			p.field("df", "df %s ", v.DF.String())
		}
	}
	if v.TOS != 0 {
		switch {
		case p.json:
			p.jsonOnly("tos", fmt.Sprintf("%#x", v.TOS))
		case v.TOS == 1:
			p.text("tos inherit ")
		default:
			p.text("tos %#x ", v.TOS)
		}
	}
	if v.Ageing != nil {
		p.field("ageing", "ageing %d ", int64(*v.Ageing/time.Second))
	}
	for _, f := range [...]struct {
		key, word string
		v         *bool
	}{{"udp_csum", "udpcsum", v.UDPChecksum}, {"udp_zero_csum6_tx", "udp6zerocsumtx", v.UDP6ZeroChecksumTx},
		{"udp_zero_csum6_rx", "udp6zerocsumrx", v.UDP6ZeroChecksumRx}} {
		if f.v == nil {
			continue
		}
		p.jsonOnly(f.key, *f.v)
		if !*f.v {
			p.text("no")
		}
		p.text("%s ", f.word)
	}
}

// Printing links, as ip's print_linkinfo, for link show, address show and
// monitor. The kinds' settings are printed by their entries in linkKinds.
// linkU32Details are the u32 attributes ip -d prints after the kind, in
// its order (0: not reported, not printed).
var linkU32Details = [...]struct {
	key, text string
	v         func(l *rtnl.Link) uint32
}{
	{"num_tx_queues", "numtxqueues %d ", func(l *rtnl.Link) uint32 { return l.NumTxQueues }},
	{"num_rx_queues", "numrxqueues %d ", func(l *rtnl.Link) uint32 { return l.NumRxQueues }},
	{"gso_max_size", "gso_max_size %d ", func(l *rtnl.Link) uint32 { return l.GSOMaxSize }},
	{"gso_max_segs", "gso_max_segs %d ", func(l *rtnl.Link) uint32 { return l.GSOMaxSegs }},
	{"tso_max_size", "tso_max_size %d ", func(l *rtnl.Link) uint32 { return l.TSOMaxSize }},
	{"tso_max_segs", "tso_max_segs %d ", func(l *rtnl.Link) uint32 { return l.TSOMaxSegs }},
	{"gro_max_size", "gro_max_size %d ", func(l *rtnl.Link) uint32 { return l.GROMaxSize }},
}

// linkView is a link as show prints it.
type linkView struct {
	l     rtnl.Link
	mdown bool // the link it is stacked on is down (ip's M-DOWN)
}

// selectLinks lists the links that s selects, in the kernel's order.
// byName is for link show DEV, for which ip asks for the link by its name
// once the name has been looked up (so that "ifN" finds no link there).
func (e *env) selectLinks(ctx context.Context, s linkShow, byName bool) ([]linkView, error) {
	c, err := e.rt()
	if err != nil {
		return nil, err
	}
	var f rtnl.LinkFilter
	portKind, isPort := strings.CutSuffix(s.kind, "_slave")
	if !isPort {
		f.Kind = s.kind
	}
	if s.master != "" {
		if f.Master, err = e.masterIndex(ctx, s.master); err != nil {
			return nil, err
		}
	}
	if s.nomaster {
		f.Master = -1
	}
	var links []rtnl.Link
	if s.hasDev {
		// As ip: the name is looked up (ll_name_to_index), then the
		// link of that index is asked for.
		idx, err := e.linkIndex(ctx, s.dev)
		var fe *failure
		if errors.As(err, &fe) {
			return nil, failf(`Device "%s" does not exist.`, s.dev)
		}
		if err != nil {
			return nil, err
		}
		var l rtnl.Link
		switch {
		case !byName:
			l, err = c.Link(ctx, idx)
		case validIfname(s.dev):
			l, err = c.LinkByName(ctx, s.dev)
		default:
			l, err = linkByAltName(ctx, c, s.dev)
		}
		if errors.Is(err, syscall.ENODEV) {
			if byName {
				return nil, failf("RTNETLINK answers: No such device\nCannot send link get request: No such device")
			}
			return nil, failf(`Device "%s" does not exist.`, s.dev)
		}
		if err != nil {
			return nil, err
		}
		masterOK := f.Master == 0 || f.Master == -1 && l.Master == 0 || f.Master == l.Master
		if (f.Kind == "" || f.Kind == l.Kind) && masterOK {
			links = append(links, l)
		}
	} else if links, err = c.LinkList(ctx, f); err != nil {
		return nil, err
	}
	up := make(map[int32]bool, len(links)) // flags of the listed links, for M-DOWN
	for _, l := range links {
		e.remember(l.Index, l.Name)
		up[l.Index] = l.Flags&rtnl.LinkUp != 0
	}
	views := make([]linkView, 0, len(links))
	for _, l := range links {
		if s.up && l.Flags&rtnl.LinkUp == 0 {
			continue
		}
		if isPort && (l.Port == nil || l.Port.PortKind() != portKind) {
			continue
		}
		if s.label != "" {
			continue // link show label: ip has no addresses to match it with
		}
		v := linkView{l: l}
		if l.Parent != 0 && !l.HasLinkNetNSID {
			if pu, ok := up[l.Parent]; ok {
				v.mdown = !pu
			} else if p, err := c.Link(ctx, l.Parent); err == nil {
				v.mdown = p.Flags&rtnl.LinkUp == 0
				up[l.Parent] = !v.mdown
			}
		}
		views = append(views, v)
	}
	return views, nil
}

func (e *env) showLinks(ctx context.Context, s linkShow) error {
	views, err := e.selectLinks(ctx, s, true)
	if err != nil {
		return err
	}
	var b strings.Builder
	objs := []*jsonObject{}
	for i := range views {
		p := newPrinter(e.opts.JSON, &b)
		e.printLink(ctx, p, &views[i], linkPrint{doLink: true, showLL: true})
		if p.json {
			objs = append(objs, p.obj)
		}
	}
	if e.opts.JSON {
		return writeJSON(e, objs)
	}
	_, err = io.WriteString(e.stdout, b.String())
	return err
}

// llAddrString formats a link-layer address as ip's ll_addr_n2a.
func llAddrString(a net.HardwareAddr, t rtnl.LinkType) string {
	switch {
	case len(a) == 4 && (t == rtnl.LinkTypeTunnel || t == rtnl.LinkTypeSIT || t == rtnl.LinkTypeIPGRE):
		return netip.AddrFrom4([4]byte(a)).String()
	case len(a) == 16 && (t == rtnl.LinkTypeTunnel6 || t == rtnl.LinkTypeIP6GRE):
		return netip.AddrFrom16([16]byte(a)).String()
	}
	return a.String()
}

// linkPrint says how printLink prints a link.
type linkPrint struct {
	// doLink: for link show; address show leaves out the mode, address
	// generation, alias and statistics (it prints the statistics after
	// the addresses).
	doLink bool
	// showLL prints the link-layer line (ip leaves it out when an address
	// family is selected).
	showLL bool
	// inet6: ip -6 address show (without a device, -s or -d) lists the
	// links with an AF_INET6 RTM_GETLINK dump, whose messages lack most
	// attributes; print only what they have, as ip does.
	inet6 bool
}

// printLink prints a link as ip's print_linkinfo.
func (e *env) printLink(ctx context.Context, p *printer, v *linkView, how linkPrint) {
	l := &v.l
	doLink, showLL := how.doLink, how.showLL
	details := e.opts.Details && !how.inet6
	p.field("ifindex", "%d: ", l.Index)
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
	p.text("%s: ", name)

	words := l.Flags.Words()
	if v.mdown {
		words = append(words, "M-DOWN")
	}
	p.jsonOnly("flags", words)
	if v.mdown {
		words = words[:len(words)-1]
		p.text("<%s,M-DOWN> ", strings.Join(words, ","))
	} else {
		p.text("<%s> ", strings.Join(words, ","))
	}
	p.field("mtu", "mtu %d ", l.MTU)
	if l.Qdisc != "" && !how.inet6 {
		p.field("qdisc", "qdisc %s ", l.Qdisc)
	}
	if l.Master != 0 && !how.inet6 {
		p.field("master", "master %s ", e.linkName(ctx, l.Master))
	}
	if l.OperState <= rtnl.OperUp {
		p.field("operstate", "state %s ", l.OperState.String())
	} else {
		p.jsonOnly("operstate_index", int(l.OperState))
		p.text("state %#x ", int(l.OperState))
	}
	if doLink && !how.inet6 {
		if l.LinkMode <= rtnl.LinkModeDormant {
			p.field("linkmode", "mode %s ", l.LinkMode.String())
		} else {
			p.field("linkmode_index", "mode %d ", int(l.LinkMode))
		}
	}
	if !how.inet6 {
		group := "default"
		if l.Group != 0 {
			group = strconv.FormatUint(uint64(l.Group), 10)
		}
		p.field("group", "group %s ", group)
	}
	if l.TxQueueLen != 0 {
		p.field("txqlen", "qlen %d", l.TxQueueLen)
	}
	if showLL || details {
		p.text("\n")
		p.field("link_type", "    link/%s ", l.Type.String())
		if len(l.HardwareAddr) > 0 {
			p.field("address", "%s", llAddrString(l.HardwareAddr, l.Type))
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnl.LinkPointToPoint != 0 {
				p.text(" peer ")
				p.jsonOnly("link_pointtopoint", true)
			} else {
				p.text(" brd ")
			}
			p.field("broadcast", "%s", llAddrString(l.Broadcast, l.Type))
		}
	}
	if l.HasLinkNetNSID {
		p.jsonOnly("link_netnsid", l.LinkNetNSID)
		if l.LinkNetNSID >= 0 {
			p.text(" link-netnsid %d", l.LinkNetNSID)
		} else {
			p.text(" link-netnsid unknown")
		}
	}
	if l.ProtoDown && !how.inet6 {
		p.field("proto_down", " protodown on ", true)
	}
	if details {
		p.field("promiscuity", " promiscuity %d ", l.Promiscuity)
		if l.HasAllMulti {
			p.field("allmulti", " allmulti %d ", l.AllMulti)
		}
		p.field("min_mtu", "minmtu %d ", l.MinMTU)
		p.field("max_mtu", "maxmtu %d ", l.MaxMTU)
		if l.Kind != "" || l.Port != nil {
			e.printLinkKind(ctx, p.nested("linkinfo"), l)
		}
		if doLink && l.HasAddrGenMode {
			p.field("inet6_addr_gen_mode", "addrgenmode %s ", l.AddrGenMode.String())
		}
		for _, a := range linkU32Details {
			if n := a.v(l); n != 0 {
				p.field(a.key, a.text, n)
			}
		}
	}
	if (doLink || details) && l.Alias != "" {
		p.text("\n    ")
		p.field("ifalias", "alias %s", l.Alias)
	}
	if doLink && e.opts.Stats && l.HasStats {
		p.text("\n")
		printLinkStats(p, &l.Stats)
	}
	if len(l.AltNames) > 0 && !how.inet6 {
		p.jsonOnly("altnames", l.AltNames)
		for _, n := range l.AltNames {
			p.text("\n    altname %s", n)
		}
	}
	p.text("\n")
}

// printLinkStats prints IFLA_STATS64 as ip -s does (one -s): the JSON
// object "stats64", or the RX and TX tables without a final newline.
func printLinkStats(p *printer, s *rtnl.LinkStats64) {
	if p.json {
		st := p.nested("stats64")
		rx := st.nested("rx")
		rx.field("bytes", "", s.RxBytes)
		rx.field("packets", "", s.RxPackets)
		rx.field("errors", "", s.RxErrors)
		rx.field("dropped", "", s.RxDropped)
		rx.field("over_errors", "", s.RxOverErrors)
		rx.field("multicast", "", s.Multicast)
		if s.RxCompressed != 0 {
			rx.field("compressed", "", s.RxCompressed)
		}
		tx := st.nested("tx")
		tx.field("bytes", "", s.TxBytes)
		tx.field("packets", "", s.TxPackets)
		tx.field("errors", "", s.TxErrors)
		tx.field("dropped", "", s.TxDropped)
		tx.field("carrier_errors", "", s.TxCarrierErrors)
		tx.field("collisions", "", s.Collisions)
		if s.TxCompressed != 0 {
			tx.field("compressed", "", s.TxCompressed)
		}
		return
	}
	// Column widths: ip's minimums, widened to fit the numbers.
	cols := [7]int{10, 7, 6, 7, 7, 7, 10}
	rx := [7]uint64{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxMissedErrors, s.Multicast, s.RxCompressed}
	tx := [7]uint64{s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped, s.TxCarrierErrors, s.Collisions, s.TxCompressed}
	for _, vals := range [2][7]uint64{rx, tx} {
		for i, n := range vals {
			cols[i] = max(cols[i], len(strconv.FormatUint(n, 10)))
		}
	}
	table := func(dir string, heads [6]string, vals [7]uint64, last bool) {
		comp := ""
		if vals[6] != 0 {
			comp = "compressed"
		}
		p.text("    %s: %*s %*s %*s %*s %*s %*s %*s\n", dir, cols[0]-4, heads[0], cols[1], heads[1], cols[2], heads[2],
			cols[3], heads[3], cols[4], heads[4], cols[5], heads[5], cols[6], comp)
		p.text("    ")
		for i, n := range vals[:6] {
			p.text("%*d ", cols[i], n)
		}
		if vals[6] != 0 {
			p.text("%*d ", cols[6], vals[6])
		}
		if !last {
			p.text("\n")
		}
	}
	table("RX", [6]string{"bytes", "packets", "errors", "dropped", "missed", "mcast"}, rx, false)
	table("TX", [6]string{"bytes", "packets", "errors", "dropped", "carrier", "collsns"}, tx, true)
}
