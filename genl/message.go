package genl

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/nlkit/netlink"
)

// HeaderLen is the size of the generic netlink header (struct genlmsghdr,
// GENL_HDRLEN) that starts the payload of every generic netlink message.
const HeaderLen = 4

// Message is a generic netlink message: the generic header (struct
// genlmsghdr: cmd, version) and what follows it.
//
// Data is everything after the 4-byte generic header: the family's fixed
// header when it has one (Family.HeaderSize bytes; none of the families
// modelled here do), then attributes (see package nlattr, or AttrSet for a
// declarative codec). Whether Data is owned by the caller or valid only for
// a while is said by the method that hands the Message out.
type Message struct {
	Command uint8  // genlmsghdr.cmd: the operation, e.g. CTRL_CMD_GETFAMILY
	Version uint8  // genlmsghdr.version: 0 in a request means the family's version
	Data    []byte // after the generic header: family header, if any, then attributes
}

// AppendBinary appends the encoding of m (generic header, then Data) to b.
// The reserved field of the header is zero.
func (m Message) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, m.Command, m.Version, 0, 0)
	return append(b, m.Data...), nil
}

// MarshalBinary encodes m as a netlink payload (generic header, then Data).
func (m Message) MarshalBinary() ([]byte, error) {
	return m.AppendBinary(make([]byte, 0, HeaderLen+len(m.Data)))
}

// UnmarshalBinary decodes the payload of a netlink message. Data aliases b.
// A payload shorter than the generic header is an error wrapping
// netlink.ErrMalformed.
func (m *Message) UnmarshalBinary(b []byte) error {
	if len(b) < HeaderLen {
		return fmt.Errorf("genl: payload of %d bytes is shorter than the generic header: %w", len(b), netlink.ErrMalformed)
	}
	m.Command, m.Version = b[0], b[1]
	m.Data = b[HeaderLen:len(b):len(b)]
	return nil
}

// String formats the header for logs: "cmd 3 version 2 (120 bytes)".
func (m Message) String() string {
	return fmt.Sprintf("cmd %d version %d (%d bytes)", m.Command, m.Version, len(m.Data))
}

// parse decodes the generic message carried by a netlink message; Data
// aliases nm.Data.
func parse(nm netlink.Message) (Message, error) {
	var m Message
	if err := m.UnmarshalBinary(nm.Data); err != nil {
		return Message{}, fmt.Errorf("genl: message type %d: %w", nm.Header.Type, err)
	}
	return m, nil
}

// nlMessage wraps m into a netlink message for family id.
func nlMessage(id uint16, m Message, flags netlink.Flags) netlink.Message {
	b := make([]byte, 0, HeaderLen+len(m.Data))
	b = append(b, m.Command, m.Version, 0, 0)
	b = append(b, m.Data...)
	return netlink.Message{Header: netlink.Header{Type: netlink.MessageType(id), Flags: flags}, Data: b}
}

var native = binary.NativeEndian
