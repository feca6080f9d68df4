package cli

import (
	"context"
	"encoding/binary"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// routeDefaults gives r the scope the library's change methods give an
// IPv4 route whose scope is not set (iproute2's choice; see rtnl.Route),
// for the routes nl sends itself.
func routeDefaults(r *rtnl.Route, del bool) {
	if r.Family != rtnl.FamilyIPv4 || r.Scope != rtnl.ScopeUniverse || r.HasScope {
		return
	}
	switch r.Type {
	case rtnl.RouteLocal, rtnl.RouteNAT:
		r.Scope = rtnl.ScopeHost
	case rtnl.RouteBroadcast, rtnl.RouteMulticast, rtnl.RouteAnycast:
		r.Scope = rtnl.ScopeLink
	case rtnl.RouteUnicast, rtnl.RouteUnspec:
		if del {
			r.Scope = rtnl.ScopeNowhere
		} else if !r.Gateway.IsValid() && len(r.NextHops) == 0 && r.NextHopID == 0 {
			r.Scope = rtnl.ScopeLink
		}
	default:
		if del {
			r.Scope = rtnl.ScopeNowhere
		}
	}
}

// routeRaw sends a route change nl encodes itself: prepend (NLM_F_CREATE
// alone: a route before those of the same prefix; IPv4 does not join them
// in a multipath route), and routes with lightweight tunnel encapsulation
// (`encap`, on the route or on its nexthops), which rtnl.Route does not
// carry. top is the route's encap, hops[i] that of r.NextHops[i] (nil:
// none).
func routeRaw(ctx context.Context, c *rtnl.Conn, cmd string, r rtnl.Route, top *lwtEncap, hops []*lwtEncap) error {
	typ, flags := netlink.MessageType(unix.RTM_NEWROUTE), netlink.Flags(0)
	switch cmd {
	case "add":
		flags = netlink.Create | netlink.Excl
	case "replace":
		flags = netlink.Create | netlink.Replace
	case "append":
		flags = netlink.Create | netlink.Append
	case "change":
		flags = netlink.Replace
	case "prepend":
		flags = netlink.Create
	case "delete":
		typ = unix.RTM_DELROUTE
	}
	routeDefaults(&r, cmd == "delete")
	nhs := r.NextHops
	r.NextHops = nil
	b, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	enc := nlattr.NewEncoder(b)
	if top != nil {
		top.encode(enc, unix.RTA_ENCAP, unix.RTA_ENCAP_TYPE)
	}
	if len(nhs) > 0 {
		var mp []byte
		for i, nh := range nhs {
			rh := uint8(0) // rtnh_hops: the weight less one
			if nh.Weight > 0 {
				rh = uint8(nh.Weight - 1)
			}
			off := len(mp)
			mp = append(mp, 0, 0, uint8(nh.Flags), rh, 0, 0, 0, 0)
			binary.NativeEndian.PutUint32(mp[off+4:], uint32(nh.OutIndex))
			he := nlattr.NewEncoder(mp)
			if gw := nh.Gateway; gw.IsValid() {
				if familyOf(gw).rtnl() == r.Family {
					he.Addr(unix.RTA_GATEWAY, gw)
				} else { // RTA_VIA: struct rtvia, family and address
					via := binary.NativeEndian.AppendUint16(nil, uint16(familyOf(gw).rtnl()))
					he.Bytes(unix.RTA_VIA, append(via, gw.AsSlice()...))
				}
			}
			if i < len(hops) && hops[i] != nil {
				hops[i].encode(he, unix.RTA_ENCAP, unix.RTA_ENCAP_TYPE)
			}
			if mp, err = he.Finish(); err != nil {
				return err
			}
			binary.NativeEndian.PutUint16(mp[off:], uint16(len(mp)-off))
		}
		enc.Bytes(unix.RTA_MULTIPATH, mp)
	}
	if b, err = enc.Finish(); err != nil {
		return err
	}
	_, err = c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: b})
	return err
}
