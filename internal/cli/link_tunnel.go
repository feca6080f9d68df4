package cli

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/rtnl"
)

// The tunnel kinds of link add|set ... type KIND: gre, gretap, erspan,
// ip6gre, ip6gretap, ip6erspan, ipip, sit, ip6tnl, vti, vti6, xfrm. Their
// words are ip 6.1's (link_gre.c, link_gre6.c, link_iptnl.c,
// link_ip6tnl.c, link_vti.c, link_vti6.c, link_xfrm.c), and so is the
// request: ip sends the whole parameter set of a tunnel, with its
// defaults, because the kernel resets on a change what is not sent; on
// link set it reads the tunnel first and changes what the words say. nl
// does the same with the typed kinds of package rtnl (rtnl.Gre,
// rtnl.IPTunnel, rtnl.Vti, rtnl.Xfrm), attribute for attribute
// (TestTunnelEncodersLikeIP).

// tunnelKinds are the tunnel entries of the kind table (lookupLinkKind).
var tunnelKinds = func() []linkKind {
	var ks []linkKind
	for _, name := range []string{"gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan", "ipip", "sit", "ip6tnl",
		"vti", "vti6", "xfrm"} {
		ks = append(ks, linkKind{name: name, parse: parseTunnelKind, resolve: resolveTunnelKind, print: printTunnelKind})
	}
	return ks
}()

// tunnelFamily groups the kinds that share ip's parser.
type tunnelFamily int

const (
	famGre    tunnelFamily = iota // gre, gretap, erspan
	famGre6                       // ip6gre, ip6gretap, ip6erspan
	famIptun                      // ipip, sit
	famIp6tnl                     // ip6tnl
	famVti                        // vti
	famVti6                       // vti6
	famXfrm                       // xfrm
)

func tunnelFamilyOf(kind string) tunnelFamily {
	switch kind {
	case "ip6gre", "ip6gretap", "ip6erspan":
		return famGre6
	case "ipip", "sit":
		return famIptun
	case "ip6tnl":
		return famIp6tnl
	case "vti":
		return famVti
	case "vti6":
		return famVti6
	case "xfrm":
		return famXfrm
	}
	return famGre
}

// six reports whether the family's addresses are IPv6.
func (f tunnelFamily) six() bool { return f == famGre6 || f == famIp6tnl || f == famVti6 }

// tunnelArgs are the tunnel words of a link request, applied when the
// command runs (on the tunnel's current settings for link set).
type tunnelArgs struct {
	words []string
}

// GRE flags and IPv6 tunnel flags, as ip's variables hold them.
const (
	greKey  = uint16(rtnl.GreKey)
	greSeq  = uint16(rtnl.GreSeq)
	greCsum = uint16(rtnl.GreCsum)

	ip6IgnEncapLimit  = uint32(rtnl.IP6TunnelIgnoreEncapLimit)
	ip6OrigTClass     = uint32(rtnl.IP6TunnelUseOrigTClass)
	ip6OrigFlowLabel  = uint32(rtnl.IP6TunnelUseOrigFlowLabel)
	ip6RcvDscpCopy    = uint32(rtnl.IP6TunnelRcvDscpCopy)
	ip6OrigFwmark     = uint32(rtnl.IP6TunnelUseOrigFwmark)
	ip6AllowLocalRmt  = uint32(rtnl.IP6TunnelAllowLocalRemote)
	ip6FlowLabelMask  = rtnl.IP6TunnelFlowLabelMask
	ip6TClassMask     = rtnl.IP6TunnelTClassMask
	encapCsum         = uint16(rtnl.TunnelEncapCsum)
	encapCsum6        = uint16(rtnl.TunnelEncapCsum6)
	encapRemCsum      = uint16(rtnl.TunnelEncapRemCsum)
	ipprotoIPIP       = 4
	ipprotoIPv6       = 41
	ipprotoMPLS       = 137
	defaultTnlHopLim  = 64
	defaultEncapLimit = 4
)

// tunnelState holds ip's variables for one tunnel, its defaults first,
// then what the kernel reports (link set), then what the words say.
type tunnelState struct {
	kind string
	fam  tunnelFamily

	iflags, oflags uint16
	ikey, okey     uint32 // host values of the big-endian keys
	saddr, daddr   netip.Addr
	link           int32
	linkName       string // dev NAME, looked up when the command runs
	pmtudisc       uint8
	ttl, tos       uint8
	ignoreDF       uint8 // 0 not given, 1 ignore-df, 2 noignore-df
	encapType      uint16
	encapFlags     uint16
	encapSport     uint16
	encapDport     uint16
	metadata       bool
	fwmark         uint32
	erspanIdx      uint32
	erspanVer      uint8
	erspanDir      uint8
	erspanHwid     uint16
	encapLimit     uint8
	flowinfo       uint32 // host value of the big-endian flow information
	flags          uint32 // IP6_TNL_F_*, or sit's SIT_ISATAP
	proto          uint8
	prefix6rd      netip.Prefix
	relay6rd       netip.Prefix
	ifID           uint32
}

// newTunnelState is ip's defaults for kind.
func newTunnelState(kind string) *tunnelState {
	s := &tunnelState{kind: kind, fam: tunnelFamilyOf(kind), pmtudisc: 1, erspanVer: 1}
	if s.fam == famGre6 || s.fam == famIp6tnl {
		s.ttl, s.encapLimit, s.encapFlags = defaultTnlHopLim, defaultEncapLimit, encapCsum6
	}
	return s
}

// errNoTunnelInfo is ip's message when link set finds no tunnel settings
// to start from.
func errNoTunnelInfo() error { return failf("Failed to get existing tunnel info.") }

