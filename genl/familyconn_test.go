package genl

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/netlink"
)

// A family client's error names the package, the operation and its
// object, then gives the kernel's errno and explanation; errors.Is and
// errors.As see through it; naming again replaces the name.
func TestOpError(t *testing.T) {
	ne := &netlink.Error{Op: "execute", Type: 0x15, Sequence: 3, Errno: syscall.EEXIST,
		Message: "address already exists", Offset: 20, AttrType: 1, MissingNest: -1}
	err := opError("mptcp", "add endpoint 192.0.2.1", ne)
	if want := "mptcp: add endpoint 192.0.2.1: file exists: address already exists (attribute type 1 at offset 20)"; err.Error() != want {
		t.Errorf("text %q, want %q", err, want)
	}
	var got *netlink.Error
	if !errors.Is(err, fs.ErrExist) || !errors.As(err, &got) || got != ne || ne.Op != "mptcp add endpoint 192.0.2.1" {
		t.Errorf("errors.Is/As through %v: Op %q", err, ne.Op)
	}
	again := opError("ethtool", `set channels of "v0"`, err)
	if want := `ethtool: set channels of "v0": file exists: address already exists (attribute type 1 at offset 20)`; again.Error() != want {
		t.Errorf("named again: %q, want %q", again, want)
	}
	if errors.Unwrap(again) != ne {
		t.Errorf("named again: wrapped twice")
	}
	if opError("x", "y", nil) != nil {
		t.Errorf("nil is named")
	}
	other := opError("netdev", "list devices", fmt.Errorf("genl: family netdev not found: %w", syscall.ENOENT))
	if want := "netdev: list devices: genl: family netdev not found: no such file or directory"; other.Error() != want || !errors.Is(other, syscall.ENOENT) {
		t.Errorf("other cause: %q, want %q", other, want)
	}
}
