package netlink

import "iter"

// Collect gathers a stream (a dump of any family package) into a slice.
//
// The partial-result rule: Collect stops at the first error and returns it
// together with the values received before it, in order. A non-nil error
// therefore never comes with a complete result, and a nil error always
// does; callers that cannot use a partial list just drop it. Use it only
// with iterators whose values are owned by the caller (not with Conn.Dump,
// whose Message.Data is reused).
//
// Large results are gathered in fixed-size chunks and copied once into a
// slice of the exact length, rather than grown by repeated reallocation: a
// million routes cost two copies of the data, not five. For a whole dump a
// family's XxxList method (rtnl's RouteList, LinkList...) may be cheaper.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	const chunkMax = 8192
	var full [][]T
	cur := make([]T, 0, 16)
	total := 0
	var err error
	for v, e := range seq {
		if e != nil {
			err = e
			break
		}
		if len(cur) == cap(cur) && cap(cur) >= chunkMax {
			full = append(full, cur)
			cur = make([]T, 0, chunkMax)
		}
		cur = append(cur, v) // below chunkMax, append grows cur
		total++
	}
	if len(full) == 0 {
		return cur, err
	}
	out := make([]T, 0, total)
	for _, c := range full {
		out = append(out, c...)
	}
	return append(out, cur...), err
}
