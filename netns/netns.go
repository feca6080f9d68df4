//go:build linux

package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// threadSelfNetNS names the network namespace of the calling thread.
const threadSelfNetNS = "/proc/thread-self/ns/net"

// NS is an open handle (a file descriptor) on a network namespace.
//
// All methods are safe for concurrent use by multiple goroutines, including
// Close concurrently with Do: a Do that has already started keeps the
// descriptor valid until it has entered the namespace. The handle owns its
// descriptor; call Close exactly once when done. A handle that becomes
// unreachable without Close has its descriptor closed by a finalizer, but
// relying on that keeps anonymous namespaces alive for an unpredictable time.
type NS struct {
	f      *os.File
	fd     int
	path   string
	dev    uint64
	ino    uint64
	closed atomic.Bool
}

// New creates a fresh, anonymous network namespace and returns a handle on
// it. The calling goroutine's thread is not affected: the namespace is
// created with unshare(2) on a separate, locked OS thread (never the main
// thread) which is switched back to its original namespace afterwards. If
// that fails the thread is never reused: its goroutine exits still locked
// to it and the runtime terminates it. The new namespace contains only a
// loopback device, which is down. It lives as long as the returned handle,
// or anything else referring to it, does. The caller owns the handle and
// must Close it.
func New() (*NS, error) {
	var (
		ns  *NS
		err error
	)
	onOwnThread(func() {
		var restored bool
		ns, restored, err = unshareNew()
		if restored {
			runtime.UnlockOSThread()
		}
	})
	return ns, err
}

// mainTID is the thread id of the runtime's first thread (m0), recorded
// while package initialization runs, which the runtime does on the main
// goroutine locked to m0. It is the process's main thread (tid == pid) in
// an ordinary executable, but not with -buildmode=c-archive or c-shared,
// where the runtime starts on a thread of its own. Set once before any
// code can read it, never written again.
var mainTID = unix.Gettid()

// onMainThread reports whether the calling (locked) goroutine is on the
// process's main thread or on the runtime's first thread.
func onMainThread() bool {
	tid := unix.Gettid()
	return tid == unix.Getpid() || tid == mainTID
}

// onOwnThread runs body on a new goroutine locked to an OS thread that is
// neither the process's main thread nor the runtime's first thread, and
// returns when body has returned (or called runtime.Goexit). body may
// change the thread's namespace; it must call runtime.UnlockOSThread exactly
// once if, and only if, the thread is back in its original namespace.
// Otherwise the goroutine exits still locked to the thread and the runtime
// terminates the thread.
//
// That is why body must never run on the first thread (m0): the runtime
// does not terminate it but parks it forever, so /proc/self/ns/net (the
// main thread's) would name the foreign namespace for the life of the
// process and keep that namespace alive. Any goroutine may run on m0
// unless the main goroutine has locked itself to it, so a fresh goroutine
// can land there. If it does, it stays locked to m0 (so nothing else can
// run there) and hands body to another new goroutine, which therefore
// runs on another thread.
func onOwnThread(body func()) {
	done := make(chan struct{})
	go func() {
		defer close(done) // also on runtime.Goexit in body
		runtime.LockOSThread()
		if onMainThread() {
			onOwnThread(body)
			runtime.UnlockOSThread() // this thread's namespace never changed
			return
		}
		body()
	}()
	<-done
}

// unshareNew must run on a locked thread other than the main thread (see
// onOwnThread). restored reports whether the thread is (still or again) in
// its original namespace and may be unlocked.
func unshareNew() (ns *NS, restored bool, err error) {
	orig, err := openFd(threadSelfNetNS)
	if err != nil {
		return nil, true, err
	}
	defer unix.Close(orig)
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		return nil, true, fmt.Errorf("netns: unshare(CLONE_NEWNET): %w", os.NewSyscallError("unshare", err))
	}
	ns, err = openNS(threadSelfNetNS)
	if err == nil {
		ns.path = fdPath(ns.fd)
	}
	if serr := unix.Setns(orig, unix.CLONE_NEWNET); serr != nil {
		if ns != nil {
			ns.Close()
		}
		return nil, false, fmt.Errorf("netns: switching thread back to original namespace: %w", os.NewSyscallError("setns", serr))
	}
	return ns, true, err
}

