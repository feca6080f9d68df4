package sockdiag

import (
	"fmt"
	"strconv"
	"strings"
)

// enumText implements the text methods of the enums: names[v] is v's word;
// a value without a word prints as its number.
func enumText(names []string, v int) string {
	if v >= 0 && v < len(names) && names[v] != "" {
		return names[v]
	}
	return strconv.Itoa(v)
}

func enumParse(names []string, what string, s string, bits int) (uint64, error) {
	for i, n := range names {
		if n != "" && strings.EqualFold(n, s) {
			return uint64(i), nil
		}
	}
	n, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		return 0, fmt.Errorf("sockdiag: unknown %s %q", what, s)
	}
	return n, nil
}

// Protocol is an IP protocol number (sdiag_protocol, or
// INET_DIAG_REQ_PROTOCOL for those above 255 such as MPTCP).
type Protocol uint16

// The protocols inet_diag knows.
const (
	ProtocolTCP     Protocol = 6   // IPPROTO_TCP
	ProtocolUDP     Protocol = 17  // IPPROTO_UDP
	ProtocolSCTP    Protocol = 132 // IPPROTO_SCTP
	ProtocolUDPLite Protocol = 136 // IPPROTO_UDPLITE
	ProtocolRaw     Protocol = 255 // IPPROTO_RAW: raw sockets (of any protocol, see InetFilter.RawProtocol)
	ProtocolMPTCP   Protocol = 262 // IPPROTO_MPTCP
)

var protocolNames = func() []string {
	n := make([]string, 263)
	n[ProtocolTCP], n[ProtocolUDP], n[ProtocolSCTP], n[ProtocolUDPLite], n[ProtocolRaw], n[ProtocolMPTCP] = "tcp", "udp", "sctp", "udplite", "raw", "mptcp"
	return n
}()

// String gives ss's netid word: "tcp", "udp", "raw" ...
func (p Protocol) String() string { return enumText(protocolNames, int(p)) }

// AppendText appends String's word.
func (p Protocol) AppendText(b []byte) ([]byte, error) { return append(b, p.String()...), nil }

// MarshalText gives String's word.
func (p Protocol) MarshalText() ([]byte, error) { return p.AppendText(nil) }

// UnmarshalText reads a word String gives, or a number.
func (p *Protocol) UnmarshalText(b []byte) error {
	n, err := enumParse(protocolNames, "protocol", string(b), 16)
	*p = Protocol(n)
	return err
}

// State is a socket's state (idiag_state): the TCP states of
// include/net/tcp_states.h, which the other protocols reuse (an unconnected
// UDP socket is StateClose, a connected one StateEstablished).
type State uint8

// Socket states (TCP_*).
const (
	StateEstablished   State = 1  // TCP_ESTABLISHED
	StateSynSent       State = 2  // TCP_SYN_SENT
	StateSynRecv       State = 3  // TCP_SYN_RECV
	StateFinWait1      State = 4  // TCP_FIN_WAIT1
	StateFinWait2      State = 5  // TCP_FIN_WAIT2
	StateTimeWait      State = 6  // TCP_TIME_WAIT
	StateClose         State = 7  // TCP_CLOSE
	StateCloseWait     State = 8  // TCP_CLOSE_WAIT
	StateLastAck       State = 9  // TCP_LAST_ACK
	StateListen        State = 10 // TCP_LISTEN
	StateClosing       State = 11 // TCP_CLOSING
	StateNewSynRecv    State = 12 // TCP_NEW_SYN_RECV
	StateBoundInactive State = 13 // TCP_BOUND_INACTIVE
)

// stateNames are ss's column words (sstate_name).
var stateNames = []string{"UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN", "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING", "NEW-SYN-RECV", "BOUND-INACTIVE"}

// stateFilterNames are ss's state-filter words (sstate_namel), by state.
var stateFilterNames = []string{"", "established", "syn-sent", "syn-recv", "fin-wait-1", "fin-wait-2", "time-wait", "closed", "close-wait", "last-ack", "listening", "closing", "new-syn-recv", "bound-inactive"}

// String gives ss's State column word: "ESTAB", "LISTEN", "UNCONN" ...
func (s State) String() string { return enumText(stateNames, int(s)) }