// load takes the settings the kernel reports for the tunnel (link set).
func (s *tunnelState) load(info rtnl.LinkInfo) error {
	deref8 := func(dst *uint8, v *uint8) {
		if v != nil {
			*dst = *v
		}
	}
	deref32 := func(dst *uint32, v *uint32) {
		if v != nil {
			*dst = *v
		}
	}
	encap := func(t rtnl.TunnelEncap) {
		if t.Type != nil {
			s.encapType = uint16(*t.Type)
		}
		if t.Flags != nil {
			s.encapFlags = uint16(*t.Flags)
		}
		if t.SrcPort != nil {
			s.encapSport = *t.SrcPort
		}
		if t.DstPort != nil {
			s.encapDport = *t.DstPort
		}
	}
	switch v := info.(type) {
	case *rtnl.Gre:
		if *v == (rtnl.Gre{Kind: v.Kind}) {
			return errNoTunnelInfo()
		}
		s.saddr, s.daddr = v.Local, v.Remote
		deref32(&s.ikey, v.IKey)
		deref32(&s.okey, v.OKey)
		if v.IFlags != nil {
			s.iflags = uint16(*v.IFlags)
		}
		if v.OFlags != nil {
			s.oflags = uint16(*v.OFlags)
		}
		if v.PMTUDisc != nil {
			s.pmtudisc = linkBoolU8(*v.PMTUDisc)
		}
		if v.IgnoreDF != nil && *v.IgnoreDF {
			s.ignoreDF = 1
		}
		deref8(&s.tos, v.TOS)
		deref8(&s.ttl, v.TTL)
		if v.Device != nil {
			s.link = *v.Device
		}
		deref8(&s.encapLimit, v.EncapLimit)
		deref32(&s.flowinfo, v.FlowInfo)
		if v.Flags != nil {
			s.flags = uint32(*v.Flags)
		}
		encap(v.Encap)
		s.metadata = v.External
		deref32(&s.fwmark, v.Fwmark)
		deref32(&s.erspanIdx, v.ErspanIndex)
		deref8(&s.erspanVer, v.ErspanVersion)
		deref8(&s.erspanDir, v.ErspanDir)
		if v.ErspanHwID != nil {
			s.erspanHwid = *v.ErspanHwID
		}
	case *rtnl.IPTunnel:
		if *v == (rtnl.IPTunnel{Kind: v.Kind}) {
			return errNoTunnelInfo()
		}
		s.saddr, s.daddr = v.Local, v.Remote
		if v.SixRDPrefix.IsValid() {
			s.prefix6rd = netip.PrefixFrom(v.SixRDPrefix, int(deref16(v.SixRDPrefixLen)))
		}
		if v.SixRDRelayPrefix.IsValid() {
			s.relay6rd = netip.PrefixFrom(v.SixRDRelayPrefix, int(deref16(v.SixRDRelayPrefixLen)))
		}
		deref8(&s.ttl, v.TTL)
		if v.PMTUDisc != nil {
			s.pmtudisc = linkBoolU8(*v.PMTUDisc)
		}
		deref8(&s.tos, v.TOS)
		deref8(&s.encapLimit, v.EncapLimit)
		deref32(&s.flowinfo, v.FlowInfo)
		deref32(&s.flags, v.Flags)
		if v.Device != nil {
			s.link = *v.Device
		}
		deref8(&s.proto, v.Proto)
		encap(v.Encap)
		s.metadata = v.External
		deref32(&s.fwmark, v.Fwmark)
	case *rtnl.Vti:
		if *v == (rtnl.Vti{Kind: v.Kind}) {
			return errNoTunnelInfo()
		}
		s.saddr, s.daddr = v.Local, v.Remote
		deref32(&s.ikey, v.IKey)
		deref32(&s.okey, v.OKey)
		if v.Device != nil {
			s.link = *v.Device
		}
		deref32(&s.fwmark, v.Fwmark)
	default:
		return errNoTunnelInfo()
	}
	return nil
}

func deref16(v *uint16) uint16 {
	if v == nil {
		return 0
	}
	return *v
}

func linkBoolU8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// tunnelKey is ip's tnl_parse_key: a dotted quad taken as the key's four
// bytes, or an unsigned number.
func tunnelKey(name, w string) (uint32, error) {
	if strings.Contains(w, ".") {
		p, ok := parseAddr(w, FamilyInet)
		if !ok || !p.Addr.Is4() {
			return 0, errBadWord(`Error: an IP address is expected rather than "%s"`, w)
		}
		b := p.Addr.As4()
		return binary.BigEndian.Uint32(b[:]), nil
	}
	n, ok := getUint(w, 0, 32)
	if !ok {
		return 0, usagef(`invalid value for "%s": "%s"; it should be an unsigned integer`, name, w)
	}
	return uint32(n), nil
}

// addr is ip's get_addr of an endpoint: an address of the kind's
// family; "any" and the unspecified address are no address.
func (s *tunnelState) addr(w string) (netip.Addr, error) {
	fam := FamilyInet
	if s.fam.six() {
		fam = FamilyInet6
	}
	p, err := getAddr(w, fam)
	if err != nil || !p.Addr.IsValid() || p.Addr.IsUnspecified() {
		return netip.Addr{}, err
	}
	return p.Addr, nil
}

// apply reads the kind's words into s, as ip's parse_opt loop.
func (s *tunnelState) apply(words []string) error {
	a := wordsOf(words)
	for a.more() {
		w := a.next()
		var err error
		switch s.fam {
		case famGre, famGre6:
			err = s.greWord(a, w)
		case famIptun, famIp6tnl:
			err = s.iptunWord(a, w)
		case famVti, famVti6:
			err = s.vtiWord(a, w)
		case famXfrm:
			err = s.xfrmWord(a, w)
		}
		if err != nil {
			return err
		}
	}
	return s.check()
}

// errUsage is an unknown word: the kind's usage, exit status 1.
func (s *tunnelState) errUsage() error { return errBadWord("%s", kindUsage(s.kind)) }

// encapWord reads the words of the UDP encapsulation shared by the GRE
// and IP tunnels; false if w is not one of them.
func (s *tunnelState) encapWord(a *words, w string) (bool, error) {
	var err error
	switch w {
	case "noencap":
		s.encapType = 0
	case "encap":
		var v string
		if v, err = a.value(); err != nil {
			break
		}
		switch v {
		case "fou":
			s.encapType = uint16(rtnl.TunnelEncapFOU)
		case "gue":
			s.encapType = uint16(rtnl.TunnelEncapGUE)
		case "none":
			s.encapType = 0
		default:
			err = errInvarg("Invalid encap type.", v)
		}
	case "encap-sport":
		var v string
		if v, err = a.value(); err != nil || v == "auto" {
			s.encapSport = 0
			break
		}
		s.encapSport, err = parseWord(v, getU16, "Invalid source port.")
	case "encap-dport":
		s.encapDport, err = valueOf(a, getU16, "Invalid destination port.")
	case "encap-csum":
		s.encapFlags |= encapCsum
	case "noencap-csum":
		s.encapFlags &^= encapCsum
	case "encap-udp6-csum":
		s.encapFlags |= encapCsum6
	case "noencap-udp6-csum":
		s.encapFlags &^= encapCsum6
	case "encap-remcsum":
		s.encapFlags |= encapRemCsum
	case "noencap-remcsum":
		s.encapFlags &^= encapRemCsum
	case "external":
		s.metadata = true
	default:
		return false, nil
	}
	return true, err
}

