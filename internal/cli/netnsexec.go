package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"
)

// NetnsExecChild is the first argument with which nl runs itself for
// netns exec: the child, started in the namespace and in a mount
// namespace of its own, sets up the mounts ip's netns exec sets up, then
// becomes the command. The program's main (and a test binary's TestMain)
// calls RunNetnsExecChild when it sees it.
const NetnsExecChild = "__nl_netns_exec_child"

// RunNetnsExecChild does what ip netns exec does after entering the
// network namespace of args[0] (its caller started it there, in a new
// mount namespace): mounts stay private to it, /sys is a sysfs of this
// network namespace, each file of /etc/netns/NAME is bound over its
// namesake in /etc; then it executes args[1:]. It returns only on
// failure, with ip's exit status.
func RunNetnsExecChild(args []string) int {
	if len(args) < 2 {
		return ExitUsage
	}
	name, argv := args[0], args[1:]
	if err := unix.Mount("", "/", "none", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		fmt.Fprintf(os.Stderr, "\"mount --make-rslave /\" failed: %s\n", unwrapErrno(err))
		return ExitUsage
	}
	// A sysfs of this namespace in place of the parent's (ip does the
	// same, keeping the read-only flag of the one it replaces).
	var flags uintptr
	var st unix.Statfs_t
	if unix.Statfs("/sys", &st) == nil && st.Flags&unix.ST_RDONLY != 0 {
		flags = unix.MS_RDONLY
	}
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err == nil {
		if err := unix.Mount(name, "/sys", "sysfs", flags, ""); err != nil {
			fmt.Fprintf(os.Stderr, "mount of /sys failed: %s\n", unwrapErrno(err))
			return ExitUsage
		}
	}
	etc := filepath.Join("/etc/netns", name)
	if entries, err := os.ReadDir(etc); err == nil {
		for _, ent := range entries {
			src, dst := filepath.Join(etc, ent.Name()), filepath.Join("/etc", ent.Name())
			if err := unix.Mount(src, dst, "none", unix.MS_BIND, ""); err != nil {
				fmt.Fprintf(os.Stderr, "Bind %s -> %s failed: %s\n", src, dst, unwrapErrno(err))
			}
		}
	}
	path, err := exec.LookPath(argv[0])
	if errors.Is(err, exec.ErrNotFound) {
		err = syscall.ENOENT // what ip's execvp says
	}
	if err == nil {
		err = syscall.Exec(path, argv, os.Environ())
	}
	fmt.Fprintf(os.Stderr, "exec of \"%s\" failed: %s\n", argv[0], unwrapErrno(err))
	return ExitFailure
}