// AppendText appends String's word.
func (s State) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// MarshalText gives String's word.
func (s State) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText reads String's word, ss's state-filter word
// ("established", "listening" ...) or a number.
func (s *State) UnmarshalText(b []byte) error {
	if n, err := enumParse(stateFilterNames, "state", string(b), 8); err == nil {
		*s = State(n)
		return nil
	}
	n, err := enumParse(stateNames, "state", string(b), 8)
	*s = State(n)
	return err
}

// States is a set of states, a bit (1<<State) each (idiag_states,
// udiag_states). The zero value selects every state.
type States uint32

// State sets, as ss names them in its state filters.
const (
	AllStates States = 1<<14 - 2 // "all": every state
	// Connected is every state but listen and close ("connected").
	Connected = AllStates &^ (1<<StateListen | 1<<StateClose)
	// Synchronized is Connected but syn-sent ("synchronized").
	Synchronized = Connected &^ (1 << StateSynSent)
	// Bucket is the states of minisockets: syn-recv and time-wait ("bucket").
	Bucket States = 1<<StateSynRecv | 1<<StateTimeWait | 1<<StateNewSynRecv
	// Big is every state but those of Bucket ("big").
	Big = AllStates &^ Bucket
)

// StatesOf returns the set of the states given.
func StatesOf(s ...State) States {
	var m States
	for _, x := range s {
		m |= 1 << (x & 31)
	}
	return m
}

// Has reports whether s holds state x; the zero set holds every state.
func (s States) Has(x State) bool { return s == 0 || s&(1<<(x&31)) != 0 }

var stateGroups = []struct {
	name string
	set  States
}{{"all", AllStates}, {"connected", Connected}, {"synchronized", Synchronized}, {"bucket", Bucket}, {"big", Big}}

// String lists the states' filter words separated by '|'.
func (s States) String() string {
	if s == 0 {
		return "all"
	}
	var b strings.Builder
	for x := range State(32) {
		if s&(1<<x) != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			if int(x) < len(stateFilterNames) && stateFilterNames[x] != "" {
				b.WriteString(stateFilterNames[x])
			} else {
				b.WriteString(strconv.Itoa(int(x)))
			}
		}
	}
	return b.String()
}

// UnmarshalText reads ss's words for one state or a set of them
// ("established", "listening", "connected", "bucket", "all" ...), several
// separated by '|'.
func (s *States) UnmarshalText(b []byte) error {
	var m States
	for w := range strings.SplitSeq(string(b), "|") {
		m1, err := statesWord(w)
		if err != nil {
			return err
		}
		m |= m1
	}
	*s = m
	return nil
}

func statesWord(w string) (States, error) {
	for _, g := range stateGroups {
		if strings.EqualFold(w, g.name) {
			return g.set, nil
		}
	}
	if strings.EqualFold(w, "listen") {
		return 1 << StateListen, nil
	}
	if strings.EqualFold(w, "syn-rcv") {
		return 1 << StateSynRecv, nil
	}
	for i, n := range stateFilterNames {
		if n != "" && strings.EqualFold(n, w) {
			return 1 << i, nil
		}
	}
	return 0, fmt.Errorf("sockdiag: wrong state name: %s", w)
}

// Timer is the timer running on a socket (idiag_timer).
type Timer uint8

// Timers, as ss names them.
const (
	TimerOff       Timer = 0 // no timer
	TimerOn        Timer = 1 // retransmit (or a request's SYN-ACK)
	TimerKeepalive Timer = 2 // keepalive
	TimerTimeWait  Timer = 3 // time-wait
	TimerPersist   Timer = 4 // zero-window probe
)

var timerNames = []string{"off", "on", "keepalive", "timewait", "persist"}

// String gives ss's word: "on", "keepalive", "timewait", "persist".
func (t Timer) String() string { return enumText(timerNames, int(t)) }

// AppendText appends String's word.
func (t Timer) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// MarshalText gives String's word.
func (t Timer) MarshalText() ([]byte, error) { return t.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (t *Timer) UnmarshalText(b []byte) error {
	n, err := enumParse(timerNames, "timer", string(b), 8)
	*t = Timer(n)
	return err
}
