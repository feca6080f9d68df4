package cli

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/rtnl"
)

// The link add|set words of ip's iplink_parse beyond the common ones of
// link.go: broadcast, carrier, queues, index, parent device, IPv6 address
// generation, protodown, GSO/GRO sizes, link mode and operational state,
// XDP detach, SR-IOV virtual functions, link-netns(id), vrf.

// linkExtra are the settings of those words.
type linkExtra struct {
	broadcast    []byte
	carrier      *bool
	protodown    *bool
	pdReason     *rtnl.ProtoDownReason
	gsoMaxSize   *uint32
	gsoMaxSegs   *uint32
	groMaxSize   *uint32
	numTx, numRx uint32
	index        int32
	parentDev    string
	addrGenMode  *rtnl.AddrGenMode
	linkMode     *rtnl.LinkMode
	operState    *rtnl.OperState
	linkNetns    string // link-netns NAME, resolved to an id when run
	linkNetnsid  *int32
	xdp          *rtnl.LinkXDP
	vfs          []rtnl.VFChange
	vrf          string // vrf NAME: master, checked to be a vrf
}

// onOff is ip's parse_on_off: "on" or "off", else its message (exit
// status 22, the EINVAL it returns).
func onOff(key, v string) (bool, error) {
	switch v {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, &UsageError{Msg: `Error: argument of "` + key + `" must be one of "off", "on", not "` + v + `"`, Exit: 22}
}

// onOffValue takes the word after key as onOff.
func onOffValue(a *words, key string) (*bool, error) {
	v, err := a.value()
	if err != nil {
		return nil, err
	}
	b, err := onOff(key, v)
	return &b, err
}

// addrGenModes are ip's addrgenmode words.
var addrGenModes = map[string]rtnl.AddrGenMode{
	"eui64": rtnl.AddrGenModeEUI64, "none": rtnl.AddrGenModeNone,
	"stable_secret": rtnl.AddrGenModeStablePrivacy, "random": rtnl.AddrGenModeRandom,
}

// linkModeWords are ip's "mode" words (IF_LINK_MODE_*).
var linkModeWords = map[string]rtnl.LinkMode{"default": rtnl.LinkModeDefault, "dormant": rtnl.LinkModeDormant, "testing": rtnl.LinkModeTesting}

// operStateWords are ip's "state" words, read without regard to case.
var operStateWords = [...]string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// linkExtraWord parses w (taken from a) if it is one of these words;
// handled says whether it was.
func linkExtraWord(a *words, w string, mode linkMode, x *linkExtra) (handled bool, err error) {
	u32 := func(key string) (*uint32, error) {
		v, err := valueOf(a, getU32, `Invalid "`+key+`" value`+"\n")
		return &v, err
	}
	switch w {
	case "brd", "broadcast":
		var v string
		if v, err = a.value(); err == nil {
			x.broadcast, err = parseLLAddr(v, 32)
		}
	case "carrier":
		x.carrier, err = onOffValue(a, w)
	case "protodown":
		x.protodown, err = onOffValue(a, w)
	case "protodown_reason":
		err = protodownReasonWord(a, x)
	case "gso_max_size":
		x.gsoMaxSize, err = u32(w)
	case "gso_max_segs":
		x.gsoMaxSegs, err = u32(w)
	case "gro_max_size":
		x.groMaxSize, err = u32(w)
	case "numtxqueues", "numrxqueues":
		var v *uint32
		if v, err = u32(w); err == nil && *v == 0 {
			// The kernel refuses 0 queues; the library's 0 means "not set".
			err = errBadWord(`Error: "%s" must be at least 1.`, w)
		} else if err == nil {
			if w == "numtxqueues" {
				x.numTx = *v
			} else {
				x.numRx = *v
			}
		}
	case "index":
		var v int64
		if v, err = valueOf(a, func(s string) (int64, bool) { n, ok := getInt(s, 32); return n, ok && n > 0 }, `Invalid "index" value`); err == nil {
			x.index = int32(v)
		}
	case "parentdev":
		x.parentDev, err = a.value()
	case "addrgenmode":
		var v rtnl.AddrGenMode
		if v, err = valueOf(a, func(s string) (rtnl.AddrGenMode, bool) { m, ok := addrGenModes[s]; return m, ok }, "Invalid address generation mode\n"); err == nil {
			x.addrGenMode = &v
		}
	case "mode":
		var v rtnl.LinkMode
		if v, err = valueOf(a, func(s string) (rtnl.LinkMode, bool) { m, ok := linkModeWords[s]; return m, ok }, "Invalid link mode\n"); err == nil {
			x.linkMode = &v
		}
	case "state":
		var v rtnl.OperState
		if v, err = valueOf(a, func(s string) (rtnl.OperState, bool) {
			for i, n := range operStateWords {
				if strings.EqualFold(s, n) {
					return rtnl.OperState(i), true
				}
			}
			return 0, false
		}, "Invalid operstate\n"); err == nil {
			x.operState = &v
		}
	case "link-netns":
		x.linkNetns, err = a.value()
	case "link-netnsid":
		var v int64
		if v, err = valueOf(a, func(s string) (int64, bool) { return getInt(s, 32) }, `Invalid "link-netnsid" value`+"\n"); err == nil {
			id := int32(v)
			x.linkNetnsid = &id
		}
	case "xdp", "xdpgeneric", "xdpdrv", "xdpoffload":
		if mode != linkModeSet {
			// ip's xdp words attach programs only to an existing device
			var v string
			if v, err = a.value(); err == nil {
				err = usagef(`What mode is "%s"?`, v)
			}
			break
		}
		err = xdpWords(a, w, x)
	case "vf":
		if mode != linkModeSet {
			// ip parses vf only for link set's existing device
			return true, usagef(`Error: "%s" is not supported in "%s".`, w, linkModeNames[mode])
		}
		err = vfWords(a, x)
	case "vrf":
		x.vrf, err = a.value()
	default:
		return false, nil
	}
	return true, err
}

// protodownReasonWord reads "protodown_reason REASON on|off": REASON a
// number 0-31 or a name from /etc/iproute2/protodown_reasons.d/*.conf.
func protodownReasonWord(a *words, x *linkExtra) error {
	w, err := a.value()
	if err != nil {
		return err
	}
	bit, ok := protodownReason(w)
	if !ok {
		return errInvarg("invalid protodown reason\n", w)
	}
	v, err := a.value()
	if err != nil {
		return err
	}
	if v != "on" && v != "off" {
		return errBadWord(`Error: argument of "protodown_reason" must be "on" or "off", not "%s"`, v)
	}
	// One reason per request: ip sends an attribute per word and the
	// kernel reads the last one, so the last word counts, as with ip.
	x.pdReason = &rtnl.ProtoDownReason{Mask: 1 << bit}
	if v == "on" {
		x.pdReason.Value = 1 << bit
	}
	return nil
}

// protodownReasonsDir holds iproute2's protodown reason names.
const protodownReasonsDir = "/etc/iproute2/protodown_reasons.d"

// protodownReason is the bit of a reason word: a number below 32, or a
// name of the reasons files ("ID NAME" lines).
func protodownReason(w string) (uint, bool) {
	if n, ok := getUint(w, 0, 32); ok {
		return uint(n), n < 32
	}
	files, _ := filepath.Glob(filepath.Join(protodownReasonsDir, "*.conf"))
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			continue
		}
		s := bufio.NewScanner(fh)
		for s.Scan() {
			fs := strings.Fields(s.Text())
			if len(fs) >= 2 && !strings.HasPrefix(fs[0], "#") && fs[1] == w {
				if n, err := strconv.ParseUint(fs[0], 0, 8); err == nil && n < 32 {
					fh.Close()
					return uint(n), true
				}
			}
		}
		fh.Close()
	}
	return 0, false
}