// ip6Word reads the IPv6 words shared by ip6gre and ip6tnl: tclass,
// flowlabel, dscp, fwmark, [no]allow-localremote, encaplimit; false if w
// is not one of them.
func (s *tunnelState) ip6Word(a *words, w string, tclassWord bool) (bool, error) {
	var err error
	switch {
	case tclassWord:
		v, verr := a.value()
		if verr != nil {
			return true, verr
		}
		s.flowinfo &^= ip6TClassMask
		if v == "inherit" {
			s.flags |= ip6OrigTClass
			break
		}
		n, ok := getUint(v, 16, 8)
		if !ok {
			return true, errInvarg("invalid TClass", v)
		}
		s.flowinfo |= uint32(n) << 20 & ip6TClassMask
		s.flags &^= ip6OrigTClass
	case w == "flowlabel" || w == "fl":
		v, verr := a.value()
		if verr != nil {
			return true, verr
		}
		s.flowinfo &^= ip6FlowLabelMask
		if v == "inherit" {
			s.flags |= ip6OrigFlowLabel
			break
		}
		n, ok := getUint(v, 16, 32)
		if !ok || n > 0xfffff {
			return true, errInvarg("invalid Flowlabel", v)
		}
		s.flowinfo |= uint32(n) & ip6FlowLabelMask
		s.flags &^= ip6OrigFlowLabel
	case w == "dscp":
		v, verr := a.value()
		if verr != nil {
			return true, verr
		}
		if v != "inherit" {
			return true, errInvarg("not inherit", v)
		}
		s.flags |= ip6RcvDscpCopy
	case w == "fwmark":
		v, verr := a.value()
		if verr != nil {
			return true, verr
		}
		if v == "inherit" {
			s.flags |= ip6OrigFwmark
			s.fwmark = 0
			break
		}
		s.fwmark, err = parseWord(v, getU32, "invalid fwmark\n")
		s.flags &^= ip6OrigFwmark
	case w == "allow-localremote":
		s.flags |= ip6AllowLocalRmt
	case w == "noallow-localremote":
		s.flags &^= ip6AllowLocalRmt
	case w == "encaplimit":
		v, verr := a.value()
		if verr != nil {
			return true, verr
		}
		if v == "none" {
			s.flags |= ip6IgnEncapLimit
			break
		}
		s.encapLimit, err = parseWord(v, getU8, "invalid ELIM")
		s.flags &^= ip6IgnEncapLimit
	default:
		return false, nil
	}
	return true, err
}

// ttlValue reads a TTL or hop limit: inherit is 0.
func ttlValue(a *words, msg string) (uint8, error) {
	v, err := a.value()
	if err != nil || v == "inherit" {
		return 0, err
	}
	return parseWord(v, getU8, msg)
}

// tosValue reads a TOS: inherit is 1, else ip's rtnl_dsfield_a2n.
func tosValue(a *words) (uint8, error) {
	v, err := a.value()
	if err != nil {
		return 0, err
	}
	if v == "inherit" {
		return 1, nil
	}
	return parseWord(v, parseDSField, "bad TOS value")
}

// greWord is one word of link_gre.c's and link_gre6.c's gre_parse_opt.
func (s *tunnelState) greWord(a *words, w string) error {
	var err error
	six := s.fam == famGre6
	erspan := strings.HasSuffix(s.kind, "erspan")
	// [no][i|o]{key,seq,csum}: ip's matches() of each, in its order.
	type flagWord struct {
		word      string
		in, out   bool
		bit       uint16
		on, value bool
	}
	for _, f := range [...]flagWord{
		{"key", true, true, greKey, true, true}, {"nokey", true, true, greKey, false, false},
		{"ikey", true, false, greKey, true, true}, {"noikey", true, false, greKey, false, false},
		{"okey", false, true, greKey, true, true}, {"nookey", false, true, greKey, false, false},
		{"seq", true, true, greSeq, true, false}, {"noseq", true, true, greSeq, false, false},
		{"iseq", true, false, greSeq, true, false}, {"noiseq", true, false, greSeq, false, false},
		{"oseq", false, true, greSeq, true, false}, {"nooseq", false, true, greSeq, false, false},
		{"csum", true, true, greCsum, true, false}, {"nocsum", true, true, greCsum, false, false},
		{"icsum", true, false, greCsum, true, false}, {"noicsum", true, false, greCsum, false, false},
		{"ocsum", false, true, greCsum, true, false}, {"noocsum", false, true, greCsum, false, false},
	} {
		if !matches(w, f.word) {
			continue
		}
		var key uint32
		if f.value {
			v, err := a.value()
			if err != nil {
				return err
			}
			if key, err = tunnelKey(f.word, v); err != nil {
				return err
			}
		}
		set := func(flags *uint16, k *uint32) {
			if f.on {
				*flags |= f.bit
			} else {
				*flags &^= f.bit
			}
			if f.bit == greKey {
				*k = key
			}
		}
		if f.in {
			set(&s.iflags, &s.ikey)
		}
		if f.out {
			set(&s.oflags, &s.okey)
		}
		return nil
	}
	switch {
	case !six && matches(w, "nopmtudisc"):
		s.pmtudisc = 0
	case !six && matches(w, "pmtudisc"):
		s.pmtudisc = 1
	case matches(w, "remote"):
		var v string
		if v, err = a.value(); err == nil {
			s.daddr, err = s.addr(v)
		}
	case matches(w, "local"):
		var v string
		if v, err = a.value(); err == nil {
			s.saddr, err = s.addr(v)
		}
	case matches(w, "dev"):
		s.linkName, err = a.value()
	case matches(w, "ttl") || matches(w, "hoplimit") || matches(w, "hlim"):
		msg := "invalid TTL\n"
		if six {
			msg = "invalid HLIM\n"
		}
		s.ttl, err = ttlValue(a, msg)
	case !six && (matches(w, "tos") || matches(w, "tclass") || matches(w, "dsfield")):
		s.tos, err = tosValue(a)
	case six && (matches(w, "tos") || matches(w, "tclass") || matches(w, "dsfield")):
		_, err = s.ip6Word(a, w, true)
	default:
		if ok, eerr := s.encapWord(a, w); ok {
			return eerr
		}
		if six {
			if ok, eerr := s.ip6Word(a, w, false); ok {
				return eerr
			}
		}
		switch {
		case !six && w == "ignore-df":
			s.ignoreDF = 1
		case !six && w == "noignore-df":
			s.ignoreDF = 2
		case !six && w == "fwmark":
			s.fwmark, err = valueOf(a, getU32, "invalid fwmark\n")
		case (six || erspan) && w == "erspan":
			var n uint32
			if n, err = valueOf(a, getU32, "invalid erspan index\n"); err == nil && (n >= 1<<20 || n == 0) {
				err = errInvarg("erspan index must be > 0 and <= 20-bit\n", a.w[a.i-1])
			}
			s.erspanIdx = n
		case (six || erspan) && w == "erspan_ver":
			var n uint8
			if n, err = valueOf(a, getU8, "invalid erspan version\n"); err == nil && n > 2 {
				err = errInvarg("erspan version must be 0/1/2\n", a.w[a.i-1])
			}
			s.erspanVer = n
		case (six || erspan) && w == "erspan_dir":
			var v string
			if v, err = a.value(); err != nil {
				break
			}
			switch {
			case matches(v, "ingress"):
				s.erspanDir = 0
			case matches(v, "egress"):
				s.erspanDir = 1
			default:
				err = errInvarg("Invalid erspan direction.", v)
			}
		case (six || erspan) && w == "erspan_hwid":
			s.erspanHwid, err = valueOf(a, getU16, "invalid erspan hwid\n")
		default:
			return s.errUsage()
		}
	}
	return err
}

