package cli

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const nexthopHelp = `Usage: nl nexthop { list | flush } [ protocol ID ] SELECTOR
       nl nexthop { add | replace } id ID NH [ protocol ID ]
       nl nexthop { get | del } id ID
       nl nexthop bucket list BUCKET_SELECTOR
       nl nexthop bucket get id ID index INDEX
SELECTOR := [ id ID ] [ dev DEV ] [ groups ] [ fdb ]
BUCKET_SELECTOR := [ id ID ] [ dev DEV ] [ master DEV ] [ vrf NAME ] [ nhid ID ]
NH := { blackhole | [ via ADDRESS ] [ dev DEV ] [ onlink ] |
        group GROUP [ fdb ] [ type TYPE [ TYPE_ARGS ] ] }
GROUP := [ <id[,weight]>/<id[,weight]>/... ]
TYPE := { mpath | resilient }
TYPE_ARGS := [ RESILIENT_ARGS ]
RESILIENT_ARGS := [ buckets BUCKETS ] [ idle_timer IDLE ]
                  [ unbalanced_timer UNBALANCED ]
`

// Nexthop objects (linux/nexthop.h): RTM_*NEXTHOP with a struct nhmsg
// (family, scope, protocol, reserved, flags) and NHA_* attributes.
const (
	rtmNewNexthop = 104
	rtmDelNexthop = 105
	rtmGetNexthop = 106

	nhmsgLen = 8

	nhaID        = 1
	nhaGroup     = 2
	nhaGroupType = 3
	nhaBlackhole = 4
	nhaOIF       = 5
	nhaGateway   = 6
	nhaEncapType = 7
	nhaEncap     = 8
	nhaGroups    = 9
	nhaMaster    = 10
	nhaFDB       = 11
	nhaResGroup  = 12

	nhaResGroupBuckets         = 1
	nhaResGroupIdleTimer       = 2
	nhaResGroupUnbalancedTimer = 3
	nhaResGroupUnbalancedTime  = 4

	nexthopGroupResilient = 1
	userHZ                = 100 // clock_t ticks a second, as the kernel reports timers
)

// nexthopGroupMember is one id[,weight] of a group.
type nexthopGroupMember struct {
	id     uint32
	weight int
}

// nexthopRequest is a parsed nexthop command.
type nexthopRequest struct {
	cmd   string // list, flush, add, replace, get, delete
	id    uint32
	hasID bool
	// add, replace: the next hop
	gateway   netip.Addr
	dev       string
	onlink    bool
	blackhole bool
	group     []nexthopGroupMember
	resilient bool
	buckets   *uint16
	idle      *uint32
	unbal     *uint32
	fdb       bool
	proto     rtnl.Protocol
	encap     *lwtEncap
	// list, flush: the selectors
	groups   bool
	proto8   uint8
	hasProto bool
}

var nexthopCommands = []command{{name: "list", abbrev: []string{"list", "show", "lst"}}, {name: "flush"}, {name: "add"},
	{name: "replace"}, {name: "get"}, {name: "bucket"}, {name: "delete"}}

