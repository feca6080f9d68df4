package rtnl

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// decodeMsg builds a message body: a header of hdr bytes (family first)
// and the attributes enc writes.
func decodeMsg(hdr int, family byte, enc func(e *nlattr.Encoder)) []byte {
	b := make([]byte, hdr)
	b[0] = family
	e := nlattr.NewEncoder(b)
	enc(e)
	out, err := e.Finish()
	if err != nil {
		panic(err)
	}
	return out
}

// malformedNest appends an unknown nested attribute (typ, NLA_F_NESTED)
// whose only inner attribute claims more bytes than there are: decoders
// skip unknown attributes without looking inside.
func malformedNest(e *nlattr.Encoder, typ uint16) {
	inner := make([]byte, 8)
	binary.NativeEndian.PutUint16(inner, 40) // nla_len past the end
	binary.NativeEndian.PutUint16(inner[2:], 1)
	e.Bytes(typ|nlattr.Nested, inner)
}

// Every object's decode errors name the attribute at fault by its full
// path, as link's do (see TestLinkDecodeErrors), never by the type of a
// nested attribute looked up among the top-level names.
func TestDecodeErrorPaths(t *testing.T) {
	v4 := byte(unix.AF_INET)
	rtnexthop := func(e *nlattr.Encoder, gw []byte) []byte {
		in := nlattr.NewEncoder(make([]byte, rtnexthopLen))
		in.Bytes(unix.RTA_GATEWAY, gw)
		b, _ := in.Finish()
		binary.NativeEndian.PutUint16(b, uint16(len(b)))
		return b
	}
	for _, tc := range []struct {
		name   string
		decode func() error
		want   string
		is     error
	}{
		{"route metric", func() error {
			b := decodeMsg(rtmsgLen, v4, func(e *nlattr.Encoder) {
				malformedNest(e, 200)
				e.Nest(unix.RTA_METRICS)
				e.Uint32(unix.RTAX_ADVMSS, 1400)
				e.Uint16(unix.RTAX_MTU, 1400)
				e.End()
			})
			return new(Route).UnmarshalBinary(b)
		}, "rtnl: decode route: RTA_METRICS/RTAX_MTU: nlattr: attribute 2 ", nlattr.ErrBadLength},
		{"route next hop", func() error {
			b := decodeMsg(rtmsgLen, v4, func(e *nlattr.Encoder) {
				good := rtnexthop(e, []byte{198, 18, 0, 1})
				bad := rtnexthop(e, []byte{198, 18, 0})
				e.Bytes(unix.RTA_MULTIPATH, append(good, bad...))
			})
			return new(Route).UnmarshalBinary(b)
		}, "rtnl: decode route: RTA_MULTIPATH[1]/RTA_GATEWAY: nlattr: attribute 5 ", nlattr.ErrBadLength},
		{"route next hop family", func() error {
			b := decodeMsg(rtmsgLen, v4, func(e *nlattr.Encoder) {
				e.Bytes(unix.RTA_MULTIPATH, rtnexthop(e, make([]byte, 16)))
			})
			return new(Route).UnmarshalBinary(b)
		}, "rtnl: decode route: RTA_MULTIPATH[0]/RTA_GATEWAY: nlattr: attribute 5 ", errRouteAddrFamily},
		{"rule", func() error {
			b := decodeMsg(fibRuleHdrLen, v4, func(e *nlattr.Encoder) {
				malformedNest(e, 200)
				e.Uint16(unix.FRA_PRIORITY, 7)
			})
			return new(Rule).UnmarshalBinary(b)
		}, "rtnl: decode rule: FRA_PRIORITY: nlattr: attribute 6 ", nlattr.ErrBadLength},
		{"address", func() error {
			b := decodeMsg(ifaddrmsgLen, v4, func(e *nlattr.Encoder) {
				malformedNest(e, 200)
				e.Bytes(ifaCacheInfo, make([]byte, 8))
			})
			_, err := decodeAddress(b)
			return err
		}, "rtnl: decode address: IFA_CACHEINFO: nlattr: attribute 6 ", nlattr.ErrBadLength},
		{"neighbor", func() error {
			b := decodeMsg(ndmsgLen, v4, func(e *nlattr.Encoder) {
				malformedNest(e, 200)
				e.Bytes(ndaDst, []byte{198, 18})
			})
			_, err := decodeNeighbor(b)
			return err
		}, "rtnl: decode neighbor: NDA_DST: nlattr: attribute 1 ", nlattr.ErrBadLength},
		{"link", func() error {
			b := decodeMsg(linkMsgLen, 0, func(e *nlattr.Encoder) {
				malformedNest(e, 200)
				e.Nest(unix.IFLA_LINKINFO)
				e.String(unix.IFLA_INFO_KIND, "vlan")
				e.Nest(unix.IFLA_INFO_DATA)
				e.Uint8(unix.IFLA_VLAN_ID, 1)
				e.End()
				e.End()
			})
			_, err := decodeLink(b)
			return err
		}, "rtnl: decode link: IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VLAN_ID: nlattr: attribute 1 ", nlattr.ErrBadLength},
	} {
		err := tc.decode()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v\nwant one starting %q", tc.name, err, tc.want)
			continue
		}
		if !errors.Is(err, tc.is) {
			t.Errorf("%s: error %v is not %v", tc.name, err, tc.is)
		}
		if _, ok := errors.AsType[*nlattr.Error](err); !ok {
			t.Errorf("%s: error %v has no *nlattr.Error", tc.name, err)
		}
		t.Logf("%s: %v", tc.name, err)
	}
}
