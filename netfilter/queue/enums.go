package queue

import (
	"strconv"

	"github.com/nlkit/nlkit/internal/enumtext"
)

// Hook is the netfilter hook a packet was queued from (enum
// nf_inet_hooks in linux/netfilter.h).
type Hook uint8

// Hooks.
const (
	HookPrerouting  Hook = 0 // NF_INET_PRE_ROUTING
	HookInput       Hook = 1 // NF_INET_LOCAL_IN
	HookForward     Hook = 2 // NF_INET_FORWARD
	HookOutput      Hook = 3 // NF_INET_LOCAL_OUT
	HookPostrouting Hook = 4 // NF_INET_POST_ROUTING
	HookIngress     Hook = 5 // NF_INET_INGRESS
)

var hookNames = [...]string{"prerouting", "input", "forward", "output", "postrouting", "ingress"}

// String gives the hook as nft names it (prerouting, input, forward,
// output, postrouting, ingress), or its number.
func (h Hook) String() string {
	if int(h) < len(hookNames) {
		return hookNames[h]
	}
	return strconv.Itoa(int(h))
}

// AppendText appends String's text.
func (h Hook) AppendText(b []byte) ([]byte, error) { return append(b, h.String()...), nil }

// MarshalText returns String's text.
func (h Hook) MarshalText() ([]byte, error) { return h.AppendText(nil) }

// UnmarshalText accepts String's words or a number.
func (h *Hook) UnmarshalText(b []byte) error {
	return enumtext.Unmarshal(h, b, "queue", "hook", uint32(len(hookNames)))
}

// Action is what a verdict does with a packet (NF_DROP ... NF_STOP in
// linux/netfilter.h).
type Action uint8

// Actions.
const (
	// Drop drops the packet (NF_DROP).
	Drop Action = 0
	// Accept lets the packet go on to the next rule chain (NF_ACCEPT).
	Accept Action = 1
	// Stolen (NF_STOLEN) is not a verdict user space may give; the
	// kernel refuses it. It is here so that every value has a name.
	Stolen Action = 2
	// Queue passes the packet to another queue, Verdict.Queue (NF_QUEUE).
	Queue Action = 3
	// Repeat sends the packet through the hook again (NF_REPEAT); with a
	// new mark, rules can tell it from the first pass.
	Repeat Action = 4
	// Stop accepts the packet, skipping the rest of the hook's tables
	// (NF_STOP, deprecated by the kernel but still honoured).
	Stop Action = 5
)

var actionNames = [...]string{"drop", "accept", "stolen", "queue", "repeat", "stop"}

// String gives the action's word (drop, accept, stolen, queue, repeat,
// stop), or its number.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return strconv.Itoa(int(a))
}

// AppendText appends String's text.
func (a Action) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// MarshalText returns String's text.
func (a Action) MarshalText() ([]byte, error) { return a.AppendText(nil) }

// UnmarshalText accepts String's words or a number.
func (a *Action) UnmarshalText(b []byte) error {
	return enumtext.Unmarshal(a, b, "queue", "action", uint32(len(actionNames)))
}

// CopyMode says how much of each packet the kernel copies to user space
// (enum nfqnl_config_mode).
type CopyMode uint8

// Copy modes.
const (
	CopyNone   CopyMode = 0 // NFQNL_COPY_NONE: nothing (the kernel refuses packets then)
	CopyMeta   CopyMode = 1 // NFQNL_COPY_META: the attributes, no payload
	CopyPacket CopyMode = 2 // NFQNL_COPY_PACKET: attributes and payload up to the copy range
)

var copyNames = [...]string{"none", "meta", "packet"}

// String gives the mode's word (none, meta, packet), or its number.
func (m CopyMode) String() string {
	if int(m) < len(copyNames) {
		return copyNames[m]
	}
	return strconv.Itoa(int(m))
}

// AppendText appends String's text.
func (m CopyMode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// MarshalText returns String's text.
func (m CopyMode) MarshalText() ([]byte, error) { return m.AppendText(nil) }

// UnmarshalText accepts String's words or a number.
func (m *CopyMode) UnmarshalText(b []byte) error {
	return enumtext.Unmarshal(m, b, "queue", "copy mode", uint32(len(copyNames)))
}

// Flags are a queue's options (NFQA_CFG_F_*).
type Flags uint32

// Queue flags.
const (
	// FlagFailOpen accepts packets the queue has no room for instead of
	// dropping them (NFQA_CFG_F_FAIL_OPEN). Such packets are not seen.
	FlagFailOpen Flags = 1 << 0
	// FlagConntrack adds each packet's conntrack state and entry
	// (NFQA_CFG_F_CONNTRACK): Packet.ConnState, ConnID, ConnMark. It
	// needs the nf_conntrack_netlink module.
	FlagConntrack Flags = 1 << 1
	// FlagGSO hands GSO packets over whole, not segmented
	// (NFQA_CFG_F_GSO): up to 64 KiB per packet, checksums possibly not
	// yet computed (Packet.Info).
	FlagGSO Flags = 1 << 2
	// FlagUIDGID adds the owner of a local socket's packets
	// (NFQA_CFG_F_UID_GID): Packet.UID, GID.
	FlagUIDGID Flags = 1 << 3
	// FlagSecCtx adds the packet's security context (NFQA_CFG_F_SECCTX):
	// Packet.SecCtx. Kernels without CONFIG_NETWORK_SECMARK refuse it.
	FlagSecCtx Flags = 1 << 4

	flagsAll = FlagFailOpen | FlagConntrack | FlagGSO | FlagUIDGID | FlagSecCtx
)

var flagNames = [...]string{"fail-open", "conntrack", "gso", "uid-gid", "secctx"}

// String lists the set flags' words separated by '|' (fail-open,
// conntrack, gso, uid-gid, secctx), unknown bits as a hexadecimal number;
// "none" for no flag.
func (f Flags) String() string {
	b, _ := f.AppendText(nil)
	return string(b)
}

// AppendText appends String's text.
func (f Flags) AppendText(b []byte) ([]byte, error) {
	if f == 0 {
		return append(b, "none"...), nil
	}
	start := len(b)
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			if len(b) > start {
				b = append(b, '|')
			}
			b = append(b, n...)
		}
	}
	if rest := f &^ flagsAll; rest != 0 {
		if len(b) > start {
			b = append(b, '|')
		}
		b = append(b, "0x"...)
		b = strconv.AppendUint(b, uint64(rest), 16)
	}
	return b, nil
}

// MarshalText returns String's text.
func (f Flags) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// UnmarshalText accepts String's text: words or numbers separated by '|'.
func (f *Flags) UnmarshalText(b []byte) error {
	var v Flags
	s := string(b)
	if s == "none" {
		*f = 0
		return nil
	}
	for len(s) > 0 {
		word := s
		if i := indexByte(s, '|'); i >= 0 {
			word, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		found := false
		for i, n := range flagNames {
			if n == word {
				v |= 1 << i
				found = true
			}
		}
		if !found {
			n, err := strconv.ParseUint(word, 0, 32)
			if err != nil {
				return errorf("unknown flag %q", word)
			}
			v |= Flags(n)
		}
	}
	*f = v
	return nil
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
