package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/nlkit/nlkit/rtnl"
)

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
	{name: "bridge_slave", parse: parseBridgeSlave, print: printBridgePort},
	{name: "macvlan", parse: parseMacvlan, print: printMacvlan},
	{name: "macvtap", parse: parseMacvlan, print: printMacvlan},
	{name: "vxlan", parse: parseVxlan, resolve: resolveVxlan, print: printVxlan},
	{name: "vlan", parse: parseVlan, print: printVlan},
	{name: "tun", print: printTun},
	{name: "vrf", parse: parseVrf, print: printVrf},
	{name: "ipvlan", parse: parseIpvlan},
	{name: "ipvtap", parse: parseIpvlan},
	{name: "bond", parse: parseBond},
	{name: "geneve", parse: parseGeneve},
	{name: "bareudp", parse: parseBareudp},
	{name: "macsec", parse: parseMacsec}, // kind_macsec.go
}

// lookupLinkKind finds a kind by its exact name.
func lookupLinkKind(name string) *linkKind {
	for _, ks := range [...][]linkKind{linkKinds, tunnelKinds} {
		for i := range ks {
			if ks[i].name == name {
				return &ks[i]
			}
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
	// Interface flags and the group go in the peer's ifinfomsg and
	// attributes, as ip sends them. ip also sends alias and master,
	// which the kernel ignores for a peer (veth_newlink creates it with
	// rtnl_create_link): nl leaves them out, to the same effect.
	v.PeerFlags, v.PeerChange = rtnl.LinkFlags(o.flags), rtnl.LinkFlags(o.change)
	if o.up != nil {
		v.PeerChange |= rtnl.LinkUp
		if *o.up {
			v.PeerFlags |= rtnl.LinkUp
		} else {
			v.PeerFlags &^= rtnl.LinkUp
		}
	}
	v.PeerGroup = o.group
	r.peerMaster = o.master
	r.peerLink, r.hasPeerLink = o.parent, o.hasLink
	return nil
}

// resolveVeth opens the peer's namespace.
func resolveVeth(ctx context.Context, e *env, r *linkRequest) (func(), error) {
	// ip resolves the peer's link and master (and fails on a missing
	// one), though the kernel ignores them for a peer.
	if r.hasPeerLink {
		if _, err := e.linkIndex(ctx, r.peerLink); err != nil {
			return func() {}, err
		}
	}
	if r.peerMaster != "" {
		if _, err := e.masterIndex(ctx, r.peerMaster); err != nil {
			return func() {}, err
		}
	}
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

// bridgeNumbers are the bridge's numeric words: their widths (ip's
// get_u32, get_u16, get_u8) and the settings they set.
var bridgeNumbers = map[string]struct {
	bits int
	set  func(b *rtnl.Bridge, n uint64)
}{
	"forward_delay":     {32, func(b *rtnl.Bridge, n uint64) { b.ForwardDelay = centiseconds(n) }},
	"hello_time":        {32, func(b *rtnl.Bridge, n uint64) { b.HelloTime = centiseconds(n) }},
	"max_age":           {32, func(b *rtnl.Bridge, n uint64) { b.MaxAge = centiseconds(n) }},
	"ageing_time":       {32, func(b *rtnl.Bridge, n uint64) { b.AgeingTime = centiseconds(n) }},
	"stp_state":         {32, func(b *rtnl.Bridge, n uint64) { b.StpState = ptr(uint32(n)) }},
	"priority":          {16, func(b *rtnl.Bridge, n uint64) { b.Priority = ptr(uint16(n)) }},
	"vlan_default_pvid": {16, func(b *rtnl.Bridge, n uint64) { b.VlanDefaultPVID = ptr(uint16(n)) }},
	"vlan_filtering":    {8, func(b *rtnl.Bridge, n uint64) { b.VlanFiltering = ptr(n != 0) }},
	"mcast_snooping":    {8, func(b *rtnl.Bridge, n uint64) { b.MulticastSnooping = ptr(n != 0) }},
}

// centiseconds is a bridge time word's value as a duration.
func centiseconds(n uint64) *time.Duration { return ptr(time.Duration(n) * 10 * time.Millisecond) }

// ptr returns a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

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
		num, ok := bridgeNumbers[w]
		if !ok {
			return errBadWord("bridge: unknown command \"%s\"?\n%s", w, kindUsage("bridge")) // and the kind's usage, as ip
		}
		n, err := valueOf(a, func(v string) (uint64, bool) { return getUint(v, 0, num.bits) }, "invalid "+w)
		if err != nil {
			return err
		}
		num.set(b, n)
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
				return errBadWord(`Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "%s"`, v)
			}
			m.Mode = mode
		case "nopromisc":
			m.Flags |= rtnl.MacvlanNoPromisc
		case "nodst":
			m.Flags |= rtnl.MacvlanNoDst
		default:
			return errBadWord("%s: unknown option \"%s\"?\n%s", r.kind, w, kindUsage(r.kind))
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
	// seen is ip's check_duparg: each attribute once, a second word for
	// it is duparg2's garbage.
	seen := map[string]bool{}
	once := func(attr, key, w string) error {
		if seen[attr] {
			return errDuparg2(key, w)
		}
		seen[attr] = true
		return nil
	}
	value := func(attr, key string) (string, error) {
		w, err := a.value()
		if err == nil {
			err = once(attr, key, w)
		}
		return w, err
	}
	// inet reads the address of group, remote or local, of the other
	// address's family: one that is (group) or is not multicast.
	inet := func(attr, key string, fam Family, multicast bool) (netip.Addr, error) {
		w, err := value(attr, key)
		if err != nil {
			return netip.Addr{}, err
		}
		p, err := getAddr(w, fam)
		if err == nil && (!p.Addr.IsValid() || p.Addr.IsMulticast() != multicast) {
			err = errInvarg("invalid "+key+" address", w)
		}
		return p.Addr, err
	}
	family := func(a netip.Addr) Family {
		if a.IsValid() {
			return familyOf(a)
		}
		return FamilyAny
	}
	boolean := func(p **bool, on bool) { *p = &on }
	// The [no]WORD settings, in ip's order of checks (vxlan_parse_opt):
	// "no" forms first, so that "no" abbreviates nolearning.
	flags := []struct {
		word string
		on   bool
		attr string
		set  func(on bool)
	}{
		{"nolearning", false, "learning", func(on bool) { boolean(&v.Learning, on) }},
		{"learning", true, "learning", func(on bool) { boolean(&v.Learning, on) }},
		{"noproxy", false, "proxy", func(on bool) { boolean(&v.Proxy, on) }},
		{"proxy", true, "proxy", func(on bool) { boolean(&v.Proxy, on) }},
		{"norsc", false, "rsc", func(on bool) { boolean(&v.RSC, on) }},
		{"rsc", true, "rsc", func(on bool) { boolean(&v.RSC, on) }},
		{"nol2miss", false, "l2miss", func(on bool) { boolean(&v.L2Miss, on) }},
		{"l2miss", true, "l2miss", func(on bool) { boolean(&v.L2Miss, on) }},
		{"nol3miss", false, "l3miss", func(on bool) { boolean(&v.L3Miss, on) }},
		{"l3miss", true, "l3miss", func(on bool) { boolean(&v.L3Miss, on) }},
		{"udpcsum", true, "udpcsum", func(on bool) { boolean(&v.UDPChecksum, on) }},
		{"noudpcsum", false, "udpcsum", func(on bool) { boolean(&v.UDPChecksum, on) }},
		{"udp6zerocsumtx", true, "udp6zerocsumtx", func(on bool) { boolean(&v.UDP6ZeroChecksumTx, on) }},
		{"noudp6zerocsumtx", false, "udp6zerocsumtx", func(on bool) { boolean(&v.UDP6ZeroChecksumTx, on) }},
		{"udp6zerocsumrx", true, "udp6zerocsumrx", func(on bool) { boolean(&v.UDP6ZeroChecksumRx, on) }},
		{"noudp6zerocsumrx", false, "udp6zerocsumrx", func(on bool) { boolean(&v.UDP6ZeroChecksumRx, on) }},
		{"remcsumtx", true, "remcsumtx", func(on bool) { boolean(&v.RemoteChecksumTx, on) }},
		{"noremcsumtx", false, "remcsumtx", func(on bool) { boolean(&v.RemoteChecksumTx, on) }},
		{"remcsumrx", true, "remcsumrx", func(on bool) { boolean(&v.RemoteChecksumRx, on) }},
		{"noremcsumrx", false, "remcsumrx", func(on bool) { boolean(&v.RemoteChecksumRx, on) }},
		{"external", true, "external", func(on bool) { boolean(&v.External, on); boolean(&v.Learning, false) }},
		{"noexternal", false, "external", func(on bool) { boolean(&v.External, on) }},
		{"gbp", true, "gbp", func(bool) { v.GBP = true }},
		{"gpe", true, "gpe", func(bool) { v.GPE = true }},
		{"vnifilter", true, "vnifilter", func(on bool) { boolean(&v.VNIFilter, on) }},
		{"novnifilter", false, "vnifilter", func(on bool) { boolean(&v.VNIFilter, on) }},
	}
	for a.more() {
		var err error
		var s string
		// Keywords in ip's order (vxlan_parse_opt), most abbreviable.
		switch w := a.next(); {
		case matches(w, "id") || matches(w, "vni"):
			if s, err = value("id", "id"); err == nil {
				v.VNI, err = parseWord(s, func(s string) (uint32, bool) {
					n, ok := getU32(s)
					return n, ok && n < 1<<24
				}, "invalid id")
			}
		case matches(w, "group") || matches(w, "remote"):
			group := matches(w, "group")
			if v.Remote.IsValid() && v.Remote.IsMulticast() != group {
				return errBadWord("vxlan: both group and remote cannot be specified")
			}
			key := "remote"
			if group {
				key = "group"
			}
			v.Remote, err = inet("group", key, family(v.Local), group)
		case matches(w, "local"):
			v.Local, err = inet("local", "local", family(v.Remote), false)
		case matches(w, "dev"):
			if r.vxlanDev, err = value("dev", "dev"); err == nil && r.vxlanDev == "" {
				// ip looks the device up here and exits with 255; nl
				// does so when the command runs, but the empty name
				// can name no device.
				err = usagef("%s", nodev(""))
			}
		case matches(w, "ttl") || matches(w, "hoplimit"):
			if s, err = value("ttl", "ttl"); err != nil {
				break
			}
			switch s {
			case "inherit":
				v.TTLInherit = true
			case "auto": // TTL 0, the kernel's default
			default:
				n, ok := getU32(s)
				switch {
				case !ok:
					err = errInvarg("invalid TTL", s)
				case n > 255:
					err = errInvarg("TTL must be <= 255", s)
				}
				v.TTL = uint8(n)
			}
		case matches(w, "tos") || matches(w, "dsfield"):
			if s, err = value("tos", "tos"); err == nil {
				v.TOS, err = parseWord(s, func(s string) (uint8, bool) {
					if s == "inherit" {
						return 1, true
					}
					return parseDSField(s)
				}, "bad TOS value")
			}
		case matches(w, "df"):
			if s, err = value("df", "df"); err == nil {
				var df rtnl.VxlanDF
				df, err = parseWord(s, func(s string) (rtnl.VxlanDF, bool) {
					for _, d := range []rtnl.VxlanDF{rtnl.VxlanDFUnset, rtnl.VxlanDFSet, rtnl.VxlanDFInherit} {
						if s == d.String() {
							return d, true
						}
					}
					return 0, false
				}, "DF must be 'unset', 'set' or 'inherit'")
				v.DF = &df
			}
		case matches(w, "label") || matches(w, "flowlabel"):
			if s, err = value("label", "flowlabel"); err == nil {
				var l uint32
				l, err = parseWord(s, func(s string) (uint32, bool) {
					n, ok := getU32(s)
					return n, ok && n < 1<<20
				}, "invalid flowlabel")
				v.FlowLabel = &l
			}
		case matches(w, "ageing"):
			if s, err = value("ageing", "ageing"); err == nil {
				var n uint32
				if s != "none" {
					n, err = parseWord(s, getU32, "ageing timer")
				}
				d := time.Duration(n) * time.Second
				v.Ageing = &d
			}
		case matches(w, "maxaddress"):
			if s, err = value("maxaddress", "maxaddress"); err == nil {
				var n uint32
				if s != "unlimited" {
					n, err = parseWord(s, getU32, "max addresses")
				}
				v.Limit = &n
			}
		case matches(w, "port") || matches(w, "srcport"):
			var lo, hi uint16
			if s, err = value("srcport", "srcport"); err != nil {
				break
			}
			if lo, err = parseWord(s, getU16, "min port"); err != nil {
				break
			}
			if hi, err = valueOf(a, getU16, "max port"); err == nil && (lo != 0 || hi != 0) {
				v.SrcPorts = &rtnl.PortRange{Start: lo, End: hi}
			}
		case matches(w, "dstport"):
			if s, err = value("dstport", "dstport"); err == nil {
				v.Port, err = parseWord(s, getU16, "dst port")
			}
		case matches(w, "help"):
			return errBadWord("%s", kindUsage("vxlan"))
		default:
			i := slices.IndexFunc(flags, func(f struct {
				word string
				on   bool
				attr string
				set  func(on bool)
			}) bool {
				return matches(w, f.word)
			})
			if i < 0 {
				return errBadWord("vxlan: unknown command \"%s\"?\n%s", w, kindUsage("vxlan"))
			}
			if err = once(flags[i].attr, w, w); err == nil {
				flags[i].set(flags[i].on)
			}
		}
		if err != nil {
			return err
		}
	}
	external := v.External != nil && *v.External
	if external && seen["id"] {
		return errBadWord("vxlan: both 'external' and vni cannot be specified")
	}
	if v.VNIFilter != nil && *v.VNIFilter && !external {
		return errBadWord("vxlan: vnifilter is valid only when 'external' is set")
	}
	set := r.cmd == "set"
	if !external && !seen["id"] && !set {
		return usagef("vxlan: missing virtual network identifier")
	}
	if v.Remote.IsMulticast() && r.vxlanDev == "" {
		return errBadWord("vxlan: 'group' requires 'dev' to be specified")
	}
	switch {
	case !seen["dstport"] && v.GPE:
		v.Port = 4790
	case !seen["dstport"] && !set:
		r.warning = vxlanNoPortWarning
	}
	if !set && v.Learning == nil {
		boolean(&v.Learning, true) // ip sends it on adding
	}
	if set && !seen["learning"] {
		v.Learning = nil // the external word's, which ip sends only on adding
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
			return usagef("vlan: unknown command \"%s\"?\n%s", w, kindUsage("vlan"))
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
	on := func(b *bool) bool { return b != nil && *b }
	// In ip 6.1's order (vxlan_print_opt).
	if on(v.External) {
		p.field("external", "external ", true)
		if on(v.VNIFilter) {
			p.field("vnifilter", "vnifilter", true) // no space, as ip
		}
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
	for _, f := range [...]struct {
		word string
		v    *bool
	}{{"proxy", v.Proxy}, {"rsc", v.RSC}, {"l2miss", v.L2Miss}, {"l3miss", v.L3Miss}} {
		if on(f.v) {
			p.field(f.word, f.word+" ", true)
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
	switch {
	case v.TTLInherit:
		p.text("ttl inherit ")
	case v.TTL != 0 || p.json:
		p.field("ttl", "ttl %d ", v.TTL)
	default:
		p.text("ttl auto ")
	}
	if v.DF != nil {
		if *v.DF == rtnl.VxlanDFUnset {
			p.jsonOnly("df", v.DF.String())
		} else {
			p.field("df", "df %s ", v.DF.String())
		}
	}
	if v.FlowLabel != nil && *v.FlowLabel != 0 {
		l := fmt.Sprintf("%#x", *v.FlowLabel)
		p.field("label", "flowlabel %s ", l)
	}
	if v.Ageing != nil {
		if *v.Ageing == 0 {
			p.field("ageing", "ageing none ", 0)
		} else {
			p.field("ageing", "ageing %d ", int64(*v.Ageing/time.Second))
		}
	}
	if v.Limit != nil && *v.Limit != 0 {
		p.field("limit", "maxaddr %d ", *v.Limit)
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
	for _, f := range [...]struct {
		key, word string
		v         *bool
	}{{"remcsum_tx", "remcsumtx", v.RemoteChecksumTx}, {"remcsum_rx", "remcsumrx", v.RemoteChecksumRx}} {
		if on(f.v) {
			p.field(f.key, f.word+" ", true)
		}
	}
	if v.GBP {
		p.field("gbp", "gbp ", true)
	}
	if v.GPE {
		p.field("gpe", "gpe ", true)
	}
}