// xdpWords reads "xdp[generic|drv|offload] off": nl detaches
// programs but does not load them (ip loads ELF objects with libbpf).
func xdpWords(a *words, w string, x *linkExtra) error {
	flags := rtnl.XDPUpdateIfNoExist
	switch w {
	case "xdpgeneric":
		flags |= rtnl.XDPSKBMode
	case "xdpdrv":
		flags |= rtnl.XDPDrvMode
	case "xdpoffload":
		flags |= rtnl.XDPHWMode
	}
	v, err := a.value()
	if err != nil {
		return err
	}
	switch v {
	case "off":
		x.xdp = &rtnl.LinkXDP{FD: -1, Flags: flags}
		return nil
	case "object", "obj", "pinned", "fd":
		return usagef(`nl does not load XDP programs ("%s %s"): load it with ip or bpftool; nl detaches them with "%s off"`, w, v, w)
	}
	return usagef(`What mode is "%s"?`, v)
}

// vfSettings are the words of a vf's settings.
var vfSettings = map[string]bool{
	"mac": true, "vlan": true, "rate": true, "max_tx_rate": true, "min_tx_rate": true, "spoofchk": true,
	"query_rss": true, "trust": true, "state": true, "node_guid": true, "port_guid": true,
}

// vfStates are ip's vf "state" words.
var vfStates = map[string]rtnl.VFLinkState{"auto": rtnl.VFLinkStateAuto, "enable": rtnl.VFLinkStateEnable, "disable": rtnl.VFLinkStateDisable}

