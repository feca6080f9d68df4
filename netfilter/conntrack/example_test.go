package conntrack_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// Delete every UDP flow to a given address: kube-proxy's cleanup of a
// stale service endpoint, so that clients stop sending to a pod that is
// gone. The kernel filters the dump; the deletions go in batches.
func ExampleConn_DeleteFlows() {
	ctx := context.Background()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	stale := conntrack.FlowFilter{Proto: conntrack.ProtoUDP, Dst: netip.MustParsePrefix("198.18.0.10/32")}
	flows, err := c.FlowList(ctx, stale)
	if err != nil {
		log.Fatal(err)
	}
	err = c.DeleteFlows(ctx, flows)
	var be *netlink.BatchError
	if errors.As(err, &be) {
		for _, f := range be.Failures {
			if !errors.Is(f.Err, syscall.ENOENT) { // gone meanwhile: fine
				log.Printf("%v: %v", flows[f.Index].Orig, f.Err)
			}
		}
	} else if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d stale flows deleted\n", len(flows))
}

// Watch destroyed flows with their counters: a flow exporter. Turn
// accounting on (sysctl net.netfilter.nf_conntrack_acct=1) for counters.
// Only TCP and UDP destroy events reach the program: the kernel drops the
// rest with a socket filter.
func ExampleConn_Events() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := conntrack.Dial(&netlink.Config{ReceiveBuffer: 8 << 20})
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f := conntrack.EventFilter{Types: conntrack.EventDestroy, Protos: []uint8{conntrack.ProtoTCP, conntrack.ProtoUDP}}
	for ev, err := range c.Events(ctx, f) {
		if errors.Is(err, netlink.ErrOverrun) {
			log.Print("events lost: the export has a gap")
			continue
		}
		if err != nil {
			break // ctx's end
		}
		fl := ev.Flow
		fmt.Printf("%v: %d packets %d bytes out, %d packets %d bytes back\n", fl.Orig,
			fl.CountersOrig.Packets, fl.CountersOrig.Bytes, fl.CountersReply.Packets, fl.CountersReply.Bytes)
	}
}

func ExampleConn_Flows() {
	ctx := context.Background()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for f, err := range c.Flows(ctx, conntrack.FlowFilter{Proto: conntrack.ProtoTCP, Mark: 1, MarkMask: 0xff}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Orig, f.TCP.State, f.Timeout)
	}
}

func ExampleConn_FlowList() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	flows, err := c.FlowList(context.Background(), conntrack.FlowFilter{Family: netfilter.FamilyIPv6})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(flows), "IPv6 flows")
}

func ExampleConn_AddFlow() {
	ctx := context.Background()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	f := conntrack.Flow{
		Orig:    conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoTCP, SrcPort: 40000, DstPort: 443},
		Timeout: 2 * time.Minute, // the reply tuple is the original one reversed
		Mark:    7,
		TCP:     conntrack.TCPInfo{State: conntrack.TCPEstablished},
	}
	if err := c.AddFlow(ctx, f); err != nil {
		log.Fatal(err)
	}
	got, err := c.Flow(ctx, f.Orig, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.ID, got.Reply)
}

func ExampleConn_AddFlows() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	var flows []conntrack.Flow
	for port := range uint16(100) {
		flows = append(flows, conntrack.Flow{Timeout: time.Minute,
			Orig: conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoUDP, SrcPort: 1000 + port, DstPort: 53}})
	}
	if err := c.AddFlows(context.Background(), flows); err != nil {
		log.Fatal(err) // a *netlink.BatchError names the failures by index
	}
}

func ExampleConn_Flow() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	t := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoUDP, SrcPort: 1000, DstPort: 53}
	f, err := c.Flow(context.Background(), t, 0)
	if errors.Is(err, syscall.ENOENT) {
		fmt.Println("no such flow")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Mark, f.Timeout)
}

func ExampleConn_ChangeFlow() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	t := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoUDP, SrcPort: 1000, DstPort: 53}
	mark, timeout := uint32(0x100), 10*time.Minute
	// Set bit 8 of the mark, leave the others; and the timeout.
	ch := conntrack.FlowChange{Mark: &mark, MarkMask: 0x100, Timeout: &timeout}
	if err := c.ChangeFlow(context.Background(), t, 0, ch); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_DeleteFlow() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	t := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoUDP, SrcPort: 1000, DstPort: 53}
	if err := c.DeleteFlow(context.Background(), t, 0); err != nil && !errors.Is(err, syscall.ENOENT) {
		log.Fatal(err)
	}
}

func ExampleConn_FlushFlows() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.FlushFlows(context.Background(), netfilter.FamilyIPv6); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_ZeroedFlows() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// Bill the traffic since the last reading, per flow.
	for f, err := range c.ZeroedFlows(context.Background(), conntrack.FlowFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(f.Orig, f.CountersOrig.Bytes+f.CountersReply.Bytes)
	}
}

func ExampleConn_Stats() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	st, err := c.Stats(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d of %d entries\n", st.Entries, st.MaxEntries)
}

