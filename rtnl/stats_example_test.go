//go:build linux

package rtnl_test

import (
	"context"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/rtnl"
)

// The bridge ports' STP counters of every link, with one dump asking the
// kernel for that group only.
func ExampleConn_LinkStats() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for s, err := range c.LinkStats(ctx, rtnl.StatsFilter{Groups: rtnl.StatsXstatsSlave}) {
		if err != nil {
			log.Fatal(err)
		}
		if br := s.XstatsSlave.Bridge; br != nil && br.STP != nil {
			fmt.Printf("link %d: %d BPDUs received, %d sent\n", s.Index, br.STP.RxBPDU, br.STP.TxBPDU)
		}
	}
}

// One link's L3 offload statistics state, narrowed with the offload filter.
func ExampleConn_LinkStatsList() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	l, err := c.LinkByName(context.Background(), "eth0")
	if err != nil {
		log.Fatal(err)
	}
	st, err := c.LinkStatsList(context.Background(), rtnl.StatsFilter{Index: l.Index,
		Groups: rtnl.StatsOffload, Offload: rtnl.OffloadHWStatsInfo})
	if err != nil {
		log.Fatal(err)
	}
	if in := st[0].Offload.L3Info; in != nil {
		fmt.Println("l3_stats requested:", in.Request, "used:", in.Used)
	}
}

// Ask the drivers of eth0 for L3 hardware counters (ip stats set dev eth0
// l3_stats on).
func ExampleConn_SetL3Stats() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	l, err := c.LinkByName(context.Background(), "eth0")
	if err != nil {
		log.Fatal(err)
	}
	if err := c.SetL3Stats(context.Background(), l.Index, true); err != nil {
		log.Fatal(err)
	}
}
