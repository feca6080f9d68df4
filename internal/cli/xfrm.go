package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/xfrm"
)

const xfrmHelp = `Usage: nl xfrm XFRM-OBJECT { COMMAND | help }
where  XFRM-OBJECT := state | policy | monitor

Usage: nl xfrm state { add | update } ID [ ALGO-LIST ] [ mode MODE ]
        [ mark MARK [ mask MASK ] ] [ reqid REQID ] [ seq SEQ ]
        [ replay-window SIZE ] [ replay-seq SEQ ] [ replay-oseq SEQ ]
        [ replay-seq-hi SEQ ] [ replay-oseq-hi SEQ ]
        [ flag FLAG-LIST ] [ sel SELECTOR ] [ LIMIT-LIST ] [ encap ENCAP ]
        [ coa ADDR[/PLEN] ] [ ctx CTX ] [ extra-flag EXTRA-FLAG-LIST ]
        [ offload [ dev DEV ] dir DIR ]
        [ output-mark OUTPUT-MARK [ mask MASK ] ]
        [ if_id IF_ID ] [ tfcpad LENGTH ]
       nl xfrm state allocspi ID [ mode MODE ] [ mark MARK [ mask MASK ] ]
        [ reqid REQID ] [ seq SEQ ] [ min SPI max SPI ]
       nl xfrm state { delete | get } ID [ mark MARK [ mask MASK ] ]
       nl xfrm state deleteall [ ID ] [ mode MODE ] [ reqid REQID ]
       nl xfrm state list [ keys | nokeys ] [ ID ] [ mode MODE ] [ reqid REQID ]
       nl xfrm state flush [ proto XFRM-PROTO ]
       nl xfrm state count
       nl xfrm policy { add | update } SELECTOR dir DIR [ ctx CTX ]
        [ mark MARK [ mask MASK ] ] [ index INDEX ] [ ptype PTYPE ]
        [ action ACTION ] [ priority PRIORITY ] [ flag FLAG-LIST ]
        [ if_id IF_ID ] [ LIMIT-LIST ] [ TMPL-LIST ]
       nl xfrm policy { delete | get } { SELECTOR | index INDEX } dir DIR
        [ ctx CTX ] [ mark MARK [ mask MASK ] ] [ ptype PTYPE ] [ if_id IF_ID ]
       nl xfrm policy { deleteall | list } [ nosock ] [ SELECTOR ] [ dir DIR ]
        [ index INDEX ] [ ptype PTYPE ] [ action ACTION ] [ priority PRIORITY ]
       nl xfrm policy flush [ ptype PTYPE ]
       nl xfrm policy count
       nl xfrm policy set [ hthresh4 LBITS RBITS ] [ hthresh6 LBITS RBITS ]
       nl xfrm policy setdefault [ in ACTION ] [ fwd ACTION ] [ out ACTION ]
       nl xfrm policy getdefault
       nl xfrm monitor [ keys | nokeys ] [ all | OBJECTS ]
ID := [ src ADDR ] [ dst ADDR ] [ proto XFRM-PROTO ] [ spi SPI ]
XFRM-PROTO := esp | ah | comp | route2 | hao
ALGO := { enc | auth } ALGO-NAME ALGO-KEYMAT |
        auth-trunc ALGO-NAME ALGO-KEYMAT ALGO-TRUNC-LEN |
        aead ALGO-NAME ALGO-KEYMAT ALGO-ICV-LEN | comp ALGO-NAME
MODE := transport | tunnel | beet | ro | in_trigger
FLAG := noecn | decap-dscp | nopmtudisc | wildrecv | icmp | af-unspec | align4 | esn
EXTRA-FLAG := dont-encap-dscp | oseq-may-wrap
SELECTOR := [ src ADDR[/PLEN] ] [ dst ADDR[/PLEN] ] [ dev DEV ] [ UPSPEC ]
UPSPEC := proto { { tcp | udp | sctp | dccp } [ sport PORT ] [ dport PORT ] |
                  { icmp | ipv6-icmp | mobility-header } [ type NUMBER ] [ code NUMBER ] |
                  gre [ key { DOTTED-QUAD | NUMBER } ] | PROTO }
LIMIT := { time-soft | time-hard | time-use-soft | time-use-hard } SECONDS |
         { byte-soft | byte-hard } SIZE | { packet-soft | packet-hard } COUNT
ENCAP := { espinudp | espinudp-nonike | espintcp } SPORT DPORT OADDR
DIR := in | out | fwd
PTYPE := main | sub
ACTION := allow | block
TMPL := ID [ mode MODE ] [ reqid REQID ] [ level LEVEL ]
LEVEL := required | use
OBJECTS := { acquire | expire | SA | aevent | policy | report }
Keys are secrets: nl prints them only with -s, -d or "keys" (ip prints
them unless "nokeys"). ip xfrm has no JSON; with -j, SAs and policies
print as objects whose keys are ip's words ("src", "proto", "reqid",
"enc": {"name", "key"}, "sel": {...}, "tmpl": [...]).
`

// xfrmRequest is a parsed xfrm command.
type xfrmRequest struct {
	obj, cmd string // "state", "policy" or "monitor"; the command

	state     xfrm.State // state add, update, allocspi
	min, max  uint32     // allocspi
	id        xfrm.StateID
	policy    xfrm.Policy
	pid       xfrm.PolicyID
	proto     xfrm.Proto      // state flush
	ptype     xfrm.PolicyType // policy flush
	keys      int             // list, monitor: 1 keys, -1 nokeys, 0 as the options say
	sfilt     stateFilter
	pfilt     policyFilter
	def       xfrm.DefaultPolicy
	thr4      *xfrm.HashThreshold
	thr6      *xfrm.HashThreshold
	groups    []xfrm.Group
	selDev    string // selector dev NAME, resolved when run
	offDev    string // offload dev NAME
	tmplCount int
}

// stateFilter is what state list and deleteall select, on the client as
// ip does.
type stateFilter struct {
	src, dst          netip.Prefix
	proto             xfrm.Proto
	spi               uint32
	spiSet            bool
	mode              xfrm.Mode
	modeSet           bool
	reqid             uint32
	reqidSet          bool
	flags             xfrm.StateFlags
	protoSet, anyWord bool
}

func (f *stateFilter) keep(s *xfrm.State) bool {
	if f.src.IsValid() && !(s.Src.IsValid() && f.src.Contains(s.Src)) {
		return false
	}
	if f.dst.IsValid() && !(s.Dst.IsValid() && f.dst.Contains(s.Dst)) {
		return false
	}
	return (!f.protoSet || s.Proto == f.proto) && (!f.spiSet || s.SPI == f.spi) &&
		(!f.modeSet || s.Mode == f.mode) && (!f.reqidSet || s.ReqID == f.reqid) && s.Flags&f.flags == f.flags
}

// policyFilter is what policy list and deleteall select.
type policyFilter struct {
	src, dst    netip.Prefix
	dir         xfrm.Dir
	dirSet      bool
	index       uint32
	ptype       xfrm.PolicyType
	ptypeSet    bool
	action      xfrm.Action
	actionSet   bool
	priority    uint32
	prioSet     bool
	selProto    uint8
	selProtoSet bool
	nosock      bool // skip socket policies
}

func (f *policyFilter) keep(p *xfrm.Policy) bool {
	if f.src.IsValid() && p.Selector.Src != f.src {
		return false
	}
	if f.dst.IsValid() && p.Selector.Dst != f.dst {
		return false
	}
	if f.nosock && p.Dir >= 3 {
		return false
	}
	return (!f.dirSet || p.Dir == f.dir) && (f.index == 0 || p.Index == f.index) && (!f.ptypeSet || p.Type == f.ptype) &&
		(!f.actionSet || p.Action == f.action) && (!f.prioSet || p.Priority == f.priority) &&
		(!f.selProtoSet || p.Selector.Proto == f.selProto)
}

var (
	xfrmObjects  = []command{{name: "state", abbrev: []string{"state", "sa"}}, {name: "policy"}, {name: "monitor"}}
	xfrmStateCmd = []command{{name: "add"}, {name: "update"}, {name: "allocspi"}, {name: "delete"},
		{name: "deleteall", abbrev: []string{"deleteall", "delall"}}, {name: "list", abbrev: []string{"list", "show", "lst"}},
		{name: "get"}, {name: "flush"}, {name: "count"}}
	xfrmPolicyCmd = []command{{name: "add"}, {name: "update"}, {name: "delete"},
		{name: "deleteall", abbrev: []string{"deleteall", "delall"}}, {name: "list", abbrev: []string{"list", "show", "lst"}},
		{name: "get"}, {name: "flush"}, {name: "count"}, {name: "set"}, {name: "setdefault"}, {name: "getdefault"}}
)

