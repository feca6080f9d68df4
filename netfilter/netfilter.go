package netfilter

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/nlkit/nlkit/internal/enumtext"
	"github.com/nlkit/nlkit/netlink"
)

// HeaderLen is the size of the nfgenmsg header.
const HeaderLen = 4

// Version is NFNETLINK_V0, the only version of the nfgenmsg header.
const Version = 0

// Header is struct nfgenmsg, the 4-byte header after the netlink header of
// every nfnetlink message.
type Header struct {
	Family  Family // nfgen_family: the protocol family (NFPROTO_*)
	Version uint8  // version: Version (NFNETLINK_V0)
	// ResourceID is res_id (sent in network byte order): the queue number,
	// the log group, the subsystem of a batch; 0 where the message has none.
	ResourceID uint16
}

// AppendBinary appends the header's 4 wire bytes to b.
func (h Header) AppendBinary(b []byte) ([]byte, error) {
	return append(b, uint8(h.Family), h.Version, byte(h.ResourceID>>8), byte(h.ResourceID)), nil
}

// MarshalBinary returns the header's 4 wire bytes.
func (h Header) MarshalBinary() ([]byte, error) { return h.AppendBinary(make([]byte, 0, HeaderLen)) }

// UnmarshalBinary decodes the header from the first 4 bytes of b; it is
// an error if b is shorter.
func (h *Header) UnmarshalBinary(b []byte) error {
	if len(b) < HeaderLen {
		return fmt.Errorf("netfilter: nfgenmsg header of %d bytes, want %d: %w", len(b), HeaderLen, ErrShort)
	}
	*h = Header{Family: Family(b[0]), Version: b[1], ResourceID: binary.BigEndian.Uint16(b[2:4])}
	return nil
}

// ErrShort is wrapped by errors about a message too short for its headers.
var ErrShort = errors.New("message too short")

// Family is a netfilter protocol family (NFPROTO_* in
// linux/netfilter.h), the nfgen_family of a message. For IPv4 and IPv6 its
// values equal AF_INET and AF_INET6.
type Family uint8

// Protocol families.
const (
	FamilyUnspec Family = 0  // NFPROTO_UNSPEC
	FamilyInet   Family = 1  // NFPROTO_INET: IPv4 and IPv6 (nf_tables)
	FamilyIPv4   Family = 2  // NFPROTO_IPV4 (AF_INET)
	FamilyARP    Family = 3  // NFPROTO_ARP
	FamilyNetdev Family = 5  // NFPROTO_NETDEV
	FamilyBridge Family = 7  // NFPROTO_BRIDGE (AF_BRIDGE)
	FamilyIPv6   Family = 10 // NFPROTO_IPV6 (AF_INET6)
)

var familyNames = [...]string{0: "unspec", 1: "inet", 2: "ipv4", 3: "arp", 5: "netdev", 7: "bridge", 10: "ipv6"}

// String gives the family's name as the netfilter tools write it (ipv4,
// ipv6, bridge, inet, arp, netdev, unspec), or its number.
func (f Family) String() string {
	if int(f) < len(familyNames) && familyNames[f] != "" {
		return familyNames[f]
	}
	return strconv.Itoa(int(f))
}

// AppendText appends String's text.
func (f Family) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// MarshalText returns String's text.
func (f Family) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// UnmarshalText accepts String's words (and "ip" and "ip6" as nft writes
// them) or a number.
func (f *Family) UnmarshalText(b []byte) error {
	s := string(b)
	switch s {
	case "ip":
		*f = FamilyIPv4
		return nil
	case "ip6":
		*f = FamilyIPv6
		return nil
	}
	for i, n := range familyNames {
		if n != "" && n == s {
			*f = Family(i)
			return nil
		}
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return fmt.Errorf("netfilter: unknown family %q", s)
	}
	*f = Family(n)
	return nil
}

// Subsystem is an nfnetlink subsystem (NFNL_SUBSYS_* in
// linux/netfilter/nfnetlink.h), the high byte of a message type.
type Subsystem uint8

// Subsystems.
const (
	SubsysNone             Subsystem = 0  // NFNL_SUBSYS_NONE
	SubsysCTNetlink        Subsystem = 1  // NFNL_SUBSYS_CTNETLINK: conntrack
	SubsysCTNetlinkExp     Subsystem = 2  // NFNL_SUBSYS_CTNETLINK_EXP: conntrack expectations
	SubsysQueue            Subsystem = 3  // NFNL_SUBSYS_QUEUE: NFQUEUE
	SubsysULog             Subsystem = 4  // NFNL_SUBSYS_ULOG: NFLOG
	SubsysOSF              Subsystem = 5  // NFNL_SUBSYS_OSF: passive OS fingerprinting
	SubsysIPSet            Subsystem = 6  // NFNL_SUBSYS_IPSET
	SubsysAcct             Subsystem = 7  // NFNL_SUBSYS_ACCT: extended accounting
	SubsysCTNetlinkTimeout Subsystem = 8  // NFNL_SUBSYS_CTNETLINK_TIMEOUT
	SubsysCTHelper         Subsystem = 9  // NFNL_SUBSYS_CTHELPER
	SubsysNFTables         Subsystem = 10 // NFNL_SUBSYS_NFTABLES
	SubsysNFTCompat        Subsystem = 11 // NFNL_SUBSYS_NFT_COMPAT
	SubsysHook             Subsystem = 12 // NFNL_SUBSYS_HOOK
)

