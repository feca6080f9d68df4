//go:build linux

package rtnl

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// Helpers shared by the kernel tests of every object (links, addresses,
// neighbours, routes, rules, events).

// testDial opens a Conn in ns, closed at the end of the test.
func testDial(t testing.TB, ns *netns.NS) *Conn {
	t.Helper()
	c, err := Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// testLinkIndexes maps link names to indexes from `ip -j link show`.
func testLinkIndexes(t testing.TB, ns *netns.NS) map[string]int32 {
	t.Helper()
	var links []struct {
		Index int32  `json:"ifindex"`
		Name  string `json:"ifname"`
	}
	out := kerneltest.Run(t, ns, "ip", "-j", "link", "show")
	if err := json.Unmarshal(out, &links); err != nil {
		t.Fatalf("parsing ip -j link show: %v\n%s", err, out)
	}
	m := make(map[string]int32)
	for _, l := range links {
		m[l.Name] = l.Index
	}
	return m
}

// testKernelError asserts that err is a *netlink.Error with errno want and
// operation op (a prefix of the one named), and returns it.
func testKernelError(t testing.TB, err error, op string, want syscall.Errno) *netlink.Error {
	t.Helper()
	ne, ok := errors.AsType[*netlink.Error](err)
	if !ok {
		t.Fatalf("error %v (%T), want a *netlink.Error with %v", err, err, want)
	}
	if ne.Errno != want || !errors.Is(err, want) {
		t.Fatalf("error %v: errno %d (%v), want %v", err, int(ne.Errno), ne.Errno, want)
	}
	// op names the operation, and may go on to name its object and the
	// start of the cause ("add link \"v0\": file exists").
	opName, _, _ := strings.Cut(op, ": ")
	if !strings.HasPrefix(ne.Op, "rtnl "+opName) || !strings.HasPrefix(err.Error(), "rtnl: "+op) || strings.Contains(err.Error(), "netlink:") {
		t.Errorf("error %q: Op %q, want it to start with %q", err, ne.Op, "rtnl "+op)
	}
	return ne
}

// testList collects the dump of objects matching f (dump is c.Links,
// c.Routes ...); a failure names it as what(f).
func testList[T, F any](t testing.TB, dump func(context.Context, F) iter.Seq2[T, error], f F, what string) []T {
	t.Helper()
	xs, err := netlink.Collect(dump(t.Context(), f))
	if err != nil {
		t.Fatalf("%s(%+v): %v", what, f, err)
	}
	return xs
}
