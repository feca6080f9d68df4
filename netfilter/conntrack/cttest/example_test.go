package cttest_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netfilter/conntrack/cttest"
)

// Code written against conntrack.Conn runs on the fake without root.
func ExampleFake() {
	f := cttest.New()
	nl, err := f.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer nl.Close()
	c := conntrack.NewConn(netfilter.NewConn(nl))
	ctx := context.Background()
	t := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoUDP, SrcPort: 1000, DstPort: 53}
	if err := c.AddFlow(ctx, conntrack.Flow{Orig: t, Timeout: time.Minute, Mark: 7}); err != nil {
		log.Fatal(err)
	}
	got, err := c.Flow(ctx, t, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Reply, got.Mark)
	// Output: udp 198.18.0.2:53 -> 198.18.0.1:1000 7
}