// iptunWord is one word of link_iptnl.c's and link_ip6tnl.c's parsers.
func (s *tunnelState) iptunWord(a *words, w string) error {
	var err error
	six := s.fam == famIp6tnl
	sit := s.kind == "sit"
	switch {
	case w == "mode":
		var v string
		if v, err = a.value(); err != nil {
			return err
		}
		switch {
		case six && (v == "ipv6/ipv6" || v == "ip6ip6"):
			s.proto = ipprotoIPv6
		case six && (v == "ip/ipv6" || v == "ipv4/ipv6" || v == "ipip6" || v == "ip4ip6"):
			s.proto = ipprotoIPIP
		case six && (v == "any/ipv6" || v == "any"):
			s.proto = 0
		case !six && sit && (v == "ipv6/ipv4" || v == "ip6ip"):
			s.proto = ipprotoIPv6
		case !six && (v == "ipv4/ipv4" || v == "ipip" || v == "ip4ip4"):
			s.proto = ipprotoIPIP
		case !six && (v == "mpls/ipv4" || v == "mplsip"):
			s.proto = ipprotoMPLS
		case !six && (v == "any/ipv4" || v == "any"):
			s.proto = 0
		default:
			err = errInvarg("Cannot guess tunnel mode.", v)
		}
	case w == "remote":
		var v string
		if v, err = a.value(); err == nil {
			s.daddr, err = s.addr(v)
		}
	case w == "local":
		var v string
		if v, err = a.value(); err == nil {
			s.saddr, err = s.addr(v)
		}
	case matches(w, "dev"):
		s.linkName, err = a.value()
	case w == "ttl" || w == "hoplimit" || w == "hlim":
		msg := "invalid TTL\n"
		if six {
			msg = "invalid HLIM\n"
		}
		s.ttl, err = ttlValue(a, msg)
	case six && (w == "tos" || w == "tclass" || w == "tc" || matches(w, "dsfield")):
		_, err = s.ip6Word(a, w, true)
	case !six && (w == "tos" || w == "tclass" || w == "tc" || matches(w, "dsfield")):
		s.tos, err = tosValue(a)
	case !six && w == "nopmtudisc":
		s.pmtudisc = 0
	case !six && w == "pmtudisc":
		s.pmtudisc = 1
	case sit && w == "isatap":
		s.flags |= rtnl.SitISATAP
	case !six && w == "6rd-prefix":
		var v string
		if v, err = a.value(); err != nil {
			break
		}
		var p inet
		if p, err = getPrefix(v, FamilyInet6); err == nil {
			s.prefix6rd = p.Prefix()
		}
	case !six && w == "6rd-relay_prefix":
		var v string
		if v, err = a.value(); err != nil {
			break
		}
		var p inet
		if p, err = getPrefix(v, FamilyInet); err == nil {
			s.relay6rd = p.Prefix()
		}
	case !six && w == "6rd-reset":
		// ip 6.1 crashes here (its relay prefix is left without an
		// address); nl does what the word means: the default 6rd
		// prefix, no relay prefix.
		s.prefix6rd = netip.MustParsePrefix("2002::/16")
		s.relay6rd = netip.Prefix{}
	case !six && w == "fwmark":
		s.fwmark, err = valueOf(a, getU32, "invalid fwmark\n")
	default:
		if ok, eerr := s.encapWord(a, w); ok {
			return eerr
		}
		if six {
			if ok, eerr := s.ip6Word(a, w, false); ok {
				return eerr
			}
		}
		return s.errUsage()
	}
	return err
}

// vtiWord is one word of link_vti.c's and link_vti6.c's parsers.
func (s *tunnelState) vtiWord(a *words, w string) error {
	var err error
	var v string
	switch {
	case matches(w, "key"), matches(w, "ikey"), matches(w, "okey"):
		name := "key"
		switch {
		case matches(w, "key"):
		case matches(w, "ikey"):
			name = "ikey"
		default:
			name = "okey"
		}
		if v, err = a.value(); err != nil {
			return err
		}
		var k uint32
		if k, err = tunnelKey(name, v); err != nil {
			return err
		}
		if name != "okey" {
			s.ikey = k
		}
		if name != "ikey" {
			s.okey = k
		}
	case matches(w, "remote"):
		if v, err = a.value(); err == nil {
			s.daddr, err = s.addr(v)
		}
	case matches(w, "local"):
		if v, err = a.value(); err == nil {
			s.saddr, err = s.addr(v)
		}
	case matches(w, "dev"):
		s.linkName, err = a.value()
	case w == "fwmark":
		s.fwmark, err = valueOf(a, getU32, "invalid fwmark\n")
	default:
		return s.errUsage()
	}
	return err
}

// xfrmWord is one word of link_xfrm.c's parser.
func (s *tunnelState) xfrmWord(a *words, w string) error {
	var err error
	switch {
	case matches(w, "dev"):
		s.linkName, err = a.value()
	case matches(w, "if_id"):
		var v string
		if v, err = a.value(); err != nil {
			return err
		}
		n, ok := getU32(v)
		if !ok || n == 0 {
			return errInvarg("if_id value is invalid", v)
		}
		s.ifID = n
	case w == "external":
		s.metadata = true
	default:
		return s.errUsage()
	}
	return err
}

