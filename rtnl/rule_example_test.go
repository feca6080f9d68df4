package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

func ExampleConn_Rules() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// `ip -6 rule show`.
	for u, err := range c.Rules(context.Background(), rtnl.RuleFilter{Family: rtnl.FamilyIPv6}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(u.Priority, u.Action, u.Table)
	}
	// Output may be:
	// 0 lookup local
	// 32766 lookup main
}

func ExampleConn_RuleList() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// The rules that send lookups to table 100.
	rules, err := c.RuleList(context.Background(), rtnl.RuleFilter{Table: 100})
	if err != nil {
		log.Fatal(err)
	}
	for _, u := range rules {
		fmt.Println(u.Family, u.Priority, u.Src, u.Dst)
	}
}

func ExampleConn_AddRule() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	// `ip rule add from 198.18.0.0/24 fwmark 0x10/0xff iif eth0 lookup 100 pref 1000`.
	err = c.AddRule(ctx, rtnl.Rule{
		Priority: 1000,
		Src:      netip.MustParsePrefix("198.18.0.0/24"),
		Mark:     0x10,
		Mask:     0xff,
		IifName:  "eth0",
		Table:    100,
	})
	if err != nil {
		log.Fatal(err)
	}
	// wg-quick's rule: `ip -6 rule add table main suppress_prefixlength 0 pref 1001`.
	err = c.AddRule(ctx, rtnl.Rule{Family: rtnl.FamilyIPv6, Priority: 1001, Table: rtnl.TableMain, SuppressPrefixLength: new(uint32(0))})
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_DeleteRule() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	// Fields that are set must match: here, any IPv4 rule of priority 1000.
	err = c.DeleteRule(context.Background(), rtnl.Rule{Family: rtnl.FamilyIPv4, Priority: 1000})
	fmt.Println(errors.Is(err, fs.ErrNotExist)) // no such rule in an empty namespace
	// Output: true
}