// vfWords reads "vf NUM SETTINGS..." as ip's iplink_parse_vf: the
// settings up to the first word that is not one (which the caller then
// reads); at least one setting.
func vfWords(a *words, x *linkExtra) error {
	n, err := valueOf(a, getU32, `Invalid "vf" value`+"\n")
	if err != nil {
		return err
	}
	v := rtnl.VFChange{VF: n}
	var minRate, maxRate *uint32
	set := 0
	for a.more() && vfSettings[a.peek()] {
		w := a.next()
		var err error
		switch w {
		case "mac":
			var s string
			if s, err = a.value(); err == nil {
				v.HardwareAddr, err = parseLLAddr(s, 32)
			}
		case "vlan":
			var id uint32
			if id, err = valueOf(a, func(s string) (uint32, bool) { n, ok := getU32(s); return n, ok && n <= 4095 }, `Invalid "vlan" value`+"\n"); err != nil {
				break
			}
			v.VLAN = &rtnl.VFVLAN{ID: id}
			if a.more() && a.peek() == "qos" {
				a.next()
				if v.VLAN.QoS, err = valueOf(a, func(s string) (uint32, bool) { n, ok := getU32(s); return n, ok && n <= 7 }, `Invalid "qos" value`+"\n"); err != nil {
					break
				}
			}
			if a.more() && a.peek() == "proto" {
				a.next()
				var p string
				if p, err = a.value(); err != nil {
					break
				}
				switch strings.ToLower(p) {
				case "802.1q":
					v.VLAN.Proto = 0x8100
				case "802.1ad":
					v.VLAN.Proto = 0x88a8
				default:
					err = errInvarg(`protocol is invalid`+"\n", p)
				}
			}
		case "rate":
			var r uint32
			if r, err = valueOf(a, getU32, `Invalid "rate" value`+"\n"); err == nil {
				v.TxRate = &r
			}
		case "max_tx_rate":
			maxRate = new(uint32)
			*maxRate, err = valueOf(a, getU32, `Invalid "max tx rate" value`+"\n")
		case "min_tx_rate":
			minRate = new(uint32)
			*minRate, err = valueOf(a, getU32, `Invalid "min tx rate" value`+"\n")
		case "spoofchk":
			v.SpoofCheck, err = vfOnOff(a, w)
		case "query_rss":
			v.RSSQuery, err = vfOnOff(a, w)
		case "trust":
			v.Trust, err = vfOnOff(a, w)
		case "state":
			var s rtnl.VFLinkState
			if s, err = valueOf(a, func(s string) (rtnl.VFLinkState, bool) { st, ok := vfStates[s]; return st, ok }, `Invalid "state" value`+"\n"); err == nil {
				v.LinkState = &s
			}
		case "node_guid", "port_guid":
			var g uint64
			if g, err = valueOf(a, parseGUID, `Invalid "`+w+`" value`+"\n"); err == nil {
				if w == "node_guid" {
					v.NodeGUID = &g
				} else {
					v.PortGUID = &g
				}
			}
		}
		if err != nil {
			return err
		}
		set++
	}
	if set == 0 {
		return errIncomplete()
	}
	if minRate != nil || maxRate != nil {
		// ip sends IFLA_VF_RATE with both bounds, the rate word being the
		// older attribute for the maximum; with a bound given, "rate"
		// alone is not sent.
		v.Rate = &rtnl.VFRate{}
		if minRate != nil {
			v.Rate.MinTxRate = *minRate
		}
		if maxRate != nil {
			v.Rate.MaxTxRate = *maxRate
		} else if v.TxRate != nil {
			v.Rate.MaxTxRate = *v.TxRate
		}
		v.TxRate = nil
	}
	x.vfs = append(x.vfs, v)
	return nil
}

