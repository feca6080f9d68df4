package cli

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
)

// Link statistics as ip's print_link_stats64: -s the RX and TX tables,
// -s -s the error breakdown under each, -h (-iec) the counts in K, M, G.

// ifla attributes the statistics need that rtnl.Link does not carry.
const (
	iflaCarrierChanges = 35 // IFLA_CARRIER_CHANGES, u32
	rtmGetLink         = 18
	ifinfomsgLen       = 16
)

// carrierChanges returns the links' IFLA_CARRIER_CHANGES (ip -s -s's
// "transns"), read with one link dump per run.
func (e *env) carrierChanges(ctx context.Context) map[int32]uint32 {
	if e.carriers != nil {
		return e.carriers
	}
	e.carriers = map[int32]uint32{}
	c, err := e.rt()
	if err != nil {
		return e.carriers
	}
	req := netlink.Message{Header: netlink.Header{Type: rtmGetLink, Flags: netlink.Dump}, Data: make([]byte, ifinfomsgLen)}
	for m, err := range c.Netlink().Dump(ctx, req) {
		if err != nil {
			break
		}
		if len(m.Data) < ifinfomsgLen {
			continue
		}
		idx := int32(binary.NativeEndian.Uint32(m.Data[4:8]))
		d := nlattr.NewDecoder(m.Data[ifinfomsgLen:])
		for d.Next() {
			if d.Type() == iflaCarrierChanges {
				e.carriers[idx] = d.Uint32()
			}
		}
	}
	return e.carriers
}

// humanNum formats a count as ip's print_num does with -h: three
// significant digits and a k, M, G ... suffix (Ki, Mi ... with -iec).
func humanNum(n uint64, iec bool) string {
	base := uint64(1000)
	if iec {
		base = 1024
	}
	if n < base {
		return strconv.FormatUint(n, 10)
	}
	prefix := "kMGTPE"
	powi := uint64(1)
	for {
		powi *= base
		if n/base < powi || len(prefix) == 1 {
			break
		}
		prefix = prefix[1:]
	}
	precision, powj := 2, uint64(1)
	for ; precision > 0; precision-- {
		powj *= 10
		if n/powi < powj {
			break
		}
	}
	suffix := string(prefix[0])
	if iec {
		suffix += "i"
	}
	return fmt.Sprintf("%.*f%s", precision, float64(n)/float64(powi), suffix)
}

