package cli

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
)

// Lightweight tunnel encapsulation (linux/lwtunnel.h), as ip's
// lwt_parse_encap reads `encap TYPE ...` after a route's or nexthop's
// words: the types mpls, ip and ip6 (the others ip knows, seg6, bpf,
// ila, ioam6, rpl, xfrm, are refused by name).
const (
	lwtEncapMPLS = 1
	lwtEncapIP   = 2
	lwtEncapIP6  = 4

	mplsIPTunnelDst = 1
	mplsIPTunnelTTL = 2

	lwtIPID    = 1 // also LWTUNNEL_IP6_*
	lwtIPDst   = 2
	lwtIPSrc   = 3
	lwtIPTTL   = 4 // ip6: hoplimit
	lwtIPTOS   = 5 // ip6: tc
	lwtIPFlags = 6

	lwtTunnelCsum = 0x01
	lwtTunnelKey  = 0x04
	lwtTunnelSeq  = 0x08
)

// lwtAttr is one attribute of an encapsulation's nest.
type lwtAttr struct {
	typ uint16
	b   []byte
}

// lwtEncap is a parsed `encap TYPE ...`.
type lwtEncap struct {
	typ   uint16
	attrs []lwtAttr
}

// encode appends the encapsulation as the attributes encapAttr (nested)
// and typeAttr, in ip's order.
func (l *lwtEncap) encode(enc *nlattr.Encoder, encapAttr, typeAttr uint16) {
	enc.Nest(encapAttr)
	for _, a := range l.attrs {
		enc.Bytes(a.typ, a.b)
	}
	enc.End()
	enc.Uint16(typeAttr, l.typ)
}

// parseEncap reads the words after "encap" (a is just past it). It stops
// at the first word the type does not know, leaving it to the caller.
func parseEncap(a *words) (*lwtEncap, error) {
	t, err := a.value()
	if err != nil {
		return nil, err
	}
	l := &lwtEncap{}
	u8 := func(v uint8) []byte { return []byte{v} }
	switch t {
	case "mpls":
		l.typ = lwtEncapMPLS
		v, err := a.value()
		if err != nil {
			return nil, err
		}
		labels, ok := parseMPLSLabels(v)
		if !ok {
			return nil, errBadWord(`Error: an inet address is expected rather than "%s".`, v)
		}
		l.attrs = append(l.attrs, lwtAttr{mplsIPTunnelDst, labels})
		if a.more() && a.peek() == "ttl" {
			a.next()
			n, err := valueOf(a, getU8, "\"ttl\" value is invalid\n")
			if err != nil {
				return nil, err
			}
			l.attrs = append(l.attrs, lwtAttr{mplsIPTunnelTTL, u8(n)})
		}
		return l, nil
	case "ip", "ip6":
		v6 := t == "ip6"
		l.typ = lwtEncapIP
		fam := FamilyInet
		if v6 {
			l.typ, fam = lwtEncapIP6, FamilyInet6
		}
		var flags uint16
		seen := map[string]bool{}
	words:
		for a.more() {
			w := a.peek()
			switch w {
			case "id", "dst", "src", "tos", "ttl", "tc", "hoplimit":
				if v6 && (w == "tos" || w == "ttl") || !v6 && (w == "tc" || w == "hoplimit") {
					break words
				}
				a.next()
				if seen[w] {
					return nil, errDuparg(w, a.peek())
				}
				seen[w] = true
				v, err := a.value()
				if err != nil {
					return nil, err
				}
				switch w {
				case "id":
					n, err := strconv.ParseUint(v, 0, 64)
					if err != nil {
						return nil, errInvarg("\"id\" value is invalid\n", v)
					}
					l.attrs = append(l.attrs, lwtAttr{lwtIPID, binary.BigEndian.AppendUint64(nil, n)})
				case "dst", "src":
					ad, err := getIPAddr(v, fam)
					if err != nil {
						return nil, err
					}
					typ := uint16(lwtIPDst)
					if w == "src" {
						typ = lwtIPSrc
					}
					l.attrs = append(l.attrs, lwtAttr{typ, ad.AsSlice()})
				case "tos", "tc":
					n, ok := parseDSField(v)
					if !ok {
						return nil, errInvarg(fmt.Sprintf("\"%s\" value is invalid\n", w), v)
					}
					l.attrs = append(l.attrs, lwtAttr{lwtIPTOS, u8(n)})
				case "ttl", "hoplimit":
					n, ok := getU8(v)
					if !ok {
						return nil, errInvarg(fmt.Sprintf("\"%s\" value is invalid\n", w), v)
					}
					l.attrs = append(l.attrs, lwtAttr{lwtIPTTL, u8(n)})
				}
			case "key":
				a.next()
				flags |= lwtTunnelKey
			case "csum":
				a.next()
				flags |= lwtTunnelCsum
			case "seq":
				a.next()
				flags |= lwtTunnelSeq
			default:
				break words
			}
		}
		if flags != 0 {
			l.attrs = append(l.attrs, lwtAttr{lwtIPFlags, binary.BigEndian.AppendUint16(nil, flags)}) // __be16 TUNNEL_* flags
		}
		return l, nil
	case "seg6", "seg6local", "bpf", "ila", "ioam6", "rpl", "xfrm":
		return nil, usagef(`Error: encap type "%s" is not supported by nl.`, t)
	}
	return nil, errInvarg("\"encap type\" value is invalid\n", t)
}

