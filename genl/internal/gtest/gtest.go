//go:build linux

// Package gtest holds test helpers shared by genl and its family packages:
// a throwaway namespace with devices made by iproute2.
package gtest

import (
	"encoding/json"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// Config returns a netlink.Config for a throwaway namespace (lo up), which
// is removed at the end of the test.
func Config(t testing.TB) *netlink.Config {
	t.Helper()
	return &netlink.Config{NetNS: kerneltest.NetNS(t)}
}

// Veth creates the veth pair a, b in ns and returns their interface
// indexes.
func Veth(t testing.TB, ns *netns.NS, a, b string) (int32, int32) {
	t.Helper()
	kerneltest.Run(t, ns, "ip", "link", "add", a, "type", "veth", "peer", "name", b)
	return Index(t, ns, a), Index(t, ns, b)
}

// Index returns the interface index of the link called name in ns.
func Index(t testing.TB, ns *netns.NS, name string) int32 {
	t.Helper()
	out := kerneltest.Run(t, ns, "ip", "-j", "link", "show", "dev", name)
	var links []struct {
		Index int32 `json:"ifindex"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j link show dev %s: %q: %v", name, out, err)
	}
	return links[0].Index
}
