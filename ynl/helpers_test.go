package ynl

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

func contextTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}

func netip4(a, b, c, d byte) netip.Addr { return netip.AddrFrom4([4]byte{a, b, c, d}) }

func ifindex(t *testing.T, ns *netns.NS, name string) int32 {
	r, err := rtnl.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	l, err := r.LinkByName(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return l.Index
}