// parseMPLSLabels reads "LABEL[/LABEL...]" into the label stack entries
// of MPLS_IPTUNNEL_DST (big endian, bottom of stack on the last).
func parseMPLSLabels(s string) ([]byte, bool) {
	parts := strings.Split(s, "/")
	var b []byte
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 0, 32)
		if err != nil || n >= 1<<20 {
			return nil, false
		}
		e := uint32(n) << 12
		if i == len(parts)-1 {
			e |= 1 << 8
		}
		b = binary.BigEndian.AppendUint32(b, e)
	}
	return b, true
}

// encapOut prints an encapsulation as ip's lwt_print_encap does for the
// types nl parses (text " encap ip id 0 src 0.0.0.0 dst 1.2.3.4 ttl 0 tos
// 0 "; in JSON "encap" and the fields as keys of the record, as ip). It
// prints nothing for a type it does not know.
func encapOut(p *printer, typ uint16, nest []byte) {
	attrs := map[uint16][]byte{}
	d := nlattr.NewDecoder(nest)
	for d.Next() {
		attrs[d.Type()] = d.Bytes()
	}
	if d.Err() != nil {
		return
	}
	u8 := func(t uint16) uint8 {
		if v := attrs[t]; len(v) == 1 {
			return v[0]
		}
		return 0
	}
	switch typ {
	case lwtEncapMPLS:
		p.add("encap", "mpls", " encap mpls ")
		dst := attrs[mplsIPTunnelDst]
		var labels []string
		for i := 0; i+4 <= len(dst); i += 4 {
			labels = append(labels, strconv.FormatUint(uint64(binary.BigEndian.Uint32(dst[i:])>>12), 10))
		}
		l := strings.Join(labels, "/")
		p.add("dst", l, " "+l+" ")
		if _, ok := attrs[mplsIPTunnelTTL]; ok {
			p.add("ttl", u8(mplsIPTunnelTTL), fmt.Sprintf("ttl %d ", u8(mplsIPTunnelTTL)))
		}
	case lwtEncapIP, lwtEncapIP6:
		v6 := typ == lwtEncapIP6
		addr := func(t uint16) string {
			if a, ok := netip.AddrFromSlice(attrs[t]); ok {
				return a.String()
			}
			if v6 {
				return "::"
			}
			return "0.0.0.0"
		}
		var id uint64
		if v := attrs[lwtIPID]; len(v) == 8 {
			id = binary.BigEndian.Uint64(v)
		}
		ttl, tos := "ttl", "tos"
		name := "ip"
		if v6 {
			ttl, tos, name = "hoplimit", "tc", "ip6"
		}
		p.add("encap", name, " encap "+name+" ")
		p.add("id", id, fmt.Sprintf("id %d ", id))
		p.add("src", addr(lwtIPSrc), "src "+addr(lwtIPSrc)+" ")
		p.add("dst", addr(lwtIPDst), "dst "+addr(lwtIPDst)+" ")
		p.add(ttl, u8(lwtIPTTL), fmt.Sprintf("%s %d ", ttl, u8(lwtIPTTL)))
		p.add(tos, u8(lwtIPTOS), fmt.Sprintf("%s %d ", tos, u8(lwtIPTOS)))
		if v := attrs[lwtIPFlags]; len(v) == 2 {
			f := binary.BigEndian.Uint16(v)
			for _, x := range []struct {
				bit  uint16
				word string
			}{{lwtTunnelKey, "key"}, {lwtTunnelCsum, "csum"}, {lwtTunnelSeq, "seq"}} {
				if f&x.bit != 0 {
					p.add(x.word, true, x.word+" ")
				}
			}
		}
	}
}