// parseNexthop reads nexthop's words as ip's do_ipnh.
func parseNexthop(args []string) (nexthopRequest, error) {
	r := nexthopRequest{cmd: "list"}
	a := wordsOf(args)
	if a.more() {
		var err error
		if r.cmd, err = pickCommand("nexthop", a.next(), nexthopCommands); err != nil {
			return r, err
		}
	}
	u32 := func(msg string) (uint32, error) { return valueOf(a, getU32, msg) }
	for a.more() {
		w := a.next()
		var err error
		list := r.cmd == "list" || r.cmd == "flush"
		switch {
		case w == "id":
			r.id, err = u32("invalid id value")
			r.hasID = true
		case w == "dev" || list && matches(w, "dev"):
			r.dev, err = a.value()
		case list && matches(w, "groups"):
			r.groups = true
		case list && w == "fdb":
			r.fdb = true
		case list && matches(w, "protocol"):
			r.proto8, err = valueOf(a, getU8, "invalid protocol value")
			r.hasProto = true
		case list:
			return r, errInvarg("", w)
		case r.cmd == "get":
			return r, &UsageError{Msg: strings.TrimSuffix(nexthopHelp, "\n")}
		// delete reads the words of add, as ip's ipnh_modify, and sends
		// them: the kernel judges them
		case w == "via":
			var v string
			if v, err = a.value(); err == nil {
				var p inet
				if p, err = getAddr(v, FamilyAny); err == nil {
					r.gateway = p.Addr
				}
			}
		case w == "onlink":
			r.onlink = true
		case w == "encap":
			r.encap, err = parseEncap(a)
		case w == "blackhole":
			r.blackhole = true
		case w == "fdb":
			r.fdb = true
		case w == "group":
			var v string
			if v, err = a.value(); err == nil {
				r.group, err = parseNexthopGroup(v)
			}
		case w == "type":
			var v string
			if v, err = a.value(); err == nil {
				switch v {
				case "mpath":
				case "resilient":
					r.resilient = true
				default:
					err = errInvarg("\"type\" value is invalid\n", v)
				}
			}
		case r.resilient && w == "buckets":
			var n uint16
			n, err = valueOf(a, getU16, "invalid buckets value")
			r.buckets = &n
		case r.resilient && w == "idle_timer":
			var n uint32
			n, err = u32("invalid idle timer value")
			n *= userHZ
			r.idle = &n
		case r.resilient && w == "unbalanced_timer":
			var n uint32
			n, err = u32("invalid unbalanced timer value")
			n *= userHZ
			r.unbal = &n
		case matches(w, "protocol"):
			r.proto, err = valueOf(a, parseProtocol, "\"protocol\" value is invalid\n")
		default:
			return r, errInvarg("", w)
		}
		if err != nil {
			return r, err
		}
	}
	if r.cmd == "get" && !r.hasID {
		return r, &UsageError{Msg: strings.TrimSuffix(nexthopHelp, "\n")}
	}
	return r, nil
}

// parseNexthopGroup reads "id[,weight]/id[,weight]/...". A bad id is
// reported with the word as ip's strtok left it: cut at its first "/".
func parseNexthopGroup(v string) ([]nexthopGroupMember, error) {
	var out []nexthopGroupMember
	first, _, _ := strings.Cut(v, "/")
	for _, part := range strings.Split(v, "/") {
		id, wt, hasW := strings.Cut(part, ",")
		n, ok := getU32(id)
		if !ok {
			return nil, errInvarg("\"group\" value is invalid\n", first)
		}
		m := nexthopGroupMember{id: n, weight: 1}
		if hasW {
			w, ok := getU32(wt)
			if !ok || w == 0 || w > 256 {
				return nil, errInvarg("\"weight\" is invalid\n", wt)
			}
			m.weight = int(w)
		}
		out = append(out, m)
	}
	return out, nil
}

