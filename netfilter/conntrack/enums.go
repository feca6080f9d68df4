package conntrack

import (
	"fmt"
	"strconv"
	"strings"
)

// Status is a flow's status bits (enum ip_conntrack_status in
// linux/netfilter/nf_conntrack_common.h, IPS_*).
type Status uint32

// Status bits.
const (
	StatusExpected     Status = 1 << 0  // IPS_EXPECTED: made by an expectation
	StatusSeenReply    Status = 1 << 1  // IPS_SEEN_REPLY: packets seen both ways
	StatusAssured      Status = 1 << 2  // IPS_ASSURED: not dropped early when the table is full
	StatusConfirmed    Status = 1 << 3  // IPS_CONFIRMED: in the table
	StatusSrcNAT       Status = 1 << 4  // IPS_SRC_NAT
	StatusDstNAT       Status = 1 << 5  // IPS_DST_NAT
	StatusSeqAdjust    Status = 1 << 6  // IPS_SEQ_ADJUST
	StatusSrcNATDone   Status = 1 << 7  // IPS_SRC_NAT_DONE
	StatusDstNATDone   Status = 1 << 8  // IPS_DST_NAT_DONE
	StatusDying        Status = 1 << 9  // IPS_DYING
	StatusFixedTimeout Status = 1 << 10 // IPS_FIXED_TIMEOUT
	StatusTemplate     Status = 1 << 11 // IPS_TEMPLATE
	StatusNATClash     Status = 1 << 12 // IPS_NAT_CLASH (was IPS_UNTRACKED)
	StatusHelper       Status = 1 << 13 // IPS_HELPER
	StatusOffload      Status = 1 << 14 // IPS_OFFLOAD
	StatusHWOffload    Status = 1 << 15 // IPS_HW_OFFLOAD
)

var statusNames = [...]string{"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT",
	"SEQ_ADJUST", "SRC_NAT_DONE", "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT", "TEMPLATE", "NAT_CLASH",
	"HELPER", "OFFLOAD", "HW_OFFLOAD"}

// String lists the set bits with the kernel's names (IPS_ without the
// prefix) separated by '|', unknown bits as a hex number; "0" for none.
func (s Status) String() string {
	b, _ := s.AppendText(nil)
	return string(b)
}

// AppendText appends String's text.
func (s Status) AppendText(b []byte) ([]byte, error) {
	if s == 0 {
		return append(b, '0'), nil
	}
	start := len(b)
	for i, n := range statusNames {
		if s&(1<<i) != 0 {
			if len(b) > start {
				b = append(b, '|')
			}
			b = append(b, n...)
		}
	}
	if rest := s &^ (1<<len(statusNames) - 1); rest != 0 {
		if len(b) > start {
			b = append(b, '|')
		}
		b = append(b, "0x"...)
		b = strconv.AppendUint(b, uint64(rest), 16)
	}
	return b, nil
}

