//go:build linux

package netdev

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

func dial(t *testing.T) (*Conn, *netlink.Config) {
	t.Helper()
	cfg := gtest.Config(t)
	c, err := Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, cfg
}

// The spec agrees with the kernel's own policy.
func TestSpecMatchesKernel(t *testing.T) {
	if err := Spec().Validate(); err != nil {
		t.Fatal(err)
	}
	c, _ := dial(t)
	p, err := c.Genl().CommandPolicy(t.Context(), FamilyName, cmdDevGet)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := p.Op(cmdDevGet)
	if o.Do == nil {
		t.Fatalf("no do policy:\n%s", p)
	}
	if err := devSet.CheckPolicy(o.Do); err != nil {
		t.Error(err)
	}
}

func TestDevices(t *testing.T) {
	c, cfg := dial(t)
	ctx := t.Context()
	devs, err := netlink.Collect(c.Devices(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 1 || devs[0].Index != 1 {
		t.Fatalf("fresh namespace: devices %v, want lo only", devs)
	}
	a, b := gtest.Veth(t, cfg.NetNS, "nd0", "nd1")
	devs, err = netlink.Collect(c.Devices(ctx))
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 3 {
		t.Fatalf("devices %v, want lo and a veth pair", devs)
	}
	for _, idx := range []int32{a, b} {
		d, err := c.Device(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		if d.Index != idx || d.XDPFeatures&XDPBasic == 0 || d.XDPFeatures&XDPRedirect == 0 {
			t.Errorf("veth %d: %v (veth does XDP basic and redirect)", idx, d)
		}
		if d != devs[idx-1] {
			t.Errorf("Device(%d) = %v, dump said %v", idx, d, devs[idx-1])
		}
	}
	_, err = c.Device(ctx, 9999)
	var ne *netlink.Error
	if !errors.Is(err, syscall.ENODEV) || !errors.As(err, &ne) || ne.Op != "netdev get device ifindex 9999" ||
		!strings.HasPrefix(err.Error(), "netdev: get device ifindex 9999: no such device") {
		t.Errorf("Device(9999) = %v, want ENODEV naming the device", err)
	}
}

func TestEvents(t *testing.T) {
	c, cfg := dial(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.JoinGroup(ctx, GroupMgmt); err != nil {
		t.Fatal(err)
	}
	a, b := gtest.Veth(t, cfg.NetNS, "ev0", "ev1")
	kerneltest.Run(t, cfg.NetNS, "ip", "link", "del", "ev0")
	want := []Event{{DeviceAdded, Device{Index: a}}, {DeviceAdded, Device{Index: b}}, {DeviceDeleted, Device{Index: a}}, {DeviceDeleted, Device{Index: b}}}
	var got []Event
	for ev, err := range c.Events(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type == DeviceChanged {
			continue
		}
		got = append(got, ev)
		if len(got) == len(want) {
			break
		}
	}
	// The kernel registers the peer first: compare without order.
	type key struct {
		typ EventType
		idx int32
	}
	seen := make(map[key]bool)
	for _, ev := range got {
		seen[key{ev.Type, ev.Device.Index}] = true
	}
	for _, w := range want {
		if !seen[key{w.Type, w.Device.Index}] {
			t.Errorf("missing %v for ifindex %d; got %v", w.Type, w.Device.Index, got)
		}
	}
	if err := c.LeaveGroup(ctx, GroupMgmt); err != nil {
		t.Fatal(err)
	}
	// Left: the next pair is not announced (a join afterwards sees the
	// pair after it first).
	gtest.Veth(t, cfg.NetNS, "ev2", "ev3")
	if err := c.JoinGroup(ctx, GroupMgmt); err != nil {
		t.Fatal(err)
	}
	e4, e5 := gtest.Veth(t, cfg.NetNS, "ev4", "ev5")
	for ev, err := range c.Events(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Type != DeviceAdded {
			continue
		}
		if ev.Device.Index != e4 && ev.Device.Index != e5 {
			t.Errorf("after LeaveGroup: %v", ev)
		}
		break
	}
}