// xfrmProtos are the words of XFRM-PROTO.
var xfrmProtos = map[string]xfrm.Proto{"esp": xfrm.ProtoESP, "ah": xfrm.ProtoAH, "comp": xfrm.ProtoComp,
	"route2": xfrm.ProtoRoute2, "hao": xfrm.ProtoHAO, "ipsec-any": xfrm.ProtoIPsecAny}

// ipProtocols are /etc/protocols' names (netbase), for selectors'
// upper-layer protocols as ip reads and prints them.
var ipProtocols = map[uint8]string{0: "ip", 1: "icmp", 2: "igmp", 3: "ggp", 4: "ipencap", 5: "st", 6: "tcp", 8: "egp",
	9: "igp", 12: "pup", 17: "udp", 20: "hmp", 22: "xns-idp", 27: "rdp", 29: "iso-tp4", 33: "dccp", 36: "xtp", 37: "ddp",
	38: "idpr-cmtp", 41: "ipv6", 43: "ipv6-route", 44: "ipv6-frag", 45: "idrp", 46: "rsvp", 47: "gre", 50: "esp", 51: "ah",
	57: "skip", 58: "ipv6-icmp", 59: "ipv6-nonxt", 60: "ipv6-opts", 73: "rspf", 81: "vmtp", 88: "eigrp", 89: "ospf",
	93: "ax.25", 94: "ipip", 97: "etherip", 98: "encap", 103: "pim", 108: "ipcomp", 112: "vrrp", 115: "l2tp", 124: "isis",
	132: "sctp", 133: "fc", 135: "mobility-header", 136: "udplite", 137: "mpls-in-ip", 138: "manet", 139: "hip",
	140: "shim6", 141: "wesp", 142: "rohc", 143: "ethernet"}

