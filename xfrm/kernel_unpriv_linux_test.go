//go:build linux

package xfrm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

const unprivEnv = "NLKIT_XFRM_UNPRIVILEGED_HELPER"

// Without CAP_NET_ADMIN the kernel refuses every XFRM message, GETs and
// dumps included (xfrm_user_rcv_msg checks the capability for all of
// them, unlike route netlink): each operation gives a typed EPERM that
// names it. The test binary runs itself as nobody with no capabilities
// inside the test's namespace.
func TestUnprivileged(t *testing.T) {
	_, name := kerneltest.NamedNetNS(t)
	setpriv := kerneltest.Tool(t, "setpriv", "util-linux")
	nsenter := kerneltest.Tool(t, "nsenter", "util-linux")
	// A copy of the test binary nobody can run.
	dir, err := os.MkdirTemp("", "nlkit-unpriv-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "xfrm.test")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(dst, src)
	src.Close()
	dst.Close()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nsenter, "--net=/run/netns/"+name, setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
		"--inh-caps=-all", "--bounding-set=-all", "--", bin, "-test.run=^TestUnprivilegedHelper$", "-test.v")
	cmd.Env = append(os.Environ(), unprivEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestUnprivilegedHelper") {
		t.Fatalf("helper: %v\n%s", err, out)
	}
}

// TestUnprivilegedHelper runs only as TestUnprivileged's child.
func TestUnprivilegedHelper(t *testing.T) {
	if os.Getenv(unprivEnv) != "1" {
		t.Skip("run by TestUnprivileged")
	}
	c, err := Dial(nil)
	if err != nil {
		t.Fatalf("dial: %v", err) // opening the socket needs no privilege
	}
	defer c.Close()
	ctx := context.Background()
	p := Policy{Selector: Selector{Src: netip.MustParsePrefix("198.18.0.0/24")}, Dir: DirIn}
	for op, err := range map[string]error{
		"list policies":      func() error { _, err := c.PolicyList(ctx); return err }(),
		"list states":        func() error { _, err := c.StateList(ctx, StateFilter{}); return err }(),
		"get spd info":       func() error { _, err := c.SPDInfo(ctx); return err }(),
		"add policy":         c.AddPolicy(ctx, p),
		"get default policy": func() error { _, err := c.DefaultPolicy(ctx); return err }(),
		"flush states":       c.FlushStates(ctx, ProtoAny),
	} {
		var ne *netlink.Error
		if !errors.Is(err, syscall.EPERM) || !errors.As(err, &ne) || !strings.HasPrefix(err.Error(), "xfrm: "+op) {
			t.Errorf("%s: %v, want a named EPERM", op, err)
		}
	}
	fmt.Println("refused as expected")
}
