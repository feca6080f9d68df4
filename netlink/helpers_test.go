package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Route-netlink facts the core tests need (linux/rtnetlink.h, if_link.h,
// if_addr.h); the rtnl package models them properly.
const (
	rtmNewLink   = 16
	rtmDelLink   = 17
	rtmGetLink   = 18
	rtmNewAddr   = 20
	rtmDelAddr   = 21
	rtmGetAddr   = 22
	iflaIfname   = 3
	iflaMTU      = 4
	iflaLinkinfo = 18
	iflaInfoKind = 1
	ifaLocal     = 2
	ifaAddress   = 1
	grpLink      = 1 // RTNLGRP_LINK
	grpIPv4Addr  = 5 // RTNLGRP_IPV4_IFADDR
)

// ifinfomsg encodes struct ifinfomsg.
func ifinfomsg(family uint8, index int32) []byte {
	b := make([]byte, 16)
	b[0] = family
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	return b
}

// ifaddrmsg encodes struct ifaddrmsg.
func ifaddrmsg(family, prefixlen uint8, index uint32) []byte {
	b := make([]byte, 8)
	b[0], b[1] = family, prefixlen
	binary.NativeEndian.PutUint32(b[4:], index)
	return b
}

// linkName decodes IFLA_IFNAME and the index of an RTM_NEWLINK message.
func linkName(t testing.TB, m Message) (int32, string) {
	t.Helper()
	if len(m.Data) < 16 {
		t.Fatalf("short ifinfomsg: %d bytes", len(m.Data))
	}
	idx := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	d := nlattr.NewDecoder(m.Data[16:])
	name := ""
	for d.Next() {
		if d.Type() == iflaIfname {
			name = d.String()
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	return idx, name
}

// dialRoute opens a NETLINK_ROUTE Conn in a fresh throwaway namespace.
func dialRoute(t testing.TB, cfg *Config) (*Conn, *netns.NS) {
	t.Helper()
	ns := kerneltest.NetNS(t)
	return dialIn(t, ns, cfg), ns
}

func dialIn(t testing.TB, ns *netns.NS, cfg *Config) *Conn {
	t.Helper()
	var c Config
	if cfg != nil {
		c = *cfg
	}
	c.NetNS = ns
	conn, err := Dial(unix.NETLINK_ROUTE, &c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// addIfb creates an ifb link named name and returns its index.
func addIfb(t testing.TB, c *Conn, name string) int32 {
	t.Helper()
	e := nlattr.NewEncoder(ifinfomsg(unix.AF_UNSPEC, 0))
	e.String(iflaIfname, name)
	e.Nest(iflaLinkinfo)
	e.String(iflaInfoKind, "ifb")
	e.End()
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if _, err := c.Execute(ctx, Message{Header: Header{Type: rtmNewLink, Flags: Create | Excl}, Data: b}); err != nil {
		t.Fatalf("create ifb %s: %v", name, err)
	}
	e = nlattr.NewEncoder(ifinfomsg(unix.AF_UNSPEC, 0))
	e.String(iflaIfname, name)
	b, _ = e.Finish()
	msgs, err := c.Execute(ctx, Message{Header: Header{Type: rtmGetLink}, Data: b})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("get %s: %v (%d messages)", name, err, len(msgs))
	}
	idx, _ := linkName(t, msgs[0])
	return idx
}

// addrMessage builds an RTM_NEWADDR/DELADDR body for 198.18.x.y/32 on link.
func addrMessage(link uint32, i int) []byte {
	e := nlattr.NewEncoder(ifaddrmsg(unix.AF_INET, 32, link))
	a := [4]byte{198, 18 + byte(i>>16&1), byte(i >> 8), byte(i)}
	e.Bytes(ifaLocal, a[:])
	e.Bytes(ifaAddress, a[:])
	b, _ := e.Finish()
	return b
}

// addrKey decodes the IPv4 address of an RTM_NEWADDR/DELADDR message.
func addrKey(t testing.TB, m Message) netip.Addr {
	t.Helper()
	d := nlattr.NewDecoder(m.Data[8:])
	for d.Next() {
		if d.Type() == ifaLocal {
			return d.Addr()
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	return netip.Addr{}
}

func addAddrs(t testing.TB, c *Conn, from, to int) {
	t.Helper()
	if err := c.Batch(testCtx(t), func(yield func(Message) bool) {
		for i := from; i < to; i++ {
			if !yield(Message{Header: Header{Type: rtmNewAddr, Flags: Create | Excl}, Data: addrMessage(1, i)}) {
				return
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
}

// The helpers of the unit tests are prefixed "ut" so that they do not
// collide with those of the kernel tests in the same package.

// utHeader encodes a struct nlmsghdr by hand, with whatever length it is
// told, independently of AppendMessage.
func utHeader(l uint32, t MessageType, f Flags, seq, pid uint32) []byte {
	b := make([]byte, HeaderLen)
	binary.NativeEndian.PutUint32(b[0:], l)
	binary.NativeEndian.PutUint16(b[4:], uint16(t))
	binary.NativeEndian.PutUint16(b[6:], uint16(f))
	binary.NativeEndian.PutUint32(b[8:], seq)
	binary.NativeEndian.PutUint32(b[12:], pid)
	return b
}

// utMsg encodes a whole message by hand with a correct length, padded with
// zeros to 4 bytes when pad is true.
func utMsg(t MessageType, f Flags, seq, pid uint32, data []byte, pad bool) []byte {
	b := utHeader(uint32(HeaderLen+len(data)), t, f, seq, pid)
	b = append(b, data...)
	if pad {
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
	}
	return b
}

func utCat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// utSeq returns n bytes 1, 2, 3, ... (never all zero, so misplaced slices
// show).
func utSeq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i + 1)
	}
	return b
}

// utWantParseError checks that err is a malformed-message error at offset
// off with the claimed length l.
func utWantParseError(t testing.TB, err error, off int, l uint32) *ParseError {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a *ParseError at offset %d (nlmsg_len %d)", off, l)
	}
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("errors.Is(%v, ErrMalformed) = false", err)
	}
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %T %v is not a *ParseError", err, err)
	}
	if pe.Offset != off || pe.Length != l {
		t.Errorf("ParseError at offset %d nlmsg_len %d, want offset %d nlmsg_len %d (%v)", pe.Offset, pe.Length, off, l, err)
	}
	if pe.Reason == "" || !strings.Contains(pe.Error(), pe.Reason) {
		t.Errorf("ParseError %q lacks a reason", pe.Error())
	}
	return pe
}

// Offsets, from the start of the request's header, of the attributes of
// utRequest.
const (
	utOffIfname   = 32 // IFLA_IFNAME (3)
	utOffMTU      = 44 // IFLA_MTU (4), sent with NLA_F_NET_BYTEORDER set
	utOffLinkinfo = 52 // IFLA_LINKINFO (18), nested
	utOffKind     = 56 // IFLA_INFO_KIND (1) inside it
	utReqLen      = 68
	utReqType     = 16 // RTM_NEWLINK
	utReqSeq      = 4711
)

// utRequest returns an RTM_NEWLINK request as sent: header, a 16-byte
// struct ifinfomsg and attributes.
func utRequest(t testing.TB) []byte {
	t.Helper()
	e := nlattr.NewEncoder(make([]byte, 16)) // struct ifinfomsg, zeros
	e.String(3, "eth0")
	e.Uint32(4|nlattr.NetByteOrder, 1500)
	e.Nest(18)
	e.String(1, "dummy")
	e.End()
	payload, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	req := utMsg(utReqType, Request|Acknowledge|Create|Excl, utReqSeq, 0, payload, true)
	if len(req) != utReqLen {
		t.Fatalf("request of %d bytes, want %d", len(req), utReqLen)
	}
	for off, typ := range map[int]uint16{utOffIfname: 3, utOffMTU: 4 | nlattr.NetByteOrder, utOffLinkinfo: 18 | nlattr.Nested, utOffKind: 1} {
		if got := binary.NativeEndian.Uint16(req[off+2:]); got != typ {
			t.Fatalf("attribute at offset %d has type %#x, want %#x", off, got, typ)
		}
	}
	return req
}

// utTLVs encodes extended-ACK attributes with fn.
func utTLVs(t testing.TB, fn func(e *nlattr.Encoder)) []byte {
	t.Helper()
	var e nlattr.Encoder
	fn(&e)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// utAck builds an NLMSG_ERROR message as the kernel does (netlink_ack): the
// error code, the request's header, with echo the request's payload padded
// to 4 bytes, then the TLVs.
func utAck(flags Flags, code int32, req []byte, echo bool, tlvs []byte) Message {
	body := binary.NativeEndian.AppendUint32(nil, uint32(code))
	body = append(body, req[:HeaderLen]...)
	if echo {
		l := int(binary.NativeEndian.Uint32(req))
		body = append(body, req[HeaderLen:l]...)
		for len(body)%4 != 0 {
			body = append(body, 0)
		}
	}
	body = append(body, tlvs...)
	return Message{Header: Header{Length: uint32(HeaderLen + len(body)), Type: TypeError, Flags: flags, Sequence: utReqSeq}, Data: body}
}

// utDone builds an NLMSG_DONE message: the error code, then the TLVs.
func utDone(flags Flags, code int32, tlvs []byte) Message {
	body := binary.NativeEndian.AppendUint32(nil, uint32(code))
	body = append(body, tlvs...)
	return Message{Header: Header{Length: uint32(HeaderLen + len(body)), Type: TypeDone, Flags: flags, Sequence: utReqSeq}, Data: body}
}

func utErrno(e syscall.Errno) int32 { return -int32(e) }

// utBenchDatagram fills up to size bytes with route messages.
func utBenchDatagram(size int) []byte {
	var b []byte
	for i := 0; ; i++ {
		m := utRouteMessage(7, i)
		if len(b)+len(m) > size {
			return b
		}
		b = append(b, m...)
	}
}
