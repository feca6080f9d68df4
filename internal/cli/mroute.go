package cli

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// nl mroute show: ip 6.1's ipmroute.c, a route dump of the multicast
// routing families (RTNL_FAMILY_IPMR, RTNL_FAMILY_IP6MR) printed as
// print_mroute. monitor file prints such routes the same way (see
// mrouteMessage). The library models unicast routes only, so the
// messages are read here.

const mrouteHelp = `Usage: nl mroute show [ [ to ] PREFIX ] [ from PREFIX ] [ iif DEVICE ]
                      [ table TABLE_ID ]
TABLE_ID := [ local | main | default | all | NUMBER ]
`

const (
	rtnMulticast    = 5     // RTN_MULTICAST
	rtnhFOffload    = 8     // RTNH_F_OFFLOAD
	rtnhFUnresolved = 32    // RTNH_F_UNRESOLVED
	rtmFCloned      = 0x200 // RTM_F_CLONED
	rtaMFCStats     = 17    // RTA_MFC_STATS
	rtaExpires      = 23    // RTA_EXPIRES
	rtmsgLen        = 12    // struct rtmsg
	rtnexthopLen    = 8     // struct rtnexthop
	rtTableDefault  = 253   // RT_TABLE_DEFAULT
	rtTableMain     = 254   // RT_TABLE_MAIN
)

// mrouteRequest is a parsed mroute show.
type mrouteRequest struct {
	family byte   // RTNL_FAMILY_IPMR or RTNL_FAMILY_IP6MR; 0: a family without multicast routing
	table  uint32 // filter.tb: asked of the kernel (RTA_TABLE) and checked; 0 for all
	iif    string
	hasIif bool
}

