package netlink

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"golang.org/x/sys/unix"
)

// Config.MaxDatagram: datagrams up to it are read whole with one recvmsg;
// a larger one is reported as ErrTruncated, never parsed, and the next
// Receive goes on with what follows.
func TestMaxDatagram(t *testing.T) {
	ns := kerneltest.NetNS(t)
	rx, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true, MaxDatagram: 1024})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	tx, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	small := bytes.Repeat([]byte{'s'}, 1024-HeaderLen)
	for _, d := range [][]byte{small, bytes.Repeat([]byte{'b'}, 1025), []byte("after")} {
		if err := tx.SendTo(ctx, Message{Header: Header{Type: userMsgType}, Data: d}, rx.PortID(), 0); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for range 3 {
		for n, err := range rx.Receive(ctx) {
			switch {
			case errors.Is(err, ErrTruncated):
				got = append(got, "truncated")
			case err != nil:
				t.Fatal(err)
			default:
				got = append(got, string(n.Data[:1])+string(rune('0'+len(n.Data)/1000)))
			}
			break
		}
	}
	if want := []string{"s1", "truncated", "a0"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("got %q, want %q", got, want)
	}
}
