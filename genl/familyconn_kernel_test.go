//go:build linux

package genl

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// netdevAdded is a FamilyInfo for tests: netdev's dev-add notifications,
// as the ifindex they announce.
var netdevAdded = &FamilyInfo[uint32]{Name: "netdev", Package: "netdevtest", Event: func(n Notification) (uint32, bool, error) {
	if n.Command != 2 { // NETDEV_CMD_DEV_ADD_NTF
		return 0, false, nil
	}
	d := nlattr.NewDecoder(n.Data)
	for d.Next() {
		if d.Type() == 1 { // NETDEV_A_DEV_IFINDEX
			return d.Uint32(), true, d.Err()
		}
	}
	return 0, false, d.Err()
}}

// The ownership trap, fixed: Close of a FamilyConn sharing a genl.Conn
// leaves the genl.Conn open and only undoes its own joins; a closed
// FamilyConn refuses work with netlink.ErrClosed.
func TestKernelFamilyConnShared(t *testing.T) {
	g, cfg := dialNS(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	a, b := NewFamilyConn(g, netdevAdded), NewFamilyConn(g, netdevAdded)
	for _, c := range []*FamilyConn[uint32]{a, b} {
		if err := c.JoinGroup(ctx, "mgmt"); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// The shared genl.Conn is open, and b is still in the group.
	if _, err := g.Family(ctx, "nlctrl"); err != nil {
		t.Fatalf("genl.Conn after a family client's Close: %v", err)
	}
	kerneltest.Run(t, cfg.NetNS, "ip", "link", "add", "fc0", "type", "veth", "peer", "name", "fc1")
	for _, err := range b.Events(ctx) {
		if err != nil {
			t.Fatalf("b after a closed: %v", err)
		}
		break
	}
	// a is closed.
	if _, err := a.Execute(ctx, "get device", netdevGet(1), 0); !errors.Is(err, netlink.ErrClosed) {
		t.Errorf("Execute after Close: %v", err)
	}
	for _, err := range a.Dump(ctx, "list devices", Message{Command: 1}) {
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("Dump after Close: %v", err)
		}
	}
	for _, err := range a.Events(ctx) {
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("Events after Close: %v", err)
		}
		break
	}
	if err := a.JoinGroup(ctx, "mgmt"); !errors.Is(err, netlink.ErrClosed) {
		t.Errorf("JoinGroup after Close: %v", err)
	}
	// Leaving a group not joined through this FamilyConn is refused and
	// leaves the others' joins alone.
	c := NewFamilyConn(g, netdevAdded)
	if err := c.LeaveGroup(ctx, "mgmt"); err == nil {
		t.Errorf("LeaveGroup without a join: no error")
	}
	// b's Close undoes the last join: the genl.Conn leaves the group, and
	// stays open.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	g.joinedCheck(t, "netdev", "mgmt", false)
	if _, err := g.Family(ctx, "netdev"); err != nil {
		t.Fatalf("genl.Conn after both closed: %v", err)
	}
}

// joinedCheck asserts whether the Conn holds a join of family/group.
func (c *Conn) joinedCheck(t *testing.T, family, group string, want bool) {
	t.Helper()
	c.gmu.Lock()
	defer c.gmu.Unlock()
	if _, got := c.joined[groupRef{family, group}]; got != want {
		t.Errorf("%s/%s joined: %v, want %v", family, group, got, want)
	}
}