// Open opens the named network namespace /run/netns/NAME, as created by
// NewNamed or `ip netns add`. The caller owns the returned handle.
func Open(name string) (*NS, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	return OpenPath(namedPath(name))
}

// OpenPath opens the network namespace file at path (for example
// /proc/PID/ns/net, /proc/PID/task/TID/ns/net or a bind mount under
// /run/netns). It fails, wrapping EINVAL, if the file is not a network
// namespace, and wraps fs.ErrNotExist if path does not exist. The caller
// owns the returned handle.
func OpenPath(path string) (*NS, error) {
	return openNS(path)
}

// OpenPID opens the network namespace of process pid (/proc/PID/ns/net).
// The caller owns the returned handle. The handle refers to the namespace
// the process was in at the time of the call, even if the process later
// moves or exits.
func OpenPID(pid int) (*NS, error) {
	return openNS("/proc/" + strconv.Itoa(pid) + "/ns/net")
}

// Current opens the network namespace of the calling OS thread
// (/proc/thread-self/ns/net). Unless the caller has locked its goroutine to
// a thread that it moved into another namespace, this is the namespace
// shared by all threads of the process. Inside NS.Do it is the namespace
// being entered. The caller owns the returned handle.
func Current() (*NS, error) {
	ns, err := openNS(threadSelfNetNS)
	if err != nil {
		return nil, err
	}
	// The thread-self path would name another thread's namespace later on.
	ns.path = fdPath(ns.fd)
	return ns, nil
}

// openFd opens path read-only and close-on-exec, returning a raw fd.
func openFd(path string) (int, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return fd, nil
}

func openNS(path string) (*NS, error) {
	fd, err := openFd(path)
	if err != nil {
		return nil, err
	}
	typ, err := unix.IoctlRetInt(fd, unix.NS_GET_NSTYPE)
	if err != nil || typ != unix.CLONE_NEWNET {
		unix.Close(fd)
		if err == nil || errors.Is(err, unix.ENOTTY) {
			err = unix.EINVAL
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: fmt.Errorf("not a network namespace: %w", err)}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "fstat", Path: path, Err: err}
	}
	return &NS{
		f:    os.NewFile(uintptr(fd), path),
		fd:   fd,
		path: path,
		dev:  st.Dev,
		ino:  st.Ino,
	}, nil
}

func fdPath(fd int) string {
	return "/proc/" + strconv.Itoa(os.Getpid()) + "/fd/" + strconv.Itoa(fd)
}

// Fd returns the handle's file descriptor, or -1 after Close. The
// descriptor remains owned by the handle: do not close it, and do not use it
// after Close (the number may then be reused for an unrelated file).
func (ns *NS) Fd() int {
	if ns == nil || ns.closed.Load() {
		return -1
	}
	return ns.fd
}

// Path returns the path the handle was opened from. For handles from New
// and Current it is the /proc/PID/fd/N path of the handle's own descriptor,
// which other processes and tools can open while the handle is open.
func (ns *NS) Path() string {
	if ns == nil {
		return ""
	}
	return ns.path
}

// Close closes the handle. A second Close returns an error wrapping
// fs.ErrClosed and never closes any other descriptor. Closing the handle
// destroys an anonymous namespace if nothing else refers to it; it does not
// remove a named one (see DeleteNamed).
func (ns *NS) Close() error {
	if ns == nil {
		return fs.ErrInvalid
	}
	ns.closed.Store(true)
	return ns.f.Close()
}

