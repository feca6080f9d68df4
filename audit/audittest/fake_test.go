package audittest_test

import (
	"context"
	"errors"
	"io/fs"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/audit/audittest"
	"github.com/nlkit/nlkit/netlink"
)

// ops runs the same sequence of operations on c and returns what they
// gave, for the fake and the kernel to be compared.
func ops(t *testing.T, c *audit.Conn, key, dir string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	say := func(format string, err error) {
		switch {
		case err == nil:
			out = append(out, format+": ok")
		case errors.Is(err, fs.ErrExist):
			out = append(out, format+": exists")
		case errors.Is(err, fs.ErrNotExist):
			out = append(out, format+": not found")
		default:
			out = append(out, format+": "+err.Error())
		}
	}
	s0, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u := func(v uint32) *uint32 { return &v }
	say("set", c.SetStatus(ctx, audit.StatusChange{RateLimit: u(77), BacklogLimit: u(999), BacklogWaitTime: u(1234), Failure: u(0)}))
	s, _ := c.Status(ctx)
	out = append(out, strings.Join([]string{"rate", itoa(s.RateLimit), "backlog", itoa(s.BacklogLimit), "wait", itoa(s.BacklogWaitTime), "failure", itoa(s.Failure)}, " "))
	_, err = c.FlushLost(ctx)
	say("reset lost", err)
	s, _ = c.Status(ctx)
	out = append(out, "lost "+itoa(s.Lost))
	var rules []audit.Rule
	for _, line := range []string{
		"-a always,exit -F arch=b64 -S openat -F dir=" + dir + " -F perm=wa -k " + key,
		"-w " + dir + "/file -p wa -k " + key,
		"-a always,exclude -F msgtype=1399",
		"-A always,exit -F arch=b64 -S execve -F uid=4321 -k " + key,
	} {
		r, err := audit.RuleFromArgs(strings.Fields(line), audit.ArchX86_64)
		if err != nil {
			t.Fatal(err)
		}
		rules = append(rules, r)
		say("add", c.AddRule(ctx, r))
	}
	say("add again", c.AddRule(ctx, rules[0]))
	nowhere, _ := audit.RuleFromArgs([]string{"-w", "/nlkit-nowhere/file"}, audit.ArchX86_64)
	say("add nowhere", c.AddRule(ctx, nowhere))
	list, err := c.RuleList(ctx)
	say("list", err)
	for _, r := range list {
		out = append(out, r.String())
	}
	for _, r := range rules {
		say("delete", c.DeleteRule(ctx, r))
	}
	say("delete again", c.DeleteRule(ctx, rules[0]))
	ch, err := c.SetRules(ctx, rules[:2])
	say("set rules", err)
	out = append(out, "added "+itoa(uint32(len(ch.Added)))+" deleted "+itoa(uint32(len(ch.Deleted))))
	ch, err = c.SetRules(ctx, rules[:2])
	say("set rules again", err)
	out = append(out, "added "+itoa(uint32(len(ch.Added)))+" deleted "+itoa(uint32(len(ch.Deleted))))
	for _, r := range rules[:2] {
		say("delete", c.DeleteRule(ctx, r))
	}
	tty, err := c.TTY(ctx)
	say("tty", err)
	say("set tty", c.SetTTY(ctx, audit.TTY{Enabled: !tty.Enabled}))
	tty2, _ := c.TTY(ctx)
	out = append(out, "tty flipped "+map[bool]string{true: "yes", false: "no"}[tty2.Enabled != tty.Enabled])
	say("set tty back", c.SetTTY(ctx, tty))
	say("restore", c.SetStatus(ctx, audit.StatusChange{RateLimit: &s0.RateLimit, BacklogLimit: &s0.BacklogLimit, BacklogWaitTime: &s0.BacklogWaitTime, Failure: &s0.Failure}))
	return out
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// The fake answers as the audit package expects, without root.
func TestFakeOps(t *testing.T) {
	f := audittest.New()
	defer f.Close()
	c, err := f.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	got := ops(t, c, "k", dir)
	want := []string{
		"set: ok", "rate 77 backlog 999 wait 1234 failure 0", "reset lost: ok", "lost 0",
		"add: ok", "add: ok", "add: ok", "add: ok", "add again: exists", "add nowhere: not found", "list: ok",
		"-a always,exit -F arch=b64 -S execve -F uid=4321 -F key=k",
		"-a always,exit -F arch=b64 -S openat -F dir=" + dir + " -F perm=wa -F key=k",
		"-w " + dir + "/file -p wa -k k",
		"-a always,exclude -F msgtype=1399",
		"delete: ok", "delete: ok", "delete: ok", "delete: ok", "delete again: not found",
		"set rules: ok", "added 2 deleted 0", "set rules again: ok", "added 0 deleted 0",
		"delete: ok", "delete: ok", "tty: ok", "set tty: ok", "tty flipped yes", "set tty back: ok", "restore: ok",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The scripted stream reaches a daemon (unicast) and a listener
// (multicast), reassembled; a lost count shows as a LossError.
func TestFakeStream(t *testing.T) {
	f := audittest.New()
	defer f.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := f.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.SetDaemon(ctx); err != nil {
		t.Fatal(err)
	}
	d2, _ := f.Dial(nil)
	if err := d2.SetDaemon(ctx); !errors.Is(err, syscall.EEXIST) || !strings.Contains(err.Error(), "DialListener") {
		t.Errorf("second daemon: %v", err)
	}
	l, err := f.DialListener(nil)
	if err != nil {
		t.Fatal(err)
	}
	f.EmitEvent(
		audittest.Record{Type: audit.TypeSyscall, Text: `arch=c000003e syscall=257 success=yes exit=3 comm="touch" exe="/usr/bin/touch" key="k"`},
		audittest.Record{Type: audit.TypeCWD, Text: `cwd="/"`},
		audittest.Record{Type: audit.TypePath, Text: `item=0 name="/tmp/f" nametype=CREATE`},
		audittest.Record{Type: audit.TypeProctitle, Text: `proctitle=746F756368002F746D702F66`},
	)
	for _, c := range []*audit.Conn{d, l} {
		for ev, err := range c.Events(ctx, nil) {
			if err != nil {
				t.Fatal(err)
			}
			if ev.Key() != "k" || len(ev.Records) != 4 || !ev.EOE {
				t.Errorf("event %+v", ev)
			}
			if v, _ := ev.Value("proctitle"); v != "touch\x00/tmp/f" {
				t.Errorf("proctitle %q", v)
			}
			break
		}
	}
	// Loss: the lost counter grows while a stream polls it.
	f.Lose(0)
	go func() {
		time.Sleep(100 * time.Millisecond)
		f.Lose(5)
	}()
	for _, err := range l.Events(ctx, &audit.EventConfig{LostInterval: 20 * time.Millisecond}) {
		var le *audit.LossError
		if errors.As(err, &le) && errors.Is(err, netlink.ErrOverrun) {
			if le.Lost != 5 {
				t.Errorf("lost %d, want 5", le.Lost)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	// A loss on the way (the fake's Overrun): the stream says so and
	// goes on with what comes after.
	f.Server().Overrun()
	go func() {
		time.Sleep(50 * time.Millisecond)
		f.Emit(audit.TypeTrustedApp, "pid=1 uid=0 auid=0 ses=1 msg='op=after'")
	}()
	overrun := false
	for ev, err := range l.Events(ctx, &audit.EventConfig{LostInterval: -1}) {
		var le *audit.LossError
		if errors.As(err, &le) && le.Overrun {
			overrun = true
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if op, _ := ev.Value("op"); op == "after" {
			break
		}
	}
	if !overrun {
		t.Errorf("no overrun reported")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if f.Status().PID != 0 {
		t.Errorf("pid %d after the daemon's Close", f.Status().PID)
	}
	// A locked configuration refuses changes.
	s := f.Status()
	s.Enabled = 2
	f.SetStatus(s)
	one := uint32(1)
	if err := l.SetStatus(ctx, audit.StatusChange{RateLimit: &one}); !errors.Is(err, syscall.EPERM) || !strings.Contains(err.Error(), "locked") {
		t.Errorf("locked: %v", err)
	}
}