// MarshalText returns String's text.
func (s Status) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText accepts names separated by '|' or ',' (case-insensitive,
// as conntrack's --status takes them: ASSURED,SEEN_REPLY), "0", or a
// number.
func (s *Status) UnmarshalText(b []byte) error {
	var v Status
	for w := range strings.FieldsFuncSeq(string(b), func(r rune) bool { return r == '|' || r == ',' }) {
		found := false
		for i, n := range statusNames {
			if strings.EqualFold(w, n) {
				v |= 1 << i
				found = true
				break
			}
		}
		if !found {
			n, err := strconv.ParseUint(w, 0, 32)
			if err != nil {
				return fmt.Errorf("conntrack: unknown status %q", w)
			}
			v |= Status(n)
		}
	}
	*s = v
	return nil
}

// TCPState is a TCP flow's state as the tracker sees it (enum
// tcp_conntrack in linux/netfilter/nf_conntrack_tcp.h).
type TCPState uint8

// TCP states.
const (
	TCPNone        TCPState = 0  // TCP_CONNTRACK_NONE
	TCPSynSent     TCPState = 1  // TCP_CONNTRACK_SYN_SENT
	TCPSynRecv     TCPState = 2  // TCP_CONNTRACK_SYN_RECV
	TCPEstablished TCPState = 3  // TCP_CONNTRACK_ESTABLISHED
	TCPFinWait     TCPState = 4  // TCP_CONNTRACK_FIN_WAIT
	TCPCloseWait   TCPState = 5  // TCP_CONNTRACK_CLOSE_WAIT
	TCPLastAck     TCPState = 6  // TCP_CONNTRACK_LAST_ACK
	TCPTimeWait    TCPState = 7  // TCP_CONNTRACK_TIME_WAIT
	TCPClose       TCPState = 8  // TCP_CONNTRACK_CLOSE
	TCPSynSent2    TCPState = 9  // TCP_CONNTRACK_SYN_SENT2 (conntrack-tools: LISTEN)
	TCPMax         TCPState = 10 // TCP_CONNTRACK_MAX
	TCPIgnore      TCPState = 11 // TCP_CONNTRACK_IGNORE
)

// tcpStateNames are conntrack-tools' words.
var tcpStateNames = [...]string{"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE", "LISTEN", "MAX", "IGNORE"}

// String gives conntrack-tools' word for the state (ESTABLISHED,
// TIME_WAIT ...; SYN_SENT2 is LISTEN there), or its number.
func (s TCPState) String() string {
	if int(s) < len(tcpStateNames) {
		return tcpStateNames[s]
	}
	return strconv.Itoa(int(s))
}

// AppendText appends String's text.
func (s TCPState) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// MarshalText returns String's text.
func (s TCPState) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText accepts String's words (any case, and SYN_SENT2 for
// LISTEN) or a number.
func (s *TCPState) UnmarshalText(b []byte) error {
	w := string(b)
	if strings.EqualFold(w, "SYN_SENT2") {
		*s = TCPSynSent2
		return nil
	}
	for i, n := range tcpStateNames {
		if strings.EqualFold(w, n) {
			*s = TCPState(i)
			return nil
		}
	}
	n, err := strconv.ParseUint(w, 0, 8)
	if err != nil {
		return fmt.Errorf("conntrack: unknown TCP state %q", w)
	}
	*s = TCPState(n)
	return nil
}

// protoNames are conntrack-tools' names of IP protocols.
var protoNames = map[uint8]string{ProtoICMP: "icmp", ProtoTCP: "tcp", ProtoUDP: "udp", ProtoDCCP: "dccp",
	ProtoGRE: "gre", ProtoICMPv6: "icmpv6", ProtoSCTP: "sctp", ProtoUDPLite: "udplite"}

// ProtoName gives conntrack-tools' name of IP protocol p (tcp, udp, icmp,
// icmpv6, sctp, dccp, gre, udplite), or "unknown".
func ProtoName(p uint8) string {
	if n, ok := protoNames[p]; ok {
		return n
	}
	return "unknown"
}

// EventType says what happened to a flow or expectation.
type EventType uint8

// Event types. As a set (EventFilter.Types), they are bits.
const (
	EventNew     EventType = 1 << 0 // created (IPCTNL_MSG_CT_NEW with NLM_F_CREATE)
	EventUpdate  EventType = 1 << 1 // changed (IPCTNL_MSG_CT_NEW)
	EventDestroy EventType = 1 << 2 // removed (IPCTNL_MSG_CT_DELETE)

	EventAll = EventNew | EventUpdate | EventDestroy
)

// String gives conntrack -E's word: NEW, UPDATE, DESTROY; a set is joined
// by ','.
func (t EventType) String() string {
	b, _ := t.AppendText(nil)
	return string(b)
}

// AppendText appends String's text.
func (t EventType) AppendText(b []byte) ([]byte, error) {
	start := len(b)
	for i, n := range [...]string{"NEW", "UPDATE", "DESTROY"} {
		if t&(1<<i) != 0 {
			if len(b) > start {
				b = append(b, ',')
			}
			b = append(b, n...)
		}
	}
	if len(b) == start {
		b = strconv.AppendUint(b, uint64(t), 10)
	}
	return b, nil
}

// MarshalText returns String's text.
func (t EventType) MarshalText() ([]byte, error) { return t.AppendText(nil) }

// UnmarshalText accepts NEW, UPDATE, DESTROY (any case) separated by ',',
// as conntrack's -e takes them, or ALL.
func (t *EventType) UnmarshalText(b []byte) error {
	var v EventType
	for w := range strings.SplitSeq(string(b), ",") {
		switch strings.ToUpper(strings.TrimSpace(w)) {
		case "NEW":
			v |= EventNew
		case "UPDATE", "UPDATES":
			v |= EventUpdate
		case "DESTROY":
			v |= EventDestroy
		case "ALL":
			v |= EventAll
		default:
			return fmt.Errorf("conntrack: unknown event type %q", w)
		}
	}
	*t = v
	return nil
}