// printStats prints a link's statistics at the level of -s given (1 or
// 2): the JSON object "stats64", or the tables without a final newline.
func (e *env) printStats(ctx context.Context, p *printer, l *rtnl.Link) {
	s := &l.Stats
	level := max(e.opts.StatsLevel, 1)
	cc, hasCC := uint32(0), false
	if level > 1 {
		cc, hasCC = e.carrierChanges(ctx)[l.Index]
	}
	if p.json {
		st := p.nested("stats64")
		rx := st.nested("rx")
		for i, n := range [...]uint64{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxOverErrors, s.Multicast} {
			rx.field([...]string{"bytes", "packets", "errors", "dropped", "over_errors", "multicast"}[i], "", n)
		}
		if s.RxCompressed != 0 {
			rx.field("compressed", "", s.RxCompressed)
		}
		if level > 1 {
			for i, n := range [...]uint64{s.RxLengthErrors, s.RxCRCErrors, s.RxFrameErrors, s.RxFIFOErrors, s.RxMissedErrors} {
				rx.field([...]string{"length_errors", "crc_errors", "frame_errors", "fifo_errors", "missed_errors"}[i], "", n)
			}
			if s.RxNoHandler != 0 {
				rx.field("nohandler", "", s.RxNoHandler)
			}
			if s.RxOtherhostDropped != 0 {
				rx.field("otherhost_dropped", "", s.RxOtherhostDropped)
			}
		}
		tx := st.nested("tx")
		for i, n := range [...]uint64{s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped, s.TxCarrierErrors, s.Collisions} {
			tx.field([...]string{"bytes", "packets", "errors", "dropped", "carrier_errors", "collisions"}[i], "", n)
		}
		if s.TxCompressed != 0 {
			tx.field("compressed", "", s.TxCompressed)
		}
		if level > 1 {
			for i, n := range [...]uint64{s.TxAbortedErrors, s.TxFIFOErrors, s.TxWindowErrors, s.TxHeartbeatErrors} {
				tx.field([...]string{"aborted_errors", "fifo_errors", "window_errors", "heartbeat_errors"}[i], "", n)
			}
			if hasCC {
				tx.field("carrier_changes", "", uint64(cc))
			}
		}
		return
	}
	human := e.opts.Human
	// Column widths: ip's minimums, widened to fit the numbers (not with
	// -h, whose numbers are short).
	cols := [8]int{10, 7, 6, 7, 7, 7, 10, 17}
	size := func(vals ...uint64) {
		if human {
			return
		}
		for i, n := range vals {
			cols[i] = max(cols[i], len(strconv.FormatUint(n, 10)))
		}
	}
	size(s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxMissedErrors, s.Multicast, s.RxCompressed)
	if level > 1 {
		size(0, s.RxLengthErrors, s.RxCRCErrors, s.RxFrameErrors, s.RxFIFOErrors, s.RxOverErrors, s.RxNoHandler, s.RxOtherhostDropped)
	}
	size(s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped, s.TxCarrierErrors, s.Collisions, s.TxCompressed)
	if level > 1 {
		size(0, s.TxAbortedErrors, s.TxFIFOErrors, s.TxWindowErrors, s.TxHeartbeatErrors, uint64(cc))
	}
	num := func(w int, n uint64) {
		if human {
			p.text("%*s ", w, humanNum(n, e.opts.IEC))
		} else {
			p.text("%*d ", w, n)
		}
	}
	table := func(dir string, heads [6]string, vals [7]uint64) {
		comp := ""
		if vals[6] != 0 {
			comp = "compressed"
		}
		p.text("    %s: %*s %*s %*s %*s %*s %*s %*s\n", dir, cols[0]-4, heads[0], cols[1], heads[1], cols[2], heads[2],
			cols[3], heads[3], cols[4], heads[4], cols[5], heads[5], cols[6], comp)
		p.text("    ")
		for i, n := range vals[:6] {
			num(cols[i], n)
		}
		if vals[6] != 0 {
			num(cols[6], vals[6])
		}
	}
	table("RX", [6]string{"bytes", "packets", "errors", "dropped", "missed", "mcast"},
		[7]uint64{s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxMissedErrors, s.Multicast, s.RxCompressed})
	if level > 1 {
		p.text("\n    RX errors:%*s %*s %*s %*s %*s %*s", cols[0]-10, "", cols[1], "length", cols[2], "crc", cols[3], "frame",
			cols[4], "fifo", cols[5], "overrun")
		if s.RxNoHandler != 0 {
			p.text(" %*s", cols[6], "nohandler")
		}
		if s.RxOtherhostDropped != 0 {
			p.text(" %*s", cols[7], "otherhost_dropped")
		}
		p.text("\n%*s", cols[0]+5, "")
		for i, n := range [...]uint64{s.RxLengthErrors, s.RxCRCErrors, s.RxFrameErrors, s.RxFIFOErrors, s.RxOverErrors} {
			num(cols[i+1], n)
		}
		if s.RxNoHandler != 0 {
			num(cols[6], s.RxNoHandler)
		}
		if s.RxOtherhostDropped != 0 {
			num(cols[7], s.RxOtherhostDropped)
		}
	}
	p.text("\n")
	table("TX", [6]string{"bytes", "packets", "errors", "dropped", "carrier", "collsns"},
		[7]uint64{s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped, s.TxCarrierErrors, s.Collisions, s.TxCompressed})
	if level > 1 {
		p.text("\n    TX errors:%*s %*s %*s %*s %*s", cols[0]-10, "", cols[1], "aborted", cols[2], "fifo", cols[3], "window",
			cols[4], "heartbt")
		// ip prints the column, blank, also without carrier changes.
		transns := ""
		if hasCC {
			transns = "transns"
		}
		p.text(" %*s", cols[5], transns)
		p.text("\n%*s", cols[0]+5, "")
		for i, n := range [...]uint64{s.TxAbortedErrors, s.TxFIFOErrors, s.TxWindowErrors, s.TxHeartbeatErrors} {
			num(cols[i+1], n)
		}
		if hasCC {
			num(cols[5], uint64(cc))
		}
	}
}
