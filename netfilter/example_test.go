package netfilter_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Two nf_tables tables created in one transaction: both or neither.
func ExampleConn_Transact() {
	c, err := netfilter.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	table := func(name string) netlink.Message {
		e := nlattr.NewEncoder(nil)
		e.String(1 /* NFTA_TABLE_NAME */, name)
		attrs, _ := e.Finish()
		return netfilter.NewMessage(netfilter.SubsysNFTables, 0 /* NFT_MSG_NEWTABLE */, netlink.Create,
			netfilter.Header{Family: netfilter.FamilyIPv4}, attrs)
	}
	err = c.Transact(context.Background(), netfilter.SubsysNFTables, []netlink.Message{table("filter"), table("nat")})
	var be *netlink.BatchError
	if errors.As(err, &be) {
		for _, f := range be.Failures {
			fmt.Println("request", f.Index, "failed:", f.Err) // and nothing was applied
		}
	} else if err != nil {
		log.Fatal(err)
	}
}

// A dump of every nf_tables table, split into subsystem, message and
// nfgenmsg header.
func ExampleConn_Dump() {
	c, err := netfilter.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	req := netfilter.NewMessage(netfilter.SubsysNFTables, 1 /* NFT_MSG_GETTABLE */, 0, netfilter.Header{}, nil)
	for m, err := range c.Dump(context.Background(), req) {
		if err != nil {
			log.Fatal(err)
		}
		d := nlattr.NewDecoder(m.Attrs)
		for d.Next() {
			if d.Type() == 1 { // NFTA_TABLE_NAME
				fmt.Println(m.Header.Family, d.String())
			}
		}
	}
}