func runNexthop(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		if cmd, _ := lookupCommand(args[0], nexthopCommands); cmd == "bucket" {
			return runNexthopBucket(ctx, e, args[1:])
		}
	}
	r, err := parseNexthop(args)
	if err != nil {
		return err
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	nl := c.Netlink()
	fam := byte(e.opts.Family.rtnl())
	var oif int32
	if r.dev != "" {
		if oif, err = e.linkIndex(ctx, r.dev); err != nil {
			return errInvarg("Device does not exist\n", r.dev)
		}
	}
	hdr := func() []byte {
		b := make([]byte, nhmsgLen)
		b[0] = fam
		return b
	}
	switch r.cmd {
	case "get":
		enc := nlattr.NewEncoder(hdr())
		enc.Uint32(nhaID, r.id)
		data, _ := enc.Finish()
		msgs, err := nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetNexthop}, Data: data})
		if err != nil {
			return err
		}
		var recs []*printer
		for _, m := range msgs {
			if p := e.nexthopFormat(ctx, m); p != nil {
				recs = append(recs, p)
			}
		}
		return writeRecords(e, recs)
	case "add", "replace", "delete":
		b := hdr()
		switch {
		case r.gateway.IsValid():
			b[0] = byte(familyOf(r.gateway).rtnl())
		case b[0] == 0 && len(r.group) == 0 && (oif != 0 || r.blackhole):
			b[0] = unix.AF_INET // ip's family for a device or blackhole
		}
		b[2] = byte(r.proto)
		if r.onlink {
			binary.NativeEndian.PutUint32(b[4:], unix.RTNH_F_ONLINK)
		}
		enc := nlattr.NewEncoder(b)
		if r.hasID {
			enc.Uint32(nhaID, r.id) // none: the kernel picks one
		}
		if r.blackhole {
			enc.Flag(nhaBlackhole)
		}
		if r.gateway.IsValid() {
			enc.Addr(nhaGateway, r.gateway)
		}
		if oif != 0 {
			enc.Uint32(nhaOIF, uint32(oif))
		}
		if r.encap != nil {
			r.encap.encode(enc, nhaEncap, nhaEncapType)
		}
		if len(r.group) > 0 {
			g := make([]byte, 8*len(r.group))
			for i, m := range r.group {
				binary.NativeEndian.PutUint32(g[8*i:], m.id)
				g[8*i+4] = byte(m.weight - 1)
			}
			enc.Bytes(nhaGroup, g)
			if r.resilient {
				enc.Uint16(nhaGroupType, nexthopGroupResilient)
				enc.Nest(nhaResGroup)
				if r.buckets != nil {
					enc.Uint16(nhaResGroupBuckets, *r.buckets)
				}
				if r.idle != nil {
					enc.Uint32(nhaResGroupIdleTimer, *r.idle)
				}
				if r.unbal != nil {
					enc.Uint32(nhaResGroupUnbalancedTimer, *r.unbal)
				}
				enc.End()
			}
		}
		if r.fdb {
			enc.Flag(nhaFDB)
		}
		data, err := enc.Finish()
		if err != nil {
			return err
		}
		typ, flags := netlink.MessageType(rtmNewNexthop), netlink.Create|netlink.Excl
		switch r.cmd {
		case "replace":
			flags = netlink.Create | netlink.Replace
		case "delete": // without an id: the kernel says what is missing
			typ, flags = rtmDelNexthop, 0
		}
		_, err = nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: data})
		return err
	}
	// list, flush: "id ID" is a get of that one.
	var msgs []netlink.Message
	if r.hasID {
		enc := nlattr.NewEncoder(hdr())
		enc.Uint32(nhaID, r.id)
		data, _ := enc.Finish()
		if msgs, err = nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetNexthop}, Data: data}); err != nil {
			return err
		}
	} else {
		enc := nlattr.NewEncoder(hdr())
		if oif != 0 {
			enc.Uint32(nhaOIF, uint32(oif))
		}
		if r.groups {
			enc.Flag(nhaGroups)
		}
		if r.fdb {
			enc.Flag(nhaFDB)
		}
		data, _ := enc.Finish()
		for m, err := range nl.Dump(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetNexthop}, Data: data}) {
			if err != nil {
				return &dumpError{err: err, what: "Dump"}
			}
			m.Data = append([]byte(nil), m.Data...)
			msgs = append(msgs, m)
		}
	}
	var recs []*printer
	flushed := 0
	for _, m := range msgs {
		if m.Header.Type != rtmNewNexthop || len(m.Data) < nhmsgLen || r.hasProto && m.Data[2] != r.proto8 {
			continue
		}
		if r.cmd == "flush" {
			id, ok := nexthopID(m.Data)
			if !ok {
				continue
			}
			enc := nlattr.NewEncoder(hdr())
			enc.Uint32(nhaID, id)
			data, _ := enc.Finish()
			// A group emptied by the deletes before it is gone already.
			if _, err := nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmDelNexthop}, Data: data}); err != nil &&
				!errors.Is(err, unix.ENOENT) {
				return err
			}
			flushed++
			continue
		}
		if p := e.nexthopFormat(ctx, m); p != nil {
			recs = append(recs, p)
		}
	}
	if r.cmd == "flush" {
		if r.hasID {
			return nil // ip flushes one id quietly
		}
		if flushed == 0 {
			_, err := io.WriteString(e.stdout, "Nothing to flush\n")
			return err
		}
		_, err := fmt.Fprintf(e.stdout, "Flushed %d nexthops\n", flushed)
		return err
	}
	return writeRecords(e, recs)
}