func ipProtoName(p uint8) string {
	if n, ok := ipProtocols[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}

func ipProtoByName(s string) (uint8, bool) {
	for n, name := range ipProtocols {
		if name == s {
			return n, true
		}
	}
	switch s {
	case "IP", "ICMP", "TCP", "UDP", "IPv6-ICMP", "GRE", "SCTP", "DCCP":
		return ipProtoByName(strings.ToLower(s))
	}
	return getU8(s)
}

// runXfrm runs "nl xfrm ...".
func runXfrm(ctx context.Context, e *env, args []string) error {
	r, err := parseXfrm(args)
	if err != nil {
		return err
	}
	c, err := xfrm.Dial(&netlink.Config{NetNS: e.ns})
	if err != nil {
		return fmt.Errorf("Cannot open netlink socket: %w", err)
	}
	defer c.Close()
	return e.execXfrm(ctx, c, r)
}

// parseXfrm turns the words after "xfrm" into a request.
func parseXfrm(args []string) (xfrmRequest, error) {
	var r xfrmRequest
	a := wordsOf(args)
	if !a.more() {
		return r, usagef("%s", strings.TrimSuffix(xfrmHelp, "\n"))
	}
	obj, err := pickXfrm("xfrm", a.next(), xfrmObjects)
	if err != nil {
		return r, err
	}
	r.obj = obj
	switch obj {
	case "monitor":
		return r, parseXfrmMonitor(a, &r)
	case "state":
		r.cmd = "list"
		if a.more() {
			if r.cmd, err = pickXfrm("xfrm state", a.next(), xfrmStateCmd); err != nil {
				return r, err
			}
		}
		return r, parseXfrmState(a, &r)
	default:
		r.cmd = "list"
		if a.more() {
			if r.cmd, err = pickXfrm("xfrm policy", a.next(), xfrmPolicyCmd); err != nil {
				return r, err
			}
		}
		return r, parseXfrmPolicy(a, &r)
	}
}

// pickXfrm finds the command w abbreviates, as ip xfrm's matches() chains
// do; an unknown word is ip's error naming the help command.
func pickXfrm(object, w string, cmds []command) (string, error) {
	if c, ok := lookupCommand(w, cmds); ok {
		return c, nil
	}
	if w == "help" {
		return "", usagef("%s", strings.TrimSuffix(xfrmHelp, "\n"))
	}
	return "", usagef(`Command "%s" is unknown, try "nl %s help".`, w, object)
}

// parseU32 reads a number as ip's get_u32 (base 0).
func xfrmU32(a *words, what string) (uint32, error) {
	return valueOf(a, getU32, what+" value is invalid")
}

func xfrmU64(a *words, what string) (uint64, error) {
	return valueOf(a, func(s string) (uint64, bool) { return getUint(s, 0, 64) }, fmt.Sprintf("%q value is invalid", what))
}

// parseMark reads "MARK [mask MASK]" (mask all ones without one).
func parseMark(a *words) (xfrm.Mark, error) {
	v, err := valueOf(a, getU32, "MARK value is invalid\n")
	if err != nil {
		return xfrm.Mark{}, err
	}
	m := xfrm.Mark{Value: v, Mask: 0xffffffff}
	if a.peek() == "mask" {
		a.next()
		if m.Mask, err = valueOf(a, getU32, "MASK value is invalid\n"); err != nil {
			return m, err
		}
	}
	return m, nil
}

// parseXfrmID reads one word of an ID (src, dst, proto, spi) into the
// addresses, protocol and SPI given; ok false if w is none of them.
func parseXfrmID(a *words, w string, src, dst *netip.Addr, proto *xfrm.Proto, spi *uint32) (bool, error) {
	var err error
	switch w {
	case "src", "dst":
		v, err := a.value()
		if err != nil {
			return true, err
		}
		p, err := getPrefix(v, FamilyAny)
		if err != nil {
			return true, err
		}
		if !p.Addr.IsValid() {
			return true, errInvarg(fmt.Sprintf("value after %q has an unrecognized address family", w), v)
		}
		if w == "src" {
			*src = p.Addr
		} else {
			*dst = p.Addr
		}
	case "proto":
		*proto, err = valueOf(a, func(s string) (xfrm.Proto, bool) { p, ok := xfrmProtos[s]; return p, ok }, "XFRM-PROTO value is invalid")
	case "spi":
		// ip reads the SPI with get_be32: the number, in network order on
		// the wire, which State.SPI is in host order.
		*spi, err = valueOf(a, getU32, "SPI value is invalid")
	default:
		return false, nil
	}
	return true, err
}

func parseMode(a *words) (xfrm.Mode, error) {
	return valueOf(a, func(s string) (xfrm.Mode, bool) {
		for _, m := range []xfrm.Mode{xfrm.ModeTransport, xfrm.ModeTunnel, xfrm.ModeRouteOptimization, xfrm.ModeInTrigger, xfrm.ModeBEET} {
			if matches(s, m.String()) {
				return m, true
			}
		}
		return 0, false
	}, "MODE value is invalid")
}

// parseKey reads ALGO-KEYMAT as ip's xfrm_algo_parse: after "0x", hex
// digits two by two (an odd count gets a leading zero); otherwise the
// word's own bytes ("0x" alone among them).
func parseKey(s string) ([]byte, error) {
	if len(s) > 2 && strings.HasPrefix(s, "0x") {
		h := s[2:]
		if len(h)%2 != 0 {
			h = "0" + h
		}
		k, err := hex.DecodeString(h)
		if err != nil {
			return nil, errInvarg("ALGO-KEYMAT value is invalid", s)
		}
		return k, nil
	}
	return []byte(s), nil
}

// selectorWords are the keywords of a SELECTOR.
var selectorWords = map[string]bool{"src": true, "dst": true, "dev": true, "proto": true, "sport": true,
	"dport": true, "type": true, "code": true, "key": true}

// parseSelectorWord reads one word of a SELECTOR into sel; ok false if w
// is none of them.
func parseSelectorWord(a *words, w string, sel *xfrm.Selector, dev *string) (bool, error) {
	var err error
	switch w {
	case "src", "dst":
		v, err := a.value()
		if err != nil {
			return true, err
		}
		p, err := getPrefix(v, FamilyAny)
		if err != nil {
			return true, err
		}
		if !p.Addr.IsValid() {
			return true, errInvarg(fmt.Sprintf("value after %q has an unrecognized address family", w), v)
		}
		if w == "src" {
			sel.Src = p.Prefix()
		} else {
			sel.Dst = p.Prefix()
		}
	case "dev":
		*dev, err = a.value()
	case "proto":
		sel.Proto, err = valueOf(a, func(s string) (uint8, bool) {
			if s == "any" {
				return 0, true
			}
			return ipProtoByName(s)
		}, "PROTO value is invalid")
	case "sport", "dport":
		v, err := valueOf(a, getU16, fmt.Sprintf("value after %q is invalid", w))
		if err != nil {
			return true, err
		}
		var mask uint16
		if v != 0 {
			mask = 0xffff
		}
		if w == "sport" {
			sel.SrcPort, sel.SrcPortMask = v, mask
		} else {
			sel.DstPort, sel.DstPortMask = v, mask
		}
	case "type", "code":
		v, err := valueOf(a, func(s string) (uint16, bool) { n, ok := getU16(s); return n, ok && n <= 0xff }, fmt.Sprintf("value after %q is invalid", w))
		if err != nil {
			return true, err
		}
		if w == "type" {
			sel.SrcPort, sel.SrcPortMask = v, 0xffff
		} else {
			sel.DstPort, sel.DstPortMask = v, 0xffff
		}
	case "key":
		v, err := a.value()
		if err != nil {
			return true, err
		}
		var k uint32
		if strings.Contains(v, ".") {
			p, ok := parseAddr(v, FamilyInet)
			if !ok || !p.Addr.IsValid() {
				return true, errInvarg(`value after "key" is invalid`, v)
			}
			b := p.Addr.As4()
			k = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		} else if k, err = parseWord(v, getU32, `value after "key" is invalid`); err != nil {
			return true, err
		}
		sel.SrcPort, sel.DstPort, sel.SrcPortMask, sel.DstPortMask = uint16(k>>16), uint16(k), 0xffff, 0xffff
	default:
		return false, nil
	}
	return true, err
}

// parseLimit reads one LIMIT after "limit".
func parseLimit(a *words, l *xfrm.Limits) error {
	w, err := a.value()
	if err != nil {
		return err
	}
	fields := map[string]*uint64{"time-soft": &l.SoftAdd, "time-hard": &l.HardAdd, "time-use-soft": &l.SoftUse,
		"time-use-hard": &l.HardUse, "byte-soft": &l.SoftBytes, "byte-hard": &l.HardBytes,
		"packet-soft": &l.SoftPackets, "packet-hard": &l.HardPackets}
	f, ok := fields[w]
	if !ok {
		return errInvarg("LIMIT value is invalid", w)
	}
	*f, err = xfrmU64(a, w)
	return err
}

var stateFlagWords = map[string]xfrm.StateFlags{"noecn": xfrm.StateNoECN, "decap-dscp": xfrm.StateDecapDSCP,
	"nopmtudisc": xfrm.StateNoPMTUDisc, "wildrecv": xfrm.StateWildRecv, "icmp": xfrm.StateICMP,
	"af-unspec": xfrm.StateAFUnspec, "align4": xfrm.StateAlign4, "esn": xfrm.StateESN}

// parseFlagList reads FLAG-LIST after "flag": words of table or numbers,
// as long as they come.
func parseFlagList[T ~uint8 | ~uint32](a *words, table map[string]T, what string) (T, error) {
	var v T
	w, err := a.value()
	if err != nil {
		return v, err
	}
	for {
		if f, ok := table[w]; ok {
			v |= f
		} else if n, ok := getUint(w, 0, 8*sizeOf(v)); ok {
			v |= T(n)
		} else {
			return v, errInvarg(what+" value is invalid", w)
		}
		if _, ok := table[a.peek()]; !ok {
			return v, nil
		}
		w = a.next()
	}
}

func sizeOf[T ~uint8 | ~uint32](v T) int {
	if ^T(0) == 0xff {
		return 1
	}
	return 4
}

// parseXfrmState reads the words of a state command.
func parseXfrmState(a *words, r *xfrmRequest) error {
	s := &r.state
	var err error
	var replayWindow, seq, oseq, seqHi, oseqHi uint32
	var haveID, haveAlgo, esnWords bool
	var outMark xfrm.Mark
	for a.more() && err == nil {
		w := a.next()
		var ok bool
		if ok, err = parseXfrmID(a, w, &s.Src, &s.Dst, &s.Proto, &s.SPI); ok {
			haveID = true
			if w == "proto" {
				r.sfilt.protoSet = true
			}
			if w == "spi" {
				r.sfilt.spiSet = true
			}
			continue
		}
		switch {
		case w == "keys" && (r.cmd == "list" || r.cmd == "get"):
			r.keys = 1
		case w == "nokeys" && (r.cmd == "list" || r.cmd == "get"):
			r.keys = -1
		case w == "mode":
			s.Mode, err = parseMode(a)
			r.sfilt.modeSet = true
		case w == "mark":
			s.Mark, err = parseMark(a)
		case w == "reqid":
			s.ReqID, err = valueOf(a, getU32, "REQID value is invalid")
			r.sfilt.reqidSet = true
		case w == "seq":
			var v uint32
			v, err = valueOf(a, getU32, "SEQ value is invalid")
			// ip reads it with get_be32: network order in a host-order field.
			s.Seq = uint32(v>>24) | uint32(v>>8)&0xff00 | uint32(v<<8)&0xff0000 | v<<24
		case w == "min" && r.cmd == "allocspi":
			r.min, err = valueOf(a, getU32, `value after "min" is invalid`)
		case w == "max" && r.cmd == "allocspi":
			r.max, err = valueOf(a, getU32, `value after "max" is invalid`)
		case w == "replay-window":
			replayWindow, err = valueOf(a, getU32, `value after "replay-window" is invalid`)
		case w == "replay-seq":
			seq, err = valueOf(a, getU32, `value after "replay-seq" is invalid`)
		case w == "replay-oseq":
			oseq, err = valueOf(a, getU32, `value after "replay-oseq" is invalid`)
		case w == "replay-seq-hi":
			seqHi, err = valueOf(a, getU32, `value after "replay-seq-hi" is invalid`)
			esnWords = true
		case w == "replay-oseq-hi":
			oseqHi, err = valueOf(a, getU32, `value after "replay-oseq-hi" is invalid`)
			esnWords = true
		case w == "flag":
			var f xfrm.StateFlags
			f, err = parseFlagList(a, stateFlagWords, "FLAG")
			s.Flags |= f
			r.sfilt.flags = s.Flags
		case w == "extra-flag":
			var f xfrm.ExtraFlags
			f, err = parseFlagList(a, map[string]xfrm.ExtraFlags{"dont-encap-dscp": xfrm.ExtraDontEncapDSCP, "oseq-may-wrap": xfrm.ExtraOSeqMayWrap}, "EXTRA-FLAG")
			s.ExtraFlags |= f
		case w == "sel":
			// The selector's words, as long as they come (ip's
			// xfrm_selector_parse).
			for a.more() && err == nil && selectorWords[a.peek()] {
				k := a.next()
				_, err = parseSelectorWord(a, k, &s.Selector, &r.selDev)
			}
		case w == "limit":
			err = parseLimit(a, &s.Limits)
		case w == "encap":
			var t string
			if t, err = a.value(); err != nil {
				break
			}
			if err = s.Encap.Type.UnmarshalText([]byte(t)); err != nil || s.Encap.Type == 0 || strings.ContainsAny(t, "0123456789") {
				err = errInvarg("ENCAP-TYPE value is invalid", t)
				break
			}
			if s.Encap.SrcPort, err = valueOf(a, getU16, `SPORT value after "encap" is invalid`); err != nil {
				break
			}
			if s.Encap.DstPort, err = valueOf(a, getU16, `DPORT value after "encap" is invalid`); err != nil {
				break
			}
			var v string
			if v, err = a.value(); err != nil {
				break
			}
			var p inet
			if p, err = getAddr(v, FamilyAny); err == nil && !p.Addr.IsUnspecified() {
				s.Encap.OrigAddr = p.Addr
			}
		case w == "coa":
			var v string
			if v, err = a.value(); err == nil {
				var p inet
				if p, err = getPrefix(v, FamilyAny); err == nil {
					s.CareOf = p.Addr
				}
			}
		case w == "ctx":
			var v string
			if v, err = a.value(); err == nil {
				s.SecurityContext = &xfrm.SecurityContext{DOI: 1, Alg: 1, Context: v}
			}
		case w == "offload":
			s.Offload = &xfrm.Offload{}
			if a.peek() == "dev" {
				a.next()
				if r.offDev, err = a.value(); err != nil {
					break
				}
			}
			var d string
			if d, err = a.value(); err != nil {
				break
			}
			if d != "dir" {
				err = errInvarg(`value after "offload dir" is invalid`, d)
				break
			}
			if d, err = a.value(); err != nil {
				break
			}
			switch d {
			case "in":
				s.Offload.Flags = xfrm.OffloadInbound
			case "out":
			default:
				err = errInvarg("DIR value is invalid", d)
			}
		case w == "output-mark":
			if outMark.Value, err = valueOf(a, getU32, `value after "output-mark" is invalid`); err == nil && a.peek() == "mask" {
				a.next()
				outMark.Mask, err = valueOf(a, getU32, "mask value is invalid\n")
			}
		case w == "if_id":
			s.IfID, err = valueOf(a, getU32, `value after "if_id" is invalid`)
		case w == "tfcpad":
			s.TFCPad, err = valueOf(a, getU32, `value after "tfcpad" is invalid`)
		case w == "enc" || w == "auth" || w == "auth-trunc" || w == "aead" || w == "comp":
			haveAlgo = true
			err = parseAlgo(a, w, s)
		default:
			err = errInvarg("unknown", w)
		}
	}
	if err != nil {
		return err
	}
	s.OutputMark = outMark
	r.sfilt.src, r.sfilt.dst = addrPrefix(s.Src), addrPrefix(s.Dst)
	r.sfilt.proto, r.sfilt.spi, r.sfilt.mode, r.sfilt.reqid = s.Proto, s.SPI, s.Mode, s.ReqID
	r.proto = s.Proto
	r.id = xfrm.StateID{Dst: s.Dst, SPI: s.SPI, Proto: s.Proto, Src: s.Src, Mark: s.Mark}
	_ = esnWords
	switch r.cmd {
	case "add", "update":
		if !haveID {
			return errBadWord("Not enough information: ID is required")
		}
		if s.Proto == 0 {
			return errMissarg("XFRM-PROTO")
		}
		if s.Flags&xfrm.StateESN != 0 && replayWindow == 0 {
			return usagef("Error: esn flag set without replay-window.")
		}
		if replayWindow > 4096 {
			return usagef("Error: replay-window (%d) > XFRMA_REPLAY_ESN_MAX (4096).", replayWindow)
		}
		if s.Flags&xfrm.StateESN != 0 || replayWindow > 32 {
			s.ReplayESN = &xfrm.ReplayESN{Seq: seq, OSeq: oseq, SeqHi: seqHi, OSeqHi: oseqHi, Window: replayWindow}
		} else {
			if seq != 0 || oseq != 0 {
				s.Replay = &xfrm.Replay{Seq: seq, OSeq: oseq}
			}
			s.ReplayWindow = uint8(replayWindow)
		}
		if s.Proto.IsIPsec() {
			switch {
			case s.Proto == xfrm.ProtoESP && s.Crypt.IsZero() && s.AEAD.IsZero():
				return errBadWord(`ALGO-TYPE value "enc" or "aead" is required with XFRM-PROTO value "esp"`)
			case s.Proto == xfrm.ProtoAH && s.Auth.IsZero():
				return errBadWord(`ALGO-TYPE value "auth" or "auth-trunc" is required with XFRM-PROTO value "ah"`)
			case s.Proto == xfrm.ProtoComp && s.Comp.IsZero():
				return errBadWord(`ALGO-TYPE value "comp" is required with XFRM-PROTO value "comp"`)
			}
		} else if haveAlgo {
			return errBadWord(`ALGO is invalid with XFRM-PROTO value "%s"`, s.Proto)
		}
	case "allocspi", "get", "delete":
		if !haveID {
			return errMissarg("ID")
		}
		if s.Proto == 0 {
			return errMissarg("XFRM-PROTO")
		}
	}
	return nil
}

func addrPrefix(a netip.Addr) netip.Prefix {
	if !a.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, a.BitLen())
}

