//go:build linux

package rtnl_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/rtnl"
)

// Create a GRE tunnel, as `ip link add gre1 type gre remote 198.18.0.2
// local 198.18.0.1 ttl 64 key 42`: every setting is sent as it is set,
// nil ones not at all.
func ExampleGre() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	key := uint32(42)
	err = c.AddLink(context.Background(), rtnl.Link{Name: "gre1", Info: &rtnl.Gre{
		Kind:   "gre",
		Local:  netip.MustParseAddr("198.18.0.1"),
		Remote: netip.MustParseAddr("198.18.0.2"),
		TTL:    new(uint8(64)),
		IFlags: new(rtnl.GreKey), OFlags: new(rtnl.GreKey),
		IKey: &key, OKey: &key,
		PMTUDisc: new(true),
	}})
	if err != nil {
		log.Fatal(err) // "Unknown device type" (EOPNOTSUPP) without the ip_gre module
	}
}

// Change a tunnel: the kernel takes a tunnel's parameters as a whole, so
// read them first and send them all back with the change (as ip link set
// does).
func ExampleGre_change() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	l, err := c.LinkByName(ctx, "gre1")
	if err != nil {
		log.Fatal(err)
	}
	g, ok := l.Info.(*rtnl.Gre)
	if !ok {
		log.Fatalf("gre1 is a %s", l.Kind)
	}
	g.TTL = new(uint8(32))
	if err := c.SetLink(ctx, l.Index, rtnl.LinkChange{Info: g}); err != nil {
		log.Fatal(err)
	}
}

// The settings of IP-in-IP, sit and ip6tnl tunnels, as the kernel reports
// them: here a link decoded from its message (MarshalBinary and
// UnmarshalBinary carry a link as bytes).
func ExampleIPTunnel() {
	b, err := rtnl.Link{Index: 5, Name: "sit1", Info: &rtnl.IPTunnel{
		Kind:           "sit",
		Remote:         netip.MustParseAddr("198.18.0.2"),
		TTL:            new(uint8(64)),
		Flags:          new(rtnl.SitISATAP),
		SixRDPrefix:    netip.MustParseAddr("2001:db8::"),
		SixRDPrefixLen: new(uint16(32)),
	}}.MarshalBinary()
	if err != nil {
		log.Fatal(err)
	}
	var l rtnl.Link
	if err := l.UnmarshalBinary(b); err != nil {
		log.Fatal(err)
	}
	t := l.Info.(*rtnl.IPTunnel)
	fmt.Println(l.Kind, t.Remote, *t.TTL, *t.Flags&rtnl.SitISATAP != 0, t.SixRDPrefix, *t.SixRDPrefixLen)
	// Output: sit 198.18.0.2 64 true 2001:db8:: 32
}

// An xfrm interface with interface ID 42 on top of link 2, as `ip link add
// ipsec0 type xfrm dev eth0 if_id 42`; and a vti6 tunnel.
func ExampleXfrm() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	err = c.AddLink(ctx, rtnl.Link{Name: "ipsec0", Info: &rtnl.Xfrm{Device: new(int32(2)), IfID: new(uint32(42))}})
	if err != nil {
		log.Fatal(err)
	}
	err = c.AddLink(ctx, rtnl.Link{Name: "vti1", Info: &rtnl.Vti{Kind: "vti6",
		Remote: netip.MustParseAddr("2001:db8::2"), IKey: new(uint32(7)), OKey: new(uint32(7))}})
	if err != nil {
		log.Fatal(err)
	}
}
