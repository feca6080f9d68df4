package packet

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Link types of pcap files (tcpdump.org's LINKTYPE_* list).
const (
	LinkEthernet = 1   // LINKTYPE_ETHERNET: frames with their Ethernet header
	LinkRaw      = 101 // LINKTYPE_RAW: IP packets, IPv4 or IPv6 by the first nibble
	// LinkNFLOG is LINKTYPE_NFLOG: each record is an NFLOG message's
	// payload as the kernel sent it (nfgenmsg, then the NFULA_* attributes,
	// the rule's prefix among them). tcpdump and Wireshark decode it.
	LinkNFLOG = 239
)

// Writer writes a pcap file (the classic format, nanosecond timestamps),
// which tcpdump -r, Wireshark and tshark read. It is not safe for
// concurrent use. WritePacket copies nothing: the bytes go to the
// underlying writer before it returns.
type Writer struct {
	w       io.Writer
	snaplen int
	hdr     [16]byte
	n       int
}

// NewWriter writes the file header for link type link (LinkRaw,
// LinkEthernet, LinkNFLOG) and returns a Writer; records longer than
// snaplen are cut to it (0: 262144, tcpdump's default).
func NewWriter(w io.Writer, link uint32, snaplen int) (*Writer, error) {
	if snaplen <= 0 {
		snaplen = 262144
	}
	var h [24]byte
	binary.NativeEndian.PutUint32(h[0:], 0xa1b23c4d) // nanosecond pcap, in the writer's byte order
	binary.NativeEndian.PutUint16(h[4:], 2)
	binary.NativeEndian.PutUint16(h[6:], 4)
	binary.NativeEndian.PutUint32(h[16:], uint32(snaplen))
	binary.NativeEndian.PutUint32(h[20:], link)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcap: write file header: %w", err)
	}
	return &Writer{w: w, snaplen: snaplen}, nil
}

// WritePacket writes one record: data captured at ts, of which the
// original packet had origLen bytes (origLen < len(data) is taken as
// len(data)).
func (p *Writer) WritePacket(ts time.Time, data []byte, origLen int) error {
	if len(data) > p.snaplen {
		data = data[:p.snaplen]
	}
	origLen = max(origLen, len(data))
	ns := ts.UnixNano()
	binary.NativeEndian.PutUint32(p.hdr[0:], uint32(ns/1e9))
	binary.NativeEndian.PutUint32(p.hdr[4:], uint32(ns%1e9))
	binary.NativeEndian.PutUint32(p.hdr[8:], uint32(len(data)))
	binary.NativeEndian.PutUint32(p.hdr[12:], uint32(origLen))
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return fmt.Errorf("pcap: write record %d: %w", p.n, err)
	}
	if _, err := p.w.Write(data); err != nil {
		return fmt.Errorf("pcap: write record %d: %w", p.n, err)
	}
	p.n++
	return nil
}

// Count returns how many records were written.
func (p *Writer) Count() int { return p.n }
