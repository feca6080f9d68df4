//go:build linux

package netlink

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// socket is the OS part of a Conn: one AF_NETLINK socket on Go's runtime
// poller. It is the only file that makes system calls.
type socket struct {
	// idle asks reads to report an empty queue (errIdle) rather than wait.
	idle atomic.Bool
	// dumpGate keeps each recvmsg call and each send of a dump request
	// apart. The kernel (netlink_dump, as of 6.18) builds a dump's
	// datagram under its callback mutex but queues it after letting the
	// mutex go, and both the dump request's sendmsg (the first datagram)
	// and every recvmsg (the next ones) call it: a recvmsg running while
	// the request is sent can queue the next datagram, or the dump's
	// NLMSG_DONE, ahead of the first. The dump then ends empty and its
	// messages come after the end, a loss no one would see. Measured on
	// 6.18 without the gate: 2 of 160,000 address dumps racing lookups on
	// one Conn (TestDumpRacingReads), 1 in 11,000 route dumps sent by a
	// bare socket right after a get whose reply another thread was
	// reading, sockdiag's TestConcurrentUse failing 1 run in 20-60. Reads
	// are not concurrent with one another (one goroutine holds the reader
	// role), so this gate is all it takes to keep a dump's datagrams in
	// order.
	dumpGate sync.Mutex
	f        *os.File
	rc       syscall.RawConn
	port     uint32
	family   int
	readLen  int // the receive length offered to the kernel; see recv
	direct   int // Config.MaxDatagram: read without measuring first
}

func openSocket(family int, cfg *Config) (*socket, error) {
	typ := unix.SOCK_RAW
	if cfg.Datagram {
		typ = unix.SOCK_DGRAM
	}
	var fd int
	open := func() error {
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, typ|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, family)
		if err != nil {
			return os.NewSyscallError("socket", err)
		}
		return nil
	}
	var err error
	if cfg.NetNS != nil {
		err = cfg.NetNS.Do(open)
	} else {
		err = open()
	}
	if err != nil {
		return nil, err
	}
	s := &socket{family: family}
	if err := s.setup(fd, cfg); err != nil {
		unix.Close(fd)
		return nil, err
	}
	s.f = os.NewFile(uintptr(fd), "netlink")
	rc, err := s.f.SyscallConn()
	if err != nil {
		s.f.Close()
		return nil, err
	}
	s.rc = rc
	rcv, _ := s.buffers()
	s.readLen = max(rcv/2, 4096)
	if cfg.MaxDatagram > 0 {
		s.direct = min(cfg.MaxDatagram, maxDatagram)
	}
	return s, nil
}

