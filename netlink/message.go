package netlink

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// HeaderLen is the size of a netlink message header (struct nlmsghdr).
const HeaderLen = 16

// Align rounds n up to the netlink message alignment (NLMSG_ALIGN, 4 bytes).
func Align(n int) int { return (n + 3) &^ 3 }

// MessageType is the nlmsg_type field. Values below 0x10 are reserved for
// control messages (NLMSG_*); families define their own above that.
type MessageType uint16

// Control message types from linux/netlink.h.
const (
	TypeNoop    MessageType = 0x1 // NLMSG_NOOP: nothing, skip it
	TypeError   MessageType = 0x2 // NLMSG_ERROR: error or acknowledgement
	TypeDone    MessageType = 0x3 // NLMSG_DONE: end of a multipart message
	TypeOverrun MessageType = 0x4 // NLMSG_OVERRUN: data lost (unused by Linux)
)

// String names the control types and prints other types as numbers.
func (t MessageType) String() string {
	switch t {
	case TypeNoop:
		return "noop"
	case TypeError:
		return "error"
	case TypeDone:
		return "done"
	case TypeOverrun:
		return "overrun"
	}
	return fmt.Sprintf("type(%d)", uint16(t))
}

// Flags is the nlmsg_flags field. Bits 0x100 to 0x800 mean different things
// for GET requests (Root, Match, Atomic), NEW requests (Replace, Excl, Create,
// Append), DELETE requests (NonRec, Bulk) and acknowledgements (Capped,
// AckTLVs): the constants below share values accordingly.
type Flags uint16

// Flag bits from linux/netlink.h.
const (
	Request         Flags = 0x01 // NLM_F_REQUEST: a request
	Multi           Flags = 0x02 // NLM_F_MULTI: part of a multipart reply
	Acknowledge     Flags = 0x04 // NLM_F_ACK: ask for an acknowledgement
	Echo            Flags = 0x08 // NLM_F_ECHO: echo this request
	DumpInterrupted Flags = 0x10 // NLM_F_DUMP_INTR: the dump was inconsistent
	DumpFiltered    Flags = 0x20 // NLM_F_DUMP_FILTERED: the dump was filtered as asked

	Root   Flags = 0x100        // NLM_F_ROOT (GET): the whole table
	Match  Flags = 0x200        // NLM_F_MATCH (GET): all that match
	Atomic Flags = 0x400        // NLM_F_ATOMIC (GET): an atomic snapshot
	Dump   Flags = Root | Match // NLM_F_DUMP (GET)

	Replace Flags = 0x100 // NLM_F_REPLACE (NEW): replace an existing object
	Excl    Flags = 0x200 // NLM_F_EXCL (NEW): fail if it exists
	Create  Flags = 0x400 // NLM_F_CREATE (NEW): create if it does not exist
	Append  Flags = 0x800 // NLM_F_APPEND (NEW): add at the end of the list

	NonRec Flags = 0x100 // NLM_F_NONREC (DELETE): do not delete recursively
	Bulk   Flags = 0x200 // NLM_F_BULK (DELETE): delete many objects

	Capped  Flags = 0x100 // NLM_F_CAPPED (ERROR): the request payload was left out
	AckTLVs Flags = 0x200 // NLM_F_ACK_TLVS (ERROR): extended-ACK attributes follow
)

var genericFlagNames = [...]string{"request", "multi", "ack", "echo", "dump-intr", "dump-filtered"}

// String lists the set bits separated by '|'. The context bits 0x100-0x800
// are named as for requests that create objects (replace, excl, create,
// append); Header.String names them by the message's context.
func (f Flags) String() string { return f.format(false, false) }

func (f Flags) format(isGet, isAck bool) string {
	if f == 0 {
		return "0"
	}
	var names []string
	for i, n := range genericFlagNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	hi := [4]string{"replace", "excl", "create", "append"}
	switch {
	case isAck:
		hi = [4]string{"capped", "ack-tlvs", "0x400", "0x800"}
	case isGet:
		hi = [4]string{"root", "match", "atomic", "0x800"}
	}
	for i, n := range hi {
		if f&(0x100<<i) != 0 {
			names = append(names, n)
		}
	}
	if rest := f &^ 0xf3f; rest != 0 {
		names = append(names, fmt.Sprintf("%#x", uint16(rest)))
	}
	return strings.Join(names, "|")
}

// Header is a netlink message header (struct nlmsghdr).
type Header struct {
	Length   uint32      // nlmsg_len: header plus payload; filled in when encoding
	Type     MessageType // nlmsg_type
	Flags    Flags       // nlmsg_flags
	Sequence uint32      // nlmsg_seq: filled in by Conn when zero
	PortID   uint32      // nlmsg_pid: the sender's port; written by the sender, so it can be forged
}

// String formats the header for logs, naming flags by context: dump requests
// get GET names, errors get acknowledgement names.
func (h Header) String() string {
	isAck := h.Type == TypeError
	isGet := !isAck && h.Flags&Request != 0 && h.Flags&Dump == Dump && h.Flags&Append == 0
	return fmt.Sprintf("{len=%d type=%s flags=%s seq=%d pid=%d}",
		h.Length, h.Type, h.Flags.format(isGet, isAck), h.Sequence, h.PortID)
}

