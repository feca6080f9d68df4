package cli

import (
	"context"
	"errors"
	"slices"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

// The bulk path of -batch.
//
// A batch file that adds or deletes many routes or neighbours one line at a
// time spends almost all of its time waiting for one acknowledgement after
// another. runBulk takes the longest leading run of lines that are `route
// add|delete|del|replace|append|change` or `neigh add|delete`, parses each
// with the object's own parser, and sends the run through the library's
// batch operations (rtnl.Conn.ApplyRoutes for any mix of route lines, in
// their order; AddNeighborsSeq, DeleteNeighborsSeq), which pack many
// requests into each datagram and report the failed ones by index in a
// *netlink.BatchError.
//
// Within one batch request (a maximal group of consecutive route lines, or
// of neighbour lines of the same kind, inside the run) every line is sent
// before any answer is read, so when a line fails, the lines after it in
// the same group have already been applied. Without -force, runBulk then
// undoes them (batchundo.go) and stops at the failing line, as ip -batch
// does: the kernel's state is ip's, everything before the failing line
// applied and nothing after it. With -force every line is tried, as ip.

// bulkKind is the kind of request of one line of a run: lines of the same
// kind go in one batch.
type bulkKind int

const (
	bulkRoute bulkKind = iota // any route change, in ApplyRoutes
	bulkNeighAdd
	bulkNeighDelete
)

// bulkItem is one parsed line of a run.
type bulkItem struct {
	kind  bulkKind
	route rtnl.RouteOp
	neigh rtnl.Neighbor
}

// bulkRouteOps are the route commands of the bulk path.
var bulkRouteOps = map[string]rtnl.RouteOpKind{
	"add": rtnl.RouteOpAdd, "delete": rtnl.RouteOpDelete, "replace": rtnl.RouteOpReplace,
	"append": rtnl.RouteOpAppend, "change": rtnl.RouteOpChange,
}

// bulkObject names the object dispatch would pick for word.
func bulkObject(word string) string {
	if o, ok := lookupObject(word); ok {
		return o.name
	}
	return ""
}

// bulkParse parses one line for the bulk path; ok is false for a line that
// is not a bulk command or does not parse or resolve (the normal path then
// runs it and reports what is wrong with it).
func bulkParse(ctx context.Context, e *env, words []string) (bulkItem, bool) {
	if len(words) < 2 || matches(words[1], "help") {
		return bulkItem{}, false
	}
	fam := e.opts.Family
	switch bulkObject(words[0]) {
	case "route":
		req, err := parseRoute(words[1:], fam)
		if err != nil {
			return bulkItem{}, false
		}
		op, ok := bulkRouteOps[req.cmd]
		if !ok {
			return bulkItem{}, false
		}
		r, err := routeBuild(ctx, e, &req.spec)
		if err != nil {
			return bulkItem{}, false
		}
		return bulkItem{kind: bulkRoute, route: rtnl.RouteOp{Op: op, Route: r}}, true
	case "neighbor", "neighbour":
		req, err := parseNeigh(words[1:], fam)
		if err != nil {
			return bulkItem{}, false
		}
		var kind bulkKind
		switch req.cmd {
		case "add":
			kind = bulkNeighAdd
		case "delete":
			kind = bulkNeighDelete
		default:
			return bulkItem{}, false
		}
		n, err := neighBuild(ctx, e, &req)
		if err != nil {
			return bulkItem{}, false
		}
		return bulkItem{kind: kind, neigh: n}, true
	}
	return bulkItem{}, false
}

// lineFailure is a line of a run that failed, with its error.
type lineFailure struct {
	index int // in the lines given to runBulk
	err   error
	fatal bool // ip exits at it, -force or not (see neighExits)
}

// runBulk runs the longest leading run of bulk lines (see the comment at
// the top of this file) and returns how many lines it consumed (0: run the
// first line normally) and those that failed, in order; the caller prints
// each error and names its line ("Command failed FILE:LINE"), as ip
// does. Without -force it stops at the first failed line, having undone
// what the kernel applied after it.
func runBulk(ctx context.Context, e *env, lines []batchLine) (n int, failed []lineFailure) {
	var items []bulkItem
	for _, l := range lines {
		if ctx.Err() != nil {
			break
		}
		it, ok := bulkParse(ctx, e, l.words)
		if !ok {
			break
		}
		items = append(items, it)
	}
	if len(items) == 0 {
		return 0, nil
	}
	c, err := e.rt()
	if err != nil {
		return 0, nil // the normal path reports it
	}
	for start := 0; start < len(items); {
		end := start + 1
		for end < len(items) && items[end].kind == items[start].kind {
			end++
		}
		group := items[start:end]
		// ip exits at a neighbour line the kernel refuses, even with
		// -force: such a group is undone after its failure either way.
		stops := !e.opts.Force || group[0].kind != bulkRoute
		var snap *bulkSnapshot
		if stops {
			if snap, err = takeSnapshot(ctx, c, group); err != nil {
				return start, nil // the normal path runs the lines one by one
			}
		}
		fails := bulkRun(ctx, c, group)
		slices.SortFunc(fails, func(a, b netlink.BatchFailure) int { return a.Index - b.Index })
		if len(fails) > 0 && stops {
			idx := make([]int, len(fails))
			for i, f := range fails {
				idx[i] = f.Index
			}
			nos := make([]int, len(group))
			for i := range group {
				nos[i] = lines[start+i].no
			}
			e.undoBulk(ctx, c, group, nos, idx, snap)
			// As ip: the lines after the first failure were not run.
			first := fails[0]
			return start + first.Index + 1, append(failed, lineFailure{start + first.Index, first.Err, group[0].kind != bulkRoute})
		}
		for _, f := range fails {
			failed = append(failed, lineFailure{start + f.Index, f.Err, false})
		}
		start = end
	}
	return len(items), failed
}

// bulkRun sends one group of lines of the same kind and returns the failed
// ones, indexed in group. An error that is not about single requests (the
// socket failed) is given as a failure of the group's first line.
func bulkRun(ctx context.Context, c *rtnl.Conn, group []bulkItem) []netlink.BatchFailure {
	neighs := func(yield func(rtnl.Neighbor) bool) {
		for i := range group {
			if !yield(group[i].neigh) {
				return
			}
		}
	}
	var err error
	switch group[0].kind {
	case bulkRoute:
		err = c.ApplyRoutes(ctx, func(yield func(rtnl.RouteOp) bool) {
			for i := range group {
				if !yield(group[i].route) {
					return
				}
			}
		})
	case bulkNeighAdd:
		err = c.AddNeighborsSeq(ctx, neighs)
	case bulkNeighDelete:
		err = c.DeleteNeighborsSeq(ctx, neighs)
	}
	if err == nil {
		return nil
	}
	var be *netlink.BatchError
	if errors.As(err, &be) {
		return be.Failures
	}
	return []netlink.BatchFailure{{Index: 0, Err: err}}
}