// check is what ip checks after the words.
func (s *tunnelState) check() error {
	switch s.fam {
	case famGre:
		if s.daddr.Is4() && s.daddr.IsMulticast() {
			b := s.daddr.As4()
			key := binary.BigEndian.Uint32(b[:])
			if s.ikey == 0 {
				s.ikey, s.iflags = key, s.iflags|greKey
			}
			if s.okey == 0 {
				s.okey, s.oflags = key, s.oflags|greKey
			}
			if !s.saddr.IsValid() {
				return errBadWord("A broadcast tunnel requires a source address.")
			}
		}
	case famXfrm:
		switch {
		case s.metadata && (s.ifID != 0 || s.linkName != ""):
			return errBadWord("xfrmi: both 'external' and if_id/link cannot be specified")
		case !s.metadata && s.ifID == 0:
			return errMissarg("IF_ID")
		}
	case famIptun:
		if s.ttl != 0 && s.pmtudisc == 0 {
			return usagef("ttl != 0 and nopmtudisc are incompatible")
		}
	}
	return nil
}

// info is the request ip sends for s: its attributes, in the typed kind.
func (s *tunnelState) info() rtnl.LinkInfo {
	encap := rtnl.TunnelEncap{Type: ptr(rtnl.TunnelEncapType(s.encapType)), Flags: ptr(rtnl.TunnelEncapFlags(s.encapFlags)),
		SrcPort: ptr(s.encapSport), DstPort: ptr(s.encapDport)}
	var dev *int32
	if s.link != 0 {
		dev = ptr(s.link)
	}
	switch s.fam {
	case famGre, famGre6:
		g := &rtnl.Gre{Kind: s.kind}
		if s.metadata {
			g.External = true
			return g
		}
		g.IKey, g.OKey = ptr(s.ikey), ptr(s.okey)
		g.IFlags, g.OFlags = ptr(rtnl.GreFlags(s.iflags)), ptr(rtnl.GreFlags(s.oflags))
		g.Local, g.Remote, g.Device = s.saddr, s.daddr, dev
		g.TTL, g.Fwmark, g.Encap = ptr(s.ttl), ptr(s.fwmark), encap
		if s.fam == famGre {
			g.PMTUDisc, g.TOS = ptr(s.pmtudisc != 0), ptr(s.tos)
			if s.ignoreDF != 0 {
				g.IgnoreDF = ptr(s.ignoreDF&1 != 0)
			}
		} else {
			g.EncapLimit, g.FlowInfo, g.Flags = ptr(s.encapLimit), ptr(s.flowinfo), ptr(rtnl.IP6TunnelFlags(s.flags))
		}
		if s.fam == famGre6 || strings.HasSuffix(s.kind, "erspan") {
			if s.erspanVer <= 2 {
				g.ErspanVersion = ptr(s.erspanVer)
				switch {
				case s.erspanVer == 1 && s.erspanIdx != 0:
					g.ErspanIndex = ptr(s.erspanIdx)
				case s.erspanVer == 2:
					g.ErspanDir, g.ErspanHwID = ptr(s.erspanDir), ptr(s.erspanHwid)
				}
			}
		}
		return g
	case famIptun, famIp6tnl:
		t := &rtnl.IPTunnel{Kind: s.kind, Proto: ptr(s.proto)}
		if s.metadata {
			t.External = true
			return t
		}
		t.Local, t.Remote, t.TTL = s.saddr, s.daddr, ptr(s.ttl)
		t.Device, t.Fwmark, t.Encap = ptr(s.link), ptr(s.fwmark), encap
		if s.fam == famIp6tnl {
			t.EncapLimit, t.FlowInfo, t.Flags = ptr(s.encapLimit), ptr(s.flowinfo), ptr(s.flags)
			return t
		}
		t.PMTUDisc, t.TOS = ptr(s.pmtudisc != 0), ptr(s.tos)
		if s.kind == "sit" {
			t.Flags = ptr(s.flags)
			if s.prefix6rd.IsValid() {
				t.SixRDPrefix, t.SixRDPrefixLen = s.prefix6rd.Addr(), ptr(uint16(s.prefix6rd.Bits()))
			}
			if s.relay6rd.IsValid() {
				t.SixRDRelayPrefix, t.SixRDRelayPrefixLen = s.relay6rd.Addr(), ptr(uint16(s.relay6rd.Bits()))
			}
		}
		return t
	case famVti, famVti6:
		return &rtnl.Vti{Kind: s.kind, IKey: ptr(s.ikey), OKey: ptr(s.okey), Local: s.saddr, Remote: s.daddr,
			Fwmark: ptr(s.fwmark), Device: dev}
	}
	x := &rtnl.Xfrm{Device: dev, External: s.metadata}
	if s.ifID != 0 {
		x.IfID = ptr(s.ifID)
	}
	return x
}

// parseTunnelKind reads the tunnel words after "type KIND": checked now
// on ip's defaults, applied again when the command runs.
func parseTunnelKind(a *words, r *linkRequest) error {
	words := a.rest()
	a.i = len(a.w)
	if len(words) == 0 {
		return nil // as ip: no words, no settings at all
	}
	s := newTunnelState(r.kind)
	r.tunnel = &tunnelArgs{words: words}
	if r.cmd == "set" && s.fam != famXfrm {
		// As ip: the tunnel is read first, the words then.
		r.info = s.info()
		return nil
	}
	if err := s.apply(words); err != nil {
		return err
	}
	r.info = s.info()
	return nil
}

// resolveTunnelKind builds the request: for link set from the tunnel's
// current settings (ip's "Failed to get existing tunnel info." when it
// has none; xfrm, as ip, starts from nothing), with dev looked up.
func resolveTunnelKind(ctx context.Context, e *env, r *linkRequest) (func(), error) {
	if r.tunnel == nil {
		return func() {}, nil
	}
	s := newTunnelState(r.kind)
	if r.cmd == "set" && s.fam != famXfrm {
		c, idx, err := e.rtLink(ctx, r.dev)
		if err != nil {
			return func() {}, err
		}
		l, err := c.Link(ctx, idx)
		if err != nil {
			return func() {}, errNoTunnelInfo()
		}
		if err := s.load(l.Info); err != nil {
			return func() {}, err
		}
	}
	if err := s.apply(r.tunnel.words); err != nil {
		return func() {}, err
	}
	if s.linkName != "" {
		idx, err := e.linkIndex(ctx, s.linkName)
		if err != nil {
			var fe *failure
			if errors.As(err, &fe) {
				err = usagef("%s", fe.msg) // ip: exit(nodev(name)), 255
			}
			return func() {}, err
		}
		s.link = idx
	}
	// In place: link add has taken the pointer already.
	switch dst := r.info.(type) {
	case *rtnl.Gre:
		*dst = *s.info().(*rtnl.Gre)
	case *rtnl.IPTunnel:
		*dst = *s.info().(*rtnl.IPTunnel)
	case *rtnl.Vti:
		*dst = *s.info().(*rtnl.Vti)
	case *rtnl.Xfrm:
		*dst = *s.info().(*rtnl.Xfrm)
	}
	return func() {}, nil
}

