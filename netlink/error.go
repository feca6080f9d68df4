package netlink

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/nlattr"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrDumpInterrupted reports that the kernel set NLM_F_DUMP_INTR on a dump:
	// the objects changed while they were being listed, so the result may be
	// incomplete or inconsistent. Dump again (RetryInterrupted does).
	ErrDumpInterrupted = errors.New("netlink: dump interrupted by concurrent changes; dump again")

	// ErrOverrun reports that the kernel dropped messages because the
	// socket's receive buffer was full (ENOBUFS). Notifications were lost;
	// holders of state must resynchronise with a fresh dump. A request whose
	// reply was pending at that moment fails with it too: the request may or
	// may not have been carried out.
	ErrOverrun = errors.New("netlink: receive buffer overrun, messages were lost")

	// ErrClosed is returned by operations on a closed Conn, including those
	// that were blocked when Close was called.
	ErrClosed = errors.New("netlink: use of closed connection")

	// ErrMalformed matches every *ParseError: bytes that are not valid netlink.
	ErrMalformed = errors.New("netlink: malformed message")

	// ErrTruncated reports a datagram larger than any buffer the Conn could
	// use; it was not parsed.
	ErrTruncated = errors.New("netlink: datagram truncated")
)

// Extended-ACK attribute types (enum nlmsgerr_attrs, linux/netlink.h).
const (
	extAckMsg      = 1 // NLMSGERR_ATTR_MSG
	extAckOffs     = 2 // NLMSGERR_ATTR_OFFS
	extAckCookie   = 3 // NLMSGERR_ATTR_COOKIE
	extAckPolicy   = 4 // NLMSGERR_ATTR_POLICY
	extAckMissType = 5 // NLMSGERR_ATTR_MISS_TYPE
	extAckMissNest = 6 // NLMSGERR_ATTR_MISS_NEST
)