// setup applies the Config to a fresh socket fd and binds it.
func (s *socket) setup(fd int, cfg *Config) error {
	setBool := func(opt int, on bool, name string, optional bool) error {
		v := 0
		if on {
			v = 1
		}
		err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, opt, v)
		if err != nil && !(optional && (errors.Is(err, unix.ENOPROTOOPT) || errors.Is(err, unix.EINVAL))) {
			return os.NewSyscallError("setsockopt "+name, err)
		}
		return nil
	}
	if cfg.ReceiveBuffer > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, cfg.ReceiveBuffer); err != nil {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, cfg.ReceiveBuffer); err != nil {
				return os.NewSyscallError("setsockopt SO_RCVBUF", err)
			}
		}
	}
	if cfg.SendBuffer > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUFFORCE, cfg.SendBuffer); err != nil {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, cfg.SendBuffer); err != nil {
				return os.NewSyscallError("setsockopt SO_SNDBUF", err)
			}
		}
	}
	// Options the kernel may not know for every family are optional.
	if err := setBool(unix.NETLINK_EXT_ACK, !cfg.DisableExtendedAck, "NETLINK_EXT_ACK", true); err != nil {
		return err
	}
	if err := setBool(unix.NETLINK_CAP_ACK, !cfg.DisableCapAck, "NETLINK_CAP_ACK", true); err != nil {
		return err
	}
	if s.family == unix.NETLINK_ROUTE && !cfg.DisableStrictCheck {
		if err := setBool(unix.NETLINK_GET_STRICT_CHK, true, "NETLINK_GET_STRICT_CHK", true); err != nil {
			return err
		}
	}
	if cfg.NoENOBUFS {
		if err := setBool(unix.NETLINK_NO_ENOBUFS, true, "NETLINK_NO_ENOBUFS", false); err != nil {
			return err
		}
	}
	if cfg.ListenAllNSID {
		if err := setBool(unix.NETLINK_LISTEN_ALL_NSID, true, "NETLINK_LISTEN_ALL_NSID", false); err != nil {
			return err
		}
	}
	// PKTINFO tells, per datagram, which multicast group it came from, for
	// groups above 32 too; it is how replies and notifications are told apart.
	if err := setBool(unix.NETLINK_PKTINFO, true, "NETLINK_PKTINFO", true); err != nil {
		return err
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: cfg.PortID}); err != nil {
		return os.NewSyscallError("bind", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return os.NewSyscallError("getsockname", err)
	}
	nsa, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		return fmt.Errorf("netlink: getsockname returned %T", sa)
	}
	s.port = nsa.Pid
	for _, g := range cfg.Groups {
		if err := unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(g)); err != nil {
			return os.NewSyscallError(fmt.Sprintf("join group %d", g), err)
		}
	}
	return nil
}

// control runs fn with the raw fd.
func (s *socket) control(fn func(fd int) error) error {
	var ferr error
	err := s.rc.Control(func(fd uintptr) { ferr = fn(int(fd)) })
	if err != nil {
		return mapClosed(err)
	}
	return ferr
}

func (s *socket) setOption(level, opt, v int, name string) error {
	return s.control(func(fd int) error {
		return os.NewSyscallError("setsockopt "+name, unix.SetsockoptInt(fd, level, opt, v))
	})
}

func (s *socket) joinGroup(g uint32) error {
	return s.setOption(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(g), fmt.Sprintf("join group %d", g))
}

func (s *socket) leaveGroup(g uint32) error {
	return s.setOption(unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(g), fmt.Sprintf("leave group %d", g))
}

func (s *socket) setReadDeadline(t time.Time) { _ = s.f.SetReadDeadline(t) }

func (s *socket) close() error { return s.f.Close() }

func (s *socket) portID() uint32 { return s.port }

func (s *socket) protocol() int { return s.family }

// setIdleCheck turns the reporting of an empty queue on or off.
func (s *socket) setIdleCheck(on bool) { s.idle.Store(on) }

// buffers returns the socket's receive and send buffer sizes.
func (s *socket) buffers() (rcv, snd int) {
	_ = s.control(func(fd int) error {
		rcv, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF)
		snd, _ = unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF)
		return nil
	})
	return rcv, snd
}

// queueBound bounds the bytes of datagrams the receive queue holds: the
// kernel queues while the memory charged (which exceeds the bytes read)
// is within SO_RCVBUF, and may pass it by one datagram.
func (s *socket) queueBound() int {
	rcv, _ := s.buffers()
	if rcv <= 0 {
		rcv = 32 << 20
	}
	return rcv + maxNotification
}

// maxNotification bounds one notification datagram (the kernel allocates
// them with NLMSG_GOODSIZE or at most a 64 KiB attribute's worth).
const maxNotification = 128 << 10

// mapClosed turns the os package's closed-file errors into ErrClosed.
func mapClosed(err error) error {
	if errors.Is(err, os.ErrClosed) {
		return ErrClosed
	}
	return err
}

// cmsg space for NETLINK_PKTINFO (struct nl_pktinfo) and
// NETLINK_LISTEN_ALL_NSID (int), with room to spare.
const oobSize = 64