// vfOnOff is a vf setting's on|off, with ip's message (exit status 1).
func vfOnOff(a *words, key string) (*bool, error) {
	w, err := a.value()
	if err != nil {
		return nil, err
	}
	if w != "on" && w != "off" {
		return nil, errBadWord(`Error: argument of "%s" must be one of "off", "on", not "%s"`, key, w)
	}
	b := w == "on"
	return &b, nil
}

// parseGUID reads an EUI-64 written as eight hex bytes with colons.
func parseGUID(s string) (uint64, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 8 {
		return 0, false
	}
	var g uint64
	for _, p := range parts {
		b, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return 0, false
		}
		g = g<<8 | b
	}
	return g, true
}

// applyLinkExtra puts x into a link change, resolving names (link-netns,
// vrf) in the command's namespace.
func (e *env) applyLinkExtra(ctx context.Context, x *linkExtra, ch *rtnl.LinkChange) error {
	ch.Broadcast = x.broadcast
	ch.Carrier, ch.ProtoDown, ch.ProtoDownReason = x.carrier, x.protodown, x.pdReason
	ch.GSOMaxSize, ch.GSOMaxSegs, ch.GROMaxSize = x.gsoMaxSize, x.gsoMaxSegs, x.groMaxSize
	ch.AddrGenMode, ch.LinkMode, ch.OperState = x.addrGenMode, x.linkMode, x.operState
	ch.XDP, ch.VFs = x.xdp, x.vfs
	ch.LinkNetNSID = x.linkNetnsid
	if x.linkNetns != "" {
		id, err := e.nsidOf(ctx, filepath.Join(netnsRunDir, x.linkNetns))
		if err != nil || id < 0 {
			return errInvarg(`Invalid "link-netns" value`+"\n", x.linkNetns)
		}
		ch.LinkNetNSID = &id
	}
	if x.vrf != "" {
		m, err := e.vrfIndex(ctx, x.vrf)
		if err != nil {
			return err
		}
		ch.Master = &m
	}
	return nil
}

// vrfIndex is the index of the vrf device NAME, or ip's message when
// NAME is no vrf.
func (e *env) vrfIndex(ctx context.Context, name string) (int32, error) {
	c, err := e.rt()
	if err != nil {
		return 0, err
	}
	l, err := c.LinkByName(ctx, name)
	if err != nil || l.Kind != "vrf" {
		if err != nil && !errors.Is(err, syscall.ENODEV) {
			return 0, err
		}
		return 0, errInvarg("Not a valid VRF name\n", name)
	}
	return l.Index, nil
}

// parseLinkProperty reads "property { add | del } [dev] DEV [altname NAME]...".
func parseLinkProperty(a *words) (linkRequest, error) {
	r := linkRequest{cmd: "property"}
	if !a.more() {
		return r, &UsageError{Msg: strings.TrimSuffix(linkHelp, "\n")}
	}
	switch op := a.next(); {
	case matches(op, "add"):
		r.propOp = "add"
	case matches(op, "delete"):
		r.propOp = "del"
	default:
		return r, usagef("Operator required")
	}
	var hasDev bool
	for a.more() {
		w := a.next()
		if w == "altname" {
			n, err := a.value()
			if err != nil {
				return r, err
			}
			if !validAltIfname(n) { // ip's check_altifname: no "/" or space
				return r, errInvarg("not a valid altname", n)
			}
			r.altNames = append(r.altNames, n)
			continue
		}
		if err := devWord(a, w, &r.dev, &hasDev, nil); err != nil {
			return r, err
		}
	}
	if !hasDev {
		return r, usagef(`Not enough of information: "dev" argument is required.`)
	}
	return r, nil
}

// linkProperty adds or deletes alternative names; without names it only
// checks the device, as ip.
func (e *env) linkProperty(ctx context.Context, r linkRequest) error {
	c, idx, err := e.rtLink(ctx, r.dev)
	if err != nil || len(r.altNames) == 0 {
		return err
	}
	if r.propOp == "add" {
		return c.AddAltNames(ctx, idx, r.altNames...)
	}
	return c.DeleteAltNames(ctx, idx, r.altNames...)
}
