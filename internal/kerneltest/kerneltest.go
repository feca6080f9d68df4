//go:build linux

// Package kerneltest is the test harness for tests that need a real kernel:
// it decides whether such tests can run and gives each test its own
// throwaway network namespace, so that tests never touch the host's links,
// addresses or routes.
//
// Kernel tests need root with CAP_SYS_ADMIN and CAP_NET_ADMIN and a working
// unshare(CLONE_NEWNET). When that is missing they are skipped, unless the
// environment variable NLKIT_KERNEL_TESTS is set to "require", in which
// case they fail (use this in CI so skipped coverage cannot go unnoticed).
//
// This package deliberately depends on nothing but package netns and
// golang.org/x/sys, so that every netlink package of the module can use it
// in its tests without import cycles.
package kerneltest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netns"
)

// envVar is the environment variable that, set to "require", turns skips
// into failures.
const envVar = "NLKIT_KERNEL_TESTS"

// namePrefix is the prefix of the names of namespaces created by
// NamedNetNS.
const namePrefix = "nlkit-test-"

var (
	probeOnce   sync.Once
	probeReason string // empty if kernel tests can run

	skipped    atomic.Int64 // kernel tests skipped by skipOrFail
	skipReason atomic.Value // string: the reason of the first skip
)

// probe checks the privileges once per process.
func probe() string {
	probeOnce.Do(func() {
		if os.Geteuid() != 0 {
			probeReason = fmt.Sprintf("not running as root (euid %d)", os.Geteuid())
			return
		}
		eff, err := effectiveCaps()
		if err != nil {
			probeReason = "cannot read capabilities: " + err.Error()
			return
		}
		for _, c := range []struct {
			bit  uint
			name string
		}{{unix.CAP_SYS_ADMIN, "CAP_SYS_ADMIN"}, {unix.CAP_NET_ADMIN, "CAP_NET_ADMIN"}} {
			if eff&(1<<c.bit) == 0 {
				probeReason = "missing capability " + c.name
				return
			}
		}
		ns, err := netns.New()
		if err != nil {
			probeReason = "cannot create a network namespace: " + err.Error()
			return
		}
		ns.Close()
	})
	return probeReason
}

// effectiveCaps returns the CapEff mask of the process from
// /proc/self/status.
func effectiveCaps() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CapEff:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no CapEff line in /proc/self/status")
}

// noteSkip counts a skip for Main's report, keeping the first reason.
func noteSkip(reason string) {
	skipped.Add(1)
	if r, _ := skipReason.Load().(string); r == "" {
		skipReason.Store(reason)
	}
}

// skipOrFail skips the test, or fails it if NLKIT_KERNEL_TESTS=require.
func skipOrFail(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv(envVar) == "require" {
		t.Fatalf("kernel test cannot run (%s=require): %s", envVar, reason)
	}
	noteSkip(reason)
	t.Skipf("skipping kernel test: %s (run as root with CAP_SYS_ADMIN and CAP_NET_ADMIN; set %s=require to make this a failure)", reason, envVar)
}

// Require reports whether kernel tests can run. If they cannot (not root,
// no CAP_SYS_ADMIN and CAP_NET_ADMIN, or unshare(CLONE_NEWNET) fails), it
// calls t.Skip with a clear message, or t.Fatal when the environment
// variable NLKIT_KERNEL_TESTS=require is set. The check runs once per test
// binary. Like t.Skip, it must be called from the test's goroutine.
func Require(t testing.TB) {
	t.Helper()
	if reason := probe(); reason != "" {
		skipOrFail(t, reason)
	}
}

// NetNS gives the test its own throwaway anonymous network namespace with
// the loopback link up. The handle is closed at t.Cleanup (which destroys
// the namespace unless the test keeps it alive otherwise); the test must
// not close it. It calls Require first.
func NetNS(t testing.TB) *netns.NS {
	t.Helper()
	Require(t)
	ns, err := netns.New()
	if err != nil {
		t.Fatalf("kerneltest: creating network namespace: %v", err)
	}
	t.Cleanup(func() { ns.Close() })
	if err := loUp(ns); err != nil {
		t.Fatalf("kerneltest: %v", err)
	}
	return ns
}

// NamedNetNS is like NetNS but the namespace is also bind-mounted as
// /run/netns/nlkit-test-<random>, so that external tools can use it
// (`ip -n NAME ...`). It returns the handle and the name. At t.Cleanup the
// handle is closed and the name removed with netns.DeleteNamed; the test
// must do neither.
func NamedNetNS(t testing.TB) (*netns.NS, string) {
	t.Helper()
	Require(t)
	var b [6]byte
	rand.Read(b[:])
	name := namePrefix + hex.EncodeToString(b[:])
	ns, err := netns.NewNamed(name)
	if err != nil {
		t.Fatalf("kerneltest: creating named network namespace: %v", err)
	}
	t.Cleanup(func() {
		ns.Close()
		if err := netns.DeleteNamed(name); err != nil {
			t.Errorf("kerneltest: removing named network namespace: %v", err)
		}
	})
	if err := loUp(ns); err != nil {
		t.Fatalf("kerneltest: %v", err)
	}
	return ns, name
}

