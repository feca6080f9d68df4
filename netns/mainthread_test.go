//go:build linux

package netns_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
)

// mainThreadEnv makes the test binary, instead of running tests, act as the
// child of TestMainThreadSwitchBackFailure: its value is the scenario
// ("locked" or "unlocked"; see mainThreadChild).
const mainThreadEnv = "NLKIT_NETNS_MAIN_THREAD_CHILD"

func init() {
	if os.Getenv(mainThreadEnv) != "" {
		// Keep the main goroutine on the main thread (m0) after init,
		// the documented idiom for programs that need the main thread.
		runtime.LockOSThread()
	}
}

func TestMain(m *testing.M) {
	if scenario := os.Getenv(mainThreadEnv); scenario != "" {
		if err := mainThreadChild(scenario); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(kerneltest.Main(m))
}

// TestMainThreadSwitchBackFailure: the main-thread case. After a forced
// failure to switch back from Do, /proc/self/task/*/ns/net of every thread
// still names the original namespace, and the foreign namespace is not kept
// alive by a parked thread.
//
// The Go runtime terminates a thread whose goroutine exits locked to it,
// except the main thread (m0), which it parks forever instead. The test
// binary is re-run as a child whose main goroutine calls Do:
//
//   - "locked": the main goroutine is locked to the main thread (init
//     called runtime.LockOSThread), as in programs that need the main
//     thread. Then no other goroutine can run on the main thread; this case
//     held before the fix too and stays as a guard.
//   - "unlocked": the main goroutine sits on the main thread but is not
//     locked, with GOMAXPROCS=1, so the goroutine that Do starts is run by
//     the main thread as soon as the caller blocks. Before the fix, fn ran
//     there and the main thread was parked in the foreign namespace.
//
// The switch back is forced to fail by dropping CAP_SYS_ADMIN from the
// working thread's effective set inside fn (capabilities are per thread),
// so the restoring setns(2) gets EPERM.
func TestMainThreadSwitchBackFailure(t *testing.T) {
	kerneltest.Require(t)
	for _, tool := range []string{"ip", "nsenter"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("NLKIT_KERNEL_TESTS") == "require" {
				t.Fatalf("%s not found: %v", tool, err)
			}
			t.Skipf("%s not found: %v", tool, err)
		}
	}
	for _, scenario := range []string{"locked", "unlocked"} {
		t.Run(scenario, func(t *testing.T) {
			cmd := exec.Command(os.Args[0])
			cmd.Env = append(os.Environ(), mainThreadEnv+"="+scenario)
			if scenario == "unlocked" {
				cmd.Env = append(cmd.Env, "GOMAXPROCS=1")
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child (%s): %v\n%s", scenario, err, out)
			}
			t.Logf("child (%s):\n%s", scenario, out)
		})
	}
}

// mainThreadChild runs in the child process on the main goroutine, which
// init locked to the main thread.
func mainThreadChild(scenario string) error {
	if unix.Gettid() != unix.Getpid() {
		return errors.New("the main goroutine is not on the main thread")
	}
	orig, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		return err
	}

	// foreign is the namespace Do will fail to leave. watcher holds the
	// peer of a veth pair whose other end is in foreign: destroying
	// foreign removes both ends, so the peer vanishing from watcher shows
	// that foreign is gone.
	foreign, err := netns.New()
	if err != nil {
		return err
	}
	watcher, err := netns.New()
	if err != nil {
		return err
	}
	defer watcher.Close()
	const peer = "nlkit-watch"
	if err := runIn(foreign, watcher, "link", "add", "nlkit-foreign", "type", "veth",
		"peer", "name", peer, "netns", "/proc/self/fd/4"); err != nil {
		foreign.Close()
		return err
	}
	if present, err := linkIn(watcher, peer); err != nil || !present {
		foreign.Close()
		return fmt.Errorf("veth peer in watcher namespace: present %v, err %v", present, err)
	}
	foreignID := foreign.String()

	switch scenario {
	case "locked":
	case "unlocked":
		runtime.UnlockOSThread()
	default:
		return fmt.Errorf("unknown scenario %q", scenario)
	}

	onMain := false
	err = foreign.Do(func() error {
		onMain = unix.Gettid() == unix.Getpid()
		return dropCap(unix.CAP_SYS_ADMIN)
	})
	fmt.Printf("Do: fn ran on the main thread: %v; error: %v\n", onMain, err)
	if err == nil || !errors.Is(err, unix.EPERM) {
		foreign.Close()
		return fmt.Errorf("Do returned %v, want the failed switch back (EPERM)", err)
	}
	if err := foreign.Close(); err != nil {
		return err
	}

	var problems []string
	if onMain {
		problems = append(problems, "fn ran on the main thread")
	}
	// The thread that failed to switch back exits asynchronously, after
	// Do has returned: give it time.
	var bad []string
	deadline := time.Now().Add(10 * time.Second)
	for {
		bad, err = threadsOutside(orig)
		if err != nil {
			return err
		}
		if len(bad) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(bad) > 0 {
		self, _ := os.Readlink("/proc/self/ns/net")
		problems = append(problems, fmt.Sprintf("threads not in the original namespace %s (foreign %s): %v; /proc/self/ns/net is %s",
			orig, foreignID, bad, self))
	}
	// Namespaces are torn down asynchronously by the kernel.
	for {
		present, err := linkIn(watcher, peer)
		if err != nil {
			return err
		}
		if !present {
			break
		}
		if time.Now().After(deadline) {
			problems = append(problems, fmt.Sprintf("foreign namespace %s still alive: veth peer %s still present", foreignID, peer))
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	fmt.Println("every thread is in", orig, "and", foreignID, "is gone")
	return nil
}

// threadsOutside lists the threads of this process whose network namespace
// is not want.
func threadsOutside(want string) ([]string, error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil, err
	}
	var bad []string
	for _, task := range tasks {
		link, err := os.Readlink(filepath.Join("/proc/self/task", task.Name(), "ns/net"))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ESRCH) {
				continue // the thread exited meanwhile
			}
			return nil, err
		}
		if link != want {
			bad = append(bad, task.Name()+":"+link)
		}
	}
	return bad, nil
}

// linkIn reports whether ns has a link called name.
func linkIn(ns *netns.NS, name string) (bool, error) {
	present := false
	err := ns.Do(func() error {
		ifs, err := net.Interfaces()
		if err != nil {
			return err
		}
		for _, ifi := range ifs {
			present = present || ifi.Name == name
		}
		return nil
	})
	return present, err
}

// runIn runs `ip args...` inside ns through nsenter: the child's fd 3 is
// ns and its fd 4 is other, which args can name as /proc/self/fd/4.
func runIn(ns, other *netns.NS, args ...string) error {
	var files []*os.File
	for _, h := range []*netns.NS{ns, other} {
		dup, err := unix.FcntlInt(uintptr(h.Fd()), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return err
		}
		f := os.NewFile(uintptr(dup), "netns")
		defer f.Close()
		files = append(files, f)
	}
	cmd := exec.Command("nsenter", append([]string{"--net=/proc/self/fd/3", "--", "ip"}, args...)...)
	cmd.ExtraFiles = files
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ip %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// dropCap removes capability c from the calling thread's effective set.
func dropCap(c int) error {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	data[c/32].Effective &^= 1 << (c % 32)
	return unix.Capset(&hdr, &data[0])
}
