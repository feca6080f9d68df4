package nflog_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"
	"os/signal"
	"sort"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/nflog"
	"github.com/nlkit/nlkit/netlink"
)

// Bind log group 5 (nft: `log group 5 prefix "ssh "`; iptables:
// `-j NFLOG --nflog-group 5`) and print each entry until Ctrl-C.
func ExampleDial() {
	c, err := nflog.Dial(&nflog.Config{Group: 5, Flags: nflog.FlagSeq})
	if err != nil {
		log.Fatal(err) // errors.Is(err, nflog.ErrGroupBusy): another program has it
	}
	defer c.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	for e, err := range c.Entries(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			log.Print(err) // entries were lost; the stream goes on
			continue
		}
		if err != nil {
			break // ctx ended, or the Conn was closed
		}
		fmt.Println(e) // e is valid until the next iteration
	}
}

// tuple is a packet's 5-tuple, read from its IP and transport headers.
type tuple struct {
	proto    uint8
	src, dst netip.AddrPort
}

func fiveTuple(p []byte) (t tuple, ok bool) {
	var hl int
	switch {
	case len(p) >= 20 && p[0]>>4 == 4:
		hl = int(p[0]&0xf) * 4
		t.proto = p[9]
		s, _ := netip.AddrFromSlice(p[12:16])
		d, _ := netip.AddrFromSlice(p[16:20])
		t.src, t.dst = netip.AddrPortFrom(s, 0), netip.AddrPortFrom(d, 0)
	case len(p) >= 40 && p[0]>>4 == 6:
		hl = 40
		t.proto = p[6]
		s, _ := netip.AddrFromSlice(p[8:24])
		d, _ := netip.AddrFromSlice(p[24:40])
		t.src, t.dst = netip.AddrPortFrom(s, 0), netip.AddrPortFrom(d, 0)
	default:
		return t, false
	}
	if (t.proto == 6 || t.proto == 17) && len(p) >= hl+4 {
		t.src = netip.AddrPortFrom(t.src.Addr(), binary.BigEndian.Uint16(p[hl:]))
		t.dst = netip.AddrPortFrom(t.dst.Addr(), binary.BigEndian.Uint16(p[hl+2:]))
	}
	return t, true
}

// Log every dropped packet's rule prefix and 5-tuple. The firewall logs
// before it drops:
//
//	nft add rule inet filter input ct state invalid log group 2 prefix \"invalid \" drop
//
// Only the first 64 bytes of each packet are copied: enough for the headers.
func Example_droppedPackets() {
	c, err := nflog.Dial(&nflog.Config{Group: 2, CopyRange: 64, Flags: nflog.FlagSeq})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for e, err := range c.Entries(context.Background()) {
		var lost *nflog.LossError
		switch {
		case errors.As(err, &lost):
			log.Printf("%d entries lost", lost.Lost)
			continue
		case err != nil:
			log.Print(err)
			continue
		}
		if t, ok := fiveTuple(e.Payload); ok {
			fmt.Printf("%s%s proto %d %v -> %v\n", e.Prefix, e.Time.Format(time.TimeOnly), t.proto, t.src, t.dst)
		}
	}
}

// Count packets per rule prefix for ten seconds, with the kernel batching
// up to 100 entries per datagram (metadata only: no payload is copied).
func Example_countPerPrefix() {
	c, err := nflog.Dial(&nflog.Config{
		Group:      3,
		CopyMode:   nflog.CopyMeta,
		QThreshold: 100,
		Timeout:    100 * time.Millisecond,
		BufferSize: nflog.MaxBufferSize,
		Flags:      nflog.FlagSeq,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counts := map[string]int{}
	for e, err := range c.Entries(ctx) {
		if err != nil {
			continue // losses are in c.Stats(); the stream ends with ctx
		}
		counts[e.Prefix]++ // the prefix string stays valid: it is not reused
	}
	prefixes := make([]string, 0, len(counts))
	for p := range counts {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	for _, p := range prefixes {
		fmt.Printf("%-20q %d\n", p, counts[p])
	}
	st := c.Stats()
	fmt.Printf("%d entries, %d lost\n", st.Entries, st.Lost)
}

// Change a bound group's settings: copy only 128 bytes from now on.
func ExampleConn_SetConfig() {
	c, err := nflog.Dial(&nflog.Config{Group: 4})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	n := 128
	if err := c.SetConfig(context.Background(), nflog.ConfigChange{CopyRange: &n}); err != nil {
		log.Fatal(err)
	}
}

// Keep entries beyond the loop body with Clone.
func ExampleConn_Entries() {
	c, err := nflog.Dial(&nflog.Config{Group: 6})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var kept []*nflog.Entry
	for e, err := range c.Entries(context.Background()) {
		if err != nil {
			continue
		}
		kept = append(kept, e.Clone())
		if len(kept) == 10 {
			break
		}
	}
	fmt.Println(len(kept), "entries kept")
}

// Bind a group over a netfilter socket shared with other code; Close
// unbinds the group and leaves the socket open.
func ExampleNewConn() {
	nf, err := netfilter.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer nf.Close()
	c, err := nflog.NewConn(nf, &nflog.Config{Group: 8})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("bound group", c.Group())
}

// Decode an entry saved as bytes (a record of a pcap file of link type
// NFLOG is one) into a reused Entry.
func ExampleEntry_UnmarshalBinary() {
	saved := &nflog.Entry{Family: netfilter.FamilyIPv4, Group: 5, HWProtocol: 0x0800, Hook: nflog.HookInput, Prefix: "ssh ", InIndex: 2, HasSeq: true, Seq: 41}
	b, err := saved.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	var e nflog.Entry
	if err := e.UnmarshalBinary(b); err != nil {
		log.Fatal(err)
	}
	fmt.Println(&e)
	// Output: ipv4 group 5 hook input prefix "ssh " in 2 seq 41 len 0
}

// Read the counters.
func ExampleConn_Stats() {
	c, err := nflog.Dial(&nflog.Config{Group: 9, Flags: nflog.FlagSeq})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	st := c.Stats()
	fmt.Printf("entries %d lost %d overruns %d\n", st.Entries, st.Lost, st.Overruns)
}

// List the log groups bound in this namespace and who holds them.
func ExampleInstanceList() {
	list, err := nflog.InstanceList(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, in := range list {
		fmt.Printf("group %d port %d copy %s range %d timeout %v\n", in.Group, in.PortID, in.CopyMode, in.CopyRange, in.Timeout)
	}
}