// loUp sets IFF_UP on "lo" inside ns with the SIOCGIFFLAGS/SIOCSIFFLAGS
// ioctls on an AF_INET datagram socket created inside ns.
func loUp(ns *netns.NS) error {
	return ns.Do(func() error {
		fd, err := socketIn(ns)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		ifr, err := unix.NewIfreq("lo")
		if err != nil {
			return err
		}
		if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
			return fmt.Errorf("SIOCGIFFLAGS lo: %w", err)
		}
		ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
		if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
			return fmt.Errorf("SIOCSIFFLAGS lo: %w", err)
		}
		return nil
	})
}

// socketIn must be called inside ns.Do. It checks, as a safety net against
// touching the host, that the thread really is in ns, and returns an
// AF_INET datagram socket in it.
func socketIn(ns *netns.NS) (int, error) {
	cur, err := netns.Current()
	if err != nil {
		return -1, err
	}
	same := cur.Equal(ns)
	cur.Close()
	if !same {
		return -1, fmt.Errorf("thread is in %v, not in %v", cur, ns)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket: %w", err)
	}
	return fd, nil
}

// Run runs the external command name with args inside ns and returns its
// standard output. If the command cannot be started or exits unsuccessfully
// the test fails, showing its standard error.
//
// The process is started as `nsenter --net=/proc/self/fd/3 -- name args...`
// with a duplicate of the namespace descriptor passed as the child's fd 3
// (exec.Cmd.ExtraFiles), so the child itself calls setns(2) before exec'ing
// name. This works for anonymous and named namespaces alike and does not
// depend on which thread the Go runtime forks from. name is looked up in
// PATH by nsenter. nsenter (util-linux) is required; if it is missing the
// test is skipped (or fails with NLKIT_KERNEL_TESTS=require). Run must be
// called from the test's goroutine.
func Run(t testing.TB, ns *netns.NS, name string, args ...string) []byte {
	t.Helper()
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		skipOrFail(t, "nsenter (util-linux) not found: "+err.Error())
	}
	dup, err := unix.FcntlInt(uintptr(ns.Fd()), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("kerneltest: Run %s: duplicating namespace fd: %v", name, err)
	}
	f := os.NewFile(uintptr(dup), "netns")
	defer f.Close()

	cmd := exec.Command(nsenter, append([]string{"--net=/proc/self/fd/3", "--", name}, args...)...)
	cmd.ExtraFiles = []*os.File{f}
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("kerneltest: Run in %v: %s %s: %v\nstderr:\n%s", ns, name, strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// Main runs the tests with m.Run and returns its exit code. If kernel tests
// were skipped it then reports, in one line, how many and how to run them.
// Every package whose tests use this package calls it from its TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m)) }
//
// The line goes to /dev/tty when the process has a controlling terminal,
// and to standard output otherwise. The terminal is the only place where
// `go test ./...` lets it be seen: in package-list mode the go command
// shows a passing test binary's standard output and standard error only
// under -v, and nothing a binary can print changes its "ok" line. A test
// binary run by the go command keeps the go command's controlling
// terminal, so a user at a terminal sees the line even without -v, while a
// CI run without a terminal only gets it in the (buffered, hidden) standard
// output, and a CI run as root or with NLKIT_KERNEL_TESTS=require skips
// nothing and prints nothing. A cached result replays only standard
// output, so the line is shown when the tests really run.
func Main(m *testing.M) int {
	code := m.Run()
	if n := skipped.Load(); n > 0 {
		pkg := "this package"
		if pc, _, _, ok := runtime.Caller(1); ok {
			if f := runtime.FuncForPC(pc); f != nil {
				pkg = callerPackage(f.Name())
			}
		}
		reason, _ := skipReason.Load().(string)
		report(skipLine(n, pkg, reason))
	}
	return code
}

// skipLine is the line Main reports.
func skipLine(n int64, pkg, reason string) string {
	tests := "tests"
	if n == 1 {
		tests = "test"
	}
	return fmt.Sprintf("%d kernel %s skipped in %s: %s; run `sudo go test ./...` (%s=require makes a skip a failure)\n", n, tests, pkg, reason, envVar)
}

// callerPackage gives the import path of the package of the function
// named fn ("example.com/a/b.TestMain", "example.com/a/b_test.TestMain"),
// without an external test package's _test.
func callerPackage(fn string) string {
	slash := strings.LastIndexByte(fn, '/')
	if dot := strings.IndexByte(fn[slash+1:], '.'); dot >= 0 {
		fn = fn[:slash+1+dot]
	}
	return strings.TrimSuffix(fn, "_test")
}

// report writes line to the controlling terminal if there is one, else to
// standard output.
func report(line string) {
	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		if _, err := tty.WriteString(line); err == nil {
			return
		}
	}
	os.Stdout.WriteString(line)
}

// Tool returns the path of the command name, which a kernel test needs
// (iptables-legacy, nft, conntrack, auditctl ...), found in PATH or in
// /usr/sbin and /sbin, where Debian puts administration commands that a
// non-root PATH lacks. When it is missing the test is skipped with a message
// naming pkg, the Debian package to install, or fails when
// NLKIT_KERNEL_TESTS=require is set (CI installs the tools it needs).
// Like t.Skip, it must be called from the test's goroutine.
func Tool(t testing.TB, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/bin"} {
		p := dir + "/" + name
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	reason := fmt.Sprintf("%s not found: install the Debian package %s", name, pkg)
	if os.Getenv(envVar) == "require" {
		t.Fatalf("kernel test cannot run (%s=require): %s", envVar, reason)
	}
	noteSkip(reason)
	t.Skipf("skipping kernel test: %s (set %s=require to make this a failure)", reason, envVar)
	return ""
}
