package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/audit/audittest"
	"github.com/nlkit/nlkit/netlink"
)

// auditctl's words: parse errors and their messages, exit 255 like
// auditctl's.
func TestParseAudit(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string // "" for no error
	}{
		{[]string{"-s"}, ""},
		{[]string{"-l", "-k", "key"}, ""},
		{[]string{"-e", "1", "-b", "8192", "-r", "0", "--backlog_wait_time", "60000", "-f", "1"}, ""},
		{[]string{"-a", "always,exit", "-F", "arch=b64", "-S", "openat", "-k", "k"}, ""},
		{[]string{"-w", "/etc/passwd", "-p", "wa", "-k", "k"}, ""},
		{[]string{"monitor", "daemon", "key", "k"}, ""},
		{[]string{"sync", "rules.txt"}, ""},
		{[]string{"-R", "audit.rules"}, ""},
		{[]string{"-R"}, "Option -R is invalid"},
		{[]string{"-x"}, "Option -x is invalid"},
		{[]string{"-e"}, "Option -e is invalid"},
		{[]string{"-e", "5"}, "Enable must be 0, 1, or 2 was 5"},
		{[]string{"-f", "7"}, "Failure must be 0, 1, or 2 was 7"},
		{[]string{"-r", "abc"}, "Rate must be a numeric value was abc"},
		{[]string{"-b", "-1"}, "Backlog must be a numeric value was -1"},
		{[]string{"-a", "always,nowhere"}, "Append rule - bad keyword always,nowhere"},
		{[]string{"-d", "x,y"}, "Delete rule - bad keyword x,y"},
		{[]string{"-w", "relative"}, "The path must start with '/'"},
		{[]string{"-k", "k"}, "key option needs a watch or syscall given prior to it"},
		{[]string{"-s", "-l"}, "Only -i option is allowed"},
		{[]string{"-a", "always,exit", "-a", "always,exit"}, "Only one rule per command line"},
		{[]string{"-F", "uid=0"}, "needs a rule"},
		{[]string{}, "No options given"},
		{[]string{"monitor", "nonsense"}, `argument "nonsense" is wrong`},
	} {
		_, err := parseAudit(c.args)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%q: %v", c.args, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%q: %v, want %q", c.args, err, c.want)
		case c.want != "":
			if code := report(&bytes.Buffer{}, err); code != 255 {
				t.Errorf("%q: exit %d, want 255 as auditctl", c.args, code)
			}
		}
	}
}

// auditFakeEnv runs nl audit commands against audittest's fake.
type auditRunner struct {
	t    *testing.T
	fake *audittest.Fake
}

func (r auditRunner) run(want int, stdin string, args ...string) string {
	r.t.Helper()
	return r.runCtx(context.Background(), want, stdin, args...)
}

