// Package packet describes IP packets in one line, as tcpdump -n does, and
// writes them to pcap files, for the commands that show packets the kernel
// hands to user space (nl nfqueue, nl nflog).
//
// Summary never fails: a packet cut short by a copy range, a fragment or an
// unknown protocol is described as far as its bytes go, and says so.
package packet

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// IP protocol numbers Summary knows.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// Info is what Summary read from a packet's headers. The JSON names are
// the ones nl prints with -j.
type Info struct {
	Version  int        `json:"ip_version,omitempty"` // 4 or 6; 0 when not an IP packet
	Src      netip.Addr `json:"src,omitzero"`
	Dst      netip.Addr `json:"dst,omitzero"`
	Protocol int        `json:"protocol"` // IP protocol number (the last IPv6 next header read)
	Length   int        `json:"ip_length,omitempty"`
	TTL      int        `json:"ttl,omitempty"` // TTL or hop limit
	SrcPort  uint16     `json:"sport,omitempty"`
	DstPort  uint16     `json:"dport,omitempty"`
	TCPFlags string     `json:"tcp_flags,omitempty"` // tcpdump's letters: S, F, R, P, ., U, E, W
	Seq      uint32     `json:"tcp_seq,omitempty"`
	Ack      uint32     `json:"tcp_ack,omitempty"`
	Window   uint16     `json:"tcp_win,omitempty"`
	ICMPType int        `json:"icmp_type,omitempty"`
	ICMPCode int        `json:"icmp_code,omitempty"`
	// Fragment is set for an IPv4 fragment or a packet with an IPv6
	// fragment header.
	Fragment bool `json:"fragment,omitempty"`
	// PayloadLength is the length of what follows the transport header
	// (UDP, TCP) or the ICMP header, by the IP header's length fields.
	PayloadLength int `json:"payload_length"`
	// Truncated says the bytes ended before the headers did (a copy range
	// shorter than the headers).
	Truncated bool `json:"truncated,omitempty"`
	text      string
}

// String is tcpdump -n -S's line for the packet (absolute TCP sequence
// numbers: a packet is described alone), without the timestamp.
func (i Info) String() string { return i.text }

// Summary reads b, an IP packet (IPv4 or IPv6 by its first nibble; b may
// be cut short), and describes it. It reads nothing past len(b), never
// fails and never panics.
func Summary(b []byte) Info {
	if len(b) == 0 {
		return Info{text: "empty packet"}
	}
	switch b[0] >> 4 {
	case 4:
		return ipv4(b)
	case 6:
		return ipv6(b)
	}
	return Info{text: fmt.Sprintf("not IP (version %d), length %d", b[0]>>4, len(b))}
}

func ipv4(b []byte) Info {
	i := Info{Version: 4}
	if len(b) < 20 {
		i.Truncated = true
		i.text = fmt.Sprintf("IP truncated header, length %d", len(b))
		return i
	}
	ihl := int(b[0]&0x0f) * 4
	i.Length = int(binary.BigEndian.Uint16(b[2:4]))
	i.TTL = int(b[8])
	i.Protocol = int(b[9])
	i.Src = netip.AddrFrom4([4]byte(b[12:16]))
	i.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	frag := binary.BigEndian.Uint16(b[6:8])
	i.Fragment = frag&0x3fff != 0
	if ihl < 20 || i.Length < ihl {
		i.text = fmt.Sprintf("IP %s > %s: bad header (ihl %d, length %d)", i.Src, i.Dst, ihl, i.Length)
		return i
	}
	l4 := b[min(ihl, len(b)):]
	l4len := i.Length - ihl
	if frag&0x1fff != 0 { // not the first fragment: no transport header
		i.PayloadLength = l4len
		i.text = fmt.Sprintf("IP %s > %s: ip-proto-%d, fragment offset %d, length %d", i.Src, i.Dst, i.Protocol, int(frag&0x1fff)*8, l4len)
		return i
	}
	i.transport("IP", l4, l4len, len(b) < ihl)
	return i
}

func ipv6(b []byte) Info {
	i := Info{Version: 6}
	if len(b) < 40 {
		i.Truncated = true
		i.text = fmt.Sprintf("IP6 truncated header, length %d", len(b))
		return i
	}
	plen := int(binary.BigEndian.Uint16(b[4:6]))
	i.Length = 40 + plen
	i.TTL = int(b[7])
	i.Src = netip.AddrFrom16([16]byte(b[8:24]))
	i.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	next := int(b[6])
	rest := b[40:]
	remain := plen
	// Walk the extension headers tcpdump walks: hop-by-hop, routing,
	// destination options, fragment.
	for {
		i.Protocol = next
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(rest) < 8 {
				i.Truncated = true
				i.text = fmt.Sprintf("IP6 %s > %s: truncated extension header %d", i.Src, i.Dst, next)
				return i
			}
			n := (int(rest[1]) + 1) * 8
			next = int(rest[0])
			remain -= n
			rest = rest[min(n, len(rest)):]
			continue
		case 44: // fragment
			if len(rest) < 8 {
				i.Truncated = true
				i.text = fmt.Sprintf("IP6 %s > %s: truncated fragment header", i.Src, i.Dst)
				return i
			}
			i.Fragment = true
			off := binary.BigEndian.Uint16(rest[2:4]) &^ 7
			next = int(rest[0])
			remain -= 8
			rest = rest[8:]
			if off != 0 {
				i.Protocol = next
				i.PayloadLength = remain
				i.text = fmt.Sprintf("IP6 %s > %s: frag (%d|%d) ip-proto-%d", i.Src, i.Dst, off, remain, next)
				return i
			}
			continue
		}
		break
	}
	i.transport("IP6", rest, remain, false)
	return i
}

