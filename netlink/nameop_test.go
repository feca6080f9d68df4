package netlink

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

func TestNameOp(t *testing.T) {
	if NameOp("rtnl", "add link", nil) != nil {
		t.Fatal("nil error named")
	}
	ne := &Error{Op: "execute", Type: 16, Sequence: 2, Errno: syscall.EEXIST, Message: "Link already exists", Offset: 20, AttrType: 3, MissingNest: -1}
	err := NameOp("rtnl", `add link "v0"`, ne)
	const want = `rtnl: add link "v0": file exists: Link already exists (attribute type 3 at offset 20)`
	if err.Error() != want {
		t.Errorf("got  %q\nwant %q", err, want)
	}
	if !errors.Is(err, fs.ErrExist) || !errors.Is(err, syscall.EEXIST) {
		t.Error("errors.Is does not see the errno")
	}
	got, ok := errors.AsType[*Error](err)
	if !ok || got != ne || got.Op != `rtnl add link "v0"` || got.Message != "Link already exists" {
		t.Errorf("errors.As: %v %+v", ok, got)
	}
	// Named again: not wrapped twice, the outer name wins.
	err = NameOp("rtnl", `add link "v1"`, err)
	if err.Error() != `rtnl: add link "v1": file exists: Link already exists (attribute type 3 at offset 20)` || errors.Unwrap(err) != ne {
		t.Errorf("renamed: %q", err)
	}
	// Not a kernel error: its text is the cause.
	other := fmt.Errorf("wrapped: %w", syscall.ENOENT)
	err = NameOp("rtnl", "delete link 9", other)
	if err.Error() != "rtnl: delete link 9: wrapped: no such file or directory" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("other: %q", err)
	}
	// A warning (errno 0) reads as one.
	w := &Error{Message: "ignored", Offset: -1, MissingNest: -1}
	if s := NameOp("genl", "set x", w).Error(); s != "genl: set x: warning: ignored" {
		t.Errorf("warning: %q", s)
	}
}