// parseAlgo reads an ALGO after its type word w.
func parseAlgo(a *words, w string, s *xfrm.State) error {
	dup := func(set bool) error {
		if set {
			return usagef(`Error: duplicate "ALGO-TYPE": "%s" is the second value.`, w)
		}
		return nil
	}
	var err error
	switch w {
	case "aead":
		err = dup(!s.AEAD.IsZero() || !s.Crypt.IsZero() || !s.Auth.IsZero())
	case "enc":
		err = dup(!s.Crypt.IsZero() || !s.AEAD.IsZero())
	case "auth", "auth-trunc":
		err = dup(!s.Auth.IsZero() || !s.AEAD.IsZero())
	case "comp":
		err = dup(!s.Comp.IsZero())
	}
	if err != nil {
		return err
	}
	if !a.more() {
		return errMissarg("ALGO-NAME")
	}
	alg := xfrm.Algorithm{Name: a.next()}
	if len(alg.Name) >= 64 {
		return errInvarg("ALGO-NAME value makes buffer overflow", alg.Name)
	}
	if w != "comp" {
		if !a.more() {
			return errMissarg("ALGO-KEYMAT")
		}
		if alg.Key, err = parseKey(a.next()); err != nil {
			return err
		}
	}
	switch w {
	case "aead":
		if !a.more() {
			return errMissarg("ALGO-ICV-LEN")
		}
		if alg.ICVBits, err = parseWord(a.next(), getU32, "ALGO-ICV-LEN value is invalid"); err != nil {
			return err
		}
		s.AEAD = alg
	case "auth-trunc":
		if !a.more() {
			return errMissarg("ALGO-TRUNC-LEN")
		}
		if alg.ICVBits, err = parseWord(a.next(), getU32, "ALGO-TRUNC-LEN value is invalid"); err != nil {
			return err
		}
		s.Auth = alg
	case "auth":
		s.Auth = alg
	case "enc":
		s.Crypt = alg
	case "comp":
		s.Comp = alg
	}
	return nil
}

// parseXfrmPolicy reads the words of a policy command.
func parseXfrmPolicy(a *words, r *xfrmRequest) error {
	p := &r.policy
	var err error
	var dirSet bool
	for a.more() && err == nil {
		w := a.next()
		if r.cmd == "setdefault" {
			var act string
			if act, err = a.value(); err != nil {
				break
			}
			var v xfrm.DefaultAction
			switch act {
			case "block":
				v = xfrm.DefaultBlock
			case "accept":
				v = xfrm.DefaultAccept
			default:
				err = errInvarg(w+" policy value is invalid", act)
			}
			switch w {
			case "in":
				r.def.In = v
			case "fwd":
				r.def.Fwd = v
			case "out":
				r.def.Out = v
			default:
				err = errInvarg("unknown", w)
			}
			continue
		}
		if r.cmd == "set" {
			if w != "hthresh4" && w != "hthresh6" {
				err = errInvarg("unknown", w)
				break
			}
			t := &xfrm.HashThreshold{}
			max := uint8(32)
			if w == "hthresh6" {
				max = 128
			}
			lb, rb := fmt.Sprintf("%s LBITS value is invalid", w), fmt.Sprintf("%s RBITS value is invalid", w)
			if t.Local, err = valueOf(a, func(s string) (uint8, bool) { n, ok := getU8(s); return n, ok && n <= max }, lb); err != nil {
				break
			}
			if t.Remote, err = valueOf(a, func(s string) (uint8, bool) { n, ok := getU8(s); return n, ok && n <= max }, rb); err != nil {
				break
			}
			if w == "hthresh4" {
				r.thr4 = t
			} else {
				r.thr6 = t
			}
			continue
		}
		var ok bool
		if ok, err = parseSelectorWord(a, w, &p.Selector, &r.selDev); ok {
			if w == "proto" {
				r.pfilt.selProto, r.pfilt.selProtoSet = p.Selector.Proto, true
			}
			continue
		}
		switch w {
		case "nosock":
			if r.cmd != "list" && r.cmd != "deleteall" {
				err = errInvarg("unknown", w)
			}
			r.pfilt.nosock = true
		case "dir":
			var d string
			if d, err = a.value(); err != nil {
				break
			}
			switch d {
			case "in":
				p.Dir = xfrm.DirIn
			case "out":
				p.Dir = xfrm.DirOut
			case "fwd":
				p.Dir = xfrm.DirFwd
			default:
				err = errInvarg("DIR value is invalid", d)
			}
			dirSet = true
		case "ctx":
			var v string
			if v, err = a.value(); err == nil {
				p.SecurityContext = &xfrm.SecurityContext{DOI: 1, Alg: 1, Context: v}
			}
		case "mark":
			p.Mark, err = parseMark(a)
		case "index":
			p.Index, err = valueOf(a, getU32, "INDEX value is invalid")
		case "ptype":
			var t string
			if t, err = a.value(); err != nil {
				break
			}
			switch t {
			case "main":
				p.Type = xfrm.PolicyTypeMain
			case "sub":
				p.Type = xfrm.PolicyTypeSub
			default:
				err = errInvarg("PTYPE value is invalid", t)
			}
			r.pfilt.ptypeSet = true
		case "action":
			var t string
			if t, err = a.value(); err != nil {
				break
			}
			switch t {
			case "allow":
				p.Action = xfrm.ActionAllow
			case "block":
				p.Action = xfrm.ActionBlock
			default:
				err = errInvarg("ACTION value is invalid\n", t)
			}
			r.pfilt.actionSet = true
		case "priority":
			p.Priority, err = valueOf(a, getU32, "PRIORITY value is invalid")
			r.pfilt.prioSet = true
		case "flag":
			var f xfrm.PolicyFlags
			f, err = parseFlagList(a, map[string]xfrm.PolicyFlags{"localok": xfrm.PolicyLocalOK, "icmp": xfrm.PolicyICMP}, "FLAG")
			p.Flags |= f
		case "if_id":
			p.IfID, err = valueOf(a, getU32, `value after "if_id" is invalid`)
		case "limit":
			err = parseLimit(a, &p.Limits)
		case "tmpl":
			var t xfrm.Template
			if t, err = parseTemplate(a); err == nil {
				p.Templates = append(p.Templates, t)
			}
		default:
			err = errInvarg("unknown", w)
		}
	}
	if err != nil {
		return err
	}
	// ip gives templates the selector's family.
	for i := range p.Templates {
		t := &p.Templates[i]
		t.AuthAlgos, t.CryptAlgos, t.CompAlgos = ^uint32(0), ^uint32(0), ^uint32(0)
	}
	r.pfilt.src, r.pfilt.dst = p.Selector.Src, p.Selector.Dst
	r.pfilt.dir, r.pfilt.dirSet, r.pfilt.index = p.Dir, dirSet, p.Index
	r.pfilt.ptype, r.pfilt.action, r.pfilt.priority = p.Type, p.Action, p.Priority
	r.ptype = p.Type
	r.pid = xfrm.PolicyID{Selector: p.Selector, Dir: p.Dir, Index: p.Index, Type: p.Type, Mark: p.Mark, IfID: p.IfID, SecurityContext: p.SecurityContext}
	switch r.cmd {
	case "add", "update", "get", "delete":
		if !dirSet {
			return errBadWord("Not enough information: DIR is required.")
		}
	}
	return nil
}

