//go:build linux

package netns_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
)

func countDir(t *testing.T, dir string) int {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func openFDs(t *testing.T) int     { return countDir(t, "/proc/self/fd") }
func threadCount(t *testing.T) int { return countDir(t, "/proc/self/task") }

// threadsNotIn returns the threads whose network namespace is not want.
func threadsNotIn(t *testing.T, want string) []string {
	t.Helper()
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for _, task := range tasks {
		link, err := os.Readlink(filepath.Join("/proc/self/task", task.Name(), "ns/net"))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue // thread exited meanwhile
			}
			t.Fatal(err)
		}
		if link != want {
			bad = append(bad, task.Name()+":"+link)
		}
	}
	return bad
}

func TestNewAndDo(t *testing.T) {
	kerneltest.Require(t)
	runtime.LockOSThread() // so Current below is about one thread
	defer runtime.UnlockOSThread()
	orig, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	defer orig.Close()

	ns, err := netns.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if ns.Equal(orig) {
		t.Fatalf("New returned the current namespace %v", ns)
	}
	if !strings.HasPrefix(ns.String(), "netns:[") || ns.String() == orig.String() {
		t.Errorf("String: new %q, orig %q", ns.String(), orig.String())
	}
	if ns.Fd() < 0 || ns.Path() == "" {
		t.Errorf("Fd %d, Path %q", ns.Fd(), ns.Path())
	}
	again, err := netns.OpenPath(ns.Path())
	if err != nil {
		t.Fatalf("reopening %s: %v", ns.Path(), err)
	}
	if !again.Equal(ns) {
		t.Errorf("reopened %v != %v", again, ns)
	}
	again.Close()

	ran := false
	err = ns.Do(func() error {
		ran = true
		cur, err := netns.Current()
		if err != nil {
			return err
		}
		defer cur.Close()
		if !cur.Equal(ns) {
			return errors.New("inside Do: current " + cur.String() + " != " + ns.String())
		}
		return nil
	})
	if err != nil || !ran {
		t.Fatalf("Do: ran=%v err=%v", ran, err)
	}
	back, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if !back.Equal(orig) {
		t.Fatalf("after Do the test thread is in %v, want %v", back, orig)
	}

	sentinel := errors.New("sentinel")
	if err := ns.Do(func() error { return sentinel }); err != sentinel {
		t.Errorf("Do returned %v, want fn's error", err)
	}
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Errorf("recovered %v, want boom", r)
			}
		}()
		ns.Do(func() error { panic("boom") })
	}()
	if err := ns.Do(func() error { runtime.Goexit(); return nil }); err == nil {
		t.Error("Do with Goexit: want error")
	}
}

func TestCloseTwice(t *testing.T) {
	kerneltest.Require(t)
	ns, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	if err := ns.Close(); err != nil {
		t.Fatal(err)
	}
	// Reuse the fd number for another file; a second Close must not close it.
	f, err := os.Open("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ns.Close(); !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Close: %v, want fs.ErrClosed", err)
	}
	if ns.Fd() != -1 {
		t.Errorf("Fd after Close = %d", ns.Fd())
	}
	if _, err := f.Stat(); err != nil {
		t.Errorf("foreign file damaged: %v", err)
	}
	if err := ns.Do(func() error { t.Error("fn ran on closed handle"); return nil }); err == nil {
		t.Error("Do on closed handle: want error")
	}
}

func TestOpenErrors(t *testing.T) {
	before := openFDs(t)
	_, err := netns.OpenPath("/nonexistent/nlkit-netns")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenPath missing: %v, want fs.ErrNotExist", err)
	}
	if _, err := netns.Open("nlkit-test-does-not-exist"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open missing: %v, want fs.ErrNotExist", err)
	}
	if _, err := netns.OpenPath("/dev/null"); err == nil {
		t.Error("OpenPath(/dev/null) succeeded")
	}
	if after := openFDs(t); after != before {
		t.Errorf("fd count %d -> %d", before, after)
	}
	for _, name := range []string{"", ".", "..", "a/b"} {
		if _, err := netns.Open(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q): %v, want fs.ErrInvalid", name, err)
		}
		if _, err := netns.NewNamed(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("NewNamed(%q): %v, want fs.ErrInvalid", name, err)
		}
		if err := netns.DeleteNamed(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("DeleteNamed(%q): %v, want fs.ErrInvalid", name, err)
		}
	}
}