// Equal reports whether ns and other refer to the same network namespace,
// by comparing the device and inode numbers of the namespace files (recorded
// when the handles were opened, so it also works after Close). A nil handle
// is equal to nothing.
func (ns *NS) Equal(other *NS) bool {
	if ns == nil || other == nil {
		return false
	}
	return ns.dev == other.dev && ns.ino == other.ino
}

// String returns the namespace identity: its inode number as shown by
// readlink /proc/PID/ns/net, for example "netns:[4026532281]".
func (ns *NS) String() string {
	if ns == nil {
		return "netns:<nil>"
	}
	return "netns:[" + strconv.FormatUint(ns.ino, 10) + "]"
}

// errGoexit is returned by Do if fn terminated its goroutine with
// runtime.Goexit (for example via testing.T.FailNow).
var errGoexit = errors.New("netns: function passed to Do called runtime.Goexit")

// Do runs fn on a fresh goroutine locked to an OS thread that has been
// switched into ns, waits for it, and returns fn's error. After fn returns
// the thread is switched back to its original namespace and unlocked. If
// switching back fails, the thread is left locked: its goroutine exits
// still locked to it and the Go runtime terminates the thread, so it never
// runs other code and does not keep ns alive. (The runtime would park the
// main thread instead of terminating it, so fn never runs there, whichever
// goroutine calls Do.) The returned error then wraps the setns error
// (joined with fn's error, if any). If entering ns fails, fn is not called
// and the returned error wraps the setns error.
//
// fn runs on another goroutine than the caller: it must not call
// runtime.UnlockOSThread, must not rely on goroutine-local state, and
// goroutines it starts are not in ns. If fn panics, the thread is switched
// back and Do re-panics with the same value in the calling goroutine. Do
// may be called concurrently, also on the same handle; on a closed handle
// it returns an error wrapping fs.ErrClosed.
func (ns *NS) Do(fn func() error) error {
	if ns == nil || fn == nil {
		return fmt.Errorf("netns: Do: nil handle or function: %w", fs.ErrInvalid)
	}
	type result struct {
		err      error
		panicked bool
		value    any
	}
	var res result
	onOwnThread(func() {
		res = result{err: errGoexit} // kept if fn calls runtime.Goexit

		orig, err := openFd(threadSelfNetNS)
		if err != nil {
			runtime.UnlockOSThread()
			res.err = fmt.Errorf("netns: Do: %w", err)
			return
		}
		if err := ns.enter(); err != nil {
			// The thread did not change namespace.
			unix.Close(orig)
			runtime.UnlockOSThread()
			res.err = err
			return
		}
		defer func() {
			serr := unix.Setns(orig, unix.CLONE_NEWNET)
			unix.Close(orig)
			if serr != nil {
				// Leave the thread locked: the runtime terminates it
				// when this goroutine exits (onOwnThread made sure it
				// is not the main thread).
				res.err = errors.Join(fmt.Errorf("netns: Do: switching thread back from %v: %w",
					ns, os.NewSyscallError("setns", serr)), res.err)
				return
			}
			runtime.UnlockOSThread()
		}()

		func() {
			defer func() {
				if res.panicked {
					res.value = recover()
				}
			}()
			res.panicked = true
			res.err = fn()
			res.panicked = false
		}()
	})
	if res.panicked && res.value != nil {
		panic(res.value)
	}
	return res.err
}

// enter switches the calling (locked) thread into ns. The descriptor is
// kept referenced during the call so a concurrent Close cannot free it.
func (ns *NS) enter() error {
	rc, err := ns.f.SyscallConn()
	if err != nil {
		return fmt.Errorf("netns: entering %v: %w", ns, err)
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.Setns(int(fd), unix.CLONE_NEWNET)
	}); err != nil {
		if ns.closed.Load() {
			err = fs.ErrClosed // the os package reports "use of closed file" here
		}
		return fmt.Errorf("netns: entering %v: %w", ns, err)
	}
	if serr != nil {
		return fmt.Errorf("netns: entering %v: %w", ns, os.NewSyscallError("setns", serr))
	}
	return nil
}
