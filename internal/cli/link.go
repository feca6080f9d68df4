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

// Usage errors in ip's words, shared by the link and address objects.

func usageIncomplete() error {
	return usagef(`Command line is not complete. Try option "help"`)
}

func usageInvarg(msg, arg string) error {
	return usagef(`Error: argument "%s" is wrong: %s`, arg, msg)
}

func usageDuparg(key, arg string) error {
	return usagef(`Error: duplicate "%s": "%s" is the second value.`, key, arg)
}

func usageDuparg2(key, arg string) error {
	return usagef(`Error: either "%s" is duplicate, or "%s" is a garbage.`, key, arg)
}

// laWords steps through the words of a command, as ip's NEXT_ARG does.
type laWords []string

// next returns the argument of the keyword just read, or ip's "Command
// line is not complete" error.
func (w *laWords) next() (string, error) {
	if len(*w) == 0 {
		return "", usageIncomplete()
	}
	v := (*w)[0]
	*w = (*w)[1:]
	return v, nil
}

// laNextVlanProto reads a VLAN protocol, 802.1Q or 802.1ad in any case;
// another word fails as ip's invarg(msg, word).
func laNextVlanProto(w *laWords, msg string) (rtnl.VlanProtocol, error) {
	v, err := w.next()
	if err != nil {
		return 0, err
	}
	switch {
	case strings.EqualFold(v, "802.1Q"):
		return rtnl.VlanProto8021Q, nil
	case strings.EqualFold(v, "802.1ad"):
		return rtnl.VlanProto8021AD, nil
	}
	return 0, usageInvarg(msg, v)
}

// laNumber parses an unsigned number of bits bits as ip's get_u32 does
// (base 0: decimal, 0x hexadecimal or 0 octal).
func laNumber(s string, bits int) (uint64, bool) {
	n, err := strconv.ParseUint(s, 0, bits)
	return n, err == nil
}

// linkRequest is a parsed link command.
type linkRequest struct {
	cmd  string   // "show", "add", "set", "delete", "help"
	show linkShow // show: the filters
	// dev is the link to set or delete, or the name of the link to add
	// ("" lets the kernel choose).
	dev  string
	opts linkOpts // add, set
	// add: the kind, its settings (nil for kinds without settings) and
	// the names in them that are resolved when the command runs.
	kind      string
	info      rtnl.LinkInfo
	peerNetNS string // veth: peer netns NAME|PID
	vxlanDev  string // vxlan: dev NAME
}

// linkShow are the filters of link show (and of address show).
type linkShow struct {
	dev      string
	hasDev   bool   // dev was given (possibly as "", which selects no link)
	kind     string // type KIND; "bridge_slave" selects ports of bridges
	master   string
	nomaster bool
	up       bool
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
	if len(args) == 0 {
		return linkRequest{cmd: "show"}, nil
	}
	w, rest := args[0], args[1:]
	switch {
	case matches(w, "add"):
		return parseLinkAdd(rest)
	case matches(w, "set") || matches(w, "change"):
		return parseLinkSet(rest)
	case matches(w, "delete"):
		return parseLinkDelete(rest)
	case matches(w, "show") || matches(w, "lst") || matches(w, "list"):
		s, err := parseLinkShow(rest)
		if err != nil {
			return linkRequest{}, err
		}
		if s.dev == "help" {
			return linkRequest{cmd: "help"}, nil
		}
		return linkRequest{cmd: "show", show: s}, nil
	case matches(w, "help"):
		return linkRequest{cmd: "help"}, nil
	}
	return linkRequest{}, usagef(`Command "%s" is unknown, try "nl link help".`, w)
}

