package rtnl_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// TestNewConnShares: a Conn made by NewConn shares its netlink.Conn, as
// genl's do: Close ends the Conn (its calls and its Events) and leaves the
// groups it joined, and the netlink.Conn stays open for its owner.
func TestNewConnShares(t *testing.T) {
	fake := rtnltest.NewFake()
	nl, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	other := rtnl.NewConn(nl) // another user of the same socket
	if err := other.JoinGroup(rtnl.GroupLink); err != nil {
		t.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	if err := c.JoinGroup(rtnl.GroupLink, rtnl.GroupIPv4Route); err != nil {
		t.Fatal(err)
	}
	ended := make(chan error, 1)
	go func() {
		for _, err := range c.Events(ctx) {
			if err != nil {
				ended <- err
				return
			}
		}
		ended <- nil
	}()
	time.Sleep(50 * time.Millisecond) // let Events start
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-ended:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Fatalf("Events ended with %v, want netlink.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end Events")
	}
	if _, err := c.LinkList(ctx, rtnl.LinkFilter{}); !errors.Is(err, netlink.ErrClosed) {
		t.Fatalf("LinkList after Close: %v, want netlink.ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// The socket and the other user's membership are intact.
	if _, err := other.LinkList(ctx, rtnl.LinkFilter{}); err != nil {
		t.Fatalf("the shared socket after Close: %v", err)
	}
	if err := other.LeaveGroup(rtnl.GroupLink); err != nil {
		t.Fatalf("the other user's join was undone by Close: %v", err)
	}
	if err := other.LeaveGroup(rtnl.GroupLink); err == nil {
		t.Fatal("leaving a group twice after one join succeeded")
	}
}
