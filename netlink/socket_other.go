//go:build !linux

package netlink

import (
	"errors"
	"time"
)

// errNotLinux is returned by Dial on systems without netlink.
var errNotLinux = errors.New("netlink: not supported on this operating system")

type socket struct {
	port   uint32
	family int
}

type sysRecv struct{}

func (r *receiver) initSys() {}

func (r *receiver) setRawReads(bool) bool { return false }

func openSocket(int, *Config) (*socket, error)     { return nil, errNotLinux }
func (s *socket) recv(*receiver) (datagram, error) { return datagram{}, errNotLinux }
func (s *socket) send([]byte, uint32, uint32) error {
	return errNotLinux
}
func (s *socket) joinGroup(uint32) error              { return errNotLinux }
func (s *socket) leaveGroup(uint32) error             { return errNotLinux }
func (s *socket) setReadDeadline(time.Time)           {}
func (s *socket) close() error                        { return nil }
func (s *socket) buffers() (int, int)                 { return 0, 0 }
func (s *socket) drops() (uint32, error)              { return 0, errNotLinux }
func (s *socket) portID() uint32                      { return 0 }
func (s *socket) setFilter([]FilterInstruction) error { return errNotLinux }
func (s *socket) protocol() int                       { return s.family }
func (s *socket) setIdleCheck(bool)                   {}
func (s *socket) queueBound() int                     { return 0 }