// Message is one netlink message: a header and its payload. Data excludes
// the header. Messages handed out by a Conn say in their method's doc whether
// Data is owned by the caller or valid only for a while.
type Message struct {
	Header Header
	Data   []byte
}

// AppendMessage appends the encoding of a message with header h and payload
// data to b, padded to the netlink alignment, and returns the extended
// buffer. The Length field is computed; h.Length is ignored. A payload that
// does not fit the 32-bit length gives an error.
func AppendMessage(b []byte, h Header, data []byte) ([]byte, error) {
	if uint64(len(data)) > uint64(1<<31) {
		return b, fmt.Errorf("netlink: message payload of %d bytes is too long", len(data))
	}
	n := HeaderLen + len(data)
	b = binary.NativeEndian.AppendUint32(b, uint32(n))
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Type))
	b = binary.NativeEndian.AppendUint16(b, uint16(h.Flags))
	b = binary.NativeEndian.AppendUint32(b, h.Sequence)
	b = binary.NativeEndian.AppendUint32(b, h.PortID)
	b = append(b, data...)
	for i := n; i < Align(n); i++ {
		b = append(b, 0)
	}
	return b, nil
}

// MarshalBinary encodes m with its Length computed.
func (m Message) MarshalBinary() ([]byte, error) {
	return AppendMessage(make([]byte, 0, Align(HeaderLen+len(m.Data))), m.Header, m.Data)
}

// UnmarshalBinary decodes exactly one message from b. Data aliases b.
func (m *Message) UnmarshalBinary(b []byte) error {
	msgs, err := AppendParse(nil, b)
	if err != nil {
		return err
	}
	if len(msgs) != 1 {
		return &ParseError{Offset: 0, Reason: fmt.Sprintf("%d messages, want 1", len(msgs))}
	}
	*m = msgs[0]
	return nil
}

// ParseError reports a malformed datagram. It is returned (possibly wrapped)
// by parsing functions and by Conn when the kernel or a peer sent bytes that
// are not valid netlink messages.
type ParseError struct {
	Offset int    // offset of the bad message header in the datagram
	Length uint32 // the nlmsg_len it claimed, if it could be read
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("netlink: malformed message at offset %d (nlmsg_len %d): %s", e.Offset, e.Length, e.Reason)
}

// Is makes errors.Is(err, ErrMalformed) true for every ParseError.
func (e *ParseError) Is(target error) bool { return target == ErrMalformed }

// AppendParse parses the netlink messages in the datagram b, appends them to
// dst and returns it. Data of each message aliases b. It allocates nothing
// when dst has room. A trailing run of fewer than HeaderLen bytes (padding)
// is ignored and the last message need not be padded; any other
// inconsistency gives a *ParseError and the messages parsed before it.
func AppendParse(dst []Message, b []byte) ([]Message, error) {
	off := 0
	for len(b)-off >= HeaderLen {
		h := b[off:]
		l := binary.NativeEndian.Uint32(h[0:4])
		if l < HeaderLen {
			return dst, &ParseError{Offset: off, Length: l, Reason: "length shorter than the header"}
		}
		if uint64(l) > uint64(len(h)) {
			return dst, &ParseError{Offset: off, Length: l, Reason: fmt.Sprintf("length past the end of the %d-byte datagram", len(b))}
		}
		dst = append(dst, Message{
			Header: Header{
				Length:   l,
				Type:     MessageType(binary.NativeEndian.Uint16(h[4:6])),
				Flags:    Flags(binary.NativeEndian.Uint16(h[6:8])),
				Sequence: binary.NativeEndian.Uint32(h[8:12]),
				PortID:   binary.NativeEndian.Uint32(h[12:16]),
			},
			Data: h[HeaderLen:l:l],
		})
		next := Align(int(l))
		if next > len(h) {
			break // unaligned final message
		}
		off += next
	}
	return dst, nil
}

func nativeUint32(b []byte) uint32 { return binary.NativeEndian.Uint32(b) }
func nativeUint16(b []byte) uint16 { return binary.NativeEndian.Uint16(b) }
func putUint32(b []byte, v uint32) { binary.NativeEndian.PutUint32(b, v) }
func putFlags(h []byte, f Flags)   { binary.NativeEndian.PutUint16(h[6:8], uint16(f)) }

// holdsDumpRequest reports whether the datagram b holds a request that
// asks for a dump (both NLM_F_DUMP bits), so that its send must keep out
// of the way of reads: see socket.dumpGate. One bit alone is not taken
// for a dump: on a NEW request 0x100 is NLM_F_REPLACE, common in batches
// that should not hold reads off; sock_diag alone starts a dump on either
// bit, and its package sends both.
func holdsDumpRequest(b []byte) bool {
	for len(b) >= HeaderLen {
		l := nativeUint32(b)
		f := Flags(nativeUint16(b[6:]))
		if f&Request != 0 && f&Dump == Dump {
			return true
		}
		if l < HeaderLen || uint64(Align(int(l))) >= uint64(len(b)) {
			return false
		}
		b = b[Align(int(l)):]
	}
	return false
}
