package netlink

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Route-netlink facts the core tests need (linux/rtnetlink.h, if_link.h,
// if_addr.h); the rtnl package models them properly.
const (
	rtmNewLink   = 16
	rtmDelLink   = 17
	rtmGetLink   = 18
	rtmNewAddr   = 20
	rtmDelAddr   = 21
	rtmGetAddr   = 22
	iflaIfname   = 3
	iflaMTU      = 4
	iflaLinkinfo = 18
	iflaInfoKind = 1
	ifaLocal     = 2
	ifaAddress   = 1
	grpLink      = 1 // RTNLGRP_LINK
	grpIPv4Addr  = 5 // RTNLGRP_IPV4_IFADDR
)

// ifinfomsg encodes struct ifinfomsg.
func ifinfomsg(family uint8, index int32) []byte {
	b := make([]byte, 16)
	b[0] = family
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

// ifaddrmsg encodes struct ifaddrmsg.
func ifaddrmsg(family, prefixlen uint8, index uint32) []byte {
	b := make([]byte, 8)
	b[0], b[1] = family, prefixlen
	binary.NativeEndian.PutUint32(b[4:], index)
	return b
}

// linkName decodes IFLA_IFNAME and the index of an RTM_NEWLINK message.
func linkName(t testing.TB, m Message) (int32, string) {
	t.Helper()
	if len(m.Data) < 16 {
		t.Fatalf("short ifinfomsg: %d bytes", len(m.Data))
	}
	idx := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	d := nlattr.NewDecoder(m.Data[16:])
	name := ""
	for d.Next() {
		if d.Type() == iflaIfname {
			name = d.String()
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	return idx, name
}

// dialRoute opens a NETLINK_ROUTE Conn in a fresh throwaway namespace.
func dialRoute(t testing.TB, cfg *Config) (*Conn, *netns.NS) {
	t.Helper()
	ns := kerneltest.NetNS(t)
	return dialIn(t, ns, cfg), ns
}

func dialIn(t testing.TB, ns *netns.NS, cfg *Config) *Conn {
	t.Helper()
	var c Config
	if cfg != nil {
		c = *cfg
	}
	c.NetNS = ns
	conn, err := Dial(unix.NETLINK_ROUTE, &c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// addIfb creates an ifb link named name and returns its index.
func addIfb(t testing.TB, c *Conn, name string) int32 {
	t.Helper()
	e := nlattr.NewEncoder(ifinfomsg(unix.AF_UNSPEC, 0))
	e.String(iflaIfname, name)
	e.Nest(iflaLinkinfo)
	e.String(iflaInfoKind, "ifb")
	e.End()
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if _, err := c.Execute(ctx, Message{Header: Header{Type: rtmNewLink, Flags: Create | Excl}, Data: b}); err != nil {
		t.Fatalf("create ifb %s: %v", name, err)
	}
	e = nlattr.NewEncoder(ifinfomsg(unix.AF_UNSPEC, 0))
	e.String(iflaIfname, name)
	b, _ = e.Finish()
	msgs, err := c.Execute(ctx, Message{Header: Header{Type: rtmGetLink}, Data: b})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("get %s: %v (%d messages)", name, err, len(msgs))
	}
	idx, _ := linkName(t, msgs[0])
	return idx
}

// addrMessage builds an RTM_NEWADDR/DELADDR body for 198.18.x.y/32 on link.
func addrMessage(link uint32, i int) []byte {
	e := nlattr.NewEncoder(ifaddrmsg(unix.AF_INET, 32, link))
	a := [4]byte{198, 18 + byte(i>>16&1), byte(i >> 8), byte(i)}
	e.Bytes(ifaLocal, a[:])
	e.Bytes(ifaAddress, a[:])
	b, _ := e.Finish()
	return b
}