func (r auditRunner) runCtx(ctx context.Context, want int, stdin string, args ...string) string {
	r.t.Helper()
	opts, rest, err := ParseOptions(args)
	if err != nil {
		r.t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{opts: opts, stdout: &out, rawStdout: &out, stderr: &errb, stdin: strings.NewReader(stdin),
		auditDial: func(cfg *netlink.Config) (*audit.Conn, error) { return r.fake.Dial(cfg) }}
	if code := report(&errb, dispatch(ctx, e, rest)); code != want {
		r.t.Fatalf("nl %s: exit %d (want %d): %s%s", strings.Join(args, " "), code, want, out.String(), errb.String())
	}
	return out.String() + errb.String()
}

// The commands on the fake: no root, the same code as on the kernel.
func TestAuditOnFake(t *testing.T) {
	f := audittest.New()
	defer f.Close()
	r := auditRunner{t: t, fake: f}
	dir := t.TempDir()
	if out := r.run(0, "", "audit", "-s"); !strings.HasPrefix(out, "enabled 0\nfailure 1\npid 0\n") || !strings.HasSuffix(out, "loginuid_immutable 0 unlocked\n") {
		t.Errorf("-s:\n%s", out)
	}
	if out := r.run(0, "", "audit", "-e", "1", "-b", "320"); !strings.Contains(out, "enabled 1\n") || !strings.Contains(out, "backlog_limit 320\n") {
		t.Errorf("-e 1 -b 320:\n%s", out)
	}
	r.run(0, "", "audit", "-w", dir, "-p", "wa", "-k", "w1")
	r.run(0, "", "audit", "-a", "always,exit", "-F", "arch=b64", "-S", "openat,unlinkat", "-F", "auid>=1000", "-k", "s1")
	if out := r.run(255, "", "audit", "-w", dir, "-p", "wa", "-k", "w1"); !strings.Contains(out, "Error sending add rule data request (Rule exists)") {
		t.Errorf("duplicate: %s", out)
	}
	want := "-w " + dir + " -p wa -k w1\n-a always,exit -F arch=b64 -S openat,unlinkat -F auid>=1000 -F key=s1\n"
	if out := r.run(0, "", "audit", "-l"); out != want {
		t.Errorf("-l:\n%s\nwant\n%s", out, want)
	}
	if out := r.run(0, "", "audit", "-l", "-k", "s"); out != "-a always,exit -F arch=b64 -S openat,unlinkat -F auid>=1000 -F key=s1\n" {
		t.Errorf("-l -k s:\n%s", out)
	}
	var rules []map[string]any
	if err := json.Unmarshal([]byte(r.run(0, "", "-j", "audit", "-l")), &rules); err != nil || len(rules) != 2 || rules[1]["list"] != "exit" {
		t.Errorf("-j -l: %v %v", rules, err)
	}
	r.run(0, "", "audit", "-W", dir, "-p", "wa", "-k", "w1")
	if out := r.run(255, "", "audit", "-W", dir, "-p", "wa", "-k", "w1"); !strings.Contains(out, "(No such file or directory)") {
		t.Errorf("delete missing: %s", out)
	}
	// sync: twice, the second changes nothing.
	file := filepath.Join(dir, "audit.rules")
	os.WriteFile(file, []byte("# rules\n-D\n-b 8192\n-w "+dir+" -p wa -k w2\n-a always,exit -F arch=b64 -S openat,unlinkat -F auid>=1000 -F key=s1\n"), 0o644)
	if out := r.run(0, "", "audit", "sync", file); out != "+ -w "+dir+" -p wa -k w2\n" {
		t.Errorf("sync:\n%s", out)
	}
	if out := r.run(0, "", "audit", "sync", file); out != "" {
		t.Errorf("second sync changed:\n%s", out)
	}
	if out := r.run(0, "", "audit", "sync", "-"); out != "- -a always,exit -F arch=b64 -S openat,unlinkat -F auid>=1000 -F key=s1\n- -w "+dir+" -p wa -k w2\n" {
		t.Errorf("sync to nothing:\n%s", out)
	}
	if out := r.run(0, "", "audit", "--reset-lost"); out != "lost: 0\n" {
		t.Errorf("--reset-lost: %q", out)
	}
	// -m: a user message, logged as a USER record (audit is on: -e 1 above).
	l, err := f.DialListener(nil)
	if err != nil {
		t.Fatal(err)
	}
	r.run(0, "", "audit", "-m", "hello from nl")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	for ev, err := range l.Events(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if msg, _ := ev.Records[0].Value("msg"); ev.Records[0].Type != audit.TypeUser || !strings.HasPrefix(msg, "hello from nl exe=") || !strings.HasSuffix(msg, "res=success") {
			t.Errorf("-m gave %s", ev)
		}
		break
	}
	cancel()
	// --loginuid-immutable locks the feature, as auditctl's does.
	r.run(0, "", "audit", "--loginuid-immutable")
	if out := r.run(0, "", "audit", "-s"); !strings.HasSuffix(out, "loginuid_immutable 1 locked\n") {
		t.Errorf("-s after --loginuid-immutable:\n%s", out)
	}
	// A locked configuration: changes refused, exit 255.
	s := f.Status()
	s.Enabled = 2
	f.SetStatus(s)
	if out := r.run(255, "", "audit", "-r", "5"); !strings.Contains(out, "Error sending rate limit request (Operation not permitted)") {
		t.Errorf("locked: %s", out)
	}
}

// nl audit monitor prints the fake's scripted events, as text and as JSON
// lines, as a listener and as the daemon.
func TestAuditMonitorOnFake(t *testing.T) {
	for _, c := range []struct {
		args  []string
		check func(string) bool
	}{
		{[]string{"audit", "monitor"}, func(out string) bool {
			return strings.Contains(out, "----\ntype=SYSCALL msg=audit(") && strings.Contains(out, `key="k"`) &&
				strings.Contains(out, "type=PATH msg=audit(") && !strings.Contains(out, "type=EOE")
		}},
		{[]string{"-j", "audit", "monitor", "daemon", "key", "k"}, func(out string) bool {
			lines := strings.Split(strings.TrimSpace(out), "\n")
			for _, l := range lines {
				var ev struct {
					Serial  uint64
					Key     string
					Records []struct {
						Type   string
						Fields map[string]string
					}
				}
				if json.Unmarshal([]byte(l), &ev) != nil || ev.Key != "k" || len(ev.Records) != 2 || ev.Records[1].Fields["name"] != "/etc/hosts" {
					return false
				}
			}
			return len(lines) >= 1 && lines[0] != ""
		}},
	} {
		f := audittest.New()
		r := auditRunner{t: t, fake: f}
		ctx, cancel := context.WithCancel(context.Background())
		var out string
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			out = r.runCtx(ctx, 0, "", c.args...)
		}()
		// Wait for the monitor's socket, then play two events.
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if f.Status().PID != 0 || !strings.Contains(strings.Join(c.args, " "), "daemon") {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		// The listener may join a little later: play the events a few
		// times (the checks accept one or more).
		for range 5 {
			time.Sleep(50 * time.Millisecond)
			f.EmitEvent(audittest.Record{Type: audit.TypeSyscall, Text: `arch=c000003e syscall=257 success=yes key="k"`},
				audittest.Record{Type: audit.TypePath, Text: `item=0 name="/etc/hosts"`})
			f.EmitEvent(audittest.Record{Type: audit.TypeSyscall, Text: `arch=c000003e syscall=59 success=yes key="other"`})
		}
		time.Sleep(100 * time.Millisecond)
		cancel()
		wg.Wait()
		f.Close()
		if !c.check(out) {
			t.Errorf("nl %s:\n%s", strings.Join(c.args, " "), out)
		}
	}
}