// sysRecv is the Linux part of a receiver: everything one recvmsg needs,
// allocated once and reused, so that a receive allocates nothing.
type sysRecv struct {
	oob   [oobSize]byte
	sa    unix.RawSockaddrNetlink
	iov   unix.Iovec
	msg   unix.Msghdr
	flags int
	n     int
	errno syscall.Errno
	fn    func(fd uintptr) bool
	// idle, when it points at true, makes an empty queue end the read
	// with errIdle instead of waiting (see Conn.checkIdle).
	idle *atomic.Bool
	// gate is the socket's dumpGate, held around each recvmsg call.
	gate *sync.Mutex
	// raw makes recvmsg a raw system call; see setRawReads. slow says one
	// took longer than rawReadLimit.
	raw, slow bool
}

// setRawReads makes r's recvmsg calls raw system calls, which Go's
// scheduler does not see, or ends that; it reports whether one of them
// took longer than rawReadLimit since the last call.
//
// A dump's read-ahead goroutine reads with them. Its recvmsg returns at
// once when nothing is queued (the socket does not block) but lasts as
// long as the kernel takes to write the dump's next datagram (netlink_dump
// runs inside it): tens of microseconds. Through the scheduler, a call
// that long has its processor taken away by the runtime's monitor while
// the other processor decodes, so each read ends in a futex round trip to
// get one back; a raw call keeps it. The cost: while the kernel writes,
// that processor runs nothing else and a stop-the-world waits for it.
// Should the kernel sleep in a dump (a family's lock held elsewhere), the
// reads go back through the scheduler for the rest of the dump.
func (r *receiver) setRawReads(on bool) (slow bool) {
	slow = r.sys.slow
	r.sys.raw, r.sys.slow = on, false
	return slow
}

// rawReadLimit is how long a raw recvmsg may take before a dump's reads go
// back through the scheduler; see setRawReads.
const rawReadLimit = time.Millisecond

func (r *receiver) initSys() { r.sys.fn = r.do }

func (r *receiver) do(fd uintptr) bool {
	for {
		r.sys.gate.Lock()
		var n uintptr
		var e syscall.Errno
		if r.sys.raw {
			start := time.Now()
			n, _, e = unix.RawSyscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&r.sys.msg)), uintptr(r.sys.flags))
			if time.Since(start) > rawReadLimit {
				r.sys.raw, r.sys.slow = false, true
			}
		} else {
			n, _, e = unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&r.sys.msg)), uintptr(r.sys.flags))
		}
		r.sys.gate.Unlock()
		switch e {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			if r.sys.idle != nil && r.sys.idle.Load() {
				r.sys.errno = e
				return true
			}
			return false // wait for the poller
		}
		r.sys.n, r.sys.errno = int(n), e
		return true
	}
}

// recv receives one whole datagram into r.buf, growing it when the datagram
// is larger: the datagram is first peeked with MSG_TRUNC to learn its size,
// so nothing is ever cut off. The length offered to the kernel is kept to
// half the socket's receive buffer (s.readLen), because the kernel sizes
// dump datagrams after it and a dump datagram must fit beside what is
// already queued.
//
// An ENOBUFS met while consuming the peeked datagram is remembered in
// r.enobufs and the read is retried: the error is sticky per socket and
// would otherwise hide the datagram.
func (s *socket) recv(r *receiver) (datagram, error) {
	r.sys.idle = &s.idle
	r.sys.gate = &s.dumpGate
	if s.direct > 0 {
		return s.recvDirect(r)
	}
	want := min(len(r.buf), s.readLen)
	for {
		r.setup(r.buf[:want], unix.MSG_PEEK|unix.MSG_TRUNC)
		if err := s.rawRead(r); err != nil {
			return datagram{}, err
		}
		if r.sys.n <= want {
			break
		}
		if r.sys.n > maxDatagram {
			// Consume it so the socket does not stay stuck on it.
			r.setup(r.buf[:0], unix.MSG_TRUNC)
			_ = s.rawRead(r)
			return datagram{}, fmt.Errorf("%w: %d bytes", ErrTruncated, r.sys.n)
		}
		if r.sys.n > len(r.buf) {
			r.buf = make([]byte, Align(r.sys.n)+4096)
		}
		want = r.sys.n
	}
	n := r.sys.n
	// The datagram is in r.buf; consume it without copying it again.
	for {
		r.setup(r.buf[:0], unix.MSG_TRUNC)
		err := s.rawRead(r)
		if err == ErrOverrun {
			r.enobufs = true
			continue
		}
		if err != nil {
			return datagram{}, err
		}
		break
	}
	if r.sys.n != n {
		// Only the reader role reads, so this cannot happen unless another
		// process shares the descriptor. Never parse mixed bytes.
		return datagram{}, fmt.Errorf("%w: datagram changed between peek (%d bytes) and read (%d bytes)", ErrTruncated, n, r.sys.n)
	}
	d := datagram{data: r.buf[:n], sender: r.sys.sa.Pid, nsid: -1}
	if r.sys.sa.Groups != 0 {
		d.group = lowestGroup(r.sys.sa.Groups)
	}
	s.parseCmsgs(r, &d)
	return d, nil
}

