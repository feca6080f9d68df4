//go:build !linux

package netns

import "errors"

// errNotLinux is returned everywhere on systems without network namespaces.
var errNotLinux = errors.New("netns: network namespaces exist only on Linux")

// NS is a handle on a network namespace; on this system none can be opened.
type NS struct{}

// New fails: network namespaces exist only on Linux.
func New() (*NS, error) { return nil, errNotLinux }

// NewNamed fails: network namespaces exist only on Linux.
func NewNamed(string) (*NS, error) { return nil, errNotLinux }

// DeleteNamed fails: network namespaces exist only on Linux.
func DeleteNamed(string) error { return errNotLinux }

// Open fails: network namespaces exist only on Linux.
func Open(string) (*NS, error) { return nil, errNotLinux }

// OpenPath fails: network namespaces exist only on Linux.
func OpenPath(string) (*NS, error) { return nil, errNotLinux }

// OpenPID fails: network namespaces exist only on Linux.
func OpenPID(int) (*NS, error) { return nil, errNotLinux }

// Current fails: network namespaces exist only on Linux.
func Current() (*NS, error) { return nil, errNotLinux }

// Names returns no names: network namespaces exist only on Linux.
func Names() ([]string, error) { return nil, nil }

// Fd returns -1.
func (ns *NS) Fd() int { return -1 }

// Path returns "".
func (ns *NS) Path() string { return "" }

// Close does nothing.
func (ns *NS) Close() error { return nil }

// Equal reports whether both are the same handle.
func (ns *NS) Equal(other *NS) bool { return ns == other }

// String describes the handle.
func (ns *NS) String() string { return "netns:unsupported" }

// Do fails: network namespaces exist only on Linux.
func (ns *NS) Do(func() error) error { return errNotLinux }
