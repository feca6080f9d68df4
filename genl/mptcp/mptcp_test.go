//go:build linux

package mptcp

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/netlink"
)

func dial(t *testing.T) *Conn {
	t.Helper()
	c, err := Dial(gtest.Config(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// kernelErr checks that err is the kernel's errno with an explanation.
func kernelErr(t *testing.T, what string, err error, errno syscall.Errno, msg string) *netlink.Error {
	t.Helper()
	var ne *netlink.Error
	if !errors.Is(err, errno) || !errors.As(err, &ne) {
		t.Fatalf("%s: err = %v, want %v from the kernel", what, err, errno)
	}
	if msg != "" && ne.Message != msg {
		t.Errorf("%s: extended ACK %q, want %q", what, ne.Message, msg)
	}
	return ne
}

// The spec agrees with the kernel's policy for every command.
func TestSpecMatchesKernel(t *testing.T) {
	sp := Spec()
	if err := sp.Validate(); err != nil {
		t.Fatal(err)
	}
	c := dial(t)
	p, err := c.Genl().Policy(t.Context(), FamilyName)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, cmd := range sp.Commands {
		if cmd.Notification {
			continue
		}
		o, ok := p.Op(cmd.ID)
		if !ok || o.Do == nil {
			t.Errorf("%s: no do policy", cmd.Name)
			continue
		}
		if err := cmd.Attrs.CheckPolicy(o.Do); err != nil {
			t.Error(err)
		}
		checked++
	}
	if checked != 7 {
		t.Errorf("checked %d commands", checked)
	}
}

func TestEndpoints(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	eps := []Endpoint{
		{Addr: netip.MustParseAddr("192.0.2.1"), Flags: Signal},
		{ID: 7, Addr: netip.MustParseAddr("2001:db8::1"), Flags: Subflow | Backup, IfIndex: 1},
		{ID: 9, Addr: netip.MustParseAddr("127.0.0.1"), Port: 10000, Flags: Signal},
	}
	for _, e := range eps {
		if err := c.AddEndpoint(ctx, e); err != nil {
			t.Fatalf("AddEndpoint(%v): %v", e, err)
		}
	}
	got, err := genl.Collect(c.Endpoints(ctx))
	if err != nil {
		t.Fatal(err)
	}
	eps[0].ID = 1 // the kernel's choice: the first free id
	if !slices.Equal(got, eps) {
		t.Fatalf("Endpoints:\n got  %v\n want %v", got, eps)
	}
	for _, e := range eps {
		one, err := c.Endpoint(ctx, e.ID)
		if err != nil || one != e {
			t.Errorf("Endpoint(%d) = %v, %v; want %v", e.ID, one, err, e)
		}
	}
	if s := eps[1].String(); s != "2001:db8::1 id 7 subflow backup dev 1" {
		t.Errorf("String = %q", s)
	}

	if err := c.SetEndpointFlags(ctx, 7, Subflow); err != nil {
		t.Fatal(err)
	}
	if e, _ := c.Endpoint(ctx, 7); e.Flags != Subflow {
		t.Errorf("after SetEndpointFlags: %v", e)
	}
	if err := c.DeleteEndpoint(ctx, 7); err != nil {
		t.Fatal(err)
	}
	if got, _ := genl.Collect(c.Endpoints(ctx)); len(got) != 2 {
		t.Errorf("after delete: %v", got)
	}
	if err := c.FlushEndpoints(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _ := genl.Collect(c.Endpoints(ctx)); len(got) != 0 {
		t.Errorf("after flush: %v", got)
	}
}

func TestEndpointErrors(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	e := Endpoint{Addr: netip.MustParseAddr("192.0.2.1"), Flags: Signal}
	if err := c.AddEndpoint(ctx, e); err != nil {
		t.Fatal(err)
	}
	err := c.AddEndpoint(ctx, e)
	ne := kernelErr(t, "duplicate", err, syscall.EEXIST, "")
	if !errors.Is(err, fs.ErrExist) || ne.Message == "" || ne.Op != "mptcp add endpoint" {
		t.Errorf("duplicate: %v (want fs.ErrExist, a message, the op)", err)
	}
	ne = kernelErr(t, "signal+fullmesh", c.AddEndpoint(ctx, Endpoint{Addr: netip.MustParseAddr("192.0.2.2"), Flags: Signal | Fullmesh}),
		syscall.EINVAL, "flags mustn't have both signal and fullmesh")
	if ne.AttrType != 1 { // the address nest, MPTCP_PM_ENDPOINT_ADDR
		t.Errorf("bad attribute type %d, want 1", ne.AttrType)
	}
	kernelErr(t, "port without signal", c.AddEndpoint(ctx, Endpoint{Addr: netip.MustParseAddr("192.0.2.3"), Port: 1, Flags: Subflow}),
		syscall.EINVAL, "flags must have signal and not subflow when using port")
	kernelErr(t, "delete unknown", c.DeleteEndpoint(ctx, 99), syscall.EINVAL, "address not found")
	_, err = c.Endpoint(ctx, 99)
	kernelErr(t, "get unknown", err, syscall.EINVAL, "address not found")

	// A malformed request through the declarative client: an address
	// family without its address.
	cl := genl.NewClient(c.Genl(), Spec())
	_, err = cl.Do(ctx, "add-addr", genl.Attrs{"addr": genl.Attrs{"family": 2}}, 0)
	ne = kernelErr(t, "no address", err, syscall.EINVAL, "missing address data")
	if ne.AttrType != 1 || ne.Offset != 20 { // nlmsghdr + genlmsghdr: the first attribute
		t.Errorf("bad attribute %d at %d", ne.AttrType, ne.Offset)
	}
	_, err = cl.Do(ctx, "add-addr", nil, 0)
	ne = kernelErr(t, "no nest", err, syscall.EINVAL, "")
	if ne.MissingType != 1 {
		t.Errorf("missing attribute %d, want 1", ne.MissingType)
	}
	if err := c.AddEndpoint(ctx, Endpoint{}); err == nil {
		t.Errorf("AddEndpoint without an address: no error")
	}
}

func TestLimits(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	if _, err := c.Limits(ctx); err != nil {
		t.Fatal(err)
	}
	want := Limits{AddAddrAccepted: 3, Subflows: 5}
	if err := c.SetLimits(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := c.Limits(ctx)
	if err != nil || got != want {
		t.Fatalf("Limits = %v, %v; want %v", got, err, want)
	}
	if got.String() != "add_addr_accepted 3 subflows 5" {
		t.Errorf("String = %q", got)
	}
	ne := kernelErr(t, "too many", c.SetLimits(ctx, Limits{AddAddrAccepted: 100}), syscall.EINVAL, "limit greater than maximum (8)")
	if ne.AttrType != 2 { // MPTCP_PM_ATTR_RCV_ADD_ADDRS
		t.Errorf("bad attribute %d, want 2", ne.AttrType)
	}
	if got, _ := c.Limits(ctx); got != want {
		t.Errorf("limits changed by a failed set: %v", got)
	}
}

// A signal endpoint with a port makes the path manager listen on it,
// which the events group reports.
func TestEvents(t *testing.T) {
	c := dial(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := c.JoinGroup(ctx, GroupEvents); err != nil {
		t.Fatal(err)
	}
	if err := c.AddEndpoint(ctx, Endpoint{ID: 3, Addr: netip.MustParseAddr("127.0.0.1"), Port: 10001, Flags: Signal}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteEndpoint(ctx, 3); err != nil {
		t.Fatal(err)
	}
	want := []EventType{EventListenerCreated, EventListenerClosed}
	var got []Event
	for ev, err := range c.Events(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ev)
		if len(got) == len(want) {
			break
		}
	}
	for i, ev := range got {
		if ev.Type != want[i] || ev.Source != netip.MustParseAddrPort("127.0.0.1:10001") {
			t.Errorf("event %d: %v, want %v for 127.0.0.1:10001", i, ev, want[i])
		}
	}
	if s := got[0].String(); s != "[LISTENER_CREATED] saddr=127.0.0.1 sport=10001" {
		t.Errorf("String = %q", s)
	}
}
