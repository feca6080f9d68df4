//go:build linux

package sockdiag

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// unprivEnv makes the test binary the unprivileged half of
// TestUnprivileged (see unprivMain).
const unprivEnv = "NLKIT_SOCKDIAG_UNPRIV"

// unprivMain runs without privileges: it opens a TCP listener on an
// ephemeral loopback port of its own namespace, lists it through sock_diag
// (no privilege needed), then asks SOCK_DESTROY for it (CAP_NET_ADMIN
// needed), and prints what happened.
func unprivMain() int {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		return 1
	}
	defer l.Close()
	c, err := Dial(nil)
	if err != nil {
		fmt.Println("dial:", err)
		return 1
	}
	defer c.Close()
	src := addrPort(l.Addr())
	var expr Expr
	if err := expr.UnmarshalText([]byte(fmt.Sprintf("sport = :%d", src.Port()))); err != nil {
		fmt.Println(err)
		return 1
	}
	ss, err := c.InetSocketList(bg, &InetFilter{Family: unix.AF_INET, States: StatesOf(StateListen), Expr: &expr})
	if err != nil || len(ss) != 1 {
		fmt.Println("list:", len(ss), err)
		return 1
	}
	err = c.DeleteInetSocket(bg, ProtocolTCP, ss[0].ID)
	fmt.Printf("uid %d listed %d destroy: %v eperm %v\n", os.Getuid(), len(ss), err, errors.Is(err, syscall.EPERM))
	return 0
}

// Without CAP_NET_ADMIN: listing works, SOCK_DESTROY is a typed EPERM.
func TestUnprivileged(t *testing.T) {
	kerneltest.Require(t)
	// The test binary, where user nobody may run it.
	dir, err := os.MkdirTemp("", "nlkit-sockdiag-unpriv")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "sockdiag.test")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dst, err := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), unprivEnv+"=1")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if errors.Is(err, fs.ErrPermission) {
		// A temporary directory mounted noexec, or one nobody cannot
		// enter: the machine's setup, not the code under test.
		t.Skipf("cannot run the test binary as nobody from %s: %v", dir, err)
	}
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	t.Logf("%s", out)
	if !strings.Contains(string(out), "uid 65534 listed 1 ") || !strings.Contains(string(out), "eperm true") {
		t.Errorf("unprivileged: %s", out)
	}
}
