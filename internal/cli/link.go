package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"strings"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

// The link object: its grammar and commands. The kinds (veth, bridge ...)
// are in link_kind.go, the printing in link_print.go.

const linkHelp = `Usage: nl link add [link PARENT | parentdev NAME] [name] NAME [up] [mtu MTU]
                   [address LLADDR] [broadcast LLADDR] [index IDX]
                   [txqueuelen PACKETS] [numtxqueues QUEUE_COUNT] [numrxqueues QUEUE_COUNT]
                   [master DEVICE] [group GROUP] [netns { NETNSNAME | PID }]
                   [alias NAME] type TYPE [ARGS]
       nl link replace ... (as add: create it, or change an existing link of that kind)
       nl link delete { DEVICE | dev DEVICE | group DEVGROUP } [type TYPE]
       nl link set { DEVICE | dev DEVICE | group DEVGROUP }
                   [up | down] [mtu MTU] [name NEWNAME] [address LLADDR] [broadcast LLADDR]
                   [ { arp | dynamic | multicast | allmulticast | promisc | trailers | carrier } { on | off } ]
                   [master DEVICE | nomaster | vrf NAME] [netns { NETNSNAME | PID } [index IDX]]
                   [link-netns NAME | link-netnsid ID] [txqueuelen PACKETS] [alias NAME]
                   [group GROUP] [addrgenmode { eui64 | none | stable_secret | random }]
                   [mode { default | dormant | testing }] [state OPERSTATE]
                   [protodown { on | off }] [protodown_reason PREASON { on | off }]
                   [gso_max_size BYTES] [gso_max_segs PACKETS] [gro_max_size BYTES]
                   [ { xdp | xdpgeneric | xdpdrv | xdpoffload } off ]
                   [vf NUM [mac LLADDR] [vlan VLANID [qos VLAN-QOS] [proto VLAN-PROTO]]
                           [rate TXRATE] [max_tx_rate TXRATE] [min_tx_rate TXRATE]
                           [spoofchk { on | off }] [query_rss { on | off }]
                           [state { auto | enable | disable }] [trust { on | off }]
                           [node_guid EUI64] [port_guid EUI64] ]
                   [type TYPE ARGS]
       nl link show [ [dev] DEVICE | group GROUP ] [type TYPE] [master DEVICE | nomaster] [up]
       nl link property add dev DEVICE [ altname NAME .. ]
       nl link property del dev DEVICE [ altname NAME .. ]
       nl link help [ TYPE ]
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
	cmd  string   // "show", "add", "replace", "set", "delete", "property", "help"
	show linkShow // show: the filters
	// dev is the link to set or delete, or the name of the link to add
	// ("" lets the kernel choose).
	dev  string
	opts linkOpts // add, set
	// add, set: the kind, its settings (nil for kinds without settings)
	// and the names in them that are resolved when the command runs.
	kind        string
	info        rtnl.LinkInfo
	peerNetNS   string // veth: peer netns NAME|PID
	peerMaster  string // veth: peer master NAME, checked as ip does, not sent
	peerLink    string // veth: peer link NAME, checked as ip does, not sent
	hasPeerLink bool
	vxlanDev    string      // vxlan: dev NAME
	warning     string      // what ip says on stderr while parsing (vxlan without dstport)
	slaveData   []byte      // set type KIND_slave: the raw IFLA_INFO_SLAVE_DATA
	tunnel      *tunnelArgs // tunnel kinds: the words, applied when the command runs
	// groupSel: set or delete applies to the links of a group (opts.group
	// for set, group for delete) rather than to dev.
	groupSel bool
	group    uint32
	// property: "add" or "del", and the alternative names.
	propOp   string
	altNames []string
}

// linkShow are the filters of link show (and of address show).
type linkShow struct {
	dev      string
	hasDev   bool   // dev was given (possibly as "", which selects no link)
	kind     string // type KIND; "bridge_slave" selects ports of bridges
	master   string
	vrf      string // vrf NAME: the ports of that vrf (checked to be one)
	nomaster bool
	up       bool
	label    string // link show: a label pattern (ip then lists no link)
	group    uint32 // group N: the links of that group
	hasGroup bool
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
	x        linkExtra // the words of linkwords.go
	// flags and change are the interface flags of arp, multicast,
	// allmulticast, promisc, trailers and dynamic on|off: the bits
	// to set in flags, the bits to change in change (ip's ifi_flags
	// and ifi_change).
	flags, change uint32
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
	cmd, err := pickCommand("link", a.next(), linkCommands)
	switch cmd {
	case "add", "replace":
		r, err := parseLinkAdd(a)
		r.cmd = cmd
		return r, err
	case "property":
		return parseLinkProperty(a)
	case "set":
		return parseLinkSet(a)
	case "delete":
		return parseLinkDelete(a)
	case "show":
		s, err := parseLinkShow(a)
		if err != nil {
			return linkRequest{}, err
		}
		if s.dev == "help" {
			return linkRequest{cmd: "help"}, nil
		}
		return linkRequest{cmd: "show", show: s}, nil
	}
	return linkRequest{cmd: cmd}, err
}

// linkCommands are link's commands in ip's order.
var linkCommands = []command{
	{name: "add"}, {name: "set", abbrev: []string{"set", "change"}}, {name: "replace"}, {name: "delete"},
	{name: "show", abbrev: []string{"show", "lst", "list"}}, {name: "property"}, {name: "help"},
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

// linkInteger is ip's get_integer for mtu and txqueuelen, as the u32 ip
// sends. An MTU of 0 is refused: the library does not send it (0 is "the
// kind's default"), and the kernel would refuse it.
func linkInteger(key string) func(string) (*uint32, bool) {
	return func(s string) (*uint32, bool) {
		n, ok := getInt(s, 32)
		u := uint32(n)
		return &u, ok && (key != "mtu" || n != 0)
	}
}

// onlyIn are the words only one command takes. A veth peer takes those
// of link add (ip parses them into the peer's ifinfomsg).
var onlyIn = map[string]linkMode{"link": linkModeAdd, "nomaster": linkModeSet}

// parseLinkOpts parses the generic words of link add, link set or a veth
// peer (ip's iplink_parse), up to "type KIND" (not for a peer): it returns
// the device word and the settings, and the kind, with a left on the
// kind's words.
func parseLinkOpts(a *words, mode linkMode) (dev string, o linkOpts, kind string, err error) {
	var hasDev, nameSet, mtuSet, txqlenSet, netnsSet, groupSet bool
	for a.more() {
		w := a.next()
		// Keywords in ip's order, which decides what abbreviations mean.
		key := w
		for _, k := range []string{"link", "address", "broadcast", "txqueuelen", "txqlen", "master", "nomaster", "type", "alias"} {
			if matches(w, k) {
				key = k
				break
			}
		}
		if m, ok := onlyIn[key]; ok && m != mode && !(mode == linkModePeer && m == linkModeAdd) {
			return dev, o, "", usagef(`Error: "%s" is not supported in "%s".`, w, linkModeNames[mode])
		}
		switch key {
		case "up", "down":
			up := w == "up"
			o.up = &up
		case "name":
			o.name, err = onceOf(a, "name", &nameSet, ifnameWord, `"name" not a valid ifname`)
		case "link":
			o.parent, err = a.value()
			o.hasLink = true
		case "address":
			var v string
			if v, err = a.value(); err == nil {
				o.address, err = parseLLAddr(v, 32)
			}
		case "txqueuelen", "qlen", "txqlen":
			o.txqlen, err = onceOf(a, "txqueuelen", &txqlenSet, linkInteger("txqueuelen"), `Invalid "txqueuelen" value`+"\n")
		case "mtu":
			o.mtu, err = onceOf(a, "mtu", &mtuSet, linkInteger("mtu"), `Invalid "mtu" value`+"\n")
		case "netns":
			o.netns, err = onceValue(a, "netns", &netnsSet)
		case "master": // as in ip, the last of master and nomaster counts
			o.master, err = masterWord(a)
			o.nomaster = false
		case "nomaster":
			o.master, o.nomaster = "", true
		case "type":
			if kind, err = a.value(); err == nil && mode == linkModePeer {
				err = errDuparg("type", kind) // the veth's own type came first
			}
			return dev, o, kind, err
		case "alias":
			var v *string
			if v, err = valueOf(a, func(s string) (*string, bool) { return &s, len(s) < 256 }, "alias too long\n"); err == nil {
				o.alias = v // IFALIASZ
			}
		case "multicast", "allmulticast", "promisc", "trailers", "arp", "dynamic":
			var v string
			if v, err = a.value(); err == nil {
				err = linkFlagWord(&o, w, v)
			}
		case "group":
			var g uint32
			if g, err = onceOf(a, "group", &groupSet, parseGroup, `Invalid "group" value`+"\n"); err == nil {
				o.group = &g
			}
		default:
			var handled bool
			if handled, err = linkExtraWord(a, key, mode, &o.x); !handled {
				if matches(w, "help") {
					return dev, o, "", &UsageError{Msg: strings.TrimSuffix(linkHelp, "\n")}
				}
				err = devWord(a, w, &dev, &hasDev, checkDevWord)
			}
		}
		if err != nil {
			return dev, o, "", err
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
		return linkRequest{}, errBadWord(`Not enough information: "type" argument is required`)
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
	r := linkRequest{cmd: "set", dev: dev, opts: o, kind: kind}
	if dev == "" && o.group != nil {
		r.groupSel = true // ip link set group N SETTINGS: every link of group N
	} else if dev == "" {
		return linkRequest{}, usagef(`Not enough information: "dev" argument is required.`)
	}
	if o.x.index != 0 && o.netns == "" {
		return linkRequest{}, usagef("index can be used only when creating devices or when moving device to another netns.")
	}
	if kind != "" && a.more() { // as ip, no kind's settings without words
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
		if w == "group" && !hasDev {
			g, err := valueOf(a, parseGroup, `Invalid "group" value`+"\n")
			if err != nil {
				return r, err
			}
			r.group, r.groupSel = g, true
			continue
		}
		if err := devWord(a, w, &r.dev, &hasDev, checkDevWord); err != nil {
			return r, err
		}
	}
	if r.dev == "" && !r.groupSel {
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
		return &UsageError{Msg: strings.TrimSuffix(linkHelp, "\n")}
	case "show":
		return e.showLinks(ctx, r.show)
	case "add", "replace":
		return e.addLink(ctx, r)
	case "property":
		return e.linkProperty(ctx, r)
	case "set":
		return e.setLink(ctx, r)
	}
	if r.groupSel {
		c, err := e.rt()
		if err != nil {
			return err
		}
		return c.DeleteLinkGroup(ctx, r.group)
	}
	c, idx, err := e.rtLink(ctx, r.dev)
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
	ns, err := openNetNSName(arg)
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

// openNetNSName opens a namespace by its name in /run/netns, or a path.
func openNetNSName(arg string) (*netns.NS, error) {
	if strings.Contains(arg, "/") {
		return netns.OpenPath(arg)
	}
	return netns.Open(arg)
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
	x := &r.opts.x
	// What the create request carries; the rest of the words are applied
	// once the link exists (after).
	l := rtnl.Link{Name: r.dev, Kind: r.kind, Info: r.info, HardwareAddr: r.opts.address, Broadcast: x.broadcast,
		NumTxQueues: x.numTx, NumRxQueues: x.numRx, Index: x.index, ParentDev: x.parentDev}
	after := rtnl.LinkChange{Flags: rtnl.LinkFlags(r.opts.flags), FlagsMask: rtnl.LinkFlags(r.opts.change)}
	if err := e.applyLinkExtra(ctx, x, &after); err != nil {
		return err
	}
	if after.Master != nil { // vrf NAME
		l.Master, after.Master = *after.Master, nil
	}
	// The kernel applies flags, mode, operstate and GSO/GRO sizes when it
	// creates a link, and ignores carrier, protodown and link-netnsid
	// (as it does in ip's request); it refuses an address generation
	// mode, which the library's AddLink cannot send.
	after.Broadcast, after.Carrier, after.ProtoDown, after.ProtoDownReason, after.LinkNetNSID = nil, nil, nil, nil, nil
	if after.AddrGenMode != nil {
		return errors.New("addrgenmode applies to an existing link (the kernel refuses it when creating one): use link set DEV addrgenmode MODE")
	}
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
	add := c.AddLink
	if r.cmd == "replace" {
		add = c.ReplaceLink
	}
	if err := add(ctx, l); err != nil || reflect.ValueOf(after).IsZero() {
		return err
	}
	// What ip sends with the new link and the library's AddLink does not
	// (flags to clear, carrier, protodown, GSO sizes, modes, XDP...),
	// applied once it exists.
	if r.dev == "" || l.NetNS != nil {
		return failf("nl applies arp, multicast, allmulticast, promisc, trailers, dynamic, carrier, protodown, gso/gro sizes, addrgenmode, mode, state, xdp and link-netns to a named link created in this namespace only")
	}
	nl, err := c.LinkByName(ctx, r.dev)
	if err != nil {
		return err
	}
	return c.SetLink(ctx, nl.Index, after)
}

func (e *env) setLink(ctx context.Context, r linkRequest) error {
	o := r.opts
	ch := rtnl.LinkChange{Name: o.name, HardwareAddr: o.address, Up: o.up, TxQueueLen: o.txqlen, Alias: o.alias,
		Flags: rtnl.LinkFlags(o.flags), FlagsMask: rtnl.LinkFlags(o.change), NewIndex: o.x.index}
	if err := e.applyLinkExtra(ctx, &o.x, &ch); err != nil { // ip resolves these while parsing
		return err
	}
	var c *rtnl.Conn
	var idx int32
	var err error
	if r.groupSel {
		c, err = e.rt()
	} else if c, idx, err = e.rtLink(ctx, r.dev); err == nil {
		err = e.checkLLAddrLen(ctx, idx, o.address)
	}
	if err != nil {
		return err
	}
	if !r.groupSel {
		ch.Group = o.group
	}
	if r.slaveData != nil {
		// A port's settings: ip's request, sent first (rtnl.LinkChange
		// has no port settings).
		if err := setBridgePort(ctx, c, idx, r.kind, r.slaveData); err != nil {
			return err
		}
	} else if r.kind != "" {
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
		// As ip: a namespace name (or path) first, else a process id.
		ns, err := openNetNSName(o.netns)
		if err == nil {
			defer ns.Close()
			ch.NetNS = ns
		} else if pid, ok := getInt(o.netns, 32); ok && pid > 0 {
			ch.NetNSPID = int(pid)
		} else {
			return errInvarg(`Invalid "netns" value`+"\n", o.netns)
		}
	}
	if r.groupSel {
		return c.SetLinkGroup(ctx, *o.group, ch)
	}
	return c.SetLink(ctx, idx, ch)
}