// Close of a shared FamilyConn ends its running Events stream with
// netlink.ErrClosed, promptly, though the genl.Conn stays open.
func TestKernelFamilyConnCloseEndsEvents(t *testing.T) {
	g, _ := dialNS(t, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	a := NewFamilyConn(g, netdevAdded)
	if err := a.JoinGroup(ctx, "mgmt"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		var first error
		for _, err := range a.Events(ctx) {
			first = err
			break
		}
		done <- first // after the stream has let go of the Receive
	}()
	time.Sleep(50 * time.Millisecond) // let it block in Receive
	start := time.Now()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("Events ended with %v, want netlink.ErrClosed", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Events ended %v after Close", d)
		}
	case <-ctx.Done():
		t.Fatal("Events still running after Close")
	}
	g.joinedCheck(t, "netdev", "mgmt", false)
	// The genl.Conn's Receive is free again.
	if _, err := g.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer rcancel()
	for _, err := range g.Receive(rctx) {
		if errors.Is(err, netlink.ErrReceiveBusy) {
			t.Errorf("Receive after the family's Events ended: %v", err)
		}
		break
	}
}

// A FamilyConn made by DialFamily owns its genl.Conn: Close closes it.
func TestKernelFamilyConnDialed(t *testing.T) {
	cfg := &netlink.Config{NetNS: kerneltest.NetNS(t)}
	a, err := DialFamily(cfg, netdevAdded)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Execute(t.Context(), "get device ifindex 1", netdevGet(1), 0); err != nil {
		t.Fatal(err)
	}
	_, err = a.Execute(t.Context(), "get device ifindex 999", netdevGet(999), 0)
	var ne *netlink.Error
	if !errors.As(err, &ne) || ne.Op != "netdevtest get device ifindex 999" || err.Error()[:38] != "netdevtest: get device ifindex 999: no" {
		t.Errorf("error %q (Op %q)", err, ne.Op)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Genl().Family(t.Context(), "nlctrl"); !errors.Is(err, netlink.ErrClosed) {
		t.Errorf("the genl.Conn of a closed DialFamily: %v, want netlink.ErrClosed", err)
	}
}

// The same ownership one layer down: a genl.Conn made by NewConn does not
// own the netlink.Conn it wraps. Close leaves the netlink.Conn open, its
// own joins undone (another genl.Conn's kept), and ends its Receive.
func TestKernelNewConnShared(t *testing.T) {
	nl, err := netlink.Dial(netlinkGeneric, &netlink.Config{NetNS: kerneltest.NetNS(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	a, b := NewConn(nl), NewConn(nl)
	for _, c := range []*Conn{a, b} {
		if _, err := c.JoinGroup(ctx, "netdev", "mgmt"); err != nil {
			t.Fatal(err)
		}
	}
	done := make(chan error, 1)
	go func() {
		var first error
		for _, err := range a.Receive(ctx) {
			first = err
			break
		}
		done <- first
	}()
	time.Sleep(50 * time.Millisecond)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("Receive ended with %v, want netlink.ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("Receive still running after Close")
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := a.Family(ctx, "nlctrl"); !errors.Is(err, netlink.ErrClosed) {
		t.Errorf("Family after Close: %v", err)
	}
	if _, err := a.JoinGroup(ctx, "netdev", "mgmt"); !errors.Is(err, netlink.ErrClosed) {
		t.Errorf("JoinGroup after Close: %v", err)
	}
	for _, err := range a.Families(ctx) {
		if !errors.Is(err, netlink.ErrClosed) {
			t.Errorf("Families after Close: %v", err)
		}
	}
	// The netlink.Conn is open, and b's join holds it in the group.
	if _, err := b.Family(ctx, "netdev"); err != nil {
		t.Fatalf("the other genl.Conn: %v", err)
	}
	if err := nl.LeaveGroup(0xffff); err == nil {
		t.Errorf("netlink.Conn: leaving a group never joined worked")
	}
	g, _ := b.Family(ctx, "netdev")
	mgmt, _ := g.Group("mgmt")
	// One join left at the netlink.Conn: leaving it once works, twice not.
	if err := nl.LeaveGroup(mgmt.ID); err != nil {
		t.Errorf("b's join was undone by a's Close: %v", err)
	}
	if err := nl.LeaveGroup(mgmt.ID); err == nil {
		t.Errorf("a's join was not undone by its Close")
	}
}
