//go:build linux

package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/internal/auditlock"
	"github.com/nlkit/nlkit/internal/kerneltest"
)

// auditKernel saves the kernel's audit status and rules and restores them
// at cleanup (audit is global), and returns a runner of nl and one of
// auditctl giving output and exit code.
func auditKernel(t *testing.T) (nl, ctl func(args ...string) (string, int)) {
	kerneltest.Require(t)
	path := kerneltest.Tool(t, "auditctl", "auditd")
	auditlock.Hold(t)
	c, err := audit.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Enabled == 2 {
		t.Skip("audit configuration is locked (enabled 2): the tests that change audit cannot run")
	}
	rules, err := c.RuleList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer c.Close()
		if _, err := c.SetRules(ctx, rules); err != nil {
			t.Errorf("restore rules: %v", err)
		}
		if err := c.SetStatus(ctx, audit.StatusChange{Failure: &s.Failure, RateLimit: &s.RateLimit,
			BacklogLimit: &s.BacklogLimit, BacklogWaitTime: &s.BacklogWaitTime, Enabled: &s.Enabled}); err != nil {
			t.Errorf("restore status: %v", err)
		}
	})
	nl = func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := Run(ctx, append([]string{"audit"}, args...), &out, &errb)
		return out.String() + errb.String(), code
	}
	// Both give standard output, then standard error.
	ctl = func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		cmd := exec.Command(path, args...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String() + errb.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String() + errb.String(), 0
	}
	return nl, ctl
}

// nl audit -s, -l and the status changes print what auditctl prints, and
// bad words exit as auditctl's do.
func TestAuditLikeAuditctl(t *testing.T) {
	nl, ctl := auditKernel(t)
	same := func(args ...string) {
		t.Helper()
		got, gc := nl(args...)
		want, wc := ctl(args...)
		if got != want || gc != wc {
			t.Errorf("nl audit %s (exit %d):\n%s\nauditctl (exit %d):\n%s", strings.Join(args, " "), gc, got, wc, want)
		}
	}
	same("-s")
	same("-l")
	dir := t.TempDir()
	for _, r := range [][]string{
		{"-w", dir, "-p", "wa", "-k", "nlkit-cli-1"},
		{"-a", "always,exit", "-F", "arch=b64", "-S", "openat,open", "-F", "dir=" + dir, "-F", "perm=r", "-k", "nlkit-cli-2"},
		{"-a", "exit,always", "-F", "arch=b32", "-S", "chmod", "-F", "auid>=1000", "-F", "auid!=unset", "-k", "nlkit-cli-3"},
		{"-A", "always,exit", "-F", "arch=b64", "-S", "execve", "-C", "uid!=euid", "-k", "nlkit-cli-4"},
		{"-a", "never,exclude", "-F", "msgtype=1399"},
	} {
		if out, code := nl(r...); code != 0 {
			t.Fatalf("nl audit %s: exit %d: %s", strings.Join(r, " "), code, out)
		}
	}
	same("-l")
	same("-l", "-k", "nlkit-cli-2")
	same("-a", "always,exit", "-F", "arch=b64", "-S", "openat,open", "-F", "dir="+dir, "-F", "perm=r", "-k", "nlkit-cli-2") // exists: 255 both
	same("-a", "never,exclude", "-F", "msgtype=1399")                                                                       // exists
	// Changes: each tool on its own state.
	if out, code := nl("-W", dir, "-p", "wa", "-k", "nlkit-cli-1"); code != 0 {
		t.Errorf("nl audit -W: exit %d: %s", code, out)
	}
	same("-W", dir, "-p", "wa", "-k", "nlkit-cli-1") // gone: 255 both
	same("-D", "-k", "nlkit-nothing")                // nothing deleted
	nlOut, nlCode := nl("-D", "-k", "nlkit-cli")
	same("-l")
	ctlOut, ctlCode := ctl("-D") // the exclude rule is left
	if nlOut != ctlOut || nlCode != ctlCode {
		t.Errorf("-D: nl %q %d, auditctl %q %d", nlOut, nlCode, ctlOut, ctlCode)
	}
	same("-l")
	same("-D")
	s, _ := nl("-s")
	for _, set := range [][]string{{"-r", "0"}, {"-b", "321"}, {"--backlog_wait_time", "15000"}, {"-f", "1"}} {
		same(set...)
	}
	for _, bad := range [][]string{{"-x"}, {"-e", "5"}, {"-f", "7"}, {"-r", "abc"}, {"-b", "-1"}, {"-w", "relative"},
		{"-a", "always,nowhere"}, {"-e"}, {"--backlog_wait_time", "999999999"}} {
		_, gc := nl(bad...)
		_, wc := ctl(bad...)
		if gc != wc {
			t.Errorf("nl audit %s: exit %d, auditctl %d", strings.Join(bad, " "), gc, wc)
		}
	}
	_ = s
	// -R: a rules file, run line by line, stopping at its first error.
	file := filepath.Join(t.TempDir(), "audit.rules")
	os.WriteFile(file, []byte("-D\n-b 320\n# comment\n\n-w "+dir+" -p wa -k nlkit-cli-r\n-a always,nowhere\n-w "+dir+"/x -k nlkit-cli-r2\n"), 0o644)
	nlOut, nlCode = nl("-R", file)
	nlRules, _ := nl("-l")
	ctlOut, ctlCode = ctl("-R", file)
	ctlRules, _ := ctl("-l")
	if nlOut != ctlOut || nlCode != ctlCode || nlRules != ctlRules {
		t.Errorf("-R: nl (exit %d):\n%s%s\nauditctl (exit %d):\n%s%s", nlCode, nlOut, nlRules, ctlCode, ctlOut, ctlRules)
	}
}
