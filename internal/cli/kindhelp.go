package cli

import (
	"io"
	"strings"
)

// kindHelp is what "nl link help KIND" prints for each kind nl reads: the
// words of "type KIND" that nl takes (not more than it takes), in the
// layout of ip's kind usages ("Usage: ... KIND ..."). Kinds that take no
// words are listed with an empty usage, as ip does for them.
var kindHelp = map[string]string{
	"veth": `Usage: nl link <options> type veth [peer <options>]
To get <options> type 'nl link add help'
`,
	"bridge": `Usage: ... bridge [ forward_delay FORWARD_DELAY ]
		  [ hello_time HELLO_TIME ]
		  [ max_age MAX_AGE ]
		  [ ageing_time AGEING_TIME ]
		  [ stp_state STP_STATE ]
		  [ priority PRIORITY ]
		  [ vlan_filtering VLAN_FILTERING ]
		  [ vlan_protocol VLAN_PROTOCOL ]
		  [ vlan_default_pvid VLAN_DEFAULT_PVID ]
		  [ mcast_snooping MULTICAST_SNOOPING ]

Where: VLAN_PROTOCOL := { 802.1Q | 802.1ad }
`,
	"macvlan": `Usage: ... macvlan mode MODE [flag MODE_FLAG]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: nopromisc | nodst
`,
	"macvtap": `Usage: ... macvtap mode MODE [flag MODE_FLAG]

MODE: private | vepa | bridge | passthru | source
MODE_FLAG: nopromisc | nodst
`,
	"vxlan": `Usage: ... vxlan id VNI
		[ { group | remote } IP_ADDRESS ]
		[ local ADDR ]
		[ ttl TTL ]
		[ tos TOS ]
		[ df DF ]
		[ flowlabel LABEL ]
		[ dev PHYS_DEV ]
		[ dstport PORT ]
		[ srcport MIN MAX ]
		[ [no]learning ]
		[ [no]proxy ]
		[ [no]rsc ]
		[ [no]l2miss ]
		[ [no]l3miss ]
		[ ageing SECONDS ]
		[ maxaddress NUMBER ]
		[ [no]udpcsum ]
		[ [no]udp6zerocsumtx ]
		[ [no]udp6zerocsumrx ]
		[ [no]remcsumtx ] [ [no]remcsumrx ]
		[ [no]external ] [ gbp ] [ gpe ]
		[ [no]vnifilter ]

Where:	VNI	:= 0-16777215
	ADDR	:= { IP_ADDRESS | any }
	TOS	:= { NUMBER | inherit }
	TTL	:= { 1..255 | auto | inherit }
	DF	:= { unset | set | inherit }
	LABEL := 0-1048575
`,
	"vlan": `Usage: ... vlan id VLANID
		[ protocol VLANPROTO ]

VLANID := 0-4095
VLANPROTO: [ 802.1Q | 802.1ad ]
`,
	"bridge_slave": "Usage: ... bridge_slave [ state STATE ] [ priority PRIO ] [ cost COST ]\n" +
		"                        [ guard {on | off} ] [ hairpin {on | off} ] [ fastleave {on | off} ]\n" +
		"                        [ root_block {on | off} ] [ learning {on | off} ] [ flood {on | off} ]\n" +
		"                        [ proxy_arp {on | off} ] [ proxy_arp_wifi {on | off} ] [ mcast_router MULTICAST_ROUTER ]\n" +
		"                        [ mcast_fast_leave {on | off} ] [ mcast_flood {on | off} ] [ bcast_flood {on | off} ]\n" +
		"                        [ mcast_to_unicast {on | off} ] [ group_fwd_mask MASK ] [ neigh_suppress {on | off} ]\n" +
		"                        [ vlan_tunnel {on | off} ] [ isolated {on | off} ] [ locked {on | off} ]\n",
	"vrf":       "Usage: ... vrf table TABLEID\n",
	"ipvlan":    "Usage: ... ipvlan [ mode MODE ] [ FLAGS ]\n\nMODE: l3 | l3s | l2\nFLAGS: bridge | private | vepa\n(first values are the defaults if nothing is specified).\n",
	"ipvtap":    "Usage: ... ipvtap [ mode MODE ] [ FLAGS ]\n\nMODE: l3 | l3s | l2\nFLAGS: bridge | private | vepa\n(first values are the defaults if nothing is specified).\n",
	"bond":      "Usage: ... bond [ mode BONDMODE ] [ miimon MIIMON ]\n                [ updelay UPDELAY ] [ downdelay DOWNDELAY ]\n\nBONDMODE := balance-rr|active-backup|balance-xor|broadcast|802.3ad|balance-tlb|balance-alb\n",
	"geneve":    "Usage: ... geneve id VNI remote ADDR\n                  [ ttl TTL ] [ tos TOS ] [ dstport PORT ]\n",
	"macsec":    macsecUsage,
	"bareudp":   "Usage: ... bareudp dstport PORT\n        ethertype PROTO\n\nWhere: PORT  := UDP_PORT\n       PROTO := ETHERTYPE | mpls_uc | mpls_mc | ipv4 | ipv6\n",
	"wireguard": "Usage: ... wireguard\n",
	// Kinds without words of their own, which nl adds by name.
	"ifb":   "Usage: ... ifb\n",
	"dummy": "Usage: ... dummy\n",
	"nlmon": "Usage: ... nlmon\n",
}

// linkKindHelp is "link help KIND": the kind's usage on standard output
// and exit status 0, as ip's do_help; for a kind nl does not read, the
// link usage (standard error, 255).
func (e *env) linkKindHelp(kind string) error {
	h, ok := kindHelpOf(kind)
	if !ok {
		return &UsageError{Msg: strings.TrimSuffix(linkHelp, "\n")}
	}
	_, err := io.WriteString(e.stdout, e.helpText(h))
	return err
}

// kindUsage is a kind's usage without its final newline, as ip prints it
// after an unknown word of that kind.
func kindUsage(kind string) string {
	h, _ := kindHelpOf(kind)
	return strings.TrimSuffix(h, "\n")
}