// parseTemplate reads TMPL after "tmpl".
func parseTemplate(a *words) (xfrm.Template, error) {
	var t xfrm.Template
	for a.more() {
		w := a.peek()
		switch w {
		case "src", "dst", "proto", "spi":
			a.next()
			if _, err := parseXfrmID(a, w, &t.Src, &t.Dst, &t.Proto, &t.SPI); err != nil {
				return t, err
			}
			continue
		case "mode":
			a.next()
			m, err := parseMode(a)
			if err != nil {
				return t, err
			}
			t.Mode = m
			continue
		case "reqid":
			a.next()
			v, err := valueOf(a, getU32, "REQID value is invalid")
			if err != nil {
				return t, err
			}
			t.ReqID = v
			continue
		case "level":
			a.next()
			l, err := a.value()
			if err != nil {
				return t, err
			}
			switch l {
			case "required":
				t.Optional = false
			case "use":
				t.Optional = true
			default:
				return t, errInvarg("LEVEL value is invalid\n", l)
			}
			continue
		}
		break
	}
	return t, nil
}

func parseXfrmMonitor(a *words, r *xfrmRequest) error {
	for a.more() {
		w := a.next()
		switch {
		case w == "keys":
			r.keys = 1
		case w == "nokeys":
			r.keys = -1
		case w == "all-nsid":
		case matches(w, "all"):
			r.groups = nil
		case matches(w, "acquire"):
			r.groups = append(r.groups, xfrm.GroupAcquire)
		case matches(w, "expire"):
			r.groups = append(r.groups, xfrm.GroupExpire)
		case matches(w, "SA"):
			r.groups = append(r.groups, xfrm.GroupSA)
		case matches(w, "aevent"):
			r.groups = append(r.groups, xfrm.GroupAEvents)
		case matches(w, "policy"):
			r.groups = append(r.groups, xfrm.GroupPolicy)
		case matches(w, "report"):
			r.groups = append(r.groups, xfrm.GroupReport)
		case matches(w, "help"):
			return usagef("%s", strings.TrimSuffix(xfrmHelp, "\n"))
		default:
			return usagef(`Argument "%s" is unknown, try "nl xfrm monitor help".`, w)
		}
	}
	return nil
}

// resolveDevs resolves the device names of a request.
func (e *env) resolveXfrmDevs(ctx context.Context, r *xfrmRequest) error {
	if r.selDev != "" && r.selDev != "none" {
		idx, err := e.linkIndex(ctx, r.selDev)
		if err != nil {
			return errInvarg("DEV value is invalid", r.selDev)
		}
		r.state.Selector.IfIndex, r.policy.Selector.IfIndex, r.pid.Selector.IfIndex = idx, idx, idx
	}
	if r.offDev != "" {
		idx, err := e.linkIndex(ctx, r.offDev)
		if err != nil {
			return errInvarg(`value after "offload dev" is invalid`, r.offDev)
		}
		r.state.Offload.IfIndex = idx
	}
	return nil
}

// showKeys says whether SA keys print.
func (e *env) showKeys(r *xfrmRequest) bool {
	switch r.keys {
	case 1:
		return true
	case -1:
		return false
	}
	return e.opts.Stats || e.opts.Details
}

// execXfrm runs a parsed xfrm request on c.
func (e *env) execXfrm(ctx context.Context, c *xfrm.Conn, r xfrmRequest) error {
	if err := e.resolveXfrmDevs(ctx, &r); err != nil {
		return err
	}
	keys := e.showKeys(&r)
	switch r.obj + " " + r.cmd {
	case "state add":
		return c.AddState(ctx, r.state)
	case "state update":
		return c.ReplaceState(ctx, r.state)
	case "state allocspi":
		s, err := c.AllocSPI(ctx, r.state, r.min, r.max)
		if err != nil {
			return err
		}
		return writeRecords(e, []*printer{e.oneline(e.formatState(ctx, &s, keys, ""))})
	case "state get":
		s, err := c.State(ctx, r.id)
		if err != nil {
			return err
		}
		return writeRecords(e, []*printer{e.oneline(e.formatState(ctx, &s, keys, ""))})
	case "state delete":
		return c.DeleteState(ctx, r.id)
	case "state list":
		if err := e.loadLinkNames(ctx); err != nil {
			return err
		}
		return showRecords(e, c.States(ctx, xfrm.StateFilter{}), r.sfilt.keep, func(s *xfrm.State) *printer { return e.oneline(e.formatState(ctx, s, keys, "")) })
	case "state deleteall":
		list, err := c.StateList(ctx, xfrm.StateFilter{})
		if err != nil {
			return &dumpError{err: err, what: "Delete-all"}
		}
		for _, s := range list {
			if !r.sfilt.keep(&s) || !s.Proto.IsIPsec() {
				continue
			}
			if err := c.DeleteState(ctx, s.ID()); err != nil {
				return err
			}
		}
		return nil
	case "state flush":
		return c.FlushStates(ctx, r.proto)
	case "state count":
		info, err := c.SADInfo(ctx)
		if err != nil {
			return err
		}
		p := newRecord(e.opts.JSON)
		p.field("count", "\t SAD count %d", info.Count)
		if e.opts.Stats {
			p.field("buckets", " (buckets count %d", info.HashCount)
			p.field("max_buckets", " Max %d)", info.HashMax)
		}
		p.text("\n")
		return writeRecords(e, []*printer{p}) // ip prints it with "\n", -o or not
	case "policy add":
		return c.AddPolicy(ctx, r.policy)
	case "policy update":
		return c.ReplacePolicy(ctx, r.policy)
	case "policy get":
		p, err := c.Policy(ctx, r.pid)
		if err != nil {
			return err
		}
		return writeRecords(e, []*printer{e.oneline(e.formatPolicy(ctx, &p, ""))})
	case "policy delete":
		return c.DeletePolicy(ctx, r.pid)
	case "policy list":
		if err := e.loadLinkNames(ctx); err != nil {
			return err
		}
		return showRecords(e, c.Policies(ctx), r.pfilt.keep, func(p *xfrm.Policy) *printer { return e.oneline(e.formatPolicy(ctx, p, "")) })
	case "policy deleteall":
		list, err := c.PolicyList(ctx)
		if err != nil {
			return &dumpError{err: err, what: "Delete-all"}
		}
		var ids []xfrm.PolicyID
		for _, p := range list {
			if r.pfilt.keep(&p) && p.Dir < 3 {
				ids = append(ids, xfrm.PolicyID{Index: p.Index, Dir: p.Dir, Type: p.Type, Mark: p.Mark, IfID: p.IfID})
			}
		}
		return c.DeletePolicies(ctx, ids)
	case "policy flush":
		return c.FlushPolicies(ctx, r.ptype)
	case "policy count":
		info, err := c.SPDInfo(ctx)
		if err != nil {
			return err
		}
		p := newRecord(e.opts.JSON)
		p.field("in", "\t SPD IN  %d", info.In)
		p.field("out", " OUT %d", info.Out)
		p.field("fwd", " FWD %d", info.Fwd)
		if e.opts.Stats {
			p.field("in_socket", " (Sock: IN %d", info.InSocket)
			p.field("out_socket", " OUT %d", info.OutSocket)
			p.field("fwd_socket", " FWD %d)", info.FwdSocket)
		}
		p.text("\n")
		// ip prints these with -s -s; nl's options count -s once, so
		// -s -d asks for them.
		if e.opts.Stats && e.opts.Details {
			p.field("buckets", "\t SPD buckets: count %d", info.HashCount)
			p.field("max_buckets", " Max %d\n", info.HashMax)
			h := p.nested("hthresh4")
			h.field("local", "\t SPD IPv4 thresholds: local %d", info.IPv4Threshold.Local)
			h.field("remote", " remote %d\n", info.IPv4Threshold.Remote)
			h = p.nested("hthresh6")
			h.field("local", "\t SPD IPv6 thresholds: local %d", info.IPv6Threshold.Local)
			h.field("remote", " remote %d\n", info.IPv6Threshold.Remote)
		}
		return writeRecords(e, []*printer{e.oneline(p)})
	case "policy set":
		return c.SetSPDThresholds(ctx, r.thr4, r.thr6)
	case "policy setdefault":
		return c.SetDefaultPolicy(ctx, r.def)
	case "policy getdefault":
		d, err := c.DefaultPolicy(ctx)
		if err != nil {
			return err
		}
		p := newRecord(e.opts.JSON)
		p.text("Default policies:\n")
		p.field("in", " in:  %s\n", d.In.String())
		p.field("fwd", " fwd: %s\n", d.Fwd.String())
		p.field("out", " out: %s\n", d.Out.String())
		if !p.json {
			_, err := io.WriteString(e.unjoined(), p.b.String()) // ip prints it with "\n", -o or not
			return err
		}
		return writeRecords(e, []*printer{p})
	case "monitor ":
		return e.xfrmMonitor(ctx, c, r, keys)
	}
	return fmt.Errorf("xfrm %s %s: not handled", r.obj, r.cmd)
}