// tunnelHelp are the usages of the tunnel kinds (ip link help KIND).
var tunnelHelp = func() map[string]string {
	gre := func(kind string) string {
		return fmt.Sprintf("Usage: ... %-9s\t[ remote ADDR ]\n", kind) +
			"\t\t\t[ local ADDR ]\n" +
			"\t\t\t[ [no][i|o]seq ]\n" +
			"\t\t\t[ [i|o]key KEY | no[i|o]key ]\n" +
			"\t\t\t[ [no][i|o]csum ]\n"
	}
	encap := "\t\t\t[ noencap ]\n" +
		"\t\t\t[ encap { fou | gue | none } ]\n" +
		"\t\t\t[ encap-sport PORT ]\n" +
		"\t\t\t[ encap-dport PORT ]\n" +
		"\t\t\t[ [no]encap-csum ]\n" +
		"\t\t\t[ [no]encap-csum6 ]\n" +
		"\t\t\t[ [no]encap-remcsum ]\n"
	erspan := "\t\t\t[ erspan_ver version ]\n" +
		"\t\t\t[ erspan IDX ]\n" +
		"\t\t\t[ erspan_dir { ingress | egress } ]\n" +
		"\t\t\t[ erspan_hwid hwid ]\n"
	gre4 := func(kind string, withErspan bool) string {
		h := gre(kind) +
			"\t\t\t[ ttl TTL ]\n" +
			"\t\t\t[ tos TOS ]\n" +
			"\t\t\t[ [no]pmtudisc ]\n" +
			"\t\t\t[ [no]ignore-df ]\n" +
			"\t\t\t[ dev PHYS_DEV ]\n" +
			"\t\t\t[ fwmark MARK ]\n" +
			"\t\t\t[ external ]\n" + encap
		if withErspan {
			h += erspan
		}
		return h + "\nWhere:\tADDR := { IP_ADDRESS | any }\n" +
			"\tTOS  := { NUMBER | inherit }\n" +
			"\tTTL  := { 1..255 | inherit }\n" +
			"\tKEY  := { DOTTED_QUAD | NUMBER }\n" +
			"\tMARK := { 0x0..0xffffffff }\n"
	}
	gre6 := func(kind string) string {
		return gre(kind) +
			"\t\t\t[ hoplimit TTL ]\n" +
			"\t\t\t[ encaplimit ELIM ]\n" +
			"\t\t\t[ tclass TCLASS ]\n" +
			"\t\t\t[ flowlabel FLOWLABEL ]\n" +
			"\t\t\t[ dscp inherit ]\n" +
			"\t\t\t[ dev PHYS_DEV ]\n" +
			"\t\t\t[ fwmark MARK ]\n" +
			"\t\t\t[ [no]allow-localremote ]\n" +
			"\t\t\t[ external ]\n" + encap + erspan +
			"\nWhere:\tADDR\t  := IPV6_ADDRESS\n" +
			"\tTTL\t  := { 0..255 } (default=64)\n" +
			"\tKEY\t  := { DOTTED_QUAD | NUMBER }\n" +
			"\tELIM\t  := { none | 0..255 }(default=4)\n" +
			"\tTCLASS\t  := { 0x0..0xff | inherit }\n" +
			"\tFLOWLABEL := { 0x0..0xfffff | inherit }\n" +
			"\tMARK\t  := { 0x0..0xffffffff | inherit }\n"
	}
	iptun := func(kind, modes string) string {
		h := fmt.Sprintf("Usage: ... %-6s\t[ remote ADDR ]\n", kind) +
			"\t\t\t[ local ADDR ]\n" +
			"\t\t\t[ ttl TTL ]\n" +
			"\t\t\t[ tos TOS ]\n" +
			"\t\t\t[ [no]pmtudisc ]\n" +
			"\t\t\t[ 6rd-prefix ADDR ]\n" +
			"\t\t\t[ 6rd-relay_prefix ADDR ]\n" +
			"\t\t\t[ 6rd-reset ]\n" +
			"\t\t\t[ dev PHYS_DEV ]\n" +
			"\t\t\t[ fwmark MARK ]\n" +
			"\t\t\t[ external ]\n" + encap +
			"\t\t\t[ mode " + modes + " ]\n"
		if kind == "sit" {
			h += "\t\t\t[ isatap ]\n"
		}
		return h + "\nWhere:\tADDR := { IP_ADDRESS | any }\n" +
			"\tTOS  := { NUMBER | inherit }\n" +
			"\tTTL  := { 1..255 | inherit }\n" +
			"\tMARK := { 0x0..0xffffffff }\n"
	}
	vti := func(kind, addr string) string {
		return fmt.Sprintf("Usage: ... %-4s\t[ remote ADDR ]\n", kind) +
			"\t\t[ local ADDR ]\n" +
			"\t\t[ [i|o]key KEY ]\n" +
			"\t\t[ dev PHYS_DEV ]\n" +
			"\t\t[ fwmark MARK ]\n" +
			"\nWhere:\tADDR := { " + addr + " }\n" +
			"\tKEY  := { DOTTED_QUAD | NUMBER }\n" +
			"\tMARK := { 0x0..0xffffffff }\n"
	}
	return map[string]string{
		"gre": gre4("gre", false), "gretap": gre4("gretap", false), "erspan": gre4("erspan", true),
		"ip6gre": gre6("ip6gre"), "ip6gretap": gre6("ip6gretap"), "ip6erspan": gre6("ip6erspan"),
		"ipip": iptun("ipip", "{ ipip | mplsip | any }"), "sit": iptun("sit", "{ ip6ip | ipip | mplsip | any }"),
		"ip6tnl": "Usage: ... ip6tnl\t[ remote ADDR ]\n" +
			"\t\t\t[ local ADDR ]\n" +
			"\t\t\t[ encaplimit ELIM ]\n" +
			"\t\t\t[ hoplimit HLIM ]\n" +
			"\t\t\t[ tclass TCLASS ]\n" +
			"\t\t\t[ flowlabel FLOWLABEL ]\n" +
			"\t\t\t[ dscp inherit ]\n" +
			"\t\t\t[ [no]allow-localremote ]\n" +
			"\t\t\t[ dev PHYS_DEV ]\n" +
			"\t\t\t[ fwmark MARK ]\n" +
			"\t\t\t[ external ]\n" + encap +
			"\t\t\t[ mode { ip6ip6 | ipip6 | any } ]\n" +
			"\nWhere:\tADDR\t  := IPV6_ADDRESS\n" +
			"\tELIM\t  := { none | 0..255 }(default=4)\n" +
			"\tHLIM\t  := 0..255 (default=64)\n" +
			"\tTCLASS    := { 0x0..0xff | inherit }\n" +
			"\tFLOWLABEL := { 0x0..0xfffff | inherit }\n" +
			"\tMARK\t  := { 0x0..0xffffffff | inherit }\n",
		"vti": vti("vti", "IP_ADDRESS"), "vti6": vti("vti6", "IPV6_ADDRESS"),
		"xfrm": "Usage: ... xfrm dev [ PHYS_DEV ] [ if_id IF-ID ]\n\t\t[ external ]\n\nWhere: IF-ID := { 0x1..0xffffffff }\n",
	}
}()

