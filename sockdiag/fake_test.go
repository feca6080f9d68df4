package sockdiag

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/nltest"
)

// fakeConn is a Conn on a fake kernel (no root needed) that records the
// requests and answers a dump with replies.
func fakeConn(t *testing.T, reply func(req netlink.Message) ([]netlink.Message, error)) (*Conn, *[]netlink.Message) {
	t.Helper()
	var reqs []netlink.Message
	nl, err := nltest.Dial(nltest.HandlerFunc(func(req netlink.Message) ([]netlink.Message, error) {
		reqs = append(reqs, netlink.Message{Header: req.Header, Data: slices.Clone(req.Data)})
		return reply(req)
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(nl)
	t.Cleanup(func() { c.Close(); nl.Close() })
	return c, &reqs
}

// The requests carry what the filter says: family, protocol (MPTCP in
// INET_DIAG_REQ_PROTOCOL), raw protocol, states, extensions, a wildcard
// cookie and the compiled bytecode; a dump of both families is two
// requests; replies decode.
func TestInetRequestsFake(t *testing.T) {
	sample, _ := sampleInetSockets()[1].MarshalBinary()
	c, reqs := fakeConn(t, func(req netlink.Message) ([]netlink.Message, error) {
		return []netlink.Message{{Header: netlink.Header{Type: typeByFamily}, Data: sample}}, nil
	})
	e := DPort(EQ, 443)
	for _, f := range []*InetFilter{
		nil,
		{Family: unix.AF_INET6, Protocol: ProtocolUDP, States: StatesOf(StateEstablished), Extensions: ExtInfo | ExtSKMemInfo, Expr: e},
		{Family: unix.AF_INET, Protocol: ProtocolMPTCP},
		{Family: unix.AF_INET, Protocol: ProtocolRaw, RawProtocol: unix.IPPROTO_ICMP},
	} {
		*reqs = nil
		ss, err := c.InetSocketList(bg, f)
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if f == nil {
			want = 2
		}
		if len(*reqs) != want || len(ss) != want {
			t.Fatalf("%+v: %d requests, %d sockets", f, len(*reqs), len(ss))
		}
		r := (*reqs)[0]
		if r.Header.Type != typeByFamily || r.Header.Flags&netlink.Dump != netlink.Dump || len(r.Data) < inetReqLen {
			t.Fatalf("request %v %d bytes", r.Header, len(r.Data))
		}
		b := r.Data
		states := States(binary.NativeEndian.Uint32(b[4:]))
		cookie := uint64(binary.NativeEndian.Uint32(b[48:])) | uint64(binary.NativeEndian.Uint32(b[52:]))<<32
		if cookie != NoCookie {
			t.Errorf("cookie %#x", cookie)
		}
		attrs := map[uint16][]byte{}
		d := nlattr.NewDecoder(b[inetReqLen:])
		for d.Next() {
			attrs[d.Type()] = d.Bytes()
		}
		switch {
		case f == nil:
			if b[0] != unix.AF_INET || (*reqs)[1].Data[0] != unix.AF_INET6 || b[1] != unix.IPPROTO_TCP || states != ^States(0) || len(attrs) != 0 {
				t.Errorf("default request %x", b)
			}
		case f.Protocol == ProtocolUDP:
			code, _ := e.MarshalBinary()
			if b[0] != unix.AF_INET6 || b[1] != unix.IPPROTO_UDP || Extensions(b[2]) != f.Extensions || states != f.States || !slices.Equal(attrs[1], code) {
				t.Errorf("udp request %x", b)
			}
		case f.Protocol == ProtocolMPTCP:
			if b[1] != 0 || len(attrs[3]) != 4 || binary.NativeEndian.Uint32(attrs[3]) != 262 {
				t.Errorf("mptcp request %x", b)
			}
		case f.Protocol == ProtocolRaw:
			if b[1] != unix.IPPROTO_RAW || b[3] != unix.IPPROTO_ICMP {
				t.Errorf("raw request %x", b)
			}
		}
	}
}

// Lookups and destroys are single requests with the 4-tuple and cookie;
// kernel errors keep their errno and name the operation.
func TestInetLookupDeleteFake(t *testing.T) {
	id := SockID{Src: netip.MustParseAddrPort("198.18.0.2:40000"), Dst: netip.MustParseAddrPort("198.18.0.1:443"), Cookie: 77}
	c, reqs := fakeConn(t, func(req netlink.Message) ([]netlink.Message, error) {
		if req.Header.Type == typeDestroy {
			return nil, syscall.EOPNOTSUPP
		}
		s := &InetSocket{Family: unix.AF_INET, State: StateEstablished, ID: id}
		b, _ := s.MarshalBinary()
		return []netlink.Message{{Header: netlink.Header{Type: typeByFamily}, Data: b}}, nil
	})
	s, err := c.InetSocket(bg, ProtocolTCP, id, ExtInfo)
	if err != nil || s.ID != id || s.State != StateEstablished {
		t.Fatalf("lookup: %+v %v", s, err)
	}
	r := (*reqs)[0]
	if r.Header.Flags&netlink.Dump != 0 || decodeSockID(r.Data[8:56], unix.AF_INET) != id {
		t.Errorf("lookup request %v %x", r.Header, r.Data)
	}
	err = c.DeleteInetSocket(bg, ProtocolTCP, id)
	var ne *netlink.Error
	if !errors.Is(err, syscall.EOPNOTSUPP) || !errors.As(err, &ne) || err.Error() != "sockdiag: delete tcp socket 198.18.0.2:40000 -> 198.18.0.1:443: operation not supported" {
		t.Errorf("destroy: %v", err)
	}
	if r := (*reqs)[1]; r.Header.Type != typeDestroy || decodeSockID(r.Data[8:56], unix.AF_INET) != id {
		t.Errorf("destroy request %v", r.Header)
	}
	if _, err := c.InetSocket(bg, ProtocolTCP, SockID{Src: netip.MustParseAddrPort("198.18.0.1:1"), Dst: netip.MustParseAddrPort("[::1]:1")}, 0); err == nil {
		t.Errorf("mixed families accepted")
	}
}

// A malformed reply in a dump is an error naming the attribute, not a
// panic, and the Conn goes on.
func TestMalformedReplyFake(t *testing.T) {
	good, _ := sampleInetSockets()[1].MarshalBinary()
	bad := nlattr.NewEncoder(slices.Clone(good))
	bad.Bytes(uint16(AttrSKMemInfo), []byte{1, 2, 3})
	badb, _ := bad.Finish()
	n := 0
	c, _ := fakeConn(t, func(req netlink.Message) ([]netlink.Message, error) {
		n++
		if n == 1 {
			return []netlink.Message{{Header: netlink.Header{Type: typeByFamily}, Data: badb}}, nil
		}
		return []netlink.Message{{Header: netlink.Header{Type: typeByFamily}, Data: good}}, nil
	})
	_, err := c.InetSocketList(bg, &InetFilter{Family: unix.AF_INET})
	if err == nil || !errors.Is(err, nlattr.ErrBadLength) {
		t.Fatalf("bad reply: %v", err)
	}
	if ss, err := c.InetSocketList(bg, &InetFilter{Family: unix.AF_INET}); err != nil || len(ss) != 1 {
		t.Errorf("after: %d %v", len(ss), err)
	}
}