// xfrmMonitor prints XFRM notifications as ip xfrm monitor does.
func (e *env) xfrmMonitor(ctx context.Context, c *xfrm.Conn, r xfrmRequest, keys bool) error {
	if err := c.JoinGroup(r.groups...); err != nil {
		return err
	}
	for ev, err := range c.Events(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			fmt.Fprintln(e.stderr, "Warning: some notifications were lost (receive buffer overrun)")
			continue
		}
		if errors.Is(err, netlink.ErrMalformed) {
			fmt.Fprintf(e.stderr, "Warning: %v\n", err)
			continue
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		p := e.formatEvent(ctx, &ev, keys)
		if p == nil {
			continue
		}
		e.oneline(p)
		if e.opts.JSON {
			if err := writeJSON(e, p.obj); err != nil {
				return err
			}
		} else if _, err := fmt.Fprint(e.stdout, p.b.String()); err != nil {
			return err
		}
		if err := e.flush(); err != nil {
			return err
		}
	}
	return nil
}

// formatEvent formats one notification as ip xfrm monitor prints it.
func (e *env) formatEvent(ctx context.Context, ev *xfrm.Event, keys bool) *printer {
	switch ev.Kind {
	case xfrm.EventNewState, xfrm.EventUpdateState, xfrm.EventDeleteState:
		title := map[xfrm.EventKind]string{xfrm.EventUpdateState: "Updated ", xfrm.EventDeleteState: "Deleted "}[ev.Kind]
		p := e.formatState(ctx, &ev.State, keys, title)
		p.jsonOnly("event", ev.Kind.String())
		return p
	case xfrm.EventNewPolicy, xfrm.EventUpdatePolicy, xfrm.EventDeletePolicy:
		title := map[xfrm.EventKind]string{xfrm.EventUpdatePolicy: "Updated ", xfrm.EventDeletePolicy: "Deleted "}[ev.Kind]
		p := e.formatPolicy(ctx, &ev.Policy, title)
		p.jsonOnly("event", ev.Kind.String())
		return p
	case xfrm.EventFlushStates:
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.field("proto", "Flushed state proto %s\n", ev.Proto.String())
		return p
	case xfrm.EventFlushPolicies:
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.field("ptype", "Flushed policy ptype %s \n", ev.PolicyType.String())
		return p
	case xfrm.EventAcquire:
		a := &ev.Acquire
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.field("proto", "acquire proto %s ", a.Proto.String())
		if e.opts.Stats || a.SPI != 0 {
			p.field("spi", "spi 0x%08x", a.SPI)
			if e.opts.Stats {
				p.text("(%d)", a.SPI)
			}
			p.text(" ")
		}
		p.text("\n")
		sel := p.nested("sel")
		sel.text("  sel ")
		e.formatSelector(ctx, sel, &a.Selector, a.Selector.Family)
		pol := p.nested("policy")
		pp := e.formatPolicyInto(ctx, pol, &a.Policy, "  policy ", "    ")
		_ = pp
		if e.opts.Stats {
			p.field("seq", "  seq 0x%08d ", a.Seq) // sic: ip's "0x%08u"
			p.field("enc-mask", "enc-mask %08x ", a.CryptAlgos)
			p.field("auth-mask", "auth-mask %08x ", a.AuthAlgos)
			p.field("comp-mask", "comp-mask %08x", a.CompAlgos)
		} else {
			p.jsonOnly("seq", a.Seq)
		}
		p.text("\n")
		return p
	case xfrm.EventExpire:
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.text("Expired ")
		e.formatStateInto(ctx, p, &ev.State, keys, "")
		p.field("hard", "\thard %d\n", b2i(ev.Hard))
		return p
	case xfrm.EventPolicyExpire:
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.text("Expired ")
		e.formatPolicyInto(ctx, p, &ev.Policy, "", "")
		p.field("hard", "\thard %d\n", b2i(ev.Hard))
		return p
	case xfrm.EventCounters:
		cn := &ev.Counters
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.text("Async event ")
		p.field("flags", " (0x%x) ", cn.Flags)
		p.text("\n\t")
		p.field("src", "src %s ", cn.Src.String())
		p.field("dst", "dst %s ", cn.ID.Dst.String())
		p.field("reqid", "reqid 0x%x ", cn.ReqID)
		p.field("proto", "protocol %s ", cn.ID.Proto.String())
		p.field("spi", "SPI 0x%x\n", cn.ID.SPI)
		return p
	case xfrm.EventReport:
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.field("proto", "report proto %s ", ev.Report.Proto.String())
		p.text("\n\t")
		e.formatSelector(ctx, p.nested("sel"), &ev.Report.Selector, ev.Report.Selector.Family)
		if ev.Report.CareOf.IsValid() {
			p.field("coa", "\tcoa %s\n", ev.Report.CareOf.String())
		}
		return p
	case xfrm.EventMapping:
		m := &ev.Mapping
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.field("src", "Mapping change %s:", m.OldSrc.String())
		p.field("sport", "%d ", m.OldPort)
		p.field("new_src", "-> %s:", m.NewSrc.String())
		p.field("new_sport", "%d\n", m.NewPort)
		return p
	case xfrm.EventMigrate:
		p := newRecord(e.opts.JSON)
		p.jsonOnly("event", ev.Kind.String())
		p.text("Migrate ")
		p.field("dir", "dir %s", ev.Migrate.Policy.Dir.String())
		p.text("\n")
		return p
	}
	return nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// oneline applies -o to a record's text as ip's _SL_ does: each line
// break becomes a backslash, and the record ends with one line break.
func (e *env) oneline(p *printer) *printer {
	if !e.opts.Oneline || p.json {
		return p
	}
	t := strings.ReplaceAll(p.b.String(), "\n", "\\")
	p.b.Reset()
	p.b.WriteString(t)
	p.b.WriteString("\n")
	return p
}

// xfrmAddr prints an xfrm address as ip's rt_addr_n2a does for family f:
// the zero Addr is the family's unspecified address.
func xfrmAddr(a netip.Addr, f xfrm.Family) string {
	if a.IsValid() {
		return a.String()
	}
	switch f {
	case xfrm.FamilyIPv6:
		return "::"
	case xfrm.FamilyIPv4:
		return "0.0.0.0"
	}
	return "???"
}

// formatState formats an SA as ip xfrm state prints it, after title
// ("Updated ", "Deleted ").
func (e *env) formatState(ctx context.Context, s *xfrm.State, keys bool, title string) *printer {
	p := newRecord(e.opts.JSON)
	p.text("%s", title)
	e.formatStateInto(ctx, p, s, keys, "")
	return p
}

func (e *env) formatStateInto(ctx context.Context, p *printer, s *xfrm.State, keys bool, prefix string) {
	stats := e.opts.Stats
	fam := s.Family
	p.field("src", "src %s ", xfrmAddr(s.Src, fam))
	p.field("dst", "dst %s\n", xfrmAddr(s.Dst, fam))
	p.text("%s\t", prefix)
	p.field("proto", "proto %s ", s.Proto.String())
	if stats || s.Proto.IsIPsec() || s.SPI != 0 {
		p.field("spi", "spi 0x%08x", s.SPI)
		if stats {
			p.text("(%d)", s.SPI)
		}
		p.text(" ")
	}
	p.field("reqid", "reqid %d", s.ReqID)
	if stats {
		p.text("(0x%08x)", s.ReqID)
	}
	p.text(" ")
	p.field("mode", "mode %s\n", s.Mode.String())
	p.text("%s\t", prefix)
	p.field("replay-window", "replay-window %d ", s.ReplayWindow)
	if stats {
		p.field("seq", "seq 0x%08d ", s.Seq)
	}
	if stats || s.Flags != 0 {
		p.text("flag %s", s.Flags.String())
		p.jsonOnly("flag", flagList(s.Flags.String()))
	}
	if stats && s.ExtraFlags != 0 {
		p.text("extra_flag %s", s.ExtraFlags.String())
		p.jsonOnly("extra_flag", flagList(s.ExtraFlags.String()))
	}
	if stats {
		p.text(" (0x%08b)", uint8(s.Flags))
	}
	p.text("\n")
	e.formatAttrs(ctx, p, prefix+"\t", fam, s.Mark, s.OutputMark, s.IfID, nil, s, keys)
	if !s.Selector.IsZero() {
		p.text("%s\tsel ", prefix)
		e.formatSelector(ctx, p.nested("sel"), &s.Selector, fam)
	}
	if stats {
		formatLifetime(p, prefix+"\t", &s.Limits, &s.Current)
		st := p.nested("stats")
		st.text("%s\tstats:\n", prefix)
		st.text("%s\t  ", prefix)
		st.field("replay-window", "replay-window %d ", s.Stats.ReplayWindow)
		st.field("replay", "replay %d ", s.Stats.Replay)
		st.field("failed", "failed %d\n", s.Stats.IntegrityFailed)
	}
	if c := s.SecurityContext; c != nil {
		p.field("security-context", "\tsecurity context %s \n", c.Context)
	}
}

// flagList is the JSON array of a flags' words.
func flagList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Fields(s)
}