var subsysNames = [...]string{"none", "conntrack", "expect", "queue", "log", "osf", "ipset", "acct", "cttimeout", "cthelper", "nftables", "nftcompat", "hook"}

// String names the subsystem (conntrack, expect, queue, log, nftables ...)
// or gives its number.
func (s Subsystem) String() string {
	if int(s) < len(subsysNames) {
		return subsysNames[s]
	}
	return strconv.Itoa(int(s))
}

// AppendText appends String's text.
func (s Subsystem) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// MarshalText returns String's text.
func (s Subsystem) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText accepts String's words or a number.
func (s *Subsystem) UnmarshalText(b []byte) error {
	for i, n := range subsysNames {
		if n == string(b) {
			*s = Subsystem(i)
			return nil
		}
	}
	n, err := strconv.ParseUint(string(b), 0, 8)
	if err != nil {
		return fmt.Errorf("netfilter: unknown subsystem %q", b)
	}
	*s = Subsystem(n)
	return nil
}

// Batch envelope message types (linux/netfilter/nfnetlink.h). They are
// netlink control-range types, not subsystem messages.
const (
	TypeBatchBegin netlink.MessageType = 0x10 // NFNL_MSG_BATCH_BEGIN
	TypeBatchEnd   netlink.MessageType = 0x11 // NFNL_MSG_BATCH_END
)

// MessageType returns the netlink message type of subsystem s's message
// msg: s in the high byte, msg in the low byte (NFNL_SUBSYS_ID and
// NFNL_MSG_TYPE in reverse).
func MessageType(s Subsystem, msg uint8) netlink.MessageType {
	return netlink.MessageType(uint16(s)<<8 | uint16(msg))
}

// SplitType returns the subsystem and the subsystem's message of t.
func SplitType(t netlink.MessageType) (Subsystem, uint8) {
	return Subsystem(t >> 8), uint8(t)
}

// NewMessage builds a request of subsystem s's message msg: the netlink
// header (flags as given; Request is added by the Conn), the nfgenmsg
// header h and the attributes. attrs is copied.
func NewMessage(s Subsystem, msg uint8, flags netlink.Flags, h Header, attrs []byte) netlink.Message {
	data := make([]byte, 0, HeaderLen+len(attrs))
	data, _ = h.AppendBinary(data)
	data = append(data, attrs...)
	return netlink.Message{Header: netlink.Header{Type: MessageType(s, msg), Flags: flags}, Data: data}
}

// AppendMessage appends the payload of a request (nfgenmsg header h, then
// attrs) to b, for callers that build requests in a reused buffer.
func AppendMessage(b []byte, h Header, attrs []byte) []byte {
	b, _ = h.AppendBinary(b)
	return append(b, attrs...)
}

// Message is a received nfnetlink message, split: its netlink header, its
// subsystem and message, its nfgenmsg header and its attributes. Attrs
// aliases the netlink message's data (see the owner's rule for how long
// that lives).
type Message struct {
	Netlink   netlink.Header
	Subsystem Subsystem
	Type      uint8 // the subsystem's message (low byte of the type)
	Header    Header
	Attrs     []byte
}

// ParseMessage splits m. It fails on a payload shorter than the nfgenmsg
// header; netlink's control messages (NLMSG_ERROR, NLMSG_DONE) are not
// nfnetlink messages and are refused too.
func ParseMessage(m netlink.Message) (Message, error) {
	if m.Header.Type < 0x10 {
		return Message{}, fmt.Errorf("netfilter: %v is a netlink control message, not an nfnetlink one", m.Header.Type)
	}
	var h Header
	if err := h.UnmarshalBinary(m.Data); err != nil {
		return Message{}, err
	}
	s, t := SplitType(m.Header.Type)
	return Message{Netlink: m.Header, Subsystem: s, Type: t, Header: h, Attrs: m.Data[HeaderLen:]}, nil
}

// ConnState is a packet's place in its connection as conntrack saw it
// (enum ip_conntrack_info in linux/netfilter/nf_conntrack_common.h), which
// NFQUEUE (NFQA_CT_INFO) and NFLOG (NFULA_CT_INFO) give when asked.
type ConnState uint32

// Connection states.
const (
	StateEstablished      ConnState = 0 // IP_CT_ESTABLISHED
	StateRelated          ConnState = 1 // IP_CT_RELATED
	StateNew              ConnState = 2 // IP_CT_NEW
	StateEstablishedReply ConnState = 3 // IP_CT_ESTABLISHED_REPLY
	StateRelatedReply     ConnState = 4 // IP_CT_RELATED_REPLY
	StateNewReply         ConnState = 5 // IP_CT_NEW_REPLY (unused by the kernel)
	StateUntracked        ConnState = 7 // IP_CT_UNTRACKED
)

var stateNames = [...]string{"established", "related", "new", "established-reply", "related-reply", "new-reply", "", "untracked"}

// String gives the state in lower case as conntrack's match names it
// (established, related, new; "-reply" for the reply direction;
// untracked), or its number.
func (s ConnState) String() string {
	if int(s) < len(stateNames) && stateNames[s] != "" {
		return stateNames[s]
	}
	return strconv.FormatUint(uint64(s), 10)
}

// AppendText appends String's text.
func (s ConnState) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// MarshalText returns String's text.
func (s ConnState) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText accepts String's words or a number.
func (s *ConnState) UnmarshalText(b []byte) error {
	return enumtext.Unmarshal(s, b, "netfilter", "connection state", uint32(len(stateNames)))
}
