//go:build linux

package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// The examples change the current network namespace (rtnl.Dial(nil);
// netlink.Config.NetNS picks another) and need CAP_NET_ADMIN, so go test
// compiles them without running them; those that print their output run on
// an rtnltest.Fake instead. The address examples use link 1, the loopback
// link "lo" of every namespace.

func ExampleConn_AddAddress() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx := context.Background()

	err = c.AddAddress(ctx, rtnl.Address{
		Index:  1,
		Prefix: netip.MustParsePrefix("198.18.0.1/24"), // the address and its subnet
		Label:  "lo:demo",
	})
	if err != nil {
		log.Fatal(err)
	}
	// IPv6: skip duplicate address detection so the address is usable now.
	err = c.AddAddress(ctx, rtnl.Address{
		Index:  1,
		Prefix: netip.MustParsePrefix("2001:db8::1/64"),
		Flags:  rtnl.AddressNoDAD,
	})
	if err != nil {
		log.Fatal(err)
	}
	// Adding it again fails with EEXIST.
	err = c.AddAddress(ctx, rtnl.Address{Index: 1, Prefix: netip.MustParsePrefix("198.18.0.1/24")})
	fmt.Println(errors.Is(err, fs.ErrExist))
	// Output: true
}

func ExampleConn_Addresses() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	if err := c.AddAddress(ctx, rtnl.Address{Index: 1, Prefix: netip.MustParsePrefix("198.18.0.1/24")}); err != nil {
		log.Fatal(err)
	}
	// The IPv4 addresses of link 1; the zero filter lists every address.
	for a, err := range c.Addresses(ctx, rtnl.AddressFilter{Index: 1, Family: rtnl.FamilyIPv4}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.Prefix, a.Scope, a.Label, a.Flags, "valid", a.ValidLifetime)
	}
}

func ExampleConn_AddressList() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// Every IPv6 address of the namespace, as a slice.
	addrs, err := c.AddressList(context.Background(), rtnl.AddressFilter{Family: rtnl.FamilyIPv6})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range addrs {
		fmt.Println(a.Index, a.Prefix)
	}
}

func ExampleConn_ReplaceAddress() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	// Create the address, or give an existing one new lifetimes.
	err = c.ReplaceAddress(context.Background(), rtnl.Address{
		Index:             1,
		Prefix:            netip.MustParsePrefix("198.18.0.1/24"),
		ValidLifetime:     rtnl.LifetimeSeconds(3600),
		PreferredLifetime: rtnl.LifetimeSeconds(1800),
	})
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_DeleteAddress() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()

	err = c.DeleteAddress(context.Background(), rtnl.Address{Index: 1, Prefix: netip.MustParsePrefix("198.18.0.1/24")})
	var ne *netlink.Error
	if errors.As(err, &ne) {
		fmt.Println(ne.Errno) // the namespace has no such address
	}
	// Output: cannot assign requested address
}

func ExampleConn_AddAddresses() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var addrs []rtnl.Address
	for i := range 100 {
		addrs = append(addrs, rtnl.Address{
			Index:  1,
			Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, 0, byte(i + 1)}), 32),
		})
	}
	err = c.AddAddresses(context.Background(), addrs)
	var be *netlink.BatchError
	if errors.As(err, &be) {
		for _, f := range be.Failures {
			fmt.Println(addrs[f.Index].Prefix, f.Err)
		}
	} else if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_DeleteAddresses() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	// Remove every IPv4 address of link 1 in one go.
	addrs, err := c.AddressList(ctx, rtnl.AddressFilter{Index: 1, Family: rtnl.FamilyIPv4})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.DeleteAddresses(ctx, addrs); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_ChangeAddress() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// `ip address change 198.18.0.1/24 dev eth0`: lifetimes left at
	// forever make the address permanent again.
	err = c.ChangeAddress(context.Background(), rtnl.Address{Index: neighLink, Prefix: netip.MustParsePrefix("198.18.0.1/24")})
	if err != nil {
		log.Fatal(err)
	}
}