// formatAttrs prints what ip's xfrm_xfrma_print prints, for an SA (s) or
// a policy (tmpls).
func (e *env) formatAttrs(ctx context.Context, p *printer, prefix string, fam xfrm.Family, mark, outMark xfrm.Mark, ifID uint32, tmpls []xfrm.Template, s *xfrm.State, keys bool) {
	om := func() {
		p.field("output-mark", "output-mark 0x%x", outMark.Value)
		if outMark.Mask != 0 {
			p.field("output-mask", "/0x%x", outMark.Mask)
		}
	}
	if !mark.IsZero() {
		m := p.nested("mark")
		m.field("value", "\tmark %s", cHexAlt(mark.Value))
		m.field("mask", "/%s ", cHexAlt(mark.Mask))
		if s != nil && !outMark.IsZero() {
			om()
		}
		p.text("\n")
	} else if s != nil && !outMark.IsZero() {
		p.text("\t")
		om()
		p.text("\n")
	}
	if s != nil {
		alg := func(key, word string, a *xfrm.Algorithm, icv bool) {
			if a.IsZero() {
				return
			}
			o := p.nested(key)
			o.text("%s%s ", prefix, word)
			o.field("name", "%s ", a.Name)
			switch {
			case !keys:
				o.text("<<Keys hidden>>")
			case len(a.Key) > 0:
				o.field("key", "%s", "0x"+hex.EncodeToString(a.Key))
				if e.opts.Stats {
					o.text(" (%d bits)", 8*len(a.Key))
				}
			}
			if icv {
				o.field("icv", " %d", a.ICVBits)
			}
			o.text("\n")
		}
		if s.Auth.ICVBits == 0 {
			alg("auth", "auth", &s.Auth, false)
		} else {
			alg("auth-trunc", "auth-trunc", &s.Auth, true)
		}
		alg("aead", "aead", &s.AEAD, true)
		alg("enc", "enc", &s.Crypt, false)
		alg("comp", "comp", &s.Comp, false)
		if s.Encap != (xfrm.Encap{}) {
			o := p.nested("encap")
			o.text("%sencap ", prefix)
			o.field("type", "type %s ", s.Encap.Type.String())
			o.field("sport", "sport %d ", s.Encap.SrcPort)
			o.field("dport", "dport %d ", s.Encap.DstPort)
			o.field("addr", "addr %s\n", xfrmAddr(s.Encap.OrigAddr, fam))
		}
	}
	if len(tmpls) > 0 {
		list := p.list
		if !p.json {
			// Text: straight into p (list would make a record each).
			list = func(_ string, n int, fill func(int, *printer)) {
				for i := range n {
					fill(i, p)
				}
			}
		}
		list("tmpl", len(tmpls), func(i int, o *printer) {
			t := &tmpls[i]
			o.xs("", prefix, "tmpl ", "")
			o.xs("src", "src ", xfrmAddr(t.Src, t.Family), " ")
			o.xs("dst", "dst ", xfrmAddr(t.Dst, t.Family), "\n")
			o.xs("", prefix, "\t", "")
			o.xs("proto", "proto ", t.Proto.String(), " ")
			if e.opts.Stats || t.SPI != 0 {
				o.field("spi", "spi 0x%08x", t.SPI)
				if e.opts.Stats {
					o.text("(%d)", t.SPI)
				}
				o.text(" ")
			}
			o.xu("reqid", "reqid ", uint64(t.ReqID), "")
			if e.opts.Stats {
				o.text("(0x%08x)", t.ReqID)
			}
			o.xs("mode", " mode ", t.Mode.String(), "\n")
			if e.opts.Stats || t.Optional {
				o.text("%s\t", prefix)
				if t.Optional {
					o.field("level", "level use ", "use")
				} else {
					o.field("level", "level required ", "required")
				}
				if e.opts.Stats {
					o.field("share", "share %s ", t.Share.String())
				}
				o.text("\n")
			}
			if e.opts.Stats {
				o.text("%s\t", prefix)
				o.field("enc-mask", "enc-mask %08x ", t.CryptAlgos)
				o.field("auth-mask", "auth-mask %08x ", t.AuthAlgos)
				o.field("comp-mask", "comp-mask %08x\n", t.CompAlgos)
			}
		})
	}
	if s != nil {
		if s.CareOf.IsValid() {
			p.field("coa", prefix+"coa %s\n", s.CareOf.String())
		}
		if s.LastUsed != 0 {
			p.field("lastused", prefix+"lastused %s\n", xfrmTime(s.LastUsed))
		}
		if r := s.Replay; r != nil {
			o := p.nested("anti-replay")
			o.text("%santi-replay context: ", prefix)
			o.field("seq", "seq 0x%x, ", r.Seq)
			o.field("oseq", "oseq 0x%x, ", r.OSeq)
			o.field("bitmap", "bitmap 0x%08x\n", r.Bitmap)
		}
		if r := s.ReplayESN; r != nil {
			o := p.nested("anti-replay-esn")
			o.text("%santi-replay esn context:\n", prefix)
			o.text("%s", prefix)
			o.field("seq-hi", " seq-hi 0x%x, ", r.SeqHi)
			o.field("seq", "seq 0x%x, ", r.Seq)
			o.field("oseq-hi", "oseq-hi 0x%x, ", r.OSeqHi)
			o.field("oseq", "oseq 0x%x\n", r.OSeq)
			o.text("%s", prefix)
			o.field("replay_window", " replay_window %d, ", r.Window)
			o.field("bitmap-length", "bitmap-length %d", len(r.Bitmap))
			for j := range r.Bitmap {
				if j%8 == 0 {
					o.text("\n%s ", prefix)
				}
				o.text("%08x ", r.Bitmap[len(r.Bitmap)-1-j])
			}
			o.jsonOnly("bitmap", r.Bitmap)
			o.text("\n")
		}
		if off := s.Offload; off != nil {
			o := p.nested("offload")
			o.text("%scrypto offload parameters: ", prefix)
			o.field("dev", "dev %s ", e.linkNameOr(ctx, off.IfIndex))
			dir := "out"
			if off.Flags&xfrm.OffloadInbound != 0 {
				dir = "in"
			}
			o.field("dir", "dir %s\n", dir)
		}
	}
	if ifID != 0 {
		p.field("if_id", prefix+"if_id %s\n", cHexAlt(ifID))
	}
	if s != nil && s.TFCPad != 0 {
		p.field("tfcpad", prefix+"tfcpad %d\n", s.TFCPad)
	}
}

