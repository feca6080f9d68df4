package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Every object's decoding errors name the attribute at fault by its full
// path from the message's top level, the way ip's sources spell them:
// "rtnl: decode route: RTA_METRICS/RTAX_MTU: ...",
// "rtnl: decode link: IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VXLAN_PORT: ...".
// The path is found again from the offset of the innermost *nlattr.Error,
// by walking the attributes as the decoder did; only the error path pays.

// attrSpace names the attribute types of one nesting level.
type attrSpace struct {
	name func(typ uint16) string
	// inner gives the space of the attributes inside attribute typ
	// (siblings: the attributes around it); ok is false where the decoder
	// does not look inside. The attributes inside come after hdr bytes
	// (a struct); with list, the payload is a list of such records (struct
	// rtnexthop), each starting with its uint16 length. nil: no nests.
	inner func(typ uint16, siblings []byte) (in attrSpace, hdr int, list, ok bool)
}

// namesSpace is a flat space named from a table indexed by type, with
// prefix and the number for types past it.
func namesSpace(names []string, prefix string) attrSpace {
	return attrSpace{name: func(typ uint16) string {
		if int(typ) < len(names) && typ != 0 {
			return names[typ]
		}
		return prefix + strconv.Itoa(int(typ))
	}}
}

// attrPath names the attribute whose header is at off in attrs (of type
// typ), with the nests around it, joined by "/"; a record of a list is
// named "[i]" after its attribute: "RTA_MULTIPATH[1]/RTA_GATEWAY".
func attrPath(space attrSpace, attrs []byte, off int, typ uint16) string {
	var parts []string
	b, base := attrs, 0
	for range 6 {
		d := nlattr.NewDecoder(b)
		descended := false
		for d.Next() {
			start := base + d.Offset()
			end := start + nlattr.HeaderLen + d.Len()
			if off < start || off >= end {
				continue
			}
			parts = append(parts, space.name(d.Type()))
			if off == start || space.inner == nil {
				return strings.Join(parts, "/")
			}
			inner, hdr, list, ok := space.inner(d.Type(), b)
			if !ok {
				return strings.Join(parts, "/")
			}
			space, b, base, descended = inner, d.Bytes(), start+nlattr.HeaderLen, true
			switch {
			case list:
				i, rb, rbase, found := findRecord(b, base, off, hdr)
				if !found {
					return strings.Join(parts, "/")
				}
				parts[len(parts)-1] += "[" + strconv.Itoa(i) + "]"
				b, base = rb, rbase
			case hdr > 0:
				if off < base+hdr || len(b) < hdr {
					return strings.Join(parts, "/")
				}
				b, base = b[hdr:], base+hdr
			}
			break
		}
		if !descended {
			break
		}
	}
	return strings.Join(append(parts, space.name(typ)), "/")
}

// findRecord finds the record of a list (at base in the message) that
// holds off, and gives its index and its attributes with their base.
func findRecord(list []byte, base, off, hdr int) (i int, attrs []byte, attrBase int, ok bool) {
	for p, pos := list, base; len(p) >= hdr; i++ {
		l := int(binary.NativeEndian.Uint16(p))
		if l < hdr || l > len(p) {
			return 0, nil, 0, false
		}
		if off >= pos && off < pos+l {
			return i, p[hdr:l], pos + hdr, off >= pos+hdr
		}
		a := min(nlattr.Align(l), len(p))
		p, pos = p[a:], pos+a
	}
	return 0, nil, 0, false
}

// innermostAttrError is the innermost *nlattr.Error in err's chain: the
// one that names the attribute at fault rather than a nest around it.
func innermostAttrError(err error) (*nlattr.Error, bool) {
	var found *nlattr.Error
	for err != nil {
		if ae, ok := err.(*nlattr.Error); ok {
			found = ae
		}
		err = errors.Unwrap(err)
	}
	return found, found != nil
}

// decodeAttrError wraps an attribute decoding error of an object (what)
// whose attributes are attrs: "rtnl: decode WHAT: PATH: CAUSE", the cause
// being the innermost *nlattr.Error (errors.Is and errors.As see it).
func decodeAttrError(what string, space attrSpace, attrs []byte, err error) error {
	ae, ok := innermostAttrError(err)
	if !ok {
		return fmt.Errorf("rtnl: decode %s: %w", what, err)
	}
	return fmt.Errorf("rtnl: decode %s: %s: %w", what, attrPath(space, attrs, ae.Offset, ae.Type), ae)
}

// rtaxNames names the RTAX_* metrics.
var rtaxNames = [...]string{"RTAX_UNSPEC", "RTAX_LOCK", "RTAX_MTU", "RTAX_WINDOW", "RTAX_RTT", "RTAX_RTTVAR",
	"RTAX_SSTHRESH", "RTAX_CWND", "RTAX_ADVMSS", "RTAX_REORDERING", "RTAX_HOPLIMIT", "RTAX_INITCWND",
	"RTAX_FEATURES", "RTAX_RTO_MIN", "RTAX_INITRWND", "RTAX_QUICKACK", "RTAX_CC_ALGO", "RTAX_FASTOPEN_NO_COOKIE"}

// routeSpace is the RTA_* space, with RTA_METRICS and RTA_MULTIPATH's
// next hops (struct rtnexthop, then RTA_* attributes) inside.
func routeSpace() attrSpace {
	s := namesSpace(rtaNames[:], "RTA_")
	s.inner = func(typ uint16, _ []byte) (attrSpace, int, bool, bool) {
		switch typ {
		case unix.RTA_METRICS:
			return namesSpace(rtaxNames[:], "RTAX_"), 0, false, true
		case unix.RTA_MULTIPATH:
			return namesSpace(rtaNames[:], "RTA_"), rtnexthopLen, true, true
		}
		return attrSpace{}, 0, false, false
	}
	return s
}

// linkSpace is link's IFLA_* space, nests and kinds included.
func linkSpace() attrSpace { return linkSpaceOf(linkIFLASpace) }

func linkSpaceOf(s linkAttrSpace) attrSpace {
	return attrSpace{name: s.name, inner: func(typ uint16, siblings []byte) (attrSpace, int, bool, bool) {
		if s.prefix == linkVethSpace.prefix && typ == vethInfoPeer {
			return linkSpace(), linkMsgLen, false, true // struct ifinfomsg, then IFLA_*
		}
		in, ok := linkNestSpace(s, siblings, typ)
		if !ok {
			return attrSpace{}, 0, false, false
		}
		return linkSpaceOf(in), 0, false, true
	}}
}