// nexthopID is the NHA_ID of a nexthop message's payload.
func nexthopID(b []byte) (uint32, bool) {
	d := nlattr.NewDecoder(b[nhmsgLen:])
	for d.Next() {
		if d.Type() == nhaID {
			return d.Uint32(), d.Err() == nil
		}
	}
	return 0, false
}

// nexthopFormat prints a nexthop as ip's print_nexthop (nil for another
// message).
func (e *env) nexthopFormat(ctx context.Context, m netlink.Message) *printer {
	if m.Header.Type != rtmNewNexthop && m.Header.Type != rtmDelNexthop || len(m.Data) < nhmsgLen {
		return nil
	}
	b := m.Data
	scope, proto := rtnl.Scope(b[1]), rtnl.Protocol(b[2])
	flags := binary.NativeEndian.Uint32(b[4:])
	var (
		id                       uint32
		group                    []byte
		blackhole, fdb, resGroup bool
		oif                      int32
		gw                       netip.Addr
		res                      [4]uint64
		encapType                uint16
		encap                    []byte
	)
	d := nlattr.NewDecoder(b[nhmsgLen:])
	for d.Next() {
		switch d.Type() {
		case nhaID:
			id = d.Uint32()
		case nhaGroup:
			group = d.Bytes()
		case nhaBlackhole:
			blackhole = true
		case nhaOIF:
			oif = d.Int32()
		case nhaGateway:
			gw = d.Addr()
		case nhaFDB:
			fdb = true
		case nhaEncapType:
			encapType = d.Uint16()
		case nhaEncap:
			encap = d.Bytes()
		case nhaResGroup:
			resGroup = true
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case nhaResGroupBuckets:
					res[0] = uint64(n.Uint16())
				case nhaResGroupIdleTimer:
					res[1] = uint64(n.Uint32())
				case nhaResGroupUnbalancedTimer:
					res[2] = uint64(n.Uint32())
				case nhaResGroupUnbalancedTime:
					res[3] = n.Uint64()
				}
			}
		}
	}
	if d.Err() != nil {
		return nil
	}
	p := e.record()
	p.field("id", "id %d ", id)
	if len(group) >= 8 {
		var words []string
		var members []*jsonObject
		for i := 0; i+8 <= len(group); i += 8 {
			mid := binary.NativeEndian.Uint32(group[i:])
			w := int(group[i+4]) + 1
			o := &jsonObject{}
			o.push("id", mid)
			s := strconv.FormatUint(uint64(mid), 10)
			if w != 1 {
				o.push("weight", w)
				s += "," + strconv.Itoa(w)
			}
			members = append(members, o)
			words = append(words, s)
		}
		p.add("group", members, "group "+strings.Join(words, "/")+" ")
	}
	if resGroup {
		p.field("type", "type %s ", "resilient")
		ra := p.nested("resilient_args")
		ra.field("buckets", "buckets %d ", res[0])
		ra.field("idle_timer", "idle_timer %d ", res[1]/userHZ)
		ra.field("unbalanced_timer", "unbalanced_timer %d ", res[2]/userHZ)
		ra.field("unbalanced_time", "unbalanced_time %d ", res[3]/userHZ)
	}
	if encap != nil {
		encapOut(p, encapType, encap)
	}
	if gw.IsValid() {
		p.text("via ")
		h := p.hostOf(gw) // -resolve
		p.add("gateway", h, p.paint(familyColor(gw.Is6()), h+" "))
	}
	if oif != 0 {
		name := e.linkName(ctx, oif)
		p.text("dev ")
		p.add("dev", name, p.paint(colorIfname, name+" "))
	}
	if scope != rtnl.ScopeUniverse || e.opts.Details {
		s := e.num(scope.String(), uint64(scope))
		p.field("scope", "scope %s ", s)
	}
	if blackhole {
		p.add("blackhole", nil, "blackhole ")
	}
	if proto != 0 || e.opts.Details {
		s := e.num(proto.String(), uint64(proto))
		if proto == 0 && !e.opts.Numeric {
			s = "unspec"
		}
		p.field("protocol", "proto %s ", s)
	}
	nexthopFlags(p, flags)
	if fdb {
		p.add("fdb", nil, "fdb")
	}
	p.text("\n")
	return p
}
