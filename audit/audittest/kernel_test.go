//go:build linux

package audittest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/audit"
	"github.com/nlkit/nlkit/audit/audittest"
	"github.com/nlkit/nlkit/internal/auditlock"
	"github.com/nlkit/nlkit/internal/kerneltest"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m)) }

// The fake gives what the kernel gives for the same operations (audit is
// global: the test restores the status and rules it found).
func TestFakeLikeKernel(t *testing.T) {
	kerneltest.Require(t)
	auditlock.Hold(t)
	c, err := audit.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	s, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Enabled == 2 {
		t.Skip("audit configuration is locked (enabled 2): cannot change it")
	}
	rules, err := c.RuleList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.SetRules(ctx, rules)
		c.SetStatus(ctx, audit.StatusChange{RateLimit: &s.RateLimit, BacklogLimit: &s.BacklogLimit,
			BacklogWaitTime: &s.BacklogWaitTime, Failure: &s.Failure})
	})
	b := make([]byte, 4)
	rand.Read(b)
	key := "nlkit-" + hex.EncodeToString(b)
	dir := t.TempDir()
	kernel := ops(t, c, key, dir)
	// Rules the kernel had before are listed too: leave them out.
	var have []string
	for _, r := range rules {
		have = append(have, r.String())
	}
	kernel = slices.DeleteFunc(kernel, func(l string) bool { return slices.Contains(have, l) })

	f := audittest.New()
	defer f.Close()
	fc, err := f.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	fake := ops(t, fc, key, dir)
	if strings.Join(fake, "\n") != strings.Join(kernel, "\n") {
		t.Errorf("fake:\n%s\nkernel:\n%s", strings.Join(fake, "\n"), strings.Join(kernel, "\n"))
	}
}
