package cli

import (
	"net/netip"

	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
)

// Kinds the library does not model, encoded by nl itself into the raw
// IFLA_INFO_DATA of an rtnl.UnknownKind, with the attributes ip sends for
// the same words (linux/if_link.h): ipvlan, bond, geneve, bareudp. The
// kernel here lacks their modules; TestKindEncodersLikeIP compares the
// requests with ip's.

// IFLA_IPVLAN_*, IFLA_BOND_*, IFLA_GENEVE_*, IFLA_BAREUDP_*.
const (
	iflaIpvlanMode  = 1
	iflaIpvlanFlags = 2

	iflaBondMode      = 1
	iflaBondMiimon    = 3
	iflaBondUpdelay   = 4
	iflaBondDowndelay = 5

	iflaGeneveID      = 1
	iflaGeneveRemote  = 2
	iflaGeneveTTL     = 3
	iflaGeneveTOS     = 4
	iflaGenevePort    = 5
	iflaGeneveRemote6 = 7
	iflaGeneveLabel   = 11

	iflaBareudpPort      = 1
	iflaBareudpEthertype = 2
)

// rawKind finishes enc as the raw settings of kind.
func rawKind(r *linkRequest, kind string, enc *nlattr.Encoder) error {
	data, err := enc.Finish()
	if err != nil {
		return err
	}
	r.info = &rtnl.UnknownKind{Kind: kind, Data: data}
	return nil
}

// parseIpvlan reads [ mode { l2 | l3 | l3s } ] [ bridge | private | vepa ].
func parseIpvlan(a *words, r *linkRequest) error {
	var mode, flags uint16
	var hasMode, hasFlags bool
	for a.more() {
		switch w := a.next(); {
		case matches(w, "mode"):
			v, err := a.value()
			if err != nil {
				return err
			}
			m, ok := map[string]uint16{"l2": 0, "l3": 1, "l3s": 2}[v]
			if !ok {
				return errBadWord(`Error: argument of "mode" must be either "l2", "l3" or "l3s"`)
			}
			mode, hasMode = m, true
		case w == "bridge" || w == "private" || w == "vepa":
			flags, hasFlags = map[string]uint16{"bridge": 0, "private": 1, "vepa": 2}[w], true
		default:
			return errBadWord("ipvlan: unknown option \"%s\"?\n%s", w, kindUsage("ipvlan"))
		}
	}
	// As ip: the mode if given, the flags (bridge by default) with it.
	enc := nlattr.NewEncoder(nil)
	if hasMode {
		enc.Uint16(iflaIpvlanMode, mode)
	}
	if hasMode || hasFlags {
		enc.Uint16(iflaIpvlanFlags, flags)
	}
	return rawKind(r, r.kind, enc)
}

// bondModes are the bonding modes by name (BOND_MODE_*).
var bondModes = map[string]uint8{"balance-rr": 0, "active-backup": 1, "balance-xor": 2, "broadcast": 3, "802.3ad": 4,
	"balance-tlb": 5, "balance-alb": 6}

// parseBond reads mode, miimon, updelay and downdelay.
func parseBond(a *words, r *linkRequest) error {
	enc := nlattr.NewEncoder(nil)
	for a.more() {
		w := a.next()
		switch w {
		case "mode":
			v, err := a.value()
			if err != nil {
				return err
			}
			m, ok := bondModes[v]
			if !ok {
				n, nok := getU8(v)
				if !nok || n > 6 {
					return errInvarg("invalid mode", v)
				}
				m = n
			}
			enc.Uint8(iflaBondMode, m)
		case "miimon", "updelay", "downdelay":
			n, err := valueOf(a, getU32, "invalid "+w)
			if err != nil {
				return err
			}
			enc.Uint32(map[string]uint16{"miimon": iflaBondMiimon, "updelay": iflaBondUpdelay, "downdelay": iflaBondDowndelay}[w], n)
		default:
			return errBadWord("bond: unknown command \"%s\"?\n%s", w, kindUsage("bond"))
		}
	}
	return rawKind(r, "bond", enc)
}

// parseGeneve reads id, remote, ttl, tos and dstport, and sends what ip
// sends with them: the label, TTL and TOS (0 unless given) always.
func parseGeneve(a *words, r *linkRequest) error {
	var (
		vni           uint32
		remote        netip.Addr
		ttl, tos      uint8
		port          uint16
		hasPort, hasV bool
	)
	for a.more() {
		var err error
		switch w := a.next(); {
		case matches(w, "id") || matches(w, "vni"):
			vni, err = valueOf(a, func(s string) (uint32, bool) { n, ok := getUint(s, 0, 24); return uint32(n), ok }, "invalid id")
			hasV = true
		case matches(w, "remote"):
			var v string
			if v, err = a.value(); err == nil {
				remote, err = getIPAddr(v, FamilyAny)
			}
		case matches(w, "ttl") || matches(w, "hoplimit"):
			ttl, err = valueOf(a, getU8, "invalid TTL")
		case matches(w, "tos") || matches(w, "dsfield"):
			tos, err = valueOf(a, parseDSField, "bad TOS value")
		case matches(w, "dstport"):
			port, err = valueOf(a, getU16, "dstport")
			hasPort = true
		default:
			return errBadWord("geneve: unknown command \"%s\"?\n%s", w, kindUsage("geneve"))
		}
		if err != nil {
			return err
		}
	}
	enc := nlattr.NewEncoder(nil)
	if hasV || remote.IsValid() || hasPort || ttl != 0 || tos != 0 {
		if !remote.IsValid() {
			return errBadWord("geneve: remote link partner not specified")
		}
		enc.Uint32(iflaGeneveID, vni)
		if remote.Is4() {
			enc.Addr(iflaGeneveRemote, remote)
		} else {
			enc.Addr(iflaGeneveRemote6, remote)
		}
		enc.Uint32BE(iflaGeneveLabel, 0)
		enc.Uint8(iflaGeneveTTL, ttl)
		enc.Uint8(iflaGeneveTOS, tos)
		if hasPort {
			enc.Uint16BE(iflaGenevePort, port)
		}
	}
	return rawKind(r, "geneve", enc)
}

// bareudpEthertypes are bareudp's ethertype names.
var bareudpEthertypes = map[string]uint16{"mpls_uc": 0x8847, "mpls_mc": 0x8848, "ipv4": 0x0800, "ipv6": 0x86dd}

// parseBareudp reads dstport and ethertype, both required.
func parseBareudp(a *words, r *linkRequest) error {
	var port, eth uint16
	var hasPort, hasEth bool
	for a.more() {
		var err error
		switch w := a.next(); {
		case matches(w, "dstport"):
			port, err = valueOf(a, getU16, "dstport")
			hasPort = true
		case matches(w, "ethertype"):
			var v string
			if v, err = a.value(); err == nil {
				var ok bool
				if eth, ok = bareudpEthertypes[v]; !ok {
					if eth, ok = getU16(v); !ok {
						err = errInvarg("ethertype", v)
					}
				}
				hasEth = true
			}
		default:
			return errBadWord("bareudp: unknown command \"%s\"?\n%s", w, kindUsage("bareudp"))
		}
		if err != nil {
			return err
		}
	}
	enc := nlattr.NewEncoder(nil)
	if hasPort || hasEth {
		if !hasPort {
			return usagef(`Error: argument "dstport" is required`)
		}
		if !hasEth {
			return usagef(`Error: argument "ethertype" is required`)
		}
		enc.Uint16BE(iflaBareudpPort, port)
		enc.Uint16BE(iflaBareudpEthertype, eth)
	}
	return rawKind(r, "bareudp", enc)
}
