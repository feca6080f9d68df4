//go:build linux

// Package auditlock serialises the kernel tests that change the machine's
// audit state. Audit is global (the initial network and user namespace
// only), and `go test ./...` runs the test binaries of several packages
// at once (audit, audit/audittest, internal/cli): without a lock, one
// package's test would see another's rules and status.
package auditlock

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// Hold takes the machine-wide audit test lock (an flock on a file in the
// temporary directory) and releases it at t.Cleanup. Call it before
// saving the audit state, so that the state restored is the one found.
func Hold(t testing.TB) {
	t.Helper()
	path := filepath.Join(os.TempDir(), "nlkit-audit-tests.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatalf("audit test lock: %v", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		t.Fatalf("audit test lock: %v", err)
	}
	t.Cleanup(func() { f.Close() }) // closing releases the lock
}
