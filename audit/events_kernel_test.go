//go:build linux

package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// enableAudit turns audit on for the test (kernelConn restores it).
func enableAudit(t *testing.T, c *Conn) {
	t.Helper()
	on := uint32(1)
	if err := c.SetStatus(context.Background(), StatusChange{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
}

// watchEvent adds a watch on a new file, touches it from a child process
// and returns the event with the watch's key from the stream c gives.
func watchEvent(t *testing.T, ctl, c *Conn) (Event, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	key := uniqueKey(t)
	file := filepath.Join(t.TempDir(), "watched")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := RuleFromArgs([]string{"-w", file, "-p", "wa", "-k", key}, HostArch())
	if err != nil {
		t.Fatal(err)
	}
	if err := ctl.AddRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctl.DeleteRule(context.Background(), r) })
	go func() {
		time.Sleep(50 * time.Millisecond) // let Events start
		if err := helper("touch:" + file); err != nil {
			t.Errorf("helper: %v", err)
		}
	}()
	for ev, err := range c.Events(ctx, nil) {
		if err != nil {
			if errors.Is(err, netlink.ErrOverrun) {
				t.Logf("loss: %v", err)
				continue
			}
			t.Fatalf("events: %v", err)
		}
		if ev.Key() == key {
			return ev, file
		}
	}
	t.Fatal("stream ended")
	return Event{}, ""
}

func checkWatchEvent(t *testing.T, ev Event, file string) {
	t.Helper()
	var types []RecordType
	for _, r := range ev.Records {
		types = append(types, r.Type)
	}
	for _, want := range []RecordType{TypeSyscall, TypeCWD, TypePath, TypeProctitle} {
		if !slices.Contains(types, want) {
			t.Errorf("event %d has records %v, no %s:\n%s", ev.Serial, types, want, ev)
		}
	}
	if !ev.EOE {
		t.Errorf("event ended without EOE:\n%s", ev)
	}
	named := false
	for _, r := range ev.Records {
		if r.Serial != ev.Serial {
			t.Errorf("record serial %d in event %d", r.Serial, ev.Serial)
		}
		if v, _ := r.Value("name"); r.Type == TypePath && v == file {
			named = true
		}
	}
	if !named {
		t.Errorf("no PATH record names %s:\n%s", file, ev)
	}
	if p, ok := ev.Record(TypeProctitle); ok {
		if v, _ := p.Value("proctitle"); v == "" || v[0] != '/' {
			t.Errorf("proctitle %q not decoded to the child's command line", v)
		}
	}
	if comm, _ := ev.Value("comm"); comm == "" {
		t.Errorf("no comm in:\n%s", ev)
	}
}

// As the audit daemon: the watched file's event arrives unicast, whole.
func TestEventsDaemon(t *testing.T) {
	ctl := kernelConn(t)
	s, _ := ctl.Status(context.Background())
	if s.PID != 0 {
		t.Skipf("another audit daemon holds the registration: pid %d (%s)", s.PID, procName(s.PID))
	}
	enableAudit(t, ctl)
	d, err := DialDaemon(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if s, _ := ctl.Status(context.Background()); s.PID != uint32(os.Getpid()) {
		t.Fatalf("registered pid %d, want %d", s.PID, os.Getpid())
	}
	// A second daemon is refused, and told where to go.
	if d2, err := DialDaemon(context.Background(), nil); err == nil {
		d2.Close()
		t.Errorf("a second DialDaemon succeeded")
	} else if !errors.Is(err, os.ErrExist) {
		t.Errorf("second DialDaemon: %v, want EEXIST", err)
	} else {
		t.Logf("second daemon: %v", err)
	}
	ev, file := watchEvent(t, ctl, d)
	checkWatchEvent(t, ev, file)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if s, _ := ctl.Status(context.Background()); s.PID != 0 {
		t.Errorf("pid %d after Close, want 0", s.PID)
	}
}

// As a multicast listener: the same, alongside no daemon.
func TestEventsListener(t *testing.T) {
	ctl := kernelConn(t)
	enableAudit(t, ctl)
	l, err := DialListener(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	ev, file := watchEvent(t, ctl, l)
	checkWatchEvent(t, ev, file)
}