// parseLinkShow parses the filters of link show and address show that
// select links.
func parseLinkShow(args []string) (linkShow, error) {
	var s linkShow
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
		var err error
		switch w {
		case "up":
			s.up = true
		case "type":
			s.kind, err = words.next()
		case "master":
			s.master, err = laMaster(&words)
		case "nomaster":
			s.nomaster = true
		default:
			if w == "dev" {
				if w, err = words.next(); err != nil {
					return s, err
				}
			}
			if s.hasDev {
				return s, usageDuparg2("dev", w)
			}
			s.dev, s.hasDev = w, true
		}
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

// laNoMaster is ip's message for a "master" that finds no device. ip's
// text ends in a newline of its own, so an empty line follows it.
const laNoMaster = "Device does not exist\n"

// laMaster reads the word after "master". ip looks the device up right
// there and stops with 255 if there is none; nl looks it up when the
// command runs (masterIndex), except the empty name, which can name no
// device: it fails here, as in ip.
func laMaster(words *laWords) (string, error) {
	v, err := words.next()
	if err == nil && v == "" {
		err = usageInvarg(laNoMaster, v)
	}
	return v, err
}

// laDevWord checks the "dev" word of link add, set and delete (ip's
// check_altifname, and at most ALTIFNAMSIZ-1 bytes).
func laDevWord(w string) error {
	if !validAltIfname(w) || len(w) >= 128 { // ALTIFNAMSIZ
		return usageInvarg(`"dev" not a valid ifname`, w)
	}
	return nil
}

// laParseLLAddr parses a link-layer address as ip's ll_addr_a2n: bytes of
// one or two hex digits separated by colons.
func laParseLLAddr(s string) (net.HardwareAddr, bool) {
	var hw net.HardwareAddr
	for part := range strings.SplitSeq(s, ":") {
		n, err := strconv.ParseUint(part, 16, 8)
		if err != nil || len(part) > 2 {
			return nil, false
		}
		hw = append(hw, byte(n))
	}
	return hw, true
}

// parseLinkOpts parses the generic words of link add, link set or a veth
// peer (ip's iplink_parse), up to "type KIND" (add only): it returns the
// device word, the settings, the kind and the words after it.
func parseLinkOpts(args []string, mode linkMode) (dev string, o linkOpts, kind string, rest []string, err error) {
	words := laWords(args)
	unsupported := func(w string) error {
		return usagef(`Error: "%s" is not supported in "%s".`, w, linkModeNames[mode])
	}
	u32 := func(key, v string, dst **uint32) error {
		if *dst != nil {
			return usageDuparg(key, v)
		}
		n, ok := laNumber(v, 32)
		if !ok {
			return usageInvarg(`Invalid "`+key+`" value`, v)
		}
		n32 := uint32(n)
		*dst = &n32
		return nil
	}
	for len(words) > 0 {
		w, _ := words.next()
		var v string
		// Keywords in ip's order, which decides what abbreviations mean.
		switch {
		case w == "up" || w == "down":
			if mode == linkModePeer {
				return dev, o, "", nil, unsupported(w)
			}
			up := w == "up"
			o.up = &up
		case w == "name":
			if v, err = words.next(); err != nil {
				return
			}
			if o.name != "" {
				return dev, o, "", nil, usageDuparg("name", v)
			}
			if !validIfname(v) {
				return dev, o, "", nil, usageInvarg(`"name" not a valid ifname`, v)
			}
			o.name = v
		case matches(w, "link"):
			if mode != linkModeAdd {
				return dev, o, "", nil, unsupported(w)
			}
			if o.parent, err = words.next(); err != nil {
				return
			}
			o.hasLink = true
		case matches(w, "address"):
			if v, err = words.next(); err != nil {
				return
			}
			hw, ok := laParseLLAddr(v)
			if !ok {
				return dev, o, "", nil, usagef(`"%s" is invalid lladdr.`, v)
			}
			o.address = hw
		case matches(w, "txqueuelen") || w == "qlen" || matches(w, "txqlen"):
			if v, err = words.next(); err != nil {
				return
			}
			if err = u32("txqueuelen", v, &o.txqlen); err != nil {
				return
			}
		case w == "mtu":
			if v, err = words.next(); err != nil {
				return
			}
			if err = u32("mtu", v, &o.mtu); err != nil {
				return
			}
		case w == "netns":
			if v, err = words.next(); err != nil {
				return
			}
			if o.netns != "" {
				return dev, o, "", nil, usageDuparg("netns", v)
			}
			o.netns = v
		case matches(w, "master"):
			if mode == linkModePeer {
				return dev, o, "", nil, unsupported(w)
			}
			if o.master, err = laMaster(&words); err != nil {
				return
			}
		case matches(w, "nomaster"):
			if mode != linkModeSet {
				return dev, o, "", nil, unsupported(w)
			}
			o.nomaster = true
		case matches(w, "type"):
			if mode == linkModePeer {
				return dev, o, "", nil, unsupported(w)
			}
			if kind, err = words.next(); err != nil {
				return
			}
			return dev, o, kind, words, nil
		case matches(w, "alias"):
			if mode == linkModePeer {
				return dev, o, "", nil, unsupported(w)
			}
			if v, err = words.next(); err != nil {
				return
			}
			if len(v) >= 256 { // IFALIASZ
				return dev, o, "", nil, usageInvarg("alias too long", v)
			}
			o.alias = &v
		case w == "group":
			if mode == linkModePeer {
				return dev, o, "", nil, unsupported(w)
			}
			if v, err = words.next(); err != nil {
				return
			}
			if o.group != nil {
				return dev, o, "", nil, usageDuparg("group", v)
			}
			g, ok := uint64(0), v == "default"
			if !ok {
				g, ok = laNumber(v, 32)
			}
			if !ok {
				return dev, o, "", nil, usageInvarg(`Invalid "group" value`, v)
			}
			g32 := uint32(g)
			o.group = &g32
		default:
			if w == "dev" {
				if w, err = words.next(); err != nil {
					return
				}
			}
			if dev != "" {
				return dev, o, "", nil, usageDuparg2("dev", w)
			}
			if err = laDevWord(w); err != nil {
				return
			}
			dev = w
		}
	}
	return dev, o, "", nil, nil
}

func parseLinkAdd(args []string) (linkRequest, error) {
	dev, o, kind, rest, err := parseLinkOpts(args, linkModeAdd)
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
	if err := parseLinkKind(rest, &r); err != nil {
		return linkRequest{}, err
	}
	return r, nil
}

// parseLinkKind parses the words after "type KIND" (r.kind) into r.
func parseLinkKind(rest []string, r *linkRequest) error {
	var err error
	switch kind := r.kind; kind {
	case "veth":
		err = parseVeth(rest, r)
	case "bridge":
		r.info, err = parseBridge(rest)
	case "macvlan", "macvtap":
		r.info, err = parseMacvlan(kind, rest)
	case "vxlan":
		err = parseVxlan(rest, r)
	case "vlan":
		r.info, err = parseVlan(rest)
	default:
		if len(rest) > 0 {
			err = usagef(`Garbage instead of arguments "%s ...". Try "nl link help".`, rest[0])
		}
	}
	return err
}

func parseVeth(args []string, r *linkRequest) error {
	v := &rtnl.Veth{}
	r.info = v
	if len(args) == 0 {
		return nil
	}
	if args[0] != "peer" {
		return usagef(`Error: "peer" is expected rather than "%s".`, args[0])
	}
	dev, o, _, _, err := parseLinkOpts(args[1:], linkModePeer)
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

func parseBridge(args []string) (*rtnl.Bridge, error) {
	b := &rtnl.Bridge{}
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
		var bits int
		switch w {
		case "forward_delay", "hello_time", "max_age", "ageing_time", "stp_state":
			bits = 32
		case "priority", "vlan_default_pvid":
			bits = 16
		case "vlan_filtering", "mcast_snooping":
			bits = 8
		case "vlan_protocol":
			p, err := laNextVlanProto(&words, "invalid vlan_protocol")
			if err != nil {
				return nil, err
			}
			b.VlanProtocol = p
			continue
		default:
			return nil, usagef(`bridge: unknown command "%s"?`, w)
		}
		v, err := words.next()
		if err != nil {
			return nil, err
		}
		n, ok := laNumber(v, bits)
		if !ok {
			return nil, usageInvarg("invalid "+w, v)
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
	return b, nil
}

var laMacvlanModes = map[string]rtnl.MacvlanMode{
	"private": rtnl.MacvlanPrivate, "vepa": rtnl.MacvlanVEPA, "bridge": rtnl.MacvlanBridge,
	"passthru": rtnl.MacvlanPassthru, "source": rtnl.MacvlanSource,
}

func parseMacvlan(kind string, args []string) (*rtnl.Macvlan, error) {
	m := &rtnl.Macvlan{Tap: kind == "macvtap"}
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
		switch w {
		case "mode":
			v, err := words.next()
			if err != nil {
				return nil, err
			}
			mode, ok := laMacvlanModes[v]
			if !ok {
				return nil, usagef(`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "%s"`, v)
			}
			m.Mode = mode
		case "nopromisc":
			m.Flags |= rtnl.MacvlanNoPromisc
		case "nodst":
			m.Flags |= rtnl.MacvlanNoDst
		default:
			return nil, usagef(`%s: unknown option "%s"?`, kind, w)
		}
	}
	return m, nil
}

// laParseAnyAddr parses an IP address as ip's get_addr with family
// AF_UNSPEC.
func laParseAnyAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, usagef(`Error: any valid address is expected rather than "%s".`, s)
	}
	return a, nil
}