func ExampleConn_CPUStatsList() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	cpus, err := c.CPUStatsList(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range cpus {
		fmt.Printf("cpu=%d insert=%d drop=%d\n", s.CPU, s.Insert, s.Drop)
	}
}

// An expectation for an FTP data connection on a master flow that has
// the ftp helper.
func ExampleConn_AddExpectation() {
	ctx := context.Background()
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctrl := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoTCP, SrcPort: 40000, DstPort: 21}
	if err := c.AddFlow(ctx, conntrack.Flow{Orig: ctrl, Timeout: time.Hour, Helper: "ftp", TCP: conntrack.TCPInfo{State: conntrack.TCPEstablished}}); err != nil {
		log.Fatal(err)
	}
	ones := netip.MustParseAddr("255.255.255.255")
	e := conntrack.Expectation{
		Master:  ctrl,
		Tuple:   conntrack.Tuple{Src: ctrl.Dst, Dst: ctrl.Src, Proto: conntrack.ProtoTCP, DstPort: 50000},
		Mask:    conntrack.Tuple{Src: ones, Dst: ones, Proto: conntrack.ProtoTCP, DstPort: 0xffff}, // any source port
		Timeout: time.Minute,
	}
	if err := c.AddExpectation(ctx, e); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_Expectations() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for e, err := range c.Expectations(context.Background(), netfilter.FamilyUnspec) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Tuple, "for", e.Master, "by", e.Helper)
	}
}

func ExampleConn_ExpectationList() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	list, err := c.ExpectationList(context.Background(), netfilter.FamilyIPv4)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(list))
}

func ExampleConn_DeleteExpectation() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	t := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.2"), Dst: netip.MustParseAddr("198.18.0.1"), Proto: conntrack.ProtoTCP, DstPort: 50000}
	if err := c.DeleteExpectation(context.Background(), t, 0); err != nil && !errors.Is(err, syscall.ENOENT) {
		log.Fatal(err)
	}
}

func ExampleConn_FlushExpectations() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.FlushExpectations(context.Background(), netfilter.FamilyUnspec); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_ExpectationCPUStatsList() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	st, err := c.ExpectationCPUStatsList(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	for _, s := range st {
		fmt.Printf("cpu=%d new=%d create=%d delete=%d\n", s.CPU, s.New, s.Create, s.Delete)
	}
}

// A Mirror keeps the table in memory and survives event storms.
func ExampleMirror() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := conntrack.NewMirror(conntrack.MirrorConfig{Filter: conntrack.FlowFilter{Proto: conntrack.ProtoTCP}})
	go func() {
		if err := m.Run(ctx); err != nil && ctx.Err() == nil {
			log.Print(err)
		}
	}()
	<-m.Ready()
	fmt.Println(m.Len(), "TCP flows; resyncs so far:", m.Stats().Resyncs)
}

func ExampleTuple_Reverse() {
	t := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoICMP, ICMPType: 8, ICMPID: 7}
	fmt.Println(t.Reverse())
	// Output: icmp 198.18.0.2 -> 198.18.0.1 type 0 code 0 id 7
}

// Tuples sort by addresses, then protocol and ports.
func ExampleTuple_Compare() {
	tuple := func(src, dst string, port uint16) conntrack.Tuple {
		return conntrack.Tuple{Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: conntrack.ProtoUDP, SrcPort: port, DstPort: 53}
	}
	ts := []conntrack.Tuple{tuple("2001:db8::1", "2001:db8::2", 1), tuple("198.18.0.2", "198.19.0.1", 1),
		tuple("198.18.0.1", "198.19.0.1", 2), tuple("198.18.0.1", "198.19.0.1", 1)}
	slices.SortFunc(ts, conntrack.Tuple.Compare)
	for _, t := range ts {
		fmt.Println(t)
	}
	// Output:
	// udp 198.18.0.1:1 -> 198.19.0.1:53
	// udp 198.18.0.1:2 -> 198.19.0.1:53
	// udp 198.18.0.2:1 -> 198.19.0.1:53
	// udp [2001:db8::1]:1 -> [2001:db8::2]:53
}

func ExampleEventFilter_Program() {
	f := conntrack.EventFilter{Protos: []uint8{conntrack.ProtoTCP}}
	prog, err := f.Program()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(prog) > 0)
	// Output: true
}

func ExampleStatus_String() {
	fmt.Println(conntrack.StatusAssured | conntrack.StatusSeenReply | conntrack.StatusConfirmed)
	// Output: SEEN_REPLY|ASSURED|CONFIRMED
}

func ExampleConn_DyingFlows() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for f, err := range c.DyingFlows(context.Background(), conntrack.FlowFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("dying:", f.Orig)
	}
}

func ExampleConn_UnconfirmedFlows() {
	c, err := conntrack.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for f, err := range c.UnconfirmedFlows(context.Background(), conntrack.FlowFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("unconfirmed:", f.Orig)
	}
}
