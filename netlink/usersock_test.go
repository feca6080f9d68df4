package netlink

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

const (
	userMsgType = 0x20 // any type above the control range
	userGroup   = 3
)

// echoPeer answers each message from a peer with "echo:" + payload to the
// sender and "mc:" + payload to userGroup, until ctx ends or n messages.
func echoPeer(ctx context.Context, c *Conn, n int) error {
	for note, err := range c.Receive(ctx) {
		if err != nil {
			return err
		}
		if note.SenderPort == 0 {
			continue
		}
		reply := Message{Header: Header{Type: userMsgType}, Data: append([]byte("echo:"), note.Data...)}
		if err := c.SendTo(ctx, reply, note.SenderPort, 0); err != nil {
			return err
		}
		mc := Message{Header: Header{Type: userMsgType}, Data: append([]byte("mc:"), note.Data...)}
		if err := c.SendTo(ctx, mc, 0, userGroup); err != nil {
			return err
		}
		if n--; n == 0 {
			return nil
		}
	}
	return nil
}

// expectEcho sends "hello" to peer and waits for its unicast and multicast answers.
func expectEcho(t *testing.T, c *Conn, peer uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.SendTo(ctx, Message{Header: Header{Type: userMsgType}, Data: []byte("hello")}, peer, 0); err != nil {
		t.Fatal(err)
	}
	gotUnicast, gotMulticast := false, false
	for note, err := range c.Receive(ctx) {
		if err != nil {
			t.Fatalf("receive: %v (unicast %v, multicast %v)", err, gotUnicast, gotMulticast)
		}
		if note.SenderPort != peer {
			t.Fatalf("message from port %d, want %d", note.SenderPort, peer)
		}
		switch string(note.Data) {
		case "echo:hello":
			if note.Group != 0 {
				t.Fatalf("unicast reply came on group %d", note.Group)
			}
			gotUnicast = true
		case "mc:hello":
			if note.Group != userGroup {
				t.Fatalf("multicast came on group %d, want %d", note.Group, userGroup)
			}
			gotMulticast = true
		default:
			t.Fatalf("unexpected %q", note.Data)
		}
		if gotUnicast && gotMulticast {
			return
		}
	}
}

// TestUsersockInProcess: two Conns of NETLINK_USERSOCK in one process talk
// by unicast and multicast.
func TestUsersockInProcess(t *testing.T) {
	ns := kerneltest.NetNS(t)
	peer, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	c, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true, Groups: []uint32{userGroup}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- echoPeer(ctx, peer, 1) }()
	expectEcho(t, c, peer.PortID())
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Without AcceptPeers, user-space datagrams are dropped and counted.
	strict, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer strict.Close()
	if err := c.SendTo(ctx, Message{Header: Header{Type: userMsgType}, Data: []byte("x")}, strict.PortID(), 0); err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer rcancel()
	for _, err := range strict.Receive(rctx) {
		if err == nil {
			t.Fatal("a Conn without AcceptPeers delivered a user-space datagram")
		}
		break
	}
	if s := strict.Stats(); s.Forged != 1 {
		t.Fatalf("dropped %d, want 1", s.Forged)
	}
}

// TestUsersockBetweenProcesses: the peer is another process (this test
// binary run again), in the same throwaway namespace.
func TestUsersockBetweenProcesses(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true, Groups: []uint32{userGroup}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "NLKIT_USERSOCK_PEER="+ns.Path())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	sc := bufio.NewScanner(out)
	var port uint32
	for sc.Scan() {
		if p, ok := strings.CutPrefix(sc.Text(), "PEER-PORT "); ok {
			v, err := strconv.ParseUint(p, 10, 32)
			if err != nil {
				t.Fatal(err)
			}
			port = uint32(v)
			break
		}
	}
	if port == 0 {
		t.Fatal("peer process did not report its port")
	}
	if port == c.PortID() {
		t.Fatal("same port")
	}
	expectEcho(t, c, port)
	go func() {
		for sc.Scan() {
		}
	}()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("peer process: %v", err)
	}
}

// usersockPeerMain is the child side of TestUsersockBetweenProcesses,
// started by TestMain when NLKIT_USERSOCK_PEER names a namespace.
func usersockPeerMain(path string) error {
	ns, err := netns.OpenPath(path)
	if err != nil {
		return err
	}
	defer ns.Close()
	c, err := Dial(unix.NETLINK_USERSOCK, &Config{NetNS: ns, AcceptPeers: true})
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Printf("PEER-PORT %d\n", c.PortID())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return echoPeer(ctx, c, 1)
}

func TestMain(m *testing.M) {
	if path := os.Getenv("NLKIT_USERSOCK_PEER"); path != "" {
		if err := usersockPeerMain(path); err != nil {
			fmt.Fprintln(os.Stderr, "usersock peer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(kerneltest.Main(m))
}