// parseMroute reads mroute's words as ip's do_multiroute and
// mroute_list. Prefixes: ip 6.1 reads them in the family
// RTNL_FAMILY_IPMR (or IP6MR), which its get_prefix does not know, so
// every prefix but "default", "any" and "all" (which select everything)
// is refused: nl does the same.
func parseMroute(args []string, fam Family) (mrouteRequest, error) {
	var r mrouteRequest
	a := wordsOf(args)
	if a.more() {
		if _, err := pickCommand("mroute", a.next(), []command{{name: "show", abbrev: []string{"list", "show", "lst"}}}); err != nil {
			return r, err
		}
	}
	switch fam {
	case FamilyAny, FamilyInet:
		r.family, r.table = rtnlFamilyIPMR, rtTableDefault // ip: "for backward compatibility"
	case FamilyInet6:
		r.family = rtnlFamilyIP6MR
	default:
		return r, nil
	}
	prefix := func(w string) error {
		if w == "default" || w == "any" || w == "all" {
			return nil
		}
		return errBadWord(`Error: ??? prefix is expected rather than "%s".`, w)
	}
	for a.more() {
		w := a.next()
		switch {
		case matches(w, "table"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if t, ok := parseTable(v); ok {
				r.table = uint32(t)
			} else if v == "all" {
				r.table = 0
			} else if v == "help" {
				return r, usagef("%s", mrouteHelp[:len(mrouteHelp)-1])
			} else {
				return r, errInvarg("table id value is invalid\n", v)
			}
		case w == "iif":
			v, err := a.value()
			if err != nil {
				return r, err
			}
			r.iif, r.hasIif = v, true
		case matches(w, "from"):
			v, err := a.value()
			if err != nil {
				return r, err
			}
			if err := prefix(v); err != nil {
				return r, err
			}
		default:
			if w == "to" {
				v, err := a.value()
				if err != nil {
					return r, err
				}
				w = v
			}
			if matches(w, "help") {
				return r, usagef("%s", mrouteHelp[:len(mrouteHelp)-1])
			}
			if err := prefix(w); err != nil {
				return r, err
			}
		}
	}
	return r, nil
}

func runMroute(ctx context.Context, e *env, args []string) error {
	r, err := parseMroute(args, e.opts.Family)
	if err != nil || r.family == 0 {
		return err
	}
	var iif int32
	if r.hasIif {
		if iif, err = e.linkIndex(ctx, r.iif); err != nil {
			return err
		}
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	req := make([]byte, rtmsgLen) // struct rtmsg
	req[0] = r.family
	if r.table != 0 {
		enc := nlattr.NewEncoder(req)
		enc.Uint32(unix.RTA_TABLE, r.table)
		if req, err = enc.Finish(); err != nil {
			return err
		}
	}
	var recs []*printer
	for m, err := range c.Netlink().Dump(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: req}) {
		if err != nil {
			_ = writeRecords(e, recs)
			return &dumpError{err: err, what: "Dump", exit: ExitFailure}
		}
		p, err := e.mrouteFormat(ctx, m, r.family, r.table, iif)
		if err != nil {
			_ = writeRecords(e, recs)
			return &dumpError{err: err, what: "Dump", exit: ExitFailure}
		}
		if p != nil {
			recs = append(recs, p)
		}
	}
	return writeRecords(e, recs)
}

// mrouteCloned reports whether a route message is a cloned route
// (RTM_F_CLONED), which ip's monitor drops.
func mrouteCloned(m netlink.Message) bool {
	return len(m.Data) >= rtmsgLen && binary.NativeEndian.Uint32(m.Data[8:])&rtmFCloned != 0
}

// mrouteMonitorFormat formats a multicast route of monitor (ip's
// accept_msg gives those to print_mroute, without its filters; monitor
// drops cloned ones before); nil for one ip cannot print (its error goes
// to standard error). monitor prints "Deleted " itself.
func (e *env) mrouteMonitorFormat(ctx context.Context, m netlink.Message) *printer {
	m.Header.Type = unix.RTM_NEWROUTE // "Deleted " is monitor's
	p, err := e.mrouteFormat(ctx, m, 0, 0, 0)
	if err != nil {
		fmt.Fprintln(e.stderr, err)
		return nil
	}
	return p
}

// mrouteFormat formats one reply as ip's print_mroute, with its filters
// (family, table, iif: 0 for any); nil for a reply they drop. A route
// that is not multicast is ip's error (the kernel without multicast
// routing answers with its unicast routes).
func (e *env) mrouteFormat(ctx context.Context, m netlink.Message, family byte, table uint32, iif int32) (*printer, error) {
	if m.Header.Type != unix.RTM_NEWROUTE && m.Header.Type != unix.RTM_DELROUTE {
		fmt.Fprintf(e.stderr, "Not a multicast route: %08x %08x %08x\n", 16+len(m.Data), uint16(m.Header.Type), uint16(m.Header.Flags))
		return nil, nil
	}
	b := m.Data
	if len(b) < rtmsgLen {
		return nil, failf("BUG: wrong nlmsg len %d", len(b)-rtmsgLen)
	}
	if b[7] != rtnMulticast {
		return nil, failf("Non multicast route received, kernel does support IP multicast?")
	}
	rtTable := uint32(b[4])
	flags := binary.NativeEndian.Uint32(b[8:])
	var src, dst, mp, stats []byte
	var rtIif uint32
	var expires *uint64
	d := nlattr.NewDecoder(b[rtmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.RTA_TABLE:
			rtTable = d.Uint32()
		case unix.RTA_SRC:
			src = d.Bytes()
		case unix.RTA_DST:
			dst = d.Bytes()
		case unix.RTA_IIF:
			rtIif = d.Uint32()
		case unix.RTA_MULTIPATH:
			mp = d.Bytes()
			if mp == nil {
				mp = []byte{}
			}
		case rtaMFCStats:
			stats = d.Bytes()
		case rtaExpires:
			v := d.Uint64()
			expires = &v
		}
	}
	if table > 0 && table != rtTable || iif != 0 && uint32(iif) != rtIif || family != 0 && family != b[0] {
		return nil, nil
	}
	addr := func(a []byte) string {
		if a == nil {
			return "unknown"
		}
		if ip, ok := netip.AddrFromSlice(a); ok {
			return ip.String()
		}
		return "???"
	}
	p := e.record()
	if m.Header.Type == unix.RTM_DELROUTE {
		p.field("deleted", "Deleted ", true)
	}
	s, t := addr(src), addr(dst)
	p.jsonOnly("src", s)
	p.jsonOnly("dst", t)
	p.text("%-32s Iif: ", "("+s+","+t+")")
	if rtIif != 0 {
		n := e.linkName(ctx, int32(rtIif))
		p.add("iif", n, p.paint(colorIfname, fmt.Sprintf("%-10s ", n)))
	} else {
		p.field("iif", "%s ", "unresolved")
	}
	if mp != nil {
		var hops [][2]uint32 // ifindex, hops
		for len(mp) >= rtnexthopLen {
			l := int(binary.NativeEndian.Uint16(mp))
			if l > len(mp) || l < rtnexthopLen {
				break
			}
			hops = append(hops, [2]uint32{binary.NativeEndian.Uint32(mp[4:]), uint32(mp[3])})
			mp = mp[min(nlattr.Align(l), len(mp)):]
		}
		p.list("multipath", len(hops), func(i int, q *printer) {
			if i == 0 {
				q.text("Oifs: ")
			}
			n := e.linkName(ctx, int32(hops[i][0]))
			q.add("oif", n, q.paint(colorIfname, n))
			if hops[i][1] > 1 {
				q.field("ttl", "(ttl %d) ", hops[i][1])
			} else {
				q.text(" ")
			}
		})
	}
	state := "resolved"
	if flags&rtnhFUnresolved != 0 {
		state = "unresolved"
	}
	p.field("state", " State: %s", state)
	if flags&rtnhFOffload != 0 {
		p.add("offload", nil, " offload")
	}
	if e.opts.Stats && len(stats) >= 24 {
		pk, by, wr := binary.NativeEndian.Uint64(stats), binary.NativeEndian.Uint64(stats[8:]), binary.NativeEndian.Uint64(stats[16:])
		p.text("\n")
		p.field("packets", "  %d packets,", pk)
		p.field("bytes", " %d bytes", by)
		if wr != 0 {
			p.field("wrong_if", ", %d arrived on wrong iif.", wr)
		}
	}
	if e.opts.Stats && expires != nil {
		// ip's __jiffies_to_tv: USER_HZ (100) ticks.
		age := float64(*expires/100) + float64(*expires%100*10000)/1e6
		p.field("expires", ", Age %.2f", age)
	}
	if rtTable != 0 && (rtTable != rtTableMain || e.opts.Details) && table == 0 {
		p.field("table", " Table: %s", e.num(rtnl.Table(rtTable).String(), uint64(rtTable)))
	}
	p.text("\n")
	return p, nil
}
