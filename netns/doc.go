// Package netns creates, opens and enters Linux network namespaces.
//
// # Handles
//
// An [NS] is an open file descriptor referring to a network namespace (an
// nsfs file such as /proc/PID/ns/net or a bind mount of one under
// /run/netns). A namespace stays alive as long as anything refers to it: an
// open handle, a bind mount, or a process inside it. [New] creates an
// anonymous namespace that disappears once its last handle is closed;
// [NewNamed] additionally bind-mounts it on /run/netns/NAME, the way
// `ip netns add NAME` does, so that it survives the handle and is visible to
// tools such as `ip -n NAME`. [DeleteNamed] removes such a mount.
//
// # The thread-locking rule
//
// On Linux the network namespace is an attribute of each OS thread, not of
// the process, while Go multiplexes goroutines over a pool of threads. A
// goroutine that switches its thread into another namespace and then lets
// the scheduler move it (or lets another goroutine run on that thread)
// leaks the namespace into unrelated code. Therefore:
//
//   - A thread may be in a foreign namespace only while it is locked with
//     [runtime.LockOSThread], and it must be switched back before it is
//     unlocked.
//   - If switching back fails, the thread must never be unlocked; when its
//     goroutine exits, the Go runtime then terminates the thread instead of
//     reusing it.
//   - That last step needs a thread the runtime will terminate, and the
//     runtime never terminates its first thread (the process's main thread
//     in an ordinary program): a goroutine exiting while locked to it parks
//     it for good, still in the foreign namespace, which then shows as
//     /proc/self/ns/net and stays alive as long as the process. So the
//     namespace is never changed on that thread.
//
// [NS.Do] and [New] implement these rules for you: they run on a fresh
// goroutine that locks its thread, switches with setns(2) (or unshare(2)),
// runs the work, switches back and only then unlocks. A fresh goroutine can
// be scheduled on the main thread whenever the main goroutine is not locked
// to it; if it finds itself there after locking, it keeps the main thread
// locked (so no other goroutine can run on it), hands the work to another
// fresh goroutine, which thus gets another thread, and waits for it. The
// namespace is never changed on the calling goroutine's own thread. The
// thread-id test for this (gettid(2) against getpid(2) and the id recorded
// at package initialization, which the runtime always runs on its first
// thread) is the one piece of package-level state: written once before
// anything can read it. Callers never need to call setns themselves. Because the work runs on a different goroutine,
// code passed to Do must not rely on goroutine identity (for example it
// must not call testing.T.FailNow); it should return an error instead.
// Goroutines started from inside Do run on other threads and are therefore
// NOT inside the namespace. Sockets, in contrast, keep the namespace they
// were created in, so a socket created inside Do may be used anywhere
// afterwards.
//
// All file descriptors opened by this package are close-on-exec. Errors wrap
// the underlying errno, so errors.Is(err, fs.ErrNotExist) and similar
// checks work.
package netns