// cHexAlt is C's %#x: 0x-prefixed hex, but a bare 0 for zero.
func cHexAlt(v uint32) string {
	if v == 0 {
		return "0"
	}
	return fmt.Sprintf("%#x", v)
}

// linkNameOr names an interface index (ip's ll_index_to_name).
func (e *env) linkNameOr(ctx context.Context, idx int32) string {
	if idx == 0 {
		return "*"
	}
	return e.linkName(ctx, idx)
}

// xfrmTime prints seconds of the epoch as ip's strxf_time: local time,
// "-" for zero.
func xfrmTime(s uint64) string {
	if s == 0 {
		return "-"
	}
	return time.Unix(int64(s), 0).Format("2006-01-02 15:04:05")
}

func formatLimit(v uint64) string {
	if v == xfrm.NoLimit {
		return "(INF)"
	}
	return strconv.FormatUint(v, 10)
}

// formatLifetime prints ip's xfrm_lifetime_print.
func formatLifetime(p *printer, prefix string, l *xfrm.Limits, c *xfrm.Lifetime) {
	o := p.nested("lifetime-config")
	o.text("%slifetime config:\n", prefix)
	o.text("%s  limit: ", prefix)
	o.field("soft-bytes", "soft %s(bytes),", formatLimit(l.SoftBytes))
	o.field("hard-bytes", " hard %s(bytes)\n", formatLimit(l.HardBytes))
	o.text("%s  limit: ", prefix)
	o.field("soft-packets", "soft %s(packets),", formatLimit(l.SoftPackets))
	o.field("hard-packets", " hard %s(packets)\n", formatLimit(l.HardPackets))
	o.text("%s  expire add: ", prefix)
	o.field("soft-add", "soft %d(sec),", l.SoftAdd)
	o.field("hard-add", " hard %d(sec)\n", l.HardAdd)
	o.text("%s  expire use: ", prefix)
	o.field("soft-use", "soft %d(sec),", l.SoftUse)
	o.field("hard-use", " hard %d(sec)\n", l.HardUse)
	o = p.nested("lifetime-current")
	o.text("%slifetime current:\n", prefix)
	o.text("%s  ", prefix)
	o.field("bytes", "%d(bytes), ", c.Bytes)
	o.field("packets", "%d(packets)\n", c.Packets)
	o.text("%s  ", prefix)
	o.field("add", "add %s ", xfrmTime(c.Added))
	o.field("use", "use %s\n", xfrmTime(c.Used))
}

// xs prints a string field as printer.field does with pre+"%s"+post,
// without fmt: the listing of 100,000 policies formats a million fields.
func (p *printer) xs(key, pre, v, post string) {
	if p.json {
		if key != "" {
			p.obj.set(key, v)
		}
		return
	}
	p.b.WriteString(pre)
	p.b.WriteString(v)
	p.b.WriteString(post)
}

// xu prints an unsigned decimal field likewise.
func (p *printer) xu(key, pre string, v uint64, post string) {
	if p.json {
		if key != "" {
			p.obj.set(key, v)
		}
		return
	}
	var buf [20]byte
	p.b.WriteString(pre)
	p.b.Write(strconv.AppendUint(buf[:0], v, 10))
	p.b.WriteString(post)
}

// xp prints a prefix field likewise; the zero Prefix is fam's 0/0.
func (p *printer) xp(key, pre string, x netip.Prefix, fam xfrm.Family, post string) {
	if !x.IsValid() {
		p.xs(key, pre, xfrmAddr(netip.Addr{}, fam)+"/0", post)
		return
	}
	if p.json {
		p.obj.set(key, x.String())
		return
	}
	var buf [64]byte
	p.b.WriteString(pre)
	p.b.Write(x.AppendTo(buf[:0]))
	p.b.WriteString(post)
}

// formatSelector prints ip's xfrm_selector_print (after its prefix).
func (e *env) formatSelector(ctx context.Context, p *printer, s *xfrm.Selector, fam xfrm.Family) {
	f := s.Family
	if f == xfrm.FamilyUnspec {
		f = fam
	}
	p.xp("src", "src ", s.Src, f, " ")
	p.xp("dst", "dst ", s.Dst, f, " ")
	if s.Proto != 0 {
		p.xs("proto", "proto ", ipProtoName(s.Proto), " ")
	}
	switch s.Proto {
	case 1, 58: // ICMP, ICMPv6: type and code
		if s.SrcPortMask != 0 {
			p.xu("type", "type ", uint64(s.SrcPort), " ")
		}
		if s.DstPortMask != 0 {
			p.xu("code", "code ", uint64(s.DstPort), " ")
		}
	case 47: // GRE: the key
		if s.SrcPortMask != 0 || s.DstPortMask != 0 {
			p.xu("key", "key ", uint64(s.SrcPort)<<16|uint64(s.DstPort), " ")
		}
	case 135: // Mobility header
		if s.SrcPortMask != 0 {
			p.xu("type", "type ", uint64(s.SrcPort), " ")
		}
		if s.DstPortMask != 0 && e.opts.Stats {
			p.text("(dport) 0x%04x ", s.DstPort>>8|s.DstPort<<8)
		}
	default:
		if s.SrcPortMask != 0 {
			p.xu("sport", "sport ", uint64(s.SrcPort), " ")
		}
		if s.DstPortMask != 0 {
			p.xu("dport", "dport ", uint64(s.DstPort), " ")
		}
	}
	if s.IfIndex > 0 {
		p.xs("dev", "dev ", e.linkName(ctx, s.IfIndex), " ")
	}
	if e.opts.Stats {
		p.xu("uid", "uid ", uint64(s.User), "")
	}
	p.xs("", "\n", "", "")
}

// formatPolicy formats a policy as ip xfrm policy prints it.
func (e *env) formatPolicy(ctx context.Context, pol *xfrm.Policy, title string) *printer {
	p := newRecord(e.opts.JSON)
	e.formatPolicyInto(ctx, p, pol, title, "")
	return p
}

func (e *env) formatPolicyInto(ctx context.Context, p *printer, pol *xfrm.Policy, title, prefix string) *printer {
	stats := e.opts.Stats
	p.xs("", title, "", "")
	e.formatSelector(ctx, p.nested("sel"), &pol.Selector, pol.Selector.Family)
	if c := pol.SecurityContext; c != nil {
		p.xs("security-context", "\tsecurity context ", c.Context, " \n")
	}
	p.xs("", prefix, "\t", "")
	dir := pol.Dir
	if dir >= 3 {
		dir -= 3
		p.jsonOnly("socket", true)
		p.xs("", "socket ", "", "")
	} else {
		p.xs("", "dir ", "", "")
	}
	p.xs("dir", "", dir.String(), " ")
	if pol.Action != xfrm.ActionAllow || stats {
		p.xs("action", "action ", pol.Action.String(), " ")
	} else {
		p.jsonOnly("action", pol.Action.String())
	}
	if stats {
		p.xu("index", "index ", uint64(pol.Index), " ")
	} else {
		p.jsonOnly("index", pol.Index)
	}
	p.xu("priority", "priority ", uint64(pol.Priority), " ")
	p.xs("ptype", "ptype ", pol.Type.String(), " ")
	if stats {
		p.xs("share", "share ", pol.Share.String(), " ")
	}
	if stats || pol.Flags != 0 {
		p.xs("", "flag ", pol.Flags.String(), "")
		p.jsonOnly("flag", flagList(pol.Flags.String()))
	}
	if stats {
		p.text(" (0x%08b)", uint8(pol.Flags))
	}
	p.xs("", "\n", "", "")
	if stats {
		formatLifetime(p, prefix+"\t", &pol.Limits, &pol.Current)
	}
	e.formatAttrs(ctx, p, prefix+"\t", pol.Selector.Family, pol.Mark, xfrm.Mark{}, pol.IfID, pol.Templates, nil, false)
	return p
}