// recvDirect reads one datagram with a single recvmsg into a buffer of
// Config.MaxDatagram bytes (see there); MSG_TRUNC makes the kernel give
// the datagram's real length, so one cut short is reported, not parsed.
func (s *socket) recvDirect(r *receiver) (datagram, error) {
	if len(r.buf) < s.direct {
		r.buf = make([]byte, s.direct)
	}
	r.setup(r.buf[:s.direct], unix.MSG_TRUNC)
	if err := s.rawRead(r); err != nil {
		return datagram{}, err
	}
	if r.sys.n > s.direct {
		return datagram{}, fmt.Errorf("%w: %d bytes, Config.MaxDatagram is %d", ErrTruncated, r.sys.n, s.direct)
	}
	d := datagram{data: r.buf[:r.sys.n], sender: r.sys.sa.Pid, nsid: -1}
	if r.sys.sa.Groups != 0 {
		d.group = lowestGroup(r.sys.sa.Groups)
	}
	s.parseCmsgs(r, &d)
	return d, nil
}

func (r *receiver) setup(b []byte, flags int) {
	r.sys.sa = unix.RawSockaddrNetlink{}
	r.sys.msg = unix.Msghdr{}
	r.sys.msg.Name = (*byte)(unsafe.Pointer(&r.sys.sa))
	r.sys.msg.Namelen = unix.SizeofSockaddrNetlink
	if cap(b) > 0 {
		r.sys.iov.Base = unsafe.SliceData(b[:cap(b)])
	} else {
		r.sys.iov.Base = nil
	}
	r.sys.iov.SetLen(len(b))
	r.sys.msg.Iov = &r.sys.iov
	r.sys.msg.SetIovlen(1)
	r.sys.msg.Control = &r.sys.oob[0]
	r.sys.msg.SetControllen(len(r.sys.oob))
	r.sys.flags = flags
}

func (s *socket) rawRead(r *receiver) error {
	if err := s.rc.Read(r.sys.fn); err != nil {
		return mapClosed(err)
	}
	if r.sys.errno != 0 {
		switch r.sys.errno {
		case unix.ENOBUFS:
			return ErrOverrun
		case unix.EAGAIN:
			return errIdle
		}
		return os.NewSyscallError("recvmsg", r.sys.errno)
	}
	return nil
}

func (s *socket) parseCmsgs(r *receiver, d *datagram) {
	oob := r.sys.oob[:r.sys.msg.Controllen]
	for len(oob) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(oob) {
			return
		}
		data := oob[unix.SizeofCmsghdr:l]
		if h.Level == unix.SOL_NETLINK && len(data) >= 4 {
			v := *(*uint32)(unsafe.Pointer(&data[0]))
			switch h.Type {
			case unix.NETLINK_PKTINFO:
				d.group = v
			case unix.NETLINK_LISTEN_ALL_NSID:
				d.nsid = int32(v)
			}
		}
		oob = oob[min(unix.CmsgSpace(l-unix.SizeofCmsghdr), len(oob)):]
	}
}