// transport reads the transport header in b (cut short maybe), whose
// length by the IP header is l4len.
func (i *Info) transport(ipName string, b []byte, l4len int, cut bool) {
	src, dst := i.Src.String(), i.Dst.String()
	trunc := func(what string) {
		i.Truncated = true
		i.text = fmt.Sprintf("%s %s > %s: %s", ipName, src, dst, what)
	}
	if cut {
		trunc("truncated IP options")
		return
	}
	switch i.Protocol {
	case ProtoUDP:
		if len(b) < 8 {
			trunc(fmt.Sprintf("UDP, truncated, length %d", max(l4len-8, 0)))
			return
		}
		i.SrcPort = binary.BigEndian.Uint16(b[0:2])
		i.DstPort = binary.BigEndian.Uint16(b[2:4])
		i.PayloadLength = max(l4len-8, 0)
		i.text = fmt.Sprintf("%s %s.%d > %s.%d: UDP, length %d", ipName, src, i.SrcPort, dst, i.DstPort, i.PayloadLength)
	case ProtoTCP:
		if len(b) < 20 {
			trunc("TCP, truncated")
			return
		}
		i.SrcPort = binary.BigEndian.Uint16(b[0:2])
		i.DstPort = binary.BigEndian.Uint16(b[2:4])
		i.Seq = binary.BigEndian.Uint32(b[4:8])
		i.Ack = binary.BigEndian.Uint32(b[8:12])
		doff := int(b[12]>>4) * 4
		i.TCPFlags = tcpFlags(b[13])
		i.Window = binary.BigEndian.Uint16(b[14:16])
		i.PayloadLength = max(l4len-doff, 0)
		var s strings.Builder
		fmt.Fprintf(&s, "%s %s.%d > %s.%d: Flags [%s]", ipName, src, i.SrcPort, dst, i.DstPort, i.TCPFlags)
		if i.PayloadLength > 0 {
			fmt.Fprintf(&s, ", seq %d:%d", i.Seq, i.Seq+uint32(i.PayloadLength))
		} else if b[13]&0x17 != 0x10 { // not a bare ACK
			fmt.Fprintf(&s, ", seq %d", i.Seq)
		}
		if b[13]&0x10 != 0 {
			fmt.Fprintf(&s, ", ack %d", i.Ack)
		}
		fmt.Fprintf(&s, ", win %d", i.Window)
		if doff > 20 {
			s.WriteString(", options [...]")
		}
		fmt.Fprintf(&s, ", length %d", i.PayloadLength)
		i.text = s.String()
	case ProtoICMP, ProtoICMPv6:
		name := "ICMP"
		if i.Protocol == ProtoICMPv6 {
			name = "ICMP6"
		}
		if len(b) < 4 {
			trunc(name + ", truncated")
			return
		}
		i.ICMPType, i.ICMPCode = int(b[0]), int(b[1])
		i.PayloadLength = max(l4len-8, 0)
		i.text = fmt.Sprintf("%s %s > %s: %s", ipName, src, dst, icmpText(i.Protocol, b, l4len))
	default:
		i.PayloadLength = l4len
		i.text = fmt.Sprintf("%s %s > %s: ip-proto-%d %d", ipName, src, dst, i.Protocol, l4len)
	}
}

func tcpFlags(f byte) string {
	var s []byte
	for _, x := range []struct {
		bit byte
		c   byte
	}{{0x02, 'S'}, {0x01, 'F'}, {0x04, 'R'}, {0x08, 'P'}, {0x20, 'U'}, {0x40, 'E'}, {0x80, 'W'}} {
		if f&x.bit != 0 {
			s = append(s, x.c)
		}
	}
	if f&0x10 != 0 {
		s = append(s, '.')
	}
	if len(s) == 0 {
		return "none"
	}
	return string(s)
}

func icmpText(proto int, b []byte, l4len int) string {
	typ, code := b[0], b[1]
	echo := func(kind string) string {
		if len(b) < 8 {
			return kind + ", truncated"
		}
		return fmt.Sprintf("%s, id %d, seq %d, length %d", kind, binary.BigEndian.Uint16(b[4:6]), binary.BigEndian.Uint16(b[6:8]), l4len)
	}
	if proto == ProtoICMP {
		switch typ {
		case 8:
			return "ICMP " + echo("echo request")
		case 0:
			return "ICMP " + echo("echo reply")
		case 3:
			return fmt.Sprintf("ICMP unreachable code %d, length %d", code, l4len)
		case 11:
			return fmt.Sprintf("ICMP time exceeded code %d, length %d", code, l4len)
		}
		return fmt.Sprintf("ICMP type-#%d, length %d", typ, l4len)
	}
	switch typ {
	case 128:
		return "ICMP6, " + echo("echo request")
	case 129:
		return "ICMP6, " + echo("echo reply")
	case 135:
		return fmt.Sprintf("ICMP6, neighbor solicitation, length %d", l4len)
	case 136:
		return fmt.Sprintf("ICMP6, neighbor advertisement, length %d", l4len)
	case 133:
		return fmt.Sprintf("ICMP6, router solicitation, length %d", l4len)
	case 1:
		return fmt.Sprintf("ICMP6, destination unreachable, code %d, length %d", code, l4len)
	}
	return "ICMP6, type " + strconv.Itoa(int(typ)) + ", length " + strconv.Itoa(l4len)
}
