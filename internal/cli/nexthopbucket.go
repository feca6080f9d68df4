package cli

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// The buckets of resilient nexthop groups (RTM_*NEXTHOPBUCKET, Linux
// 5.13): ip nexthop bucket list|get.

const (
	rtmNewNexthopBucket = 116
	rtmGetNexthopBucket = 118

	nhaOIFAttr   = 5  // NHA_OIF
	nhaResBucket = 13 // NHA_RES_BUCKET

	nhaResBucketIndex    = 1 // u16
	nhaResBucketIdleTime = 2 // u64, clock_t
	nhaResBucketNHID     = 3 // u32
)

var nexthopBucketCommands = []command{{name: "list", abbrev: []string{"list", "show", "lst"}}, {name: "get"}, {name: "help"}}

// runNexthopBucket is ip's do_ipnh_bucket.
func runNexthopBucket(ctx context.Context, e *env, args []string) error {
	a := wordsOf(args)
	cmd := "list"
	if a.more() {
		w := a.next()
		var ok bool
		if cmd, ok = lookupCommand(w, nexthopBucketCommands); !ok {
			return usagef(`Command "%s" is unknown, try "%s nexthop help".`, w, "nl")
		}
	}
	if cmd == "help" {
		return &UsageError{Msg: strings.TrimSuffix(nexthopHelp, "\n")}
	}
	c, err := e.rt()
	if err != nil {
		return err
	}
	nl := c.Netlink()
	enc := nlattr.NewEncoder(make([]byte, nhmsgLen))
	if cmd == "get" {
		var id uint32
		var index uint16
		var hasID, hasIndex bool
		for a.more() {
			switch w := a.next(); w {
			case "id":
				id, err = valueOf(a, getU32, "invalid id value")
				hasID = true
			case "index":
				index, err = valueOf(a, getU16, "invalid bucket index value")
				hasIndex = true
			default:
				return &UsageError{Msg: strings.TrimSuffix(nexthopHelp, "\n")}
			}
			if err != nil {
				return err
			}
		}
		if !hasID || !hasIndex {
			return &UsageError{Msg: strings.TrimSuffix(nexthopHelp, "\n")}
		}
		enc.Uint32(nhaID, id)
		enc.Nest(nhaResBucket)
		enc.Uint16(nhaResBucketIndex, index)
		enc.End()
		data, _ := enc.Finish()
		msgs, err := nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetNexthopBucket}, Data: data})
		if err != nil {
			return err
		}
		var recs []*printer
		for _, m := range msgs {
			if p := e.nexthopBucketFormat(m); p != nil {
				recs = append(recs, p)
			}
		}
		return writeRecords(e, recs)
	}
	var nhid uint32
	var hasNHID bool
	for a.more() {
		w := a.next()
		switch w {
		case "id":
			var id uint32
			if id, err = valueOf(a, getU32, "invalid id value"); err == nil {
				enc.Uint32(nhaID, id)
			}
		case "nhid":
			nhid, err = valueOf(a, getU32, "invalid id value")
			hasNHID = true
		case "dev", "master", "vrf":
			var name string
			if name, err = a.value(); err != nil {
				break
			}
			var idx int32
			if w == "vrf" {
				if idx, err = e.vrfIndex(ctx, name); err != nil {
					return errInvarg("Invalid VRF\n", name)
				}
			} else if idx, err = e.linkIndex(ctx, name); err != nil {
				return errInvarg("Device does not exist\n", name)
			}
			typ := uint16(nhaOIFAttr)
			if w != "dev" {
				typ = nhaMaster
			}
			enc.Uint32(typ, uint32(idx))
		default:
			return errInvarg("", w)
		}
		if err != nil {
			return err
		}
	}
	if hasNHID {
		enc.Nest(nhaResBucket)
		enc.Uint32(nhaResBucketNHID, nhid)
		enc.End()
	}
	data, _ := enc.Finish()
	var recs []*printer
	for m, err := range nl.Dump(ctx, netlink.Message{Header: netlink.Header{Type: rtmGetNexthopBucket}, Data: data}) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if p := e.nexthopBucketFormat(m); p != nil {
			recs = append(recs, p)
		}
	}
	return writeRecords(e, recs)
}

// nexthopBucketFormat prints a bucket as ip's print_nexthop_bucket (nil
// for another message).
func (e *env) nexthopBucketFormat(m netlink.Message) *printer {
	if m.Header.Type != rtmNewNexthopBucket || len(m.Data) < nhmsgLen {
		return nil
	}
	flags := binary.NativeEndian.Uint32(m.Data[4:])
	var id, nhid uint32
	var hasID, hasBucket bool
	var index uint16
	var idle uint64
	d := nlattr.NewDecoder(m.Data[nhmsgLen:])
	for d.Next() {
		switch d.Type() {
		case nhaID:
			id, hasID = d.Uint32(), true
		case nhaResBucket:
			hasBucket = true
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case nhaResBucketIndex:
					index = n.Uint16()
				case nhaResBucketIdleTime:
					idle = n.Uint64()
				case nhaResBucketNHID:
					nhid = n.Uint32()
				}
			}
		}
	}
	if d.Err() != nil {
		return nil
	}
	p := e.record()
	if hasID {
		p.field("id", "id %d ", id)
	}
	if hasBucket {
		b := p.nested("bucket")
		b.field("index", "index %d ", index)
		// clock_t ticks as seconds, printed as C's %g.
		t := strconv.FormatFloat(float64(idle)/userHZ, 'g', 6, 64)
		b.add("idle_time", json.Number(t), "idle_time "+t+" ")
		b.field("nhid", "nhid %d ", nhid)
	}
	nexthopFlags(p, flags)
	p.text("\n")
	return p
}

// nexthopFlags prints a nexthop's flags as ip's print_rt_flags: words in
// text, a list in JSON (empty rather than absent).
func nexthopFlags(p *printer, flags uint32) {
	fw := []string{}
	for _, f := range []struct {
		bit  uint32
		word string
	}{{unix.RTNH_F_DEAD, "dead"}, {unix.RTNH_F_ONLINK, "onlink"}, {unix.RTNH_F_PERVASIVE, "pervasive"},
		{unix.RTNH_F_OFFLOAD, "offload"}, {0x20, "trap"}, {unix.RTNH_F_LINKDOWN, "linkdown"}, {unix.RTNH_F_UNRESOLVED, "unresolved"}} {
		if flags&f.bit != 0 {
			fw = append(fw, f.word)
			p.text("%s ", f.word)
		}
	}
	p.jsonOnly("flags", fw)
}
