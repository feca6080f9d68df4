package tcpmetrics

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strings"
	"time"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
)

// Names from linux/tcp_metrics.h.
const (
	FamilyName = "tcp_metrics" // TCP_METRICS_GENL_NAME
)

// Commands (TCP_METRICS_CMD_*).
const (
	cmdGet = 1 // TCP_METRICS_CMD_GET
	cmdDel = 2 // TCP_METRICS_CMD_DEL
)

// Spec returns a new description of the tcp_metrics family, for
// genl.NewClient or generic printing.
func Spec() *genl.Spec {
	// Attribute set "metrics": TCP_METRIC_* + 1 (the netlink types are
	// one more than the kernel's enum tcp_metric_index).
	metrics := &genl.AttrSet{Name: "metrics", Attrs: []genl.Attr{
		{Name: "rtt", Type: 1, Kind: genl.KindU32},        // TCP_METRIC_RTT: milliseconds
		{Name: "rttvar", Type: 2, Kind: genl.KindU32},     // TCP_METRIC_RTTVAR: milliseconds
		{Name: "ssthresh", Type: 3, Kind: genl.KindU32},   // TCP_METRIC_SSTHRESH
		{Name: "cwnd", Type: 4, Kind: genl.KindU32},       // TCP_METRIC_CWND
		{Name: "reordering", Type: 5, Kind: genl.KindU32}, // TCP_METRIC_REORDERING
		{Name: "rtt-us", Type: 6, Kind: genl.KindU32},     // TCP_METRIC_RTT_US: microseconds
		{Name: "rttvar-us", Type: 7, Kind: genl.KindU32},  // TCP_METRIC_RTTVAR_US: microseconds
	}}
	// Attribute set "tcp-metrics" (TCP_METRICS_ATTR_*).
	entry := &genl.AttrSet{Name: "tcp-metrics", Attrs: []genl.Attr{
		{Name: "addr-ipv4", Type: 1, Kind: genl.KindIPAddr},          // TCP_METRICS_ATTR_ADDR_IPV4
		{Name: "addr-ipv6", Type: 2, Kind: genl.KindIPAddr},          // TCP_METRICS_ATTR_ADDR_IPV6
		{Name: "age", Type: 3, Kind: genl.KindU64},                   // TCP_METRICS_ATTR_AGE: milliseconds
		{Name: "tw-tsval", Type: 4, Kind: genl.KindU32},              // TCP_METRICS_ATTR_TW_TSVAL (unused)
		{Name: "tw-ts-stamp", Type: 5, Kind: genl.KindS32},           // TCP_METRICS_ATTR_TW_TS_STAMP (unused)
		{Name: "vals", Type: 6, Kind: genl.KindNested, Set: metrics}, // TCP_METRICS_ATTR_VALS
		{Name: "fopen-mss", Type: 7, Kind: genl.KindU16},             // TCP_METRICS_ATTR_FOPEN_MSS
		{Name: "fopen-syn-drops", Type: 8, Kind: genl.KindU16},       // TCP_METRICS_ATTR_FOPEN_SYN_DROPS
		{Name: "fopen-syn-drop-ts", Type: 9, Kind: genl.KindU64},     // TCP_METRICS_ATTR_FOPEN_SYN_DROP_TS: milliseconds ago
		{Name: "fopen-cookie", Type: 10, Kind: genl.KindBinary},      // TCP_METRICS_ATTR_FOPEN_COOKIE
		{Name: "saddr-ipv4", Type: 11, Kind: genl.KindIPAddr},        // TCP_METRICS_ATTR_SADDR_IPV4
		{Name: "saddr-ipv6", Type: 12, Kind: genl.KindIPAddr},        // TCP_METRICS_ATTR_SADDR_IPV6
	}}
	return &genl.Spec{Name: FamilyName, Commands: []genl.Command{
		{Name: "get", ID: cmdGet, Attrs: entry},
		{Name: "del", ID: cmdDel, Attrs: entry},
	}}
}

// entrySet is a read-only copy of the "tcp-metrics" set, for decoding.
var entrySet = Spec().Commands[0].Attrs

