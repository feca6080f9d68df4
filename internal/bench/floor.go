package main

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

// The floor: a plain blocking netlink socket and loops that only move
// bytes. Nothing here decodes more than the 16-byte headers it must read
// to know where a reply ends.

type rawSock struct{ fd int }

// openRaw opens the floor's blocking netlink socket of protocol proto in
// ns (nil: the caller's namespace), with an 8 MiB send buffer and a
// receive buffer of rcvbuf bytes (0: 8 MiB). Every workload's floor opens
// its socket here.
func openRaw(ns *netns.NS, proto, rcvbuf int) (*rawSock, error) {
	var fd int
	open := func() (err error) {
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, proto)
		return err
	}
	var err error
	if ns != nil {
		err = ns.Do(open)
	} else {
		err = open()
	}
	if err != nil {
		return nil, err
	}
	if rcvbuf == 0 {
		rcvbuf = 8 << 20
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvbuf)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, 8<<20)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &rawSock{fd: fd}, nil
}

func (s *rawSock) close() { unix.Close(s.fd) }

var kernel = &unix.SockaddrNetlink{Family: unix.AF_NETLINK}

// dump sends one dump request and counts the reply's messages, reading
// with a 1 MiB buffer.
func (s *rawSock) dump(typ uint16, body []byte, buf []byte) (int, error) {
	req := make([]byte, 16, 16+len(body))
	binary.NativeEndian.PutUint32(req[0:], uint32(16+len(body)))
	binary.NativeEndian.PutUint16(req[4:], typ)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:], 1)
	req = append(req, body...)
	if err := unix.Sendto(s.fd, req, 0, kernel); err != nil {
		return 0, err
	}
	count := 0
	for {
		n, _, err := unix.Recvfrom(s.fd, buf, 0)
		if err != nil {
			return count, err
		}
		for off := 0; off+16 <= n; {
			l := int(binary.NativeEndian.Uint32(buf[off:]))
			switch binary.NativeEndian.Uint16(buf[off+4:]) {
			case unix.NLMSG_DONE:
				return count, nil
			case unix.NLMSG_ERROR:
				return count, fmt.Errorf("dump: kernel error %d", int32(binary.NativeEndian.Uint32(buf[off+16:])))
			}
			count++
			if l < 16 {
				return count, fmt.Errorf("bad message length %d", l)
			}
			off += (l + 3) &^ 3
		}
	}
}

// send pushes prebuilt requests: each chunk is one sendmsg whose last
// message asks for an ACK; errors and ACKs are read as they come.
func (s *rawSock) send(chunks [][]byte, buf []byte) (failed int, err error) {
	for _, c := range chunks {
		// The chunk's messages carry placeholder sequence numbers; the
		// last one has NLM_F_ACK and sequence 0xFFFFFFFF - that is how the
		// loop knows the chunk is done.
		if err := unix.Sendto(s.fd, c, 0, kernel); err != nil {
			return failed, err
		}
		for done := false; !done; {
			n, _, err := unix.Recvfrom(s.fd, buf, 0)
			if err != nil {
				return failed, err
			}
			for off := 0; off+16 <= n; {
				l := int(binary.NativeEndian.Uint32(buf[off:]))
				if binary.NativeEndian.Uint16(buf[off+4:]) == unix.NLMSG_ERROR {
					if binary.NativeEndian.Uint32(buf[off+16:]) != 0 {
						failed++
					}
					if binary.NativeEndian.Uint32(buf[off+8:]) == lastSeq {
						done = true
					}
				}
				off += (max(l, 16) + 3) &^ 3
			}
		}
	}
	return failed, nil
}

const lastSeq = 0xFFFFFFFF

// chunk splits prebuilt messages into sendmsg-sized chunks and marks the
// last message of each with NLM_F_ACK and lastSeq.
func chunk(msgs [][]byte, maxBytes int) [][]byte {
	var out [][]byte
	var cur []byte
	var last int
	flush := func() {
		if len(cur) == 0 {
			return
		}
		flags := binary.NativeEndian.Uint16(cur[last+6:])
		binary.NativeEndian.PutUint16(cur[last+6:], flags|unix.NLM_F_ACK)
		binary.NativeEndian.PutUint32(cur[last+8:], lastSeq)
		out = append(out, cur)
		cur = nil
	}
	for _, m := range msgs {
		if len(cur)+len(m) > maxBytes {
			flush()
		}
		last = len(cur)
		cur = append(cur, m...)
	}
	flush()
	return out
}
