package cli

import (
	"context"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// routePrepend is ip's route prepend: RTM_NEWROUTE with NLM_F_CREATE
// alone, which adds a route before those of the same prefix (IPv4: a new
// alternative first; it does not join them in a multipath route). The
// library has no method for these flags: the route gets AddRoute's
// defaults here (the IPv4 scope iproute2 picks) and goes out raw.
func routePrepend(ctx context.Context, c *rtnl.Conn, r rtnl.Route) error {
	if r.Family == rtnl.FamilyIPv4 && r.Scope == rtnl.ScopeUniverse && !r.HasScope {
		switch r.Type {
		case rtnl.RouteLocal, rtnl.RouteNAT:
			r.Scope = rtnl.ScopeHost
		case rtnl.RouteBroadcast, rtnl.RouteMulticast, rtnl.RouteAnycast:
			r.Scope = rtnl.ScopeLink
		case rtnl.RouteUnicast, rtnl.RouteUnspec:
			if !r.Gateway.IsValid() && len(r.NextHops) == 0 && r.NextHopID == 0 {
				r.Scope = rtnl.ScopeLink
			}
		}
	}
	b, err := r.MarshalBinary()
	if err != nil {
		return err
	}
	_, err = c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWROUTE, Flags: netlink.Create}, Data: b})
	return err
}
