package cli

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/nlkit/nlattr"
)

// The macsec link kind's settings (IFLA_INFO_DATA, linux/if_link.h
// IFLA_MACSEC_*), read as ip 6.1's macsec_parse_opt and encoded into the
// raw settings of an rtnl.UnknownKind (the library does not model
// macsec; this kernel lacks the module: TestMacsecEncoderLikeIP compares
// the requests with ip's).

const (
	iflaMacsecSCI           = 1
	iflaMacsecPort          = 2
	iflaMacsecICVLen        = 3
	iflaMacsecCipherSuite   = 4
	iflaMacsecWindow        = 5
	iflaMacsecEncodingSA    = 6
	iflaMacsecEncrypt       = 7
	iflaMacsecProtect       = 8
	iflaMacsecIncSCI        = 9
	iflaMacsecES            = 10
	iflaMacsecSCB           = 11
	iflaMacsecReplayProtect = 12
	iflaMacsecValidation    = 13
	iflaMacsecOffload       = 15
)

// macsecCiphers are ip's cipher words and their ids (linux/if_macsec.h).
var macsecCiphers = []struct {
	words []string
	id    uint64
}{
	{[]string{"default"}, 0x0080020001000001},
	{[]string{"gcm-aes-128", "GCM-AES-128"}, 0x0080C20001000001},
	{[]string{"gcm-aes-256", "GCM-AES-256"}, 0x0080C20001000002},
	{[]string{"gcm-aes-xpn-128", "GCM-AES-XPN-128"}, 0x0080C20001000003},
	{[]string{"gcm-aes-xpn-256", "GCM-AES-XPN-256"}, 0x0080C20001000004},
}

const macsecUsage = `Usage: ... macsec [ [ address <lladdr> ] port { 1..2^16-1 } | sci <u64> ]
                  [ cipher { default | gcm-aes-128 | gcm-aes-256 | gcm-aes-xpn-128 | gcm-aes-xpn-256 } ]
                  [ icvlen { 8..16 } ]
                  [ encrypt { on | off } ]
                  [ send_sci { on | off } ]
                  [ end_station { on | off } ]
                  [ scb { on | off } ]
                  [ protect { on | off } ]
                  [ replay { on | off} window { 0..2^32-1 } ]
                  [ validate { strict | check | disabled } ]
                  [ encodingsa { 0..3 } ]
                  [ offload { mac | phy | off } ]
`

// macsecOneOf is ip's parse_one_of: the index of w in words, or its
// message (exit 1).
func macsecOneOf(key, w string, words ...string) (uint8, error) {
	for i, s := range words {
		if w == s {
			return uint8(i), nil
		}
	}
	msg := fmt.Sprintf(`Error: argument of "%s" must be one of `, key)
	for i, s := range words {
		if i > 0 {
			msg += ", "
		}
		msg += `"` + s + `"`
	}
	return 0, errBadWord("%s, not \"%s\"", msg, w)
}