// Entry is the cached TCP metrics for a destination (and source) address.
// Zero fields were not reported (the kernel leaves out metrics it has no
// value for).
type Entry struct {
	Addr   netip.Addr // TCP_METRICS_ATTR_ADDR_IPV4 / _IPV6: the destination
	Source netip.Addr // TCP_METRICS_ATTR_SADDR_IPV4 / _IPV6
	// Age is how long ago the entry was last updated (TCP_METRICS_ATTR_AGE).
	Age time.Duration

	RTT        time.Duration // TCP_METRIC_RTT_US (TCP_METRIC_RTT in ms on old kernels)
	RTTVar     time.Duration // TCP_METRIC_RTTVAR_US (TCP_METRIC_RTTVAR in ms on old kernels)
	SSThresh   uint32        // TCP_METRIC_SSTHRESH
	CWnd       uint32        // TCP_METRIC_CWND
	Reordering uint32        // TCP_METRIC_REORDERING

	FastOpenMSS      uint16        // TCP_METRICS_ATTR_FOPEN_MSS
	FastOpenSynDrops uint16        // TCP_METRICS_ATTR_FOPEN_SYN_DROPS
	FastOpenDropAge  time.Duration // TCP_METRICS_ATTR_FOPEN_SYN_DROP_TS: age of the last drop
	FastOpenCookie   []byte        // TCP_METRICS_ATTR_FOPEN_COOKIE
}

// String formats the entry like `ip tcp_metrics show`:
// "127.0.0.1 age 3.2sec cwnd 10 rtt 125us rttvar 125us source 127.0.0.1".
func (e Entry) String() string {
	var b strings.Builder
	b.WriteString(e.Addr.String())
	fmt.Fprintf(&b, " age %.3fsec", e.Age.Seconds())
	if e.SSThresh != 0 {
		fmt.Fprintf(&b, " ssthresh %d", e.SSThresh)
	}
	if e.CWnd != 0 {
		fmt.Fprintf(&b, " cwnd %d", e.CWnd)
	}
	if e.RTT != 0 {
		fmt.Fprintf(&b, " rtt %dus", e.RTT.Microseconds())
	}
	if e.RTTVar != 0 {
		fmt.Fprintf(&b, " rttvar %dus", e.RTTVar.Microseconds())
	}
	if e.Reordering != 0 {
		fmt.Fprintf(&b, " reordering %d", e.Reordering)
	}
	if e.FastOpenMSS != 0 {
		fmt.Fprintf(&b, " fo_mss %d", e.FastOpenMSS)
	}
	if e.FastOpenSynDrops != 0 {
		fmt.Fprintf(&b, " fo_syn_drops %d/%dmsec ago", e.FastOpenSynDrops, e.FastOpenDropAge.Milliseconds())
	}
	if len(e.FastOpenCookie) > 0 {
		fmt.Fprintf(&b, " fo_cookie %x", e.FastOpenCookie)
	}
	if e.Source.IsValid() {
		fmt.Fprintf(&b, " source %s", e.Source)
	}
	return b.String()
}

func entryFrom(v genl.Attrs) (Entry, error) {
	var e Entry
	var ok bool
	if e.Addr, ok = genl.Value[netip.Addr](v, "addr-ipv4"); !ok {
		e.Addr, _ = genl.Value[netip.Addr](v, "addr-ipv6")
	}
	if !e.Addr.IsValid() {
		return Entry{}, fmt.Errorf("tcpmetrics: entry without an address: %w", netlink.ErrMalformed)
	}
	if e.Source, ok = genl.Value[netip.Addr](v, "saddr-ipv4"); !ok {
		e.Source, _ = genl.Value[netip.Addr](v, "saddr-ipv6")
	}
	ms := func(name string) time.Duration {
		n, _ := genl.Value[uint64](v, name)
		return time.Duration(min(n, uint64(1<<63-1)/uint64(time.Millisecond))) * time.Millisecond
	}
	e.Age = ms("age")
	e.FastOpenDropAge = ms("fopen-syn-drop-ts")
	e.FastOpenMSS, _ = genl.Value[uint16](v, "fopen-mss")
	e.FastOpenSynDrops, _ = genl.Value[uint16](v, "fopen-syn-drops")
	e.FastOpenCookie, _ = genl.Value[[]byte](v, "fopen-cookie")
	if vals, ok := genl.Value[genl.Attrs](v, "vals"); ok {
		u32 := func(name string) (uint32, bool) { return genl.Value[uint32](vals, name) }
		if us, ok := u32("rtt-us"); ok {
			e.RTT = time.Duration(us) * time.Microsecond
		} else if ms, ok := u32("rtt"); ok {
			e.RTT = time.Duration(ms) * time.Millisecond
		}
		if us, ok := u32("rttvar-us"); ok {
			e.RTTVar = time.Duration(us) * time.Microsecond
		} else if ms, ok := u32("rttvar"); ok {
			e.RTTVar = time.Duration(ms) * time.Millisecond
		}
		e.SSThresh, _ = u32("ssthresh")
		e.CWnd, _ = u32("cwnd")
		e.Reordering, _ = u32("reordering")
	}
	return e, nil
}

