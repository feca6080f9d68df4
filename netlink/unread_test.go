package netlink_test

import (
	"context"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nltest"
)

// A loop over Receive stopped in the middle of a datagram of several
// notifications: the next Receive yields the rest first, in order, then
// what came after.
func TestReceiveKeepsUnread(t *testing.T) {
	s := nltest.NewServer(nltest.HandlerFunc(func(req netlink.Message) ([]netlink.Message, error) { return nil, nil }))
	c, err := s.Dial(&netlink.Config{Groups: []uint32{1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := func(b byte) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: 0x20}, Data: []byte{b, b, b, b}}
	}
	if err := s.Notify(1, msg(1), msg(2), msg(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.Notify(1, msg(4)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []byte
	for _, stop := range []int{1, 2, 1} {
		n := 0
		for note, err := range c.Receive(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, note.Data[0])
			if n++; n == stop {
				break
			}
		}
	}
	if string(got) != "\x01\x02\x03\x04" {
		t.Errorf("got %v, want [1 2 3 4]", got)
	}
}