// kindHelpOf is the usage of a kind nl reads: kindHelp's, or a tunnel's.
func kindHelpOf(kind string) (string, bool) {
	if h, ok := kindHelp[kind]; ok {
		return h, true
	}
	h, ok := tunnelHelp[kind]
	return h, ok
}

// printTunnelKind prints a tunnel's settings as ip -d's print_opt of its
// kind.
func printTunnelKind(ctx context.Context, e *env, p *printer, l *rtnl.Link) {
	switch v := l.Info.(type) {
	case *rtnl.Gre:
		printGre(ctx, e, p, v)
	case *rtnl.IPTunnel:
		printIPTunnel(ctx, e, p, v)
	case *rtnl.Vti:
		printEndpoint(p, "remote", v.Remote)
		printEndpoint(p, "local", v.Local)
		printTunnelDev(ctx, e, p, v.Device)
		for _, k := range [...]struct {
			key string
			v   *uint32
		}{{"ikey", v.IKey}, {"okey", v.OKey}} {
			if k.v != nil && *k.v != 0 {
				p.field(k.key, k.key+" %s ", keyString(*k.v))
			}
		}
		printFwmark(p, v.Fwmark)
	case *rtnl.Xfrm:
		if v.External {
			p.field("external", "external ", true)
		}
		if v.IfID != nil && *v.IfID != 0 {
			p.field("if_id", "if_id %s ", hex0x(uint64(*v.IfID)))
		}
	}
}

// printEndpoint is ip's tnl_print_endpoint: the address, "any" when
// there is none or it is unspecified.
func printEndpoint(p *printer, name string, a netip.Addr) {
	v := "any"
	if a.IsValid() && !a.IsUnspecified() {
		v = a.String()
	}
	p.field(name, name+" %s ", v)
}

func printTunnelDev(ctx context.Context, e *env, p *printer, dev *int32) {
	if dev != nil && *dev != 0 {
		p.field("link", "dev %s ", e.linkName(ctx, *dev))
	}
}

// keyString is a GRE or VTI key as ip prints it: its four bytes as a
// dotted quad.
func keyString(k uint32) string {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], k)
	return netip.AddrFrom4(b).String()
}

func printFwmark(p *printer, fwmark *uint32) {
	if fwmark != nil && *fwmark != 0 {
		p.field("fwmark", "fwmark %s ", hex0x(uint64(*fwmark)))
	}
}

// printTTL prints a TTL or hop limit as ip: "inherit" for 0 in text.
func printTTL(p *printer, word string, ttl *uint8) {
	var v uint8
	if ttl != nil {
		v = *ttl
	}
	if p.json || v != 0 {
		p.field("ttl", word+" %d ", v)
	} else {
		p.text("%s inherit ", word)
	}
}

// printTOS prints a TOS as ip: nothing for 0, "inherit" for 1 in text.
func printTOS(p *printer, tos *uint8) {
	if tos == nil || *tos == 0 {
		return
	}
	if p.json || *tos != 1 {
		p.field("tos", "tos %s ", hex0x(uint64(*tos)))
	} else {
		p.text("tos inherit ")
	}
}

// printIP6Tunnel prints the IPv6 settings of ip6gre and ip6tnl: encap
// limit, traffic class, flow label, DSCP.
func printIP6Tunnel(p *printer, flags uint32, encapLimit *uint8, flowinfo *uint32) {
	if flags&ip6IgnEncapLimit != 0 {
		p.field("ip6_tnl_f_ign_encap_limit", "encaplimit none ", true)
	} else if encapLimit != nil {
		p.field("encap_limit", "encaplimit %d ", *encapLimit)
	}
	if flags&ip6OrigTClass != 0 {
		p.field("ip6_tnl_f_use_orig_tclass", "tclass inherit ", true)
	} else if flowinfo != nil {
		p.field("tclass", "tclass %s ", fmt.Sprintf("0x%02x", (*flowinfo&ip6TClassMask)>>20))
	}
	if flags&ip6OrigFlowLabel != 0 {
		p.field("ip6_tnl_f_use_orig_flowlabel", "flowlabel inherit ", true)
	} else if flowinfo != nil {
		p.field("flowlabel", "flowlabel %s ", fmt.Sprintf("0x%05x", *flowinfo&ip6FlowLabelMask))
	}
	if flags&ip6RcvDscpCopy != 0 {
		p.field("ip6_tnl_f_rcv_dscp_copy", "dscp inherit ", true)
	}
}

// printIP6Fwmark prints ip6gre's and ip6tnl's mark: inherit, or the
// mark.
func printIP6Fwmark(p *printer, flags uint32, fwmark *uint32) {
	if flags&ip6OrigFwmark != 0 {
		p.field("ip6_tnl_f_use_orig_fwmark", "fwmark inherit ", true)
		return
	}
	printFwmark(p, fwmark)
}

// printEncap is ip's tnl_print_encap: nothing without an encapsulation.
func printEncap(p *printer, t rtnl.TunnelEncap) {
	if t.Type == nil || *t.Type == rtnl.TunnelEncapNone {
		return
	}
	var flags rtnl.TunnelEncapFlags
	var sport, dport uint16
	if t.Flags != nil {
		flags = *t.Flags
	}
	if t.SrcPort != nil {
		sport = *t.SrcPort
	}
	if t.DstPort != nil {
		dport = *t.DstPort
	}
	q := p.nested("encap")
	q.text("encap ")
	switch *t.Type {
	case rtnl.TunnelEncapFOU, rtnl.TunnelEncapGUE:
		q.field("type", "%s ", t.Type.String())
	default:
		q.field("type", "%s ", "unknown")
	}
	if p.json {
		q.jsonOnly("sport", sport)
		q.jsonOnly("dport", dport)
		q.jsonOnly("csum", flags&rtnl.TunnelEncapCsum != 0)
		q.jsonOnly("csum6", flags&rtnl.TunnelEncapCsum6 != 0)
		q.jsonOnly("remcsum", flags&rtnl.TunnelEncapRemCsum != 0)
		return
	}
	if sport == 0 {
		q.text("encap-sport auto ")
	} else {
		q.text("encap-sport %d ", sport)
	}
	q.text("encap-dport %d ", dport)
	for _, f := range [...]struct {
		name string
		bit  rtnl.TunnelEncapFlags
	}{{"csum", rtnl.TunnelEncapCsum}, {"csum6", rtnl.TunnelEncapCsum6}, {"remcsum", rtnl.TunnelEncapRemCsum}} {
		if flags&f.bit == 0 {
			q.text("no")
		}
		q.text("encap-%s ", f.name)
	}
}

