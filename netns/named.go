//go:build linux

package netns

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// runDir is the directory holding named network namespaces, shared with
// iproute2 (`ip netns`).
const runDir = "/run/netns"

// runDirMu serializes the preparation of runDir within this process, so that
// concurrent NewNamed calls do not stack several bind mounts on it.
var runDirMu sync.Mutex

func namedPath(name string) string { return runDir + "/" + name }

// validName rejects names that are not a single path component.
func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("netns: invalid namespace name %q: %w", name, fs.ErrInvalid)
	}
	return nil
}

// prepareRunDir creates runDir and, best effort, makes it a shared mount
// point, so that namespace mounts made later propagate to mount namespaces
// cloned from this one (and unmounts propagate too). If runDir is not a
// mount point yet (mount(2) fails with EINVAL), it is bind-mounted onto
// itself first.
func prepareRunDir() error {
	runDirMu.Lock()
	defer runDirMu.Unlock()
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return fmt.Errorf("netns: %w", err)
	}
	err := unix.Mount("", runDir, "none", unix.MS_SHARED|unix.MS_REC, "")
	if errors.Is(err, unix.EINVAL) {
		if unix.Mount(runDir, runDir, "none", unix.MS_BIND|unix.MS_REC, "") == nil {
			_ = unix.Mount("", runDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		}
	}
	return nil
}

// NewNamed creates a new network namespace and makes it persistent as
// /run/netns/NAME, like `ip netns add NAME`: it creates /run/netns if needed
// (making it a shared mount point, best effort), creates the empty file
// NAME there and bind-mounts the new namespace on it. The name must be a
// single, non-empty path component other than "." and ".."; otherwise the
// error wraps fs.ErrInvalid. If the name is taken, the error wraps
// fs.ErrExist and nothing is changed.
//
// The returned handle (Path is /run/netns/NAME) is owned by the caller and
// must be closed; closing it does not remove the namespace, DeleteNamed
// does. Concurrent calls with different names are safe.
func NewNamed(name string) (*NS, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	if err := prepareRunDir(); err != nil {
		return nil, err
	}
	path := namedPath(name)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netns: %w", &fs.PathError{Op: "create", Path: path, Err: err})
	}
	unix.Close(fd)

	ns, err := New()
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	if err := unix.Mount(fdPath(ns.fd), path, "none", unix.MS_BIND, ""); err != nil {
		ns.Close()
		os.Remove(path)
		return nil, fmt.Errorf("netns: %w", &fs.PathError{Op: "bind mount", Path: path, Err: err})
	}
	ns.path = path
	return ns, nil
}

// DeleteNamed removes the named namespace /run/netns/NAME, like
// `ip netns delete NAME`: it lazily unmounts it (umount2 with MNT_DETACH)
// and removes the file. The namespace itself is destroyed once nothing else
// (open handles, processes, other mounts) refers to it. A missing name gives
// an error wrapping fs.ErrNotExist; a file that is present but not mounted
// is removed.
func DeleteNamed(name string) error {
	if err := validName(name); err != nil {
		return err
	}
	path := namedPath(name)
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("netns: %w", &fs.PathError{Op: "umount", Path: path, Err: err})
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("netns: %w", err)
	}
	return nil
}

// Names returns the names in /run/netns in lexical order, as
// `ip netns list` would. If the directory does not exist the result is
// empty and the error nil. The list is a snapshot; names may be added or
// removed concurrently by other processes.
func Names() ([]string, error) {
	entries, err := os.ReadDir(runDir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("netns: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
