package tcpmetrics_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/genl/tcpmetrics"
)

// List the cache, like `ip tcp_metrics show`.
func ExampleConn_Entries() {
	c, err := tcpmetrics.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	for e, err := range c.Entries(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e)
	}
}

// Look up one destination, like `ip tcp_metrics show 192.0.2.1`.
func ExampleConn_Entry() {
	c, err := tcpmetrics.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	e, err := c.Entry(context.Background(), netip.MustParseAddr("192.0.2.1"), netip.Addr{})
	if err != nil {
		log.Fatal(err) // ESRCH: no entry
	}
	fmt.Println(e.RTT, e.CWnd)
}

// Forget one destination, like `ip tcp_metrics delete 192.0.2.1`.
func ExampleConn_DeleteEntry() {
	c, err := tcpmetrics.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.DeleteEntry(context.Background(), netip.MustParseAddr("192.0.2.1"), netip.Addr{}); err != nil {
		log.Fatal(err)
	}
}

// Empty the cache, like `ip tcp_metrics flush all`.
func ExampleConn_FlushEntries() {
	c, err := tcpmetrics.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.FlushEntries(context.Background()); err != nil {
		log.Fatal(err)
	}
}