// UnmarshalBinary decodes the attributes of a TCP_METRICS_CMD_GET reply
// (what follows the generic header) into e.
func (e *Entry) UnmarshalBinary(b []byte) error {
	v, err := entrySet.Decode(b)
	if err != nil {
		return err
	}
	*e, err = entryFrom(v)
	return err
}

// selector encodes the addresses that pick entries.
func selector(dst, src netip.Addr) genl.Attrs {
	v := genl.Attrs{}
	put := func(a netip.Addr, v4, v6 string) {
		switch {
		case a.Is4():
			v[v4] = a
		case a.IsValid():
			v[v6] = a.WithZone("")
		}
	}
	put(dst, "addr-ipv4", "addr-ipv6")
	put(src, "saddr-ipv4", "saddr-ipv6")
	return v
}

// what names the entries dst and src select, for errors: "192.0.2.1",
// "192.0.2.1 from 10.0.0.1".
func what(dst, src netip.Addr) string {
	if src.IsValid() {
		return dst.String() + " from " + src.String()
	}
	return dst.String()
}

// family describes the tcp_metrics client to genl.FamilyConn. The family
// has no multicast groups, hence no events.
var family = &genl.FamilyInfo[struct{}]{Name: FamilyName, Package: "tcpmetrics", Spec: Spec()}

// Conn speaks the tcp_metrics family. It is safe for concurrent use by many
// goroutines (see genl.Conn). The family has no notifications, so the Conn
// has no JoinGroup or Events.
type Conn struct {
	b *genl.FamilyConn[struct{}]
}

// Dial opens a generic netlink socket for the tcp_metrics family; cfg is
// passed to netlink.Dial (set cfg.NetNS to work in another namespace).
// The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	b, err := genl.DialFamily(cfg, family)
	if err != nil {
		return nil, err
	}
	return &Conn{b: b}, nil
}

// NewConn speaks tcp_metrics over g, which it shares with the caller and
// with the clients of other families: Close leaves g open (see
// genl.FamilyConn).
func NewConn(g *genl.Conn) *Conn { return &Conn{b: genl.NewFamilyConn(g, family)} }

// Close closes the socket of a Conn made by Dial; the genl.Conn of one
// made by NewConn stays open. Closing twice is harmless.
func (c *Conn) Close() error { return c.b.Close() }

// Genl returns the underlying genl.Conn.
func (c *Conn) Genl() *genl.Conn { return c.b.Genl() }

// Entry returns the metrics cached for destination dst, and for source src
// unless src is the zero Addr (TCP_METRICS_CMD_GET). No entry gives a
// *netlink.Error with ESRCH.
func (c *Conn) Entry(ctx context.Context, dst, src netip.Addr) (Entry, error) {
	if !dst.IsValid() {
		return Entry{}, errors.New("tcpmetrics: get entry: no destination address")
	}
	op := "get entry " + what(dst, src)
	rs, err := c.b.ExecuteAttrs(ctx, op, "get", selector(dst, src), 0)
	if err != nil {
		return Entry{}, err
	}
	if len(rs) != 1 {
		return Entry{}, fmt.Errorf("tcpmetrics: %s: %d replies, want 1: %w", op, len(rs), netlink.ErrMalformed)
	}
	return entryFrom(rs[0])
}

// Entries lists the cache of the Conn's namespace (a TCP_METRICS_CMD_GET
// dump). It is a single-use iterator; it stops at the first error.
func (c *Conn) Entries(ctx context.Context) iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		for v, err := range c.b.DumpAttrs(ctx, "list entries", "get", nil) {
			if err != nil {
				yield(Entry{}, err)
				return
			}
			e, err := entryFrom(v)
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// DeleteEntry deletes the entries for destination dst (only the one with
// source src unless src is the zero Addr) (TCP_METRICS_CMD_DEL). No such
// entry gives a *netlink.Error with ESRCH.
func (c *Conn) DeleteEntry(ctx context.Context, dst, src netip.Addr) error {
	if !dst.IsValid() {
		return errors.New("tcpmetrics: delete entry: no destination address (use FlushEntries to delete all)")
	}
	_, err := c.b.ExecuteAttrs(ctx, "delete entry "+what(dst, src), "del", selector(dst, src), 0)
	return err
}

// FlushEntries deletes every entry of the namespace (TCP_METRICS_CMD_DEL
// without an address, `ip tcp_metrics flush all`).
func (c *Conn) FlushEntries(ctx context.Context) error {
	_, err := c.b.ExecuteAttrs(ctx, "flush entries", "del", nil, 0)
	return err
}