func TestOpenPID(t *testing.T) {
	kerneltest.Require(t)
	a, err := netns.OpenPID(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if !a.Equal(b) {
		t.Errorf("OpenPID(self) %v != Current %v", a, b)
	}
}

func TestNamedRoundTrip(t *testing.T) {
	kerneltest.Require(t)
	var rnd [6]byte
	rand.Read(rnd[:])
	name := "nlkit-test-" + hex.EncodeToString(rnd[:])

	ns, err := netns.NewNamed(name)
	if err != nil {
		t.Fatal(err)
	}
	deleted := false
	defer func() {
		ns.Close()
		if !deleted {
			netns.DeleteNamed(name)
		}
	}()
	if ns.Path() != "/run/netns/"+name {
		t.Errorf("Path = %q", ns.Path())
	}
	if _, err := netns.NewNamed(name); !errors.Is(err, fs.ErrExist) {
		t.Errorf("NewNamed twice: %v, want fs.ErrExist", err)
	}
	cur, err := netns.Current()
	if err != nil {
		t.Fatal(err)
	}
	defer cur.Close()
	if ns.Equal(cur) {
		t.Fatal("named namespace equals the current one")
	}

	op, err := netns.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	if !op.Equal(ns) {
		t.Errorf("Open(%s) = %v, want %v", name, op, ns)
	}
	op.Close()

	names, err := netns.Names()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, name) {
		t.Errorf("Names() = %v, missing %s", names, name)
	}

	if err := netns.DeleteNamed(name); err != nil {
		t.Fatal(err)
	}
	deleted = true
	names, err = netns.Names()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, name) {
		t.Errorf("Names() after delete = %v", names)
	}
	if _, err := netns.Open(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open after delete: %v, want fs.ErrNotExist", err)
	}
	if err := netns.DeleteNamed(name); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("DeleteNamed twice: %v, want fs.ErrNotExist", err)
	}
	// The handle keeps the namespace usable after the name is gone.
	if err := ns.Do(func() error { return nil }); err != nil {
		t.Errorf("Do after DeleteNamed: %v", err)
	}
}

func TestLeakLoop(t *testing.T) {
	kerneltest.Require(t)
	want, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	// Warm up so lazily created runtime fds and threads exist already.
	if ns, err := netns.New(); err == nil {
		ns.Do(func() error { return nil })
		ns.Close()
	}
	fdsBefore, thrBefore := openFDs(t), threadCount(t)

	const rounds = 300
	for i := range rounds {
		ns, err := netns.New()
		if err != nil {
			t.Fatalf("round %d: New: %v", i, err)
		}
		err = ns.Do(func() error {
			cur, err := netns.Current()
			if err != nil {
				return err
			}
			defer cur.Close()
			if !cur.Equal(ns) {
				return errors.New("not inside " + ns.String())
			}
			return nil
		})
		if err != nil {
			t.Fatalf("round %d: Do: %v", i, err)
		}
		if err := ns.Close(); err != nil {
			t.Fatalf("round %d: Close: %v", i, err)
		}
	}

	fdsAfter, thrAfter := openFDs(t), threadCount(t)
	t.Logf("after %d rounds: fds %d -> %d, threads %d -> %d", rounds, fdsBefore, fdsAfter, thrBefore, thrAfter)
	if bad := threadsNotIn(t, want); len(bad) > 0 {
		t.Errorf("threads not in %s: %v", want, bad)
	}
	if thrAfter >= 100 {
		t.Errorf("thread count %d, want < 100", thrAfter)
	}
	if fdsAfter != fdsBefore {
		t.Errorf("fd count %d -> %d", fdsBefore, fdsAfter)
	}
}

func TestConcurrentDoClose(t *testing.T) {
	kerneltest.Require(t)
	ns, err := netns.New()
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 32)
	for range 32 {
		go func() {
			errc <- ns.Do(func() error {
				cur, err := netns.Current()
				if err != nil {
					return err
				}
				defer cur.Close()
				if !cur.Equal(ns) {
					return errors.New("not inside " + ns.String())
				}
				return nil
			})
		}()
	}
	ns.Close() // concurrently: each Do either succeeds or fails cleanly
	for range 32 {
		if err := <-errc; err != nil && !errors.Is(err, fs.ErrClosed) {
			t.Error(err)
		}
	}
}
