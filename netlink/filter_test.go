package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"golang.org/x/sys/unix"
)

// TestSetFilter: a classic BPF program attached with SetFilter drops, in
// the kernel, the datagrams it returns 0 for; detaching it lets all through;
// an invalid program is refused.
func TestSetFilter(t *testing.T) {
	ns := kerneltest.NetNS(t)
	peer, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	c, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// Accept only messages of type userMsgType+1: ldh [4] loads nlmsg_type
	// in network order, so compare with the native-order bytes swapped.
	want := uint16(userMsgType + 1)
	var nb [2]byte
	binary.NativeEndian.PutUint16(nb[:], want)
	k := uint32(binary.BigEndian.Uint16(nb[:]))
	prog := []FilterInstruction{
		{Op: unix.BPF_LD | unix.BPF_H | unix.BPF_ABS, K: 4},
		{Op: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: k, JumpTrue: 0, JumpFalse: 1},
		{Op: unix.BPF_RET | unix.BPF_K, K: 0xffffffff},
		{Op: unix.BPF_RET | unix.BPF_K, K: 0},
	}
	if err := c.SetFilter(prog); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	send := func(typ MessageType, data string) {
		t.Helper()
		if err := peer.SendTo(ctx, Message{Header: Header{Type: typ}, Data: []byte(data)}, c.PortID(), 0); err != nil {
			t.Fatal(err)
		}
	}
	send(userMsgType, "dropped")
	send(MessageType(want), "kept")
	got := receiveOne(t, ctx, c)
	if got != "kept" {
		t.Fatalf("first message through the filter = %q, want %q", got, "kept")
	}
	if err := c.SetFilter(nil); err != nil {
		t.Fatal(err)
	}
	send(userMsgType, "after detach")
	if got := receiveOne(t, ctx, c); got != "after detach" {
		t.Fatalf("after detach got %q", got)
	}
	if err := c.SetFilter(nil); err != nil {
		t.Fatalf("detach twice: %v", err)
	}
	// A program that does not end in a return is refused.
	bad := []FilterInstruction{{Op: unix.BPF_LD | unix.BPF_H | unix.BPF_ABS, K: 4}}
	if err := c.SetFilter(bad); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("invalid program: %v, want EINVAL", err)
	}
	c.Close()
	if err := c.SetFilter(prog); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

func receiveOne(t *testing.T, ctx context.Context, c *Conn) string {
	t.Helper()
	for n, err := range c.Receive(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		return string(n.Data)
	}
	t.Fatal("stream ended")
	return ""
}
