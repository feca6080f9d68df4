package membership

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nltest"
)

type group uint32

func name(g group) string { return "g" + strconv.Itoa(int(g)) }

func dial(t *testing.T) (*nltest.Server, *netlink.Conn) {
	t.Helper()
	srv := nltest.NewServer(nltest.HandlerFunc(func(netlink.Message) ([]netlink.Message, error) { return nil, nil }))
	nl, err := srv.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nl.Close() })
	return srv, nl
}

// TestSharedJoins: two users of one netlink.Conn join the same group;
// closing one leaves only its own joins, so the other still receives, and
// once both are closed the socket holds no join of it.
func TestSharedJoins(t *testing.T) {
	srv, nl := dial(t)
	a, b := New[group](nl, "fam", name), New[group](nl, "fam", name)
	if err := a.Join([]group{3, 3, 4}); err != nil {
		t.Fatal(err)
	}
	if err := b.Join([]group{3}); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(true); err != nil {
		t.Fatal(err)
	}
	if err := srv.Notify(3, netlink.Message{Header: netlink.Header{Type: 100}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for n, err := range nl.Receive(ctx) {
		if err != nil {
			t.Fatalf("b's group after a's Close: %v", err)
		}
		if n.Group != 3 {
			t.Fatalf("notification of group %d", n.Group)
		}
		break
	}
	if err := b.Leave([]group{3}); err != nil {
		t.Fatal(err)
	}
	for _, g := range []uint32{3, 4} {
		if err := nl.LeaveGroup(g); err == nil {
			t.Errorf("group %d still joined after both users left it", g)
		}
	}
}

// TestLeaveAndClose: leaving a group not joined names it; after Close,
// Join and Leave fail with netlink.ErrClosed, and Close without leave
// forgets the joins without leaving them.
func TestLeaveAndClose(t *testing.T) {
	_, nl := dial(t)
	s := New[group](nl, "fam", name)
	if err := s.Join([]group{5}); err != nil {
		t.Fatal(err)
	}
	err := s.Leave([]group{5, 6})
	if err == nil || !strings.Contains(err.Error(), "fam: leave group g6: not joined") {
		t.Fatalf("leave of a group not joined: %v", err)
	}
	if err := s.Join([]group{7}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(false); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(true); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := nl.LeaveGroup(7); err != nil {
		t.Fatalf("Close(false) left group 7 on the socket: %v", err)
	}
	for _, err := range []error{s.Join([]group{1}), s.Leave([]group{7})} {
		if !errors.Is(err, netlink.ErrClosed) || !strings.HasPrefix(err.Error(), "fam: ") {
			t.Errorf("after Close: %v, want fam: ... netlink.ErrClosed", err)
		}
	}
}

// TestReceiveEndsAtDone: Receive, blocked with nothing to read, ends with
// netlink.ErrClosed when done is closed, and the netlink.Conn stays usable.
func TestReceiveEndsAtDone(t *testing.T) {
	srv, nl := dial(t)
	if err := nl.JoinGroup(2); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	time.AfterFunc(50*time.Millisecond, func() { close(done) })
	var got error
	for _, err := range Receive(context.Background(), nl, done) {
		got = err
		break
	}
	if !errors.Is(got, netlink.ErrClosed) {
		t.Fatalf("Receive at done: %v, want netlink.ErrClosed", got)
	}
	if err := srv.Notify(2, netlink.Message{Header: netlink.Header{Type: 100}}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for n, err := range nl.Receive(ctx) {
		if err != nil || n.Group != 2 {
			t.Fatalf("the Conn after Receive ended: %v, group %d", err, n.Group)
		}
		break
	}
}
