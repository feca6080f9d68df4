//go:build linux

package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// The examples change the current network namespace (rtnl.Dial(nil);
// netlink.Config.NetNS picks another) and need CAP_NET_ADMIN, so go test
// compiles them without running them; those that print their output run on
// an rtnltest.Fake instead. The address examples use link 1, the loopback link "lo" of
// every namespace. Neighbour entries need a link with a link-layer
// address (on "lo" the kernel keys every IPv4 entry as 0.0.0.0), so the
// neighbour examples use neighLink, the index of an Ethernet link: in real
// code it comes from a link lookup.
const neighLink int32 = 2

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

func ExampleConn_AddNeighbor() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	// A static ARP entry (State defaults to NeighborPermanent).
	err = c.AddNeighbor(ctx, rtnl.Neighbor{Index: neighLink, Addr: netip.MustParseAddr("198.18.0.2"), LinkAddr: mac})
	if err != nil {
		log.Fatal(err)
	}
	// Answer neighbour solicitations for 2001:db8::9 on link neighLink (proxy NDP).
	err = c.AddNeighbor(ctx, rtnl.Neighbor{Index: neighLink, Addr: netip.MustParseAddr("2001:db8::9"), Flags: rtnl.NeighborProxy})
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_Neighbor() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx := context.Background()

	mac, _ := net.ParseMAC("02:00:00:00:00:01")
	if err := c.AddNeighbor(ctx, rtnl.Neighbor{Index: neighLink, Addr: netip.MustParseAddr("198.18.0.2"), LinkAddr: mac}); err != nil {
		log.Fatal(err)
	}
	n, err := c.Neighbor(ctx, neighLink, netip.MustParseAddr("198.18.0.2"))
	if err != nil {
		log.Fatal(err) // ENOENT when there is no such entry
	}
	fmt.Println(n.Addr, n.LinkAddr, n.State)
}

func ExampleConn_Neighbors() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	// The IPv6 neighbours of link neighLink, as `ip -6 neigh show dev eth0 nud all`.
	for n, err := range c.Neighbors(ctx, rtnl.NeighborFilter{Index: neighLink, Family: rtnl.FamilyIPv6}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(n.Addr, n.LinkAddr, n.State, n.Flags)
	}
	// The proxy table, as `ip neigh show proxy`.
	for n, err := range c.Neighbors(ctx, rtnl.NeighborFilter{Proxy: true}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("proxy", n.Addr, n.Index)
	}
}

func ExampleConn_NeighborList() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// The ARP entries of link neighLink, as a slice.
	entries, err := c.NeighborList(context.Background(), rtnl.NeighborFilter{Index: neighLink, Family: rtnl.FamilyIPv4})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(entries), "entries")
}

func ExampleConn_ReplaceNeighbor() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	mac, _ := net.ParseMAC("02:00:00:00:00:02")
	err = c.ReplaceNeighbor(context.Background(), rtnl.Neighbor{
		Index:    neighLink,
		Addr:     netip.MustParseAddr("2001:db8::2"),
		LinkAddr: mac,
		State:    rtnl.NeighborReachable,
		Flags:    rtnl.NeighborRouter,
	})
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_DeleteNeighbor() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	err = c.DeleteNeighbor(context.Background(), rtnl.Neighbor{Index: neighLink, Addr: netip.MustParseAddr("198.18.0.2")})
	if err != nil {
		fmt.Println(err) // ENOENT: the entry does not exist
	}
}

func ExampleConn_AddNeighbors() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	var neighs []rtnl.Neighbor
	for i := range 50 {
		neighs = append(neighs, rtnl.Neighbor{
			Index:    neighLink,
			Addr:     netip.AddrFrom4([4]byte{198, 18, 1, byte(i + 1)}),
			LinkAddr: net.HardwareAddr{2, 0, 0, 0, 1, byte(i + 1)},
		})
	}
	if err := c.AddNeighbors(context.Background(), neighs); err != nil {
		log.Fatal(err) // a *netlink.BatchError names the entries that failed
	}
}

func ExampleConn_DeleteNeighbors() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	// Flush the permanent IPv4 entries of link neighLink.
	var static []rtnl.Neighbor
	for n, err := range c.Neighbors(ctx, rtnl.NeighborFilter{Index: neighLink, Family: rtnl.FamilyIPv4}) {
		if err != nil {
			log.Fatal(err)
		}
		if n.State == rtnl.NeighborPermanent {
			static = append(static, n)
		}
	}
	if err := c.DeleteNeighbors(ctx, static); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_ChangeNeighbor() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// `ip neigh change 198.18.0.2 dev eth0 nud none`: only an existing
	// entry (else ENOENT), and NUD_NONE asked for explicitly.
	err = c.ChangeNeighbor(context.Background(), rtnl.Neighbor{
		Index:    neighLink,
		Addr:     netip.MustParseAddr("198.18.0.2"),
		State:    rtnl.NeighborNone,
		HasState: true,
	})
	fmt.Println(err)
}

func ExampleConn_ProxyNeighbor() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	n, err := c.ProxyNeighbor(context.Background(), neighLink, netip.MustParseAddr("2001:db8::9"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.Addr, n.Flags)
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

// AddNeighborsSeq installs entries as they are generated, in batches,
// without building a slice first.
func ExampleConn_AddNeighborsSeq() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	entries := func(yield func(rtnl.Neighbor) bool) {
		for i := range 1000 {
			n := rtnl.Neighbor{Index: neighLink, Addr: netip.AddrFrom4([4]byte{198, 18, byte(2 + i>>8), byte(i)}),
				LinkAddr: net.HardwareAddr{2, 0, 0, 2, byte(i >> 8), byte(i)}}
			if !yield(n) {
				return
			}
		}
	}
	if err := c.AddNeighborsSeq(context.Background(), entries); err != nil {
		log.Fatal(err) // a *netlink.BatchError names the entries that failed, by index
	}
}

// DeleteNeighborsSeq removes the entries a dump selects as it streams
// them: here the stale IPv4 ones of link neighLink.
func ExampleConn_DeleteNeighborsSeq() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	stale, err := c.NeighborList(ctx, rtnl.NeighborFilter{Index: neighLink, Family: rtnl.FamilyIPv4})
	if err != nil {
		log.Fatal(err)
	}
	err = c.DeleteNeighborsSeq(ctx, func(yield func(rtnl.Neighbor) bool) {
		for _, n := range stale {
			if n.State == rtnl.NeighborStale && !yield(n) {
				return
			}
		}
	})
	if err != nil {
		log.Fatal(err)
	}
}

// SetNeighborProbes hands address resolution on a link to user space:
// the kernel then asks (RTM_GETNEIGH notifications, see Resolver) instead
// of broadcasting ARP requests.
func ExampleConn_SetNeighborProbes() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	err = c.SetNeighborProbes(context.Background(), rtnl.FamilyIPv4, neighLink, rtnl.NeighborProbes{
		App: 1, SetApp: true, // one question to user space per resolution
		Multicast: 0, SetMulticast: true, // no broadcast ARP
		RetransTime: 500 * time.Millisecond,
	})
	if err != nil {
		log.Fatal(err)
	}
}
