package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// Regression tests for what the kernel's selftests and iproute2's
// testsuite found nl doing unlike ip (TestForeignSuites): each runs a
// shell script twice in a fresh network and mount namespace (a private
// /run/netns), once with ip and once with nl as `ip` first in PATH, and
// compares the output, line by line, and the exit status.

// nlAsIP builds nl into a temporary directory holding an `ip` symlink to
// it and returns that directory.
func nlAsIP(t *testing.T) string {
	t.Helper()
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "nl"), "../../cmd/nl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.Symlink("nl", filepath.Join(bin, "ip")); err != nil {
		t.Fatal(err)
	}
	return bin
}

// shLikeIP runs script with bash (set -x is not used: the script echoes
// what it wants compared) with ip and with nl as ip, and fails when their
// outputs (stdout and stderr together) or exit statuses differ.
func shLikeIP(t *testing.T, bin, script string) {
	t.Helper()
	kerneltest.Require(t)
	kerneltest.Tool(t, "unshare", "util-linux")
	if err := os.MkdirAll("/run/netns", 0o755); err != nil {
		t.Fatal(err)
	}
	run := func(env []string) (string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := isolated(ctx, t.TempDir(), env, "bash", "-c", script)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return out.String(), exitCode(err)
	}
	ipOut, ipCode := run(nil)
	nlOut, nlCode := run([]string{"PATH=" + bin + ":" + os.Getenv("PATH")})
	if ipOut != nlOut || ipCode != nlCode {
		t.Errorf("script:\n%s\nip (exit %d):\n%s\nnl as ip (exit %d):\n%s", script, ipCode, ipOut, nlCode, nlOut)
	}
}

// TestNetnsWordsLikeIP: ip's netns list, add and delete ignore the words
// after them (lib.sh's cleanup_ns runs `ip netns list \| grep -vq NAME`
// through busywait, which hands the bar and grep's words to ip: nl's
// refusal made every namespace cleanup wait 20 s and fail, aborting
// fib_tests.sh under set -e); pids refuses them as ip does.
func TestNetnsWordsLikeIP(t *testing.T) {
	bin := nlAsIP(t)
	shLikeIP(t, bin, `
ip netns add nlk-a nlk-b extra; echo "add: $?"
ip netns list '|' grep -vq '^nlk-a$'; echo "list: $?"
ip netns show extra words; echo "show: $?"
ip netns pids nlk-a extra; echo "pids: $?"
ip netns delete nlk-a nlk-b; echo "delete: $?"
ip netns list; echo "list: $?"
`)
}