func printGre(ctx context.Context, e *env, p *printer, g *rtnl.Gre) {
	if g.External { // and the rest, as ip 6.1
		p.field("external", "external ", true)
	}
	six := g.IPv6()
	var flags uint32
	if g.Flags != nil {
		flags = uint32(*g.Flags)
	}
	printEndpoint(p, "remote", g.Remote)
	printEndpoint(p, "local", g.Local)
	printTunnelDev(ctx, e, p, g.Device)
	if six {
		printTTL(p, "hoplimit", g.TTL)
		printIP6Tunnel(p, flags, g.EncapLimit, g.FlowInfo)
	} else {
		printTTL(p, "ttl", g.TTL)
		printTOS(p, g.TOS)
		if g.PMTUDisc != nil {
			if !*g.PMTUDisc {
				p.field("pmtudisc", "nopmtudisc ", false)
			} else {
				p.jsonOnly("pmtudisc", true)
			}
		}
		if g.IgnoreDF != nil && *g.IgnoreDF {
			p.field("ignore_df", "ignore-df ", true)
		}
	}
	var iflags, oflags rtnl.GreFlags
	if g.IFlags != nil {
		iflags = *g.IFlags
	}
	if g.OFlags != nil {
		oflags = *g.OFlags
	}
	if iflags&rtnl.GreKey != 0 && g.IKey != nil {
		p.field("ikey", "ikey %s ", keyString(*g.IKey))
	}
	if oflags&rtnl.GreKey != 0 && g.OKey != nil {
		p.field("okey", "okey %s ", keyString(*g.OKey))
	}
	for _, f := range [...]struct {
		key string
		on  bool
	}{{"iseq", iflags&rtnl.GreSeq != 0}, {"oseq", oflags&rtnl.GreSeq != 0},
		{"icsum", iflags&rtnl.GreCsum != 0}, {"ocsum", oflags&rtnl.GreCsum != 0}} {
		if f.on {
			p.field(f.key, f.key+" ", true)
		}
	}
	if six {
		if flags&ip6AllowLocalRmt != 0 {
			p.field("ip6_tnl_f_allow_local_remote", "allow-localremote ", true)
		}
		printIP6Fwmark(p, flags, g.Fwmark)
	} else {
		printFwmark(p, g.Fwmark)
	}
	if g.ErspanIndex != nil {
		p.field("erspan_index", "erspan_index %d ", *g.ErspanIndex)
	}
	if g.ErspanVersion != nil {
		p.field("erspan_ver", "erspan_ver %d ", *g.ErspanVersion)
	}
	if g.ErspanDir != nil {
		dir := "ingress"
		if *g.ErspanDir != 0 {
			dir = "egress"
		}
		p.field("erspan_dir", "erspan_dir %s ", dir)
	}
	if g.ErspanHwID != nil {
		p.field("erspan_hwid", "erspan_hwid %s ", hex0x(uint64(*g.ErspanHwID)))
	}
	printEncap(p, g.Encap)
}

func printIPTunnel(ctx context.Context, e *env, p *printer, t *rtnl.IPTunnel) {
	if t.External { // and the rest, as ip 6.1
		p.field("external", "external ", true)
	}
	six := t.IPv6()
	var flags uint32
	if t.Flags != nil {
		flags = *t.Flags
	}
	if t.Proto != nil {
		names := map[uint8]string{ipprotoIPIP: "ipip", ipprotoIPv6: "ip6ip", ipprotoMPLS: "mplsip", 0: "any"}
		if six {
			names = map[uint8]string{ipprotoIPIP: "ipip6", ipprotoIPv6: "ip6ip6", 0: "any"}
		}
		if n, ok := names[*t.Proto]; ok {
			p.field("proto", "%s ", n)
		}
	}
	printEndpoint(p, "remote", t.Remote)
	printEndpoint(p, "local", t.Local)
	printTunnelDev(ctx, e, p, t.Device)
	if six {
		printTTL(p, "hoplimit", t.TTL)
		printIP6Tunnel(p, flags, t.EncapLimit, t.FlowInfo)
		if flags&ip6AllowLocalRmt != 0 {
			p.field("ip6_tnl_f_allow_local_remote", "allow-localremote ", true)
		}
		printIP6Fwmark(p, flags, t.Fwmark)
		printEncap(p, t.Encap)
		return
	}
	printTTL(p, "ttl", t.TTL)
	printTOS(p, t.TOS)
	if t.PMTUDisc != nil && *t.PMTUDisc {
		p.field("pmtudisc", "pmtudisc ", true)
	} else {
		p.field("pmtudisc", "nopmtudisc ", false)
	}
	if t.Flags != nil && flags&rtnl.SitISATAP != 0 {
		p.field("isatap", "isatap ", true)
	}
	if t.SixRDPrefixLen != nil && *t.SixRDPrefixLen != 0 {
		relay := t.SixRDRelayPrefix
		var relayLen uint16
		if t.SixRDRelayPrefixLen != nil {
			relayLen = *t.SixRDRelayPrefixLen
		}
		prefix := t.SixRDPrefix.String()
		if !t.SixRDPrefix.IsValid() {
			prefix = "::"
		}
		p.jsonOnly("prefix", prefix)
		p.jsonOnly("prefixlen", *t.SixRDPrefixLen)
		p.text("6rd-prefix %s/%d ", prefix, *t.SixRDPrefixLen)
		if relay.IsValid() && !relay.IsUnspecified() {
			p.jsonOnly("relay_prefix", relay.String())
			p.jsonOnly("relay_prefixlen", relayLen)
			p.text("6rd-relay_prefix %s/%d ", relay, relayLen)
		}
	}
	printFwmark(p, t.Fwmark)
	printEncap(p, t.Encap)
}