// send writes one datagram to the given port and groups (0, 0 = kernel).
func (s *socket) send(b []byte, port, groups uint32) error {
	op := sendOps.Get().(*sendOp)
	op.b, op.port, op.groups, op.err = b, port, groups, nil
	if port == 0 && groups == 0 && holdsDumpRequest(b) {
		op.gate = &s.dumpGate
	}
	err := s.rc.Write(op.fn)
	op.gate = nil
	serr := op.err
	op.b, op.err = nil, nil
	sendOps.Put(op)
	if err != nil {
		return mapClosed(err)
	}
	if serr != nil {
		if serr == unix.ENOBUFS {
			return ErrOverrun
		}
		return os.NewSyscallError("sendto", serr)
	}
	return nil
}

// sendOp is one send's state, pooled with the closure RawConn.Write calls,
// so that a send allocates nothing (a verdict per queued packet is a send).
type sendOp struct {
	b            []byte
	port, groups uint32
	gate         *sync.Mutex // held around the call when b asks for a dump
	err          error
	fn           func(fd uintptr) bool
}

var sendOps = sync.Pool{New: func() any {
	op := new(sendOp)
	op.fn = op.run
	return op
}}

func (op *sendOp) run(fd uintptr) bool {
	if op.gate != nil {
		op.gate.Lock()
		defer op.gate.Unlock()
	}
	for {
		if op.port == 0 && op.groups == 0 {
			// To the kernel: an unconnected netlink socket sends there
			// when no address is given, and write needs no sockaddr.
			_, op.err = unix.Write(int(fd), op.b)
		} else {
			op.err = unix.Sendto(int(fd), op.b, unix.MSG_DONTWAIT, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: op.port, Groups: op.groups})
		}
		if op.err != unix.EINTR {
			// EAGAIN comes from a peer with a full buffer: the poller
			// cannot tell when it drains, so it is reported, not awaited.
			return true
		}
	}
}

// drops returns the kernel's count of messages dropped for this socket
// (SK_MEMINFO_DROPS of SO_MEMINFO), which netlink_overrun increments.
func (s *socket) drops() (uint32, error) {
	var mem [skMeminfoVars]uint32
	size := uint32(unsafe.Sizeof(mem))
	err := s.control(func(fd int) error {
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&mem[0])), uintptr(unsafe.Pointer(&size)), 0)
		if e != 0 {
			return os.NewSyscallError("getsockopt SO_MEMINFO", e)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if size < 4*(skMeminfoDrops+1) {
		return 0, fmt.Errorf("netlink: SO_MEMINFO returned %d bytes", size)
	}
	return mem[skMeminfoDrops], nil
}

// Indexes of the SO_MEMINFO array (linux/sock_diag.h).
const (
	skMeminfoDrops = 8 // SK_MEMINFO_DROPS
	skMeminfoVars  = 9 // SK_MEMINFO_VARS
)

// setFilter attaches (or, for an empty prog, detaches) a classic BPF
// socket filter. FilterInstruction has struct sock_filter's layout.
func (s *socket) setFilter(prog []FilterInstruction) error {
	return s.control(func(fd int) error {
		if len(prog) == 0 {
			err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
			if err == unix.ENOENT {
				return nil // none attached
			}
			return os.NewSyscallError("setsockopt SO_DETACH_FILTER", err)
		}
		f := make([]unix.SockFilter, len(prog))
		for i, in := range prog {
			f[i] = unix.SockFilter{Code: in.Op, Jt: in.JumpTrue, Jf: in.JumpFalse, K: in.K}
		}
		fp := unix.SockFprog{Len: uint16(len(f)), Filter: &f[0]}
		if len(prog) > 0xffff {
			return os.NewSyscallError("setsockopt SO_ATTACH_FILTER", unix.EINVAL)
		}
		return os.NewSyscallError("setsockopt SO_ATTACH_FILTER", unix.SetsockoptSockFprog(fd, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fp))
	})
}
