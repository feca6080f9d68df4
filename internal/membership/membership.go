// Package membership keeps a family Conn's own multicast group joins on a
// netlink.Conn it may share with other users (a family's NewConn), and ends
// the family's Events at the family Conn's Close. rtnl and xfrm use it.
//
// Joins are counted per group, as netlink.Conn counts them: each Join
// needs its own Leave, and Close leaves exactly what this Set joined, so
// that another user's joins of the same groups stay.
package membership

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/nlkit/nlkit/netlink"
)

// Set is the groups one family Conn joined. Safe for concurrent use.
type Set[G ~uint32] struct {
	nl     *netlink.Conn
	pkg    string         // names the family in errors ("rtnl")
	name   func(G) string // a group in errors
	mu     sync.Mutex
	closed bool
	joined map[G]int
}

// New returns an empty Set for joins on nl; errors start with pkg and name
// groups with name.
func New[G ~uint32](nl *netlink.Conn, pkg string, name func(G) string) *Set[G] {
	return &Set[G]{nl: nl, pkg: pkg, name: name, joined: map[G]int{}}
}

// Join joins every group of groups, or none: on an error, the groups it
// joined are left again. After Close it returns netlink.ErrClosed.
func (s *Set[G]) Join(groups []G) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%s: join groups: %w", s.pkg, netlink.ErrClosed)
	}
	for i, g := range groups {
		if err := s.nl.JoinGroup(uint32(g)); err != nil {
			for _, done := range groups[:i] {
				_ = s.nl.LeaveGroup(uint32(done))
				s.count(done, -1)
			}
			return fmt.Errorf("%s: join group %s: %w", s.pkg, s.name(g), err)
		}
		s.count(g, 1)
	}
	return nil
}

// Leave undoes one Join of each group of groups. A group this Set has not
// joined is an error, and so is one the socket could not leave; the others
// are left.
func (s *Set[G]) Leave(groups []G) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("%s: leave groups: %w", s.pkg, netlink.ErrClosed)
	}
	var errs []error
	for _, g := range groups {
		if s.joined[g] == 0 {
			errs = append(errs, fmt.Errorf("%s: leave group %s: not joined", s.pkg, s.name(g)))
			continue
		}
		if err := s.nl.LeaveGroup(uint32(g)); err != nil {
			errs = append(errs, fmt.Errorf("%s: leave group %s: %w", s.pkg, s.name(g), err))
			continue
		}
		s.count(g, -1)
	}
	return errors.Join(errs...)
}

func (s *Set[G]) count(g G, d int) {
	if s.joined[g] += d; s.joined[g] == 0 {
		delete(s.joined, g)
	}
}

// Close ends the Set: Join and Leave return netlink.ErrClosed from now on.
// With leave, every join the Set holds is undone on the socket (a family
// Conn that shares its netlink.Conn); without, they are forgotten (one
// that closes the socket, which leaves every group). Closing twice does
// nothing.
func (s *Set[G]) Close(leave bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	for g, n := range s.joined {
		for range n {
			if !leave {
				break
			}
			if err := s.nl.LeaveGroup(uint32(g)); err != nil {
				errs = append(errs, fmt.Errorf("%s: leave group %s: %w", s.pkg, s.name(g), err))
			}
		}
	}
	clear(s.joined)
	return errors.Join(errs...)
}

// Receive is nl.Receive(ctx) that also ends when done is closed (the
// family Conn's Close), yielding netlink.ErrClosed then, also when nl
// itself stays open.
func Receive(ctx context.Context, nl *netlink.Conn, done <-chan struct{}) iter.Seq2[netlink.Notification, error] {
	return func(yield func(netlink.Notification, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			select {
			case <-done:
				cancel()
			case <-stop:
			}
		}()
		for n, err := range nl.Receive(ctx) {
			if err != nil && ctx.Err() != nil && isClosed(done) {
				yield(netlink.Notification{}, netlink.ErrClosed)
				return
			}
			if !yield(n, err) {
				return
			}
		}
	}
}

func isClosed(done <-chan struct{}) bool {
	select {
	case <-done:
		return true
	default:
		return false
	}
}