// Error is a failure reported by the kernel (or a peer) in an NLMSG_ERROR or
// NLMSG_DONE message, with everything the extended ACK told about it. Unwrap
// gives the syscall.Errno, so errors.Is(err, fs.ErrExist) or
// errors.Is(err, syscall.ENOENT) work. The same type carries warnings (Errno
// 0) that the kernel attached to a successful acknowledgement.
type Error struct {
	Op       string        // what was being done: "execute", "dump", "batch"; family packages may set their own
	Type     MessageType   // the request's message type
	Sequence uint32        // the request's sequence number
	Errno    syscall.Errno // the kernel's error; 0 for a warning
	Message  string        // NLMSGERR_ATTR_MSG: the kernel's explanation, if any

	// Offset is NLMSGERR_ATTR_OFFS: the offset, from the start of the
	// request's header, of the attribute the kernel rejected; -1 if none.
	Offset int
	// AttrType is the type of the attribute found at Offset in the request
	// as sent (flags masked); 0 when Offset is -1 or outside the request.
	AttrType uint16
	// MissingType is NLMSGERR_ATTR_MISS_TYPE: a required attribute that was
	// absent; 0 if the kernel named none.
	MissingType uint32
	// MissingNest is NLMSGERR_ATTR_MISS_NEST: the offset of the nest that
	// lacked MissingType; -1 if none.
	MissingNest int
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("netlink: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "%s seq %d: ", e.Type, e.Sequence)
	e.appendCause(&b)
	return b.String()
}

// appendCause writes what went wrong, without the header naming the
// operation, message type and sequence: the errno (or "warning"), the
// extended-ACK message and the attribute it points at.
func (e *Error) appendCause(b *strings.Builder) {
	if e.Errno != 0 {
		b.WriteString(e.Errno.Error())
	} else {
		b.WriteString("warning")
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Offset >= 0 {
		fmt.Fprintf(b, " (attribute type %d at offset %d)", e.AttrType, e.Offset)
	}
	if e.MissingType != 0 {
		fmt.Fprintf(b, " (missing attribute type %d", e.MissingType)
		if e.MissingNest >= 0 {
			fmt.Fprintf(b, " in nest at offset %d", e.MissingNest)
		}
		b.WriteString(")")
	}
}

// NameOp names the failed operation op of family package pkg in err, so
// that the message says what was being done to which object:
//
//	NameOp("rtnl", `add link "v0"`, err) // rtnl: add link "v0": file exists
//
// nil stays nil. A *Error in err gets "<pkg> <op>" as its Op, and the
// error returned reads "<pkg>: <op>: <cause>", where the cause of a *Error
// is its errno, extended-ACK message and the attribute it points at,
// without the netlink header (operation, message type and sequence, which
// errors.As gives). errors.Is and errors.As see through the result to the
// *Error and its errno. An error NameOp returned is named again, not
// wrapped twice: the outermost operation is the one the caller asked for.
// It is the one helper family packages use to name their operations.
func NameOp(pkg, op string, err error) error {
	if err == nil {
		return nil
	}
	if oe, ok := err.(*opError); ok {
		err = oe.err
	}
	if ne, ok := errors.AsType[*Error](err); ok {
		ne.Op = pkg + " " + op
	}
	return &opError{pkg: pkg, op: op, err: err}
}

// opError is an error named by NameOp. It is no type of its own for
// users: errors.Is and errors.As see through it.
type opError struct {
	pkg, op string
	err     error
}

func (e *opError) Error() string {
	var b strings.Builder
	b.WriteString(e.pkg)
	b.WriteString(": ")
	b.WriteString(e.op)
	b.WriteString(": ")
	if ne, ok := e.err.(*Error); ok {
		ne.appendCause(&b)
	} else {
		b.WriteString(e.err.Error())
	}
	return b.String()
}

func (e *opError) Unwrap() error { return e.err }

// Unwrap returns the Errno, or nil for a warning.
func (e *Error) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// parseAck decodes the body of an NLMSG_ERROR message m. It returns the
// errno (0 for an acknowledgement), and, when the errno is non-zero or
// extended-ACK attributes are present, an *Error describing it. req is the
// request as sent (header included), used to name the attribute at the
// reported offset; it may be nil.
func parseAck(m *Message, req []byte) (syscall.Errno, *Error, error) {
	b := m.Data
	if len(b) < 4+HeaderLen {
		return 0, nil, &ParseError{Length: m.Header.Length, Reason: fmt.Sprintf("NLMSG_ERROR body of %d bytes, want at least %d", len(b), 4+HeaderLen)}
	}
	code := int32(binary.NativeEndian.Uint32(b[0:4]))
	origLen := binary.NativeEndian.Uint32(b[4:8])
	origType := MessageType(binary.NativeEndian.Uint16(b[8:10]))
	origSeq := binary.NativeEndian.Uint32(b[12:16])
	errno := errnoOf(code)
	rest := b[4+HeaderLen:]
	if m.Header.Flags&Capped == 0 {
		// The request payload is echoed back; skip it.
		pl := int(origLen) - HeaderLen
		if pl < 0 || Align(pl) > len(rest) {
			// Garbage or a truncated echo: keep the errno, drop the TLVs.
			pl = len(rest)
		}
		rest = rest[min(Align(pl), len(rest)):]
	}
	var tlvs []byte
	if m.Header.Flags&AckTLVs != 0 {
		tlvs = rest
	}
	if errno == 0 && len(tlvs) == 0 {
		return 0, nil, nil
	}
	e := &Error{Type: origType, Sequence: origSeq, Errno: errno, Offset: -1, MissingNest: -1}
	decodeExtAck(e, tlvs, req)
	if errno == 0 && e.Message == "" && e.Offset < 0 && e.MissingType == 0 {
		return 0, nil, nil
	}
	return errno, e, nil
}

// decodeExtAck fills e from extended-ACK attributes. Garbage attributes are
// ignored: the errno is what matters and is already in e.
func decodeExtAck(e *Error, tlvs, req []byte) {
	d := nlattr.NewDecoder(tlvs)
	for d.Next() {
		switch d.Type() {
		case extAckMsg:
			e.Message = d.String()
		case extAckOffs:
			if d.Len() == 4 {
				e.Offset = trustedOffset(d.Uint32())
			}
		case extAckMissType:
			if d.Len() == 4 {
				e.MissingType = d.Uint32()
			}
		case extAckMissNest:
			if d.Len() == 4 {
				e.MissingNest = trustedOffset(d.Uint32())
			}
		}
	}
	if e.Offset >= 0 {
		switch {
		case e.Offset >= HeaderLen && e.Offset <= len(req)-nlattr.HeaderLen:
			e.AttrType = binary.NativeEndian.Uint16(req[e.Offset+2:]) & nlattr.TypeMask
		case req != nil:
			// An offset the request cannot contain: not to be trusted.
			e.Offset = -1
		}
	}
}

// trustedOffset turns a kernel-reported offset into an int, or -1 when it
// is larger than any netlink request can be (a forged or garbled value).
func trustedOffset(v uint32) int {
	if v > 0xffffff {
		return -1
	}
	return int(v)
}

// errnoOf turns the kernel's negative error code into an Errno.
func errnoOf(code int32) syscall.Errno {
	if code < 0 {
		return syscall.Errno(-int64(code))
	}
	// Positive codes are not sent by Linux; keep them rather than lose them.
	return syscall.Errno(code)
}

type errnoT = syscall.Errno

// parseDone decodes the error code of an NLMSG_DONE message and any
// extended-ACK attributes after it.
func parseDone(m *Message, req []byte) (syscall.Errno, *Error, error) {
	if len(m.Data) < 4 {
		return 0, nil, &ParseError{Length: m.Header.Length, Reason: fmt.Sprintf("NLMSG_DONE body of %d bytes, want 4", len(m.Data))}
	}
	errno := errnoOf(int32(binary.NativeEndian.Uint32(m.Data)))
	var tlvs []byte
	if m.Header.Flags&AckTLVs != 0 {
		tlvs = m.Data[4:]
	}
	if errno == 0 && len(tlvs) == 0 {
		return 0, nil, nil
	}
	e := &Error{Sequence: m.Header.Sequence, Errno: errno, Offset: -1, MissingNest: -1}
	if len(req) >= HeaderLen {
		e.Type = MessageType(binary.NativeEndian.Uint16(req[4:6]))
	}
	decodeExtAck(e, tlvs, req)
	if errno == 0 && e.Message == "" && e.Offset < 0 && e.MissingType == 0 {
		return 0, nil, nil
	}
	return errno, e, nil
}
