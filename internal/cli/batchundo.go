package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/nlkit/nlkit/rtnl"
)

// ip -batch's result on the bulk path.
//
// ip -batch, without -force, stops at the first line that fails: nothing
// after it is applied. The bulk path sends a whole group of lines before
// it reads the first answer, so when line k of a group fails, the lines
// after k that the kernel accepted are already applied. Without -force,
// the bulk path then undoes them, last first, so that the kernel's state
// is what ip -batch leaves: every line before k applied, none after it.
//
// The undo of a line is its inverse: an added or appended route or
// neighbour is deleted (the route as it was added, with its metric made
// explicit so that no other route of the prefix is taken for it); a
// deleted, replaced or changed one is put back as it was, from a snapshot
// of the routes (or neighbours) taken before the group was sent, and only
// when the group has such lines (adds alone need no snapshot). A failed
// undo is reported on standard error naming its line; the exit status is
// the batch's failure status either way.

// bulkSnapshot is the state a group's deletes, replaces and changes undo
// to.
type bulkSnapshot struct {
	routes []rtnl.Route
	neighs []rtnl.Neighbor
}

// takeSnapshot reads what the group's lines may remove or overwrite:
// every route when a route line deletes, replaces or changes one, every
// neighbour when a neighbour line deletes one.
func takeSnapshot(ctx context.Context, c *rtnl.Conn, group []bulkItem) (*bulkSnapshot, error) {
	s := &bulkSnapshot{}
	needRoutes, needNeighs := false, false
	for i := range group {
		switch it := &group[i]; it.kind {
		case bulkRoute:
			needRoutes = needRoutes || it.route.Op != rtnl.RouteOpAdd && it.route.Op != rtnl.RouteOpAppend
		case bulkNeighDelete:
			needNeighs = true
		}
	}
	var err error
	if needRoutes {
		if s.routes, err = c.RouteList(ctx, rtnl.RouteFilter{}); err != nil {
			return nil, err
		}
	}
	if needNeighs {
		if s.neighs, err = c.NeighborList(ctx, rtnl.NeighborFilter{}); err != nil {
			return nil, err
		}
		proxies, err := c.NeighborList(ctx, rtnl.NeighborFilter{Proxy: true})
		if err != nil {
			return nil, err
		}
		s.neighs = append(s.neighs, proxies...)
	}
	return s, nil
}

// routeTable is the table a request's route goes to: main when not given.
func routeTable(r *rtnl.Route) rtnl.Table {
	if r.Table == 0 {
		return rtnl.TableMain
	}
	return r.Table
}

// exactMetric is r with its metric made explicit: what the kernel gave
// it when none was asked for (0 for IPv4, 1024 for IPv6).
func exactMetric(r rtnl.Route) rtnl.Route {
	if !r.HasPriority {
		r.HasPriority = true
		if r.Family == rtnl.FamilyIPv6 || r.Dst.Addr().Is6() {
			r.Priority = 1024
		}
	}
	return r
}

// sameKey reports whether the snapshot's route a has the key of the
// request's route r: family, table, prefix, TOS and metric (the kernel's
// identity of a route, for replace and change).
func sameKey(a, r *rtnl.Route) bool {
	want := exactMetric(*r)
	return a.Dst == r.Dst && a.Tos == r.Tos && a.Table == routeTable(r) &&
		(!a.HasPriority && want.Priority == 0 || a.Priority == want.Priority)
}

// deletedBy reports whether the kernel would delete the snapshot's route
// a for the delete request r: the prefix, table and TOS, and each of the
// metric, protocol, type, gateway and device the request gives.
func deletedBy(a, r *rtnl.Route) bool {
	switch {
	case a.Dst != r.Dst || a.Tos != r.Tos || a.Table != routeTable(r):
		return false
	case r.HasPriority && a.Priority != r.Priority:
		return false
	case r.Protocol != 0 && a.Protocol != r.Protocol:
		return false
	case r.Type != 0 && r.Type != rtnl.RouteUnicast && a.Type != r.Type:
		return false
	case r.Gateway.IsValid() && a.Gateway != r.Gateway:
		return false
	case r.OutIndex != 0 && a.OutIndex != r.OutIndex:
		return false
	}
	return true
}

// addedRoute is the delete request that finds the route r added: its key
// and next hop, not its protocol (a change after it may have changed
// that).
func addedRoute(r *rtnl.Route) rtnl.Route {
	d := exactMetric(*r)
	d.Protocol = 0
	return d
}

// forAdd is a dumped route as a request that adds it back.
func forAdd(a rtnl.Route) rtnl.Route {
	a.Flags &^= rtnl.RouteFlagCloned
	return a
}

// undoBulk undoes the lines of group that the kernel applied after the
// first failed one (failed holds the failed indexes, in group), last
// first, and reports an undo that fails.
func (e *env) undoBulk(ctx context.Context, c *rtnl.Conn, group []bulkItem, lineNos []int, failed []int, snap *bulkSnapshot) {
	first := slices.Min(failed)
	used := map[int]bool{} // snapshot routes already restored
	for i := len(group) - 1; i > first; i-- {
		if slices.Contains(failed, i) {
			continue
		}
		if err := e.undoOne(ctx, c, &group[i], snap, used); err != nil {
			fmt.Fprintf(e.stderr, "Cannot undo line %d, applied after the failed line %d: ", lineNos[i], lineNos[first])
			report(e.stderr, err)
		}
	}
}

// undoOne applies the inverse of one applied line.
func (e *env) undoOne(ctx context.Context, c *rtnl.Conn, it *bulkItem, snap *bulkSnapshot, used map[int]bool) error {
	switch it.kind {
	case bulkNeighAdd:
		return c.DeleteNeighbor(ctx, it.neigh)
	case bulkNeighDelete:
		for _, n := range snap.neighs {
			if n.Index == it.neigh.Index && n.Addr == it.neigh.Addr && n.Flags&rtnl.NeighborProxy == it.neigh.Flags&rtnl.NeighborProxy {
				return c.AddNeighbor(ctx, n)
			}
		}
		return nil
	}
	r := &it.route.Route
	switch it.route.Op {
	case rtnl.RouteOpAdd, rtnl.RouteOpAppend:
		return c.DeleteRoute(ctx, addedRoute(r))
	case rtnl.RouteOpDelete:
		for i := range snap.routes {
			if !used[i] && deletedBy(&snap.routes[i], r) {
				used[i] = true
				return c.AddRoute(ctx, forAdd(snap.routes[i]))
			}
		}
		return nil
	case rtnl.RouteOpReplace, rtnl.RouteOpChange:
		for i := range snap.routes {
			if sameKey(&snap.routes[i], r) {
				return c.ReplaceRoute(ctx, forAdd(snap.routes[i]))
			}
		}
		if it.route.Op == rtnl.RouteOpReplace {
			return c.DeleteRoute(ctx, addedRoute(r)) // replace created it
		}
	}
	return nil
}