func parseVxlan(args []string, r *linkRequest) error {
	v := &rtnl.Vxlan{}
	r.info = v
	var haveID, haveGroup, haveRemote, haveLocal, havePort bool
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
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
		arg, err := words.next()
		if err != nil {
			return err
		}
		switch {
		case matches(w, "id") || matches(w, "vni"):
			if haveID {
				return usageDuparg("id", arg)
			}
			n, ok := laNumber(arg, 32)
			if !ok || n >= 1<<24 {
				return usageInvarg("invalid id", arg)
			}
			v.VNI, haveID = uint32(n), true
		case w == "group" || w == "remote":
			if haveGroup && w == "group" || haveRemote && w == "remote" {
				return usageDuparg(w, arg)
			}
			if haveGroup || haveRemote {
				return usagef("vxlan: both group and remote cannot be specified")
			}
			a, err := laParseAnyAddr(arg)
			if err != nil {
				return err
			}
			if a.IsMulticast() != (w == "group") {
				return usageInvarg("invalid "+w+" address", arg)
			}
			v.Remote = a
			haveGroup, haveRemote = w == "group", w == "remote"
		case w == "local":
			if haveLocal {
				return usageDuparg("local", arg)
			}
			a, err := laParseAnyAddr(arg)
			if err != nil {
				return err
			}
			if a.IsMulticast() {
				return usageInvarg("invalid local address", arg)
			}
			v.Local, haveLocal = a, true
		case w == "dev":
			if r.vxlanDev != "" {
				return usageDuparg("dev", arg)
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
				return usageDuparg("dstport", arg)
			}
			n, ok := laNumber(arg, 16)
			if !ok {
				return usageInvarg("dstport", arg)
			}
			v.Port, havePort = uint16(n), true
		case w == "ttl" || w == "hoplimit":
			if arg != "auto" {
				n, ok := laNumber(arg, 8)
				if !ok {
					return usageInvarg("invalid TTL", arg)
				}
				v.TTL = uint8(n)
			}
		default: // tos, dsfield
			if arg == "inherit" {
				v.TOS = 1
			} else {
				n, err := strconv.ParseUint(strings.TrimPrefix(arg, "0x"), 16, 8)
				if err != nil {
					return usageInvarg("bad TOS value", arg)
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
	return nil
}

func parseVlan(args []string) (*rtnl.Vlan, error) {
	vl := &rtnl.Vlan{}
	haveID := false
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
		switch w {
		case "id":
			v, err := words.next()
			if err != nil {
				return nil, err
			}
			n, ok := laNumber(v, 16)
			if !ok {
				return nil, usageInvarg("id is invalid", v)
			}
			vl.ID, haveID = uint16(n), true
		case "protocol":
			p, err := laNextVlanProto(&words, "protocol is invalid")
			if err != nil {
				return nil, err
			}
			vl.Protocol = p
		default:
			return nil, usagef(`vlan: unknown command "%s"?`, w)
		}
	}
	if !haveID {
		return nil, usagef(`Not enough information: "id" argument is required`)
	}
	return vl, nil
}

func parseLinkSet(args []string) (linkRequest, error) {
	dev, o, kind, rest, err := parseLinkOpts(args, linkModeSet)
	if err != nil {
		return linkRequest{}, err
	}
	if dev == "" {
		return linkRequest{}, usagef(`Not enough information: "dev" argument is required.`)
	}
	if o.master != "" && o.nomaster {
		return linkRequest{}, usageDuparg2("master", "nomaster")
	}
	r := linkRequest{cmd: "set", dev: dev, opts: o, kind: kind}
	if kind != "" {
		if err := parseLinkKind(rest, &r); err != nil {
			return linkRequest{}, err
		}
	}
	return r, nil
}

func parseLinkDelete(args []string) (linkRequest, error) {
	r := linkRequest{cmd: "delete"}
	words := laWords(args)
	for len(words) > 0 {
		w, _ := words.next()
		if w == "type" { // accepted as ip does; the kernel checks nothing
			if _, err := words.next(); err != nil {
				return r, err
			}
			continue
		}
		if w == "dev" {
			var err error
			if w, err = words.next(); err != nil {
				return r, err
			}
		}
		if r.dev != "" {
			return r, usageDuparg2("dev", w)
		}
		if err := laDevWord(w); err != nil {
			return r, err
		}
		r.dev = w
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
		return 0, usageInvarg(laNoMaster, name)
	}
	return idx, err
}

// laOpenNetNS opens the namespace of a "netns" word: a name in /run/netns
// (or a path), else a process id.
func laOpenNetNS(arg string) (*netns.NS, error) {
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
	if pid, perr := strconv.Atoi(arg); perr == nil && pid > 0 {
		if ns, err = netns.OpenPID(pid); err == nil {
			return ns, nil
		}
	}
	return nil, usageInvarg(`Invalid "netns" value`, arg)
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
		ns, err := laOpenNetNS(r.opts.netns)
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
	closeNS, err := e.resolveLinkInfo(ctx, &r)
	defer closeNS()
	if err != nil {
		return err
	}
	return c.AddLink(ctx, l)
}

// resolveLinkInfo opens the namespaces and resolves the links named in
// the kind settings of r; the namespaces are closed with e.
func (e *env) resolveLinkInfo(ctx context.Context, r *linkRequest) (closeNS func(), err error) {
	closeNS = func() {}
	switch info := r.info.(type) {
	case *rtnl.Veth:
		if r.peerNetNS != "" {
			ns, err := laOpenNetNS(r.peerNetNS)
			if err != nil {
				return closeNS, err
			}
			info.PeerNetNS = ns
			closeNS = func() { ns.Close() }
		}
	case *rtnl.Vxlan:
		if r.vxlanDev != "" {
			if info.Device, err = e.linkIndex(ctx, r.vxlanDev); err != nil {
				var fe *failure
				if errors.As(err, &fe) {
					err = usagef("%s", fe.msg) // ip exits from vxlan's parser: 255
				}
				return closeNS, err
			}
		}
	}
	return closeNS, nil
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
	ch := rtnl.LinkChange{Name: o.name, HardwareAddr: o.address, Up: o.up, TxQueueLen: o.txqlen, Alias: o.alias, Group: o.group}
	if r.kind != "" {
		closeNS, err := e.resolveLinkInfo(ctx, &r)
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
		if *o.mtu == 0 {
			return usageInvarg(`Invalid "mtu" value`, "0")
		}
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
		ns, err := laOpenNetNS(o.netns)
		if err != nil {
			return err
		}
		defer ns.Close()
		ch.NetNS = ns
	}
	return c.SetLink(ctx, idx, ch)
}

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
func (e *env) selectLinks(ctx context.Context, s linkShow) ([]linkView, error) {
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
		var l rtnl.Link
		var err error = syscall.ENODEV // the empty name: no device has it
		if s.dev != "" {
			l, err = c.LinkByName(ctx, s.dev)
		}
		if errors.Is(err, syscall.ENODEV) {
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
	views, err := e.selectLinks(ctx, s)
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

// laLLAddr formats a link-layer address as ip's ll_addr_n2a.
func laLLAddr(a net.HardwareAddr, t rtnl.LinkType) string {
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
			p.field("address", "%s", laLLAddr(l.HardwareAddr, l.Type))
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnl.LinkPointToPoint != 0 {
				p.text(" peer ")
				p.jsonOnly("link_pointtopoint", true)
			} else {
				p.text(" brd ")
			}
			p.field("broadcast", "%s", laLLAddr(l.Broadcast, l.Type))
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
			e.printLinkInfo(ctx, p.nested("linkinfo"), l)
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

// printLinkInfo prints the kind and port settings (ip -d's linkinfo).
func (e *env) printLinkInfo(ctx context.Context, p *printer, l *rtnl.Link) {
	if l.Kind != "" {
		p.text("\n")
		p.field("info_kind", "    %s ", l.Kind)
		switch info := l.Info.(type) {
		case *rtnl.Bridge:
			printBridge(p.nested("info_data"), info)
		case *rtnl.Macvlan:
			printMacvlan(p.nested("info_data"), info)
		case *rtnl.Vxlan:
			e.printVxlan(ctx, p.nested("info_data"), info)
		case *rtnl.Vlan:
			d := p.nested("info_data")
			if info.Protocol != 0 {
				d.field("protocol", "protocol %s ", info.Protocol.String())
			}
			d.field("id", "id %d ", info.ID)
		}
	}
	if l.Port != nil {
		p.text("\n")
		p.field("info_slave_kind", "    %s_slave ", l.Port.PortKind())
		if bp, ok := l.Port.(*rtnl.BridgePort); ok {
			e.printBridgePort(ctx, p.nested("info_slave_data"), bp)
		}
	}
}

// laTimer prints a bridge timer as ip's _print_timer: seconds with two
// decimals, a number in JSON.
func laTimer(p *printer, key string, d time.Duration) {
	cs := int64(d / (10 * time.Millisecond))
	p.jsonOnly(key, json.Number(fmt.Sprintf("%d.%02d", cs/100, cs%100)))
	p.text("%s %4d.%02d ", key, cs/100, cs%100)
}

// laHex is iproute2's print_0xhex: "%#llx", so 0 is "0".
func laHex(n uint64) string {
	if n == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", n)
}

func printBridge(p *printer, b *rtnl.Bridge) {
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
			laTimer(p, t.key, *t.d)
		}
	}
	num("vlan_default_pvid", "vlan_default_pvid", b.VlanDefaultPVID)
	flag("vlan_stats_enabled", b.VlanStatsEnabled)
	flag("vlan_stats_per_port", b.VlanStatsPerPort)
	if b.GroupFwdMask != nil {
		p.field("group_fwd_mask", "group_fwd_mask %s ", laHex(uint64(*b.GroupFwdMask)))
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

// laFwdMaskNames are ip's names of group_fwd_mask bits.
var laFwdMaskNames = map[int]string{0: "stp", 2: "lacp", 14: "lldp"}

// printBridgePort prints bridge port settings as ip's
// bridge_slave_print_opt.
func (e *env) printBridgePort(ctx context.Context, d *printer, bp *rtnl.BridgePort) {
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
	d.field("id", "port_id %s ", laHex(uint64(bp.ID)))
	d.field("no", "port_no %s ", laHex(uint64(bp.No)))
	d.field("designated_port", "designated_port %d ", bp.DesignatedPort)
	d.field("designated_cost", "designated_cost %d ", bp.DesignatedCost)
	d.field("bridge_id", "designated_bridge %s ", bp.DesignatedBridge.String())
	d.field("root_id", "designated_root %s ", bp.DesignatedRoot.String())
	laTimer(d, "hold_timer", bp.HoldTimer)
	laTimer(d, "message_age_timer", bp.MessageAgeTimer)
	laTimer(d, "forward_delay_timer", bp.ForwardDelayTimer)
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
	d.field("group_fwd_mask", "group_fwd_mask %s ", laHex(uint64(bp.GroupFwdMask)))
	var names []string
	for i := range 16 {
		if bp.GroupFwdMask&(1<<i) == 0 {
			continue
		}
		if n, ok := laFwdMaskNames[i]; ok {
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

func printMacvlan(p *printer, m *rtnl.Macvlan) {
	if m.Mode == 0 {
		return
	}
	mode := m.Mode.String()
	if _, known := laMacvlanModes[mode]; !known {
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

func (e *env) printVxlan(ctx context.Context, p *printer, v *rtnl.Vxlan) {
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
