package nltest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var updateRecording = flag.Bool("update", false, "re-record testdata/session.rec against the kernel")

// session is what both the recording and the replay run: a link lookup, a
// dump of addresses, and a lookup that fails.
func session(t *testing.T, c *netlink.Conn) (lo string, addrs int, missErr error) {
	t.Helper()
	ctx := context.Background()
	msgs, err := c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: ifinfomsg(1)})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("get link 1: %v (%d messages)", err, len(msgs))
	}
	d := nlattr.NewDecoder(msgs[0].Data[16:])
	for d.Next() {
		if d.Type() == unix.IFLA_IFNAME {
			lo = d.String()
		}
	}
	for _, err := range c.Dump(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETADDR}, Data: make([]byte, 8)}) {
		if err != nil {
			t.Fatal(err)
		}
		addrs++
	}
	e := nlattr.NewEncoder(ifinfomsg(0))
	e.String(unix.IFLA_IFNAME, "missing0")
	b, _ := e.Finish()
	_, missErr = c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: b})
	return lo, addrs, missErr
}

func ifinfomsg(index int32) []byte {
	b := make([]byte, 16)
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

func checkSession(t *testing.T, lo string, addrs int, missErr error) {
	t.Helper()
	if lo != "lo" || addrs != 2 || !errors.Is(missErr, syscall.ENODEV) {
		t.Fatalf("session: link %q, %d addresses, missing link: %v", lo, addrs, missErr)
	}
}

// TestRecordAndReplay records a session against the kernel (in a
// throwaway namespace) and replays it without one.
func TestRecordAndReplay(t *testing.T) {
	ns := kerneltest.NetNS(t)
	var rec Recorder
	c, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns, Trace: rec.Trace})
	if err != nil {
		t.Fatal(err)
	}
	lo, n, miss := session(t, c)
	checkSession(t, lo, n, miss)
	c.Close()
	var buf bytes.Buffer
	if err := rec.Save(&buf); err != nil {
		t.Fatal(err)
	}
	if *updateRecording {
		if err := os.WriteFile(filepath.Join("testdata", "session.rec"), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rp, err := LoadReplay(&buf)
	if err != nil {
		t.Fatal(err)
	}
	fake, err := Dial(rp, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	lo, n, miss = session(t, fake)
	checkSession(t, lo, n, miss)
	if rp.Remaining() != 0 {
		t.Fatalf("%d recorded requests not replayed", rp.Remaining())
	}
}

// TestReplayTestdata replays a recording kept in testdata: no root needed.
func TestReplayTestdata(t *testing.T) {
	rp, err := LoadReplayFile(filepath.Join("testdata", "session.rec"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(rp, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lo, n, miss := session(t, c)
	checkSession(t, lo, n, miss)
	// A request the recording does not have is refused, with an explanation.
	_, err = c.Execute(context.Background(), netlink.Message{Header: netlink.Header{Type: unix.RTM_GETLINK}, Data: ifinfomsg(1)})
	var ne *netlink.Error
	if !errors.As(err, &ne) || ne.Message == "" {
		t.Fatalf("unrecorded request: %v", err)
	}
}
