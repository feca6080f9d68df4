//go:build linux

package rtnl_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/rtnl"
)

// The examples change the current network namespace (rtnl.Dial(nil);
// netlink.Config.NetNS picks another) and need CAP_NET_ADMIN, so go test
// compiles them without running them; those that print their output run on
// an rtnltest.Fake instead. Neighbour entries need a link with a link-layer
// address (on "lo" the kernel keys every IPv4 entry as 0.0.0.0), so the
// neighbour examples use neighLink, the index of an Ethernet link: in real
// code it comes from a link lookup.
const neighLink int32 = 2

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