// parseMacsec reads macsec's words: first an SCI (sci, or port with an
// address before it: ip stops reading them once it has an SCI, or a
// port), then the settings in any order.
func parseMacsec(a *words, r *linkRequest) error {
	enc := nlattr.NewEncoder(nil)
	var sci uint64
	var port uint16
	var addr []byte
	var hasS, hasP, hasA bool
	for a.more() && !(hasS || hasP) {
		w := a.peek()
		if w != "sci" && w != "port" && w != "address" {
			break
		}
		a.next()
		v, err := a.value()
		if err != nil {
			return err
		}
		switch w {
		case "sci":
			if hasP {
				return errInvarg("expected address", w)
			}
			if hasA {
				return errInvarg("expected port", w)
			}
			n, ok := getUint(v, 16, 64)
			if !ok {
				return errInvarg("expected sci", v)
			}
			sci, hasS = n, true
		case "port":
			n, ok := getUint(v, 0, 16)
			if !ok {
				return errInvarg("expected port", v)
			}
			if n == 0 {
				return errInvarg("expected port != 0", v)
			}
			port, hasP = uint16(n), true
		case "address":
			hw, err := parseLLAddr(v, 6)
			if err != nil {
				return usagef("%s\nError: argument \"%s\" is wrong: expected lladdr", err.Error(), v)
			}
			addr, hasA = make([]byte, 6), true
			copy(addr, hw)
		}
	}
	if hasP && hasA {
		b := append(addr, byte(port>>8), byte(port))
		sci = binary.BigEndian.Uint64(b)
	}
	if hasS || hasP || hasA {
		if sci != 0 {
			enc.Uint64BE(iflaMacsecSCI, sci)
		} else {
			enc.Uint16BE(iflaMacsecPort, port)
		}
	}
	var cipher uint64
	var icv uint8
	window, hasWindow := uint32(0), false
	replay := -1
	encodingSA := -1
	var es, scb, sendSCI bool
	onOff := func(key string) (uint8, error) {
		v, err := a.value()
		if err != nil {
			return 0, err
		}
		switch v {
		case "on":
			return 1, nil
		case "off":
			return 0, nil
		}
		return 0, errBadWord(`Error: argument of "%s" must be one of "off", "on", not "%s"`, key, v)
	}
	for a.more() {
		w := a.next()
		switch w {
		case "cipher":
			v, err := a.value()
			if err != nil {
				return err
			}
			if cipher != 0 {
				return errDuparg("cipher", v)
			}
			for _, c := range macsecCiphers {
				for _, cw := range c.words {
					if v == cw {
						cipher = c.id
					}
				}
			}
			if cipher == 0 {
				return errInvarg("expected: default, gcm-aes-128, gcm-aes-256, gcm-aes-xpn-128 or gcm-aes-xpn-256", v)
			}
		case "icvlen":
			v, err := a.value()
			if err != nil {
				return err
			}
			if icv != 0 {
				return errDuparg("icvlen", v)
			}
			n, ok := getUint(v, 10, 8)
			if !ok {
				return errInvarg("expected ICV length", v)
			}
			if n < 8 || n > 16 {
				return errInvarg("ICV length must be in the range {8..16}", v)
			}
			icv = uint8(n)
		case "encrypt", "send_sci", "end_station", "scb", "protect":
			v, err := onOff(w)
			if err != nil {
				return err
			}
			attr := map[string]uint16{"encrypt": iflaMacsecEncrypt, "send_sci": iflaMacsecIncSCI, "end_station": iflaMacsecES,
				"scb": iflaMacsecSCB, "protect": iflaMacsecProtect}[w]
			switch w {
			case "send_sci":
				sendSCI = v == 1
			case "end_station":
				es = v == 1
			case "scb":
				scb = v == 1
			}
			enc.Uint8(attr, v)
		case "replay":
			v, err := onOff(w)
			if err != nil {
				return err
			}
			replay = int(v)
		case "window":
			v, err := a.value()
			if err != nil {
				return err
			}
			n, ok := getUint(v, 0, 32)
			if !ok {
				return errInvarg("expected replay window size", v)
			}
			window, hasWindow = uint32(n), true
		case "validate":
			v, err := a.value()
			if err != nil {
				return err
			}
			n, err := macsecOneOf("validate", v, "disabled", "check", "strict")
			if err != nil {
				return err
			}
			enc.Uint8(iflaMacsecValidation, n)
		case "encodingsa":
			if encodingSA >= 0 {
				return errDuparg2("encodingsa", "encodingsa")
			}
			v, err := a.value()
			if err != nil {
				return err
			}
			n, ok := getUint(v, 0, 8)
			if !ok || n > 3 {
				return errInvarg("expected an { 0..3 }", v)
			}
			encodingSA = int(n)
		case "offload":
			v, err := a.value()
			if err != nil {
				return err
			}
			n, err := macsecOneOf("offload", v, "off", "phy", "mac")
			if err != nil {
				return err
			}
			enc.Uint8(iflaMacsecOffload, n)
		default:
			return errBadWord("macsec: unknown command \"%s\"?\n%s", w, kindUsage("macsec"))
		}
	}
	if sendSCI && (es || scb) || es && scb {
		return errBadWord("invalid combination of send_sci/end_station/scb")
	}
	if hasWindow && replay == -1 {
		return errBadWord("replay window set, but replay protection not enabled. did you mean 'replay on window %d'?", window)
	}
	if !hasWindow && replay == 1 {
		return errBadWord("replay protection enabled, but no window set. did you mean 'replay on window VALUE'?")
	}
	if cipher != 0 {
		enc.Uint64(iflaMacsecCipherSuite, cipher)
	}
	if icv != 0 {
		enc.Uint8(iflaMacsecICVLen, icv)
	}
	if replay != -1 {
		if !hasWindow {
			window = 0xffffffff // ip's window = -1, sent with replay off
		}
		enc.Uint32(iflaMacsecWindow, window)
		enc.Uint8(iflaMacsecReplayProtect, uint8(replay))
	}
	if encodingSA >= 0 {
		enc.Uint8(iflaMacsecEncodingSA, uint8(encodingSA))
	}
	return rawKind(r, r.kind, enc)
}
