//go:build linux

package audit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/auditlock"
	"github.com/nlkit/nlkit/internal/kerneltest"
)

// Audit is global: it exists only in the initial network and user
// namespace, so these tests change the machine's audit state. Each saves
// status, features and rules before it starts, and restores them at
// t.Cleanup (also when it fails), and uses its own rule keys.

// kernelConn dials audit for a kernel test, after checking the test can
// change audit (root, not locked), and restores the audit state at
// cleanup. The Conn is closed at cleanup.
func kernelConn(t *testing.T) *Conn {
	t.Helper()
	kerneltest.Require(t)
	auditlock.Hold(t)
	c, err := Dial(nil)
	if err != nil {
		t.Fatalf("dial audit: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	ctx := context.Background()
	s, err := c.Status(ctx)
	if err != nil {
		t.Fatalf("audit status: %v", err)
	}
	if s.Enabled == 2 {
		t.Skipf("audit configuration is locked (auditctl -s: enabled 2, until reboot): the tests that change audit cannot run")
	}
	saveAudit(t, c, s)
	return c
}

// saveAudit restores, at cleanup, the status s, the features and the rules
// the kernel has now, and gives up a daemon registration of this process.
func saveAudit(t *testing.T, c *Conn, s Status) {
	t.Helper()
	ctx := context.Background()
	f, err := c.Features(ctx)
	if err != nil {
		t.Fatalf("audit features: %v", err)
	}
	rules, err := c.RuleList(ctx)
	if err != nil {
		t.Fatalf("audit rules: %v", err)
	}
	tty, err := c.TTY(ctx)
	if err != nil {
		t.Fatalf("tty auditing: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		rc, err := Dial(nil)
		if err != nil {
			t.Errorf("restore audit: %v", err)
			return
		}
		defer rc.Close()
		now, err := rc.Status(ctx)
		if err != nil {
			t.Errorf("restore audit: %v", err)
			return
		}
		if now.PID == uint32(os.Getpid()) {
			if err := rc.setPID(ctx, 0); err != nil {
				t.Errorf("restore audit: unregister our pid: %v", err)
			}
		}
		if _, err := rc.SetRules(ctx, rules); err != nil {
			t.Errorf("restore audit rules: %v", err)
		}
		if err := rc.SetStatus(ctx, StatusChange{
			Failure: &s.Failure, RateLimit: &s.RateLimit, BacklogLimit: &s.BacklogLimit,
			BacklogWaitTime: &s.BacklogWaitTime, Enabled: &s.Enabled,
		}); err != nil {
			t.Errorf("restore audit status: %v", err)
		}
		nf, err := rc.Features(ctx)
		if err == nil && nf != f {
			for _, ft := range []Feature{FeatureOnlyUnsetLoginUID, FeatureLoginUIDImmutable} {
				if nf.Has(ft) != f.Has(ft) && !nf.IsLocked(ft) {
					if err := rc.SetFeature(ctx, ft, f.Has(ft), false); err != nil {
						t.Errorf("restore audit feature %s: %v", ft, err)
					}
				}
			}
		}
		if err := rc.SetTTY(ctx, tty); err != nil {
			t.Errorf("restore tty auditing: %v", err)
		}
		// Check that it was restored.
		after, err := rc.Status(ctx)
		if err != nil {
			t.Errorf("restore audit: %v", err)
			return
		}
		if after.Enabled != s.Enabled || after.Failure != s.Failure || after.RateLimit != s.RateLimit ||
			after.BacklogLimit != s.BacklogLimit || after.BacklogWaitTime != s.BacklogWaitTime ||
			after.PID == uint32(os.Getpid()) {
			t.Errorf("audit status not restored:\n%v\nwant\n%v", after, s)
		}
		got, _ := rc.RuleList(ctx)
		if !slices.Equal(ruleTexts(got), ruleTexts(rules)) {
			t.Errorf("audit rules not restored:\n%s\nwant\n%s", strings.Join(ruleTexts(got), "\n"), strings.Join(ruleTexts(rules), "\n"))
		}
	})
}

func ruleTexts(rs []Rule) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.String()
	}
	return out
}

// uniqueKey returns a rule key no other test run uses.
func uniqueKey(t *testing.T) string {
	b := make([]byte, 4)
	rand.Read(b)
	return "nlkit-" + hex.EncodeToString(b)
}

// auditctl runs auditctl with args and returns its output.
func auditctl(t *testing.T, args ...string) string {
	t.Helper()
	path := kerneltest.Tool(t, "auditctl", "auditd")
	out, err := exec.Command(path, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("auditctl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// The helper child: started with helperEnv set, it makes the system calls
// the test asks for and exits.
const helperEnv = "NLKIT_AUDIT_HELPER"

// helperMain runs in the child. NLKIT_AUDIT_HELPER is "touch:PATH" (open
// PATH for writing and close it) or "getppid:N" (N getppid calls).
func helperMain() int {
	what, arg, _ := strings.Cut(os.Getenv(helperEnv), ":")
	switch what {
	case "touch":
		f, err := os.OpenFile(arg, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return 1
		}
		f.Write([]byte("x"))
		f.Close()
	case "getppid":
		n, _ := strconv.Atoi(arg)
		for range n {
			syscall.RawSyscall(syscall.SYS_GETPPID, 0, 0, 0)
		}
	}
	return 0
}

// helper runs the helper child and waits for it.
func helper(what string) error {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+what)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("helper %s: %v\n%s", what, err, out)
	}
	return nil
}
