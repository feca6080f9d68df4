package netlink

import (
	"encoding/binary"
	"errors"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

// Extended-ACK attribute types as the tests spell them (enum
// nlmsgerr_attrs, linux/netlink.h), independent of error.go.
const (
	utAttrMsg      = 1 // NLMSGERR_ATTR_MSG
	utAttrOffs     = 2 // NLMSGERR_ATTR_OFFS
	utAttrCookie   = 3 // NLMSGERR_ATTR_COOKIE
	utAttrPolicy   = 4 // NLMSGERR_ATTR_POLICY
	utAttrMissType = 5 // NLMSGERR_ATTR_MISS_TYPE
	utAttrMissNest = 6 // NLMSGERR_ATTR_MISS_NEST
)

func TestParseAckShortBody(t *testing.T) {
	req := utRequest(t)
	full := utAck(Capped, utErrno(syscall.EINVAL), req, false, nil)
	for n := 0; n < 4+HeaderLen; n++ {
		m := Message{Header: Header{Length: uint32(HeaderLen + n), Type: TypeError, Flags: Capped}, Data: full.Data[:n]}
		errno, e, err := parseAck(&m, req)
		utWantParseError(t, err, 0, uint32(HeaderLen+n))
		if errno != 0 || e != nil {
			t.Errorf("%d-byte body: errno %v, *Error %v alongside the parse error", n, errno, e)
		}
	}
}

func TestParseDoneShortBody(t *testing.T) {
	for n := 0; n < 4; n++ {
		m := Message{Header: Header{Length: uint32(HeaderLen + n), Type: TypeDone, Flags: Multi}, Data: make([]byte, n)}
		errno, e, err := parseDone(&m, nil)
		utWantParseError(t, err, 0, uint32(HeaderLen+n))
		if errno != 0 || e != nil {
			t.Errorf("%d-byte body: errno %v, *Error %v alongside the parse error", n, errno, e)
		}
	}
}

func TestParseAckPlain(t *testing.T) {
	req := utRequest(t)
	msgOnly := utTLVs(t, func(e *nlattr.Encoder) { e.String(utAttrMsg, "not flagged") })
	unknown := utTLVs(t, func(e *nlattr.Encoder) {
		e.Bytes(utAttrCookie, []byte{1, 2, 3, 4, 5, 6, 7, 8})
		e.Nest(utAttrPolicy)
		e.Uint32(1, 2)
		e.End()
		e.Uint32(99, 0)
	})
	for name, m := range map[string]Message{
		"capped":                   utAck(Capped, 0, req, false, nil),
		"old kernel, no flags":     utAck(0, 0, req, false, nil),
		"TLVs without the flag":    utAck(Capped, 0, req, false, msgOnly),
		"only unknown TLVs":        utAck(Capped|AckTLVs, 0, req, false, unknown),
		"flag, empty TLVs":         utAck(Capped|AckTLVs, 0, req, false, nil),
		"uncapped echo, no TLVs":   utAck(0, 0, req, true, nil),
		"uncapped echo, not flagd": utAck(0, 0, req, true, msgOnly),
	} {
		errno, e, err := parseAck(&m, req)
		if errno != 0 || e != nil || err != nil {
			t.Errorf("%s: parseAck = %v, %v, %v; want 0, nil, nil", name, errno, e, err)
		}
	}
}

func TestParseAckErrno(t *testing.T) {
	req := utRequest(t)
	for _, c := range []struct {
		errno syscall.Errno
		is    error
	}{
		{syscall.EEXIST, fs.ErrExist},
		{syscall.ENOENT, fs.ErrNotExist},
		{syscall.EPERM, fs.ErrPermission},
		{syscall.EINVAL, nil},
		{syscall.EOPNOTSUPP, nil},
	} {
		for _, m := range []Message{
			utAck(Capped, utErrno(c.errno), req, false, nil),
			utAck(0, utErrno(c.errno), req, true, nil),
		} {
			errno, e, err := parseAck(&m, req)
			if err != nil || errno != c.errno || e == nil {
				t.Fatalf("%v (flags %v): parseAck = %v, %v, %v", c.errno, m.Header.Flags, errno, e, err)
			}
			want := Error{Type: utReqType, Sequence: utReqSeq, Errno: c.errno, Offset: -1, MissingNest: -1}
			if *e != want {
				t.Errorf("%v: *Error %+v, want %+v", c.errno, *e, want)
			}
			if !errors.Is(e, c.errno) {
				t.Errorf("errors.Is(%v, %v) = false", e, c.errno)
			}
			if c.is != nil && !errors.Is(e, c.is) {
				t.Errorf("errors.Is(%v, %v) = false", e, c.is)
			}
			var en syscall.Errno
			if !errors.As(e, &en) || en != c.errno {
				t.Errorf("errors.As(%v, *syscall.Errno) = %v", e, en)
			}
		}
	}
	// EEXIST is not ENOENT.
	m := utAck(Capped, utErrno(syscall.EEXIST), req, false, nil)
	_, e, _ := parseAck(&m, req)
	if errors.Is(e, fs.ErrNotExist) || errors.Is(e, syscall.ENOENT) {
		t.Errorf("EEXIST matches ENOENT")
	}
	// Codes Linux never sends are kept, not lost, and do not panic.
	for _, code := range []int32{5, -1 << 31, -4095} {
		m := utAck(Capped, code, req, false, nil)
		errno, e, err := parseAck(&m, req)
		if err != nil || errno == 0 || e == nil || e.Errno != errno {
			t.Errorf("code %d: parseAck = %v, %v, %v", code, errno, e, err)
		}
	}
}

func TestParseAckUncappedSkipsEcho(t *testing.T) {
	req := utRequest(t)
	// A request whose payload looks like extended-ACK attributes and whose
	// length is not a multiple of 4: parsed as TLVs, the echo would name a
	// missing attribute and a wrong message.
	lure := utTLVs(t, func(e *nlattr.Encoder) {
		e.Uint32(utAttrMissType, 99)
		e.Uint32(utAttrOffs, 20)
		e.String(utAttrMsg, "echo")
	})
	lure = lure[:len(lure)-3] // "echo\0" unpadded: a 9-byte attribute
	lureReq := utMsg(utReqType, Request|Acknowledge, utReqSeq, 0, lure, true)
	if binary.NativeEndian.Uint32(lureReq)%4 == 0 {
		t.Fatal("the lure request should have an unaligned length")
	}
	tlvs := utTLVs(t, func(e *nlattr.Encoder) {
		e.String(utAttrMsg, "real")
		e.Uint32(utAttrOffs, utOffMTU)
	})
	for name, r := range map[string][]byte{"rtnl": req, "lure": lureReq} {
		m := utAck(AckTLVs, utErrno(syscall.EINVAL), r, true, tlvs)
		errno, e, err := parseAck(&m, r)
		if err != nil || errno != syscall.EINVAL || e == nil {
			t.Fatalf("%s: parseAck = %v, %v, %v", name, errno, e, err)
		}
		if e.Message != "real" || e.MissingType != 0 {
			t.Errorf("%s: Message %q MissingType %d, want %q and 0: the echo was read as TLVs", name, e.Message, e.MissingType, "real")
		}
		// The lure request is shorter than the offset: not to be trusted.
		wantOff, wantType := -1, uint16(0)
		if name == "rtnl" {
			wantOff, wantType = utOffMTU, 4
		}
		if e.Offset != wantOff || e.AttrType != wantType {
			t.Errorf("%s: Offset %d AttrType %d, want %d and %d", name, e.Offset, e.AttrType, wantOff, wantType)
		}
	}

	// The same bytes marked capped: the "echo" is then read as the TLVs,
	// which is what the flag says.
	m := utAck(AckTLVs|Capped, utErrno(syscall.EINVAL), lureReq, true, nil)
	_, e, _ := parseAck(&m, lureReq)
	if e == nil || e.Message != "echo" || e.MissingType != 99 {
		t.Errorf("capped: *Error %+v, want the TLVs right after the header", e)
	}

	// A warning on an uncapped ACK (not sent by Linux, but well-formed).
	m = utAck(AckTLVs, 0, req, true, tlvs)
	errno, e, err := parseAck(&m, req)
	if errno != 0 || err != nil || e == nil || e.Message != "real" {
		t.Errorf("uncapped warning: parseAck = %v, %+v, %v", errno, e, err)
	}
}

func TestParseAckBadEcho(t *testing.T) {
	req := utRequest(t)
	tlvs := utTLVs(t, func(e *nlattr.Encoder) { e.String(utAttrMsg, "real") })
	truncated := utAck(AckTLVs, utErrno(syscall.EINVAL), req, true, nil)
	truncated.Data = truncated.Data[:4+HeaderLen+10]
	short := utAck(AckTLVs, utErrno(syscall.EINVAL), req, false, tlvs)
	binary.NativeEndian.PutUint32(short.Data[4:], 4) // echoed nlmsg_len under the header
	huge := utAck(AckTLVs, utErrno(syscall.EINVAL), req, true, tlvs)
	binary.NativeEndian.PutUint32(huge.Data[4:], 0xFFFFFFFF)
	for name, m := range map[string]Message{"truncated echo": truncated, "nlmsg_len 4": short, "nlmsg_len 0xFFFFFFFF": huge} {
		errno, e, err := parseAck(&m, req)
		if err != nil || errno != syscall.EINVAL || e == nil {
			t.Fatalf("%s: parseAck = %v, %v, %v; want EINVAL kept", name, errno, e, err)
		}
		if e.Errno != syscall.EINVAL || e.Offset != -1 || e.MissingNest != -1 {
			t.Errorf("%s: *Error %+v", name, *e)
		}
	}
}

func TestParseAckExtended(t *testing.T) {
	req := utRequest(t)
	type tc struct {
		name string
		tlvs func(e *nlattr.Encoder)
		req  []byte
		want Error // Errno, Type and Sequence are filled in
	}
	offs := func(off uint32) func(e *nlattr.Encoder) {
		return func(e *nlattr.Encoder) { e.Uint32(utAttrOffs, off) }
	}
	for _, c := range []tc{
		{"message", func(e *nlattr.Encoder) { e.String(utAttrMsg, "Invalid MTU") },
			req, Error{Message: "Invalid MTU", Offset: -1, MissingNest: -1}},
		{"message without NUL", func(e *nlattr.Encoder) { e.Bytes(utAttrMsg, []byte("no nul")) },
			req, Error{Message: "no nul", Offset: -1, MissingNest: -1}},
		{"message and offset", func(e *nlattr.Encoder) {
			e.String(utAttrMsg, "Invalid MTU")
			e.Uint32(utAttrOffs, utOffMTU)
		}, req, Error{Message: "Invalid MTU", Offset: utOffMTU, AttrType: 4, MissingNest: -1}},
		{"offset of ifname", offs(utOffIfname), req, Error{Offset: utOffIfname, AttrType: 3, MissingNest: -1}},
		{"offset of a nest", offs(utOffLinkinfo), req, Error{Offset: utOffLinkinfo, AttrType: 18, MissingNest: -1}},
		{"offset inside a nest", offs(utOffKind), req, Error{Offset: utOffKind, AttrType: 1, MissingNest: -1}},
		{"offset at the end", offs(utReqLen), req, Error{Offset: -1, MissingNest: -1}},
		{"offset beyond", offs(1000), req, Error{Offset: -1, MissingNest: -1}},
		{"offset 0x7FFFFFFD", offs(0x7FFFFFFD), req, Error{Offset: -1, MissingNest: -1}},
		{"offset 0x80000000", offs(0x80000000), req, Error{Offset: -1, MissingNest: -1}},
		{"offset 0xFFFFFFFF", offs(0xFFFFFFFF), req, Error{Offset: -1, MissingNest: -1}},
		{"offset, no request", offs(utOffMTU), nil, Error{Offset: utOffMTU, MissingNest: -1}},
		{"huge offset, no request", offs(0x1000000), nil, Error{Offset: -1, MissingNest: -1}},
		{"offset of 2 bytes", func(e *nlattr.Encoder) { e.Uint16(utAttrOffs, utOffMTU) },
			req, Error{Offset: -1, MissingNest: -1}},
		{"missing type", func(e *nlattr.Encoder) { e.Uint32(utAttrMissType, 3) },
			req, Error{Offset: -1, MissingType: 3, MissingNest: -1}},
		{"missing type in nest", func(e *nlattr.Encoder) {
			e.String(utAttrMsg, "Missing kind")
			e.Uint32(utAttrMissType, 1)
			e.Uint32(utAttrMissNest, utOffLinkinfo)
		}, req, Error{Message: "Missing kind", Offset: -1, MissingType: 1, MissingNest: utOffLinkinfo}},
		{"unknown attributes skipped", func(e *nlattr.Encoder) {
			e.Bytes(utAttrCookie, []byte{9, 9, 9, 9})
			e.Nest(utAttrPolicy)
			e.Uint32(1, 7)
			e.End()
			e.Uint64(77, 1)
			e.String(utAttrMsg, "after unknown")
		}, req, Error{Message: "after unknown", Offset: -1, MissingNest: -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tlvs := utTLVs(t, c.tlvs)
			m := utAck(Capped|AckTLVs, utErrno(syscall.EINVAL), req, false, tlvs)
			errno, e, err := parseAck(&m, c.req)
			if err != nil || errno != syscall.EINVAL || e == nil {
				t.Fatalf("parseAck = %v, %v, %v", errno, e, err)
			}
			want := c.want
			want.Errno, want.Type, want.Sequence = syscall.EINVAL, utReqType, utReqSeq
			if *e != want {
				t.Errorf("*Error\n got %+v\nwant %+v", *e, want)
			}
		})
	}
}

func TestParseAckGarbageTLVs(t *testing.T) {
	req := utRequest(t)
	for name, tlvs := range map[string][]byte{
		"nla_len 0":        {0, 0, 1, 0, 'x', 0, 0, 0},
		"nla_len 2":        {2, 0, 1, 0, 0xff, 0xff, 0xff, 0xff},
		"nla_len past end": {0xff, 0xff, 1, 0, 'a', 'b', 'c', 0},
		"3 stray bytes":    {8, 0, 1},
	} {
		m := utAck(Capped|AckTLVs, utErrno(syscall.EBUSY), req, false, tlvs)
		errno, e, err := parseAck(&m, req)
		if err != nil || errno != syscall.EBUSY || e == nil {
			t.Fatalf("%s: parseAck = %v, %v, %v; want EBUSY kept", name, errno, e, err)
		}
		want := Error{Type: utReqType, Sequence: utReqSeq, Errno: syscall.EBUSY, Offset: -1, MissingNest: -1}
		if *e != want {
			t.Errorf("%s: *Error %+v, want %+v", name, *e, want)
		}
		// The same garbage on an ACK is no warning.
		m = utAck(Capped|AckTLVs, 0, req, false, tlvs)
		if errno, e, err := parseAck(&m, req); errno != 0 || e != nil || err != nil {
			t.Errorf("%s on an ACK: parseAck = %v, %v, %v; want 0, nil, nil", name, errno, e, err)
		}
	}
}

func TestParseAckWarning(t *testing.T) {
	req := utRequest(t)
	tlvs := utTLVs(t, func(e *nlattr.Encoder) {
		e.String(utAttrMsg, "MTU is ignored for this device")
		e.Uint32(utAttrOffs, utOffMTU)
	})
	m := utAck(Capped|AckTLVs, 0, req, false, tlvs)
	errno, e, err := parseAck(&m, req)
	if errno != 0 || err != nil || e == nil {
		t.Fatalf("parseAck = %v, %v, %v; want 0, *Error, nil", errno, e, err)
	}
	want := Error{Type: utReqType, Sequence: utReqSeq, Message: "MTU is ignored for this device", Offset: utOffMTU, AttrType: 4, MissingNest: -1}
	if *e != want {
		t.Errorf("*Error %+v, want %+v", *e, want)
	}
	if e.Unwrap() != nil {
		t.Errorf("Unwrap of a warning = %v, want nil", e.Unwrap())
	}
	if errors.Is(e, fs.ErrExist) || errors.Is(e, syscall.Errno(0)) {
		t.Errorf("a warning matches an errno")
	}
	if s := e.Error(); !strings.Contains(s, "warning") || !strings.Contains(s, want.Message) {
		t.Errorf("Error() = %q, want a warning with its message", s)
	}
}

func TestParseDone(t *testing.T) {
	req := utRequest(t)
	msgOffs := utTLVs(t, func(e *nlattr.Encoder) {
		e.String(utAttrMsg, "dump failed")
		e.Uint32(utAttrOffs, utOffIfname)
	})

	m := utDone(Multi, 0, nil)
	if errno, e, err := parseDone(&m, req); errno != 0 || e != nil || err != nil {
		t.Errorf("plain DONE: parseDone = %v, %v, %v; want 0, nil, nil", errno, e, err)
	}
	m = utDone(Multi, 0, msgOffs)
	if errno, e, err := parseDone(&m, req); errno != 0 || e != nil || err != nil {
		t.Errorf("DONE with TLVs but no flag: parseDone = %v, %v, %v; want 0, nil, nil", errno, e, err)
	}

	for _, r := range [][]byte{req, nil} {
		m = utDone(Multi, utErrno(syscall.EMSGSIZE), nil)
		errno, e, err := parseDone(&m, r)
		if err != nil || errno != syscall.EMSGSIZE || e == nil {
			t.Fatalf("DONE with an error: parseDone = %v, %v, %v", errno, e, err)
		}
		want := Error{Sequence: utReqSeq, Errno: syscall.EMSGSIZE, Offset: -1, MissingNest: -1}
		if r != nil {
			want.Type = utReqType
		}
		if *e != want {
			t.Errorf("*Error %+v, want %+v", *e, want)
		}
		if !errors.Is(e, syscall.EMSGSIZE) {
			t.Errorf("errors.Is(%v, EMSGSIZE) = false", e)
		}
	}

	m = utDone(Multi|AckTLVs, utErrno(syscall.EINVAL), msgOffs)
	errno, e, err := parseDone(&m, req)
	if err != nil || errno != syscall.EINVAL || e == nil {
		t.Fatalf("DONE with TLVs: parseDone = %v, %v, %v", errno, e, err)
	}
	want := Error{Type: utReqType, Sequence: utReqSeq, Errno: syscall.EINVAL, Message: "dump failed", Offset: utOffIfname, AttrType: 3, MissingNest: -1}
	if *e != want {
		t.Errorf("*Error %+v, want %+v", *e, want)
	}

	m = utDone(Multi|AckTLVs, utErrno(syscall.EINVAL), utTLVs(t, func(e *nlattr.Encoder) { e.Uint32(utAttrOffs, 5000) }))
	if _, e, _ := parseDone(&m, req); e == nil || e.Offset != -1 || e.AttrType != 0 {
		t.Errorf("DONE with an offset beyond the request: %+v", e)
	}

	m = utDone(Multi|AckTLVs, utErrno(syscall.EINVAL), []byte{0, 0, 1, 0, 0xff})
	if errno, e, err := parseDone(&m, req); err != nil || errno != syscall.EINVAL || e == nil || e.Message != "" || e.Offset != -1 {
		t.Errorf("DONE with garbage TLVs: parseDone = %v, %+v, %v; want EINVAL kept", errno, e, err)
	}

	m = utDone(Multi|AckTLVs, 0, msgOffs)
	errno, e, err = parseDone(&m, req)
	if errno != 0 || err != nil || e == nil || e.Message != "dump failed" || e.Errno != 0 {
		t.Errorf("DONE with a warning: parseDone = %v, %+v, %v", errno, e, err)
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{Op: "execute", Type: 16, Sequence: 7, Errno: syscall.EEXIST, Message: "Link already exists",
		Offset: 44, AttrType: 4, MissingNest: -1}
	s := e.Error()
	for _, part := range []string{"execute", "type(16)", "seq 7", syscall.EEXIST.Error(), "Link already exists", "attribute type 4", "offset 44"} {
		if !strings.Contains(s, part) {
			t.Errorf("Error() = %q, lacks %q", s, part)
		}
	}
	if strings.Contains(s, "missing") {
		t.Errorf("Error() = %q names a missing attribute", s)
	}

	e = &Error{Op: "dump", Type: 18, Sequence: 8, Errno: syscall.EINVAL, Offset: -1, MissingType: 1, MissingNest: 52}
	s = e.Error()
	for _, part := range []string{"dump", syscall.EINVAL.Error(), "missing attribute type 1", "nest at offset 52"} {
		if !strings.Contains(s, part) {
			t.Errorf("Error() = %q, lacks %q", s, part)
		}
	}
	if strings.Contains(s, "attribute type 0") {
		t.Errorf("Error() = %q names an attribute at offset -1", s)
	}

	e = &Error{Type: 16, Sequence: 9, Errno: syscall.ENOENT, Offset: -1, MissingNest: -1}
	if s := e.Error(); !strings.Contains(s, syscall.ENOENT.Error()) || strings.Contains(s, "offset") || strings.Contains(s, "warning") {
		t.Errorf("Error() = %q", s)
	}
	e = &Error{Op: "batch", Type: 16, Sequence: 9, Message: "deprecated", Offset: -1, MissingNest: -1}
	if s := e.Error(); !strings.Contains(s, "warning") || !strings.Contains(s, "deprecated") || !strings.Contains(s, "batch") {
		t.Errorf("Error() of a warning = %q", s)
	}

	// From the wire: the parsed error names everything it was told.
	req := utRequest(t)
	m := utAck(Capped|AckTLVs, utErrno(syscall.ERANGE), req, false, utTLVs(t, func(e *nlattr.Encoder) {
		e.String(utAttrMsg, "MTU out of range")
		e.Uint32(utAttrOffs, utOffMTU)
	}))
	_, pe, _ := parseAck(&m, req)
	pe.Op = "execute"
	s = pe.Error()
	for _, part := range []string{"execute", syscall.ERANGE.Error(), "MTU out of range", "attribute type 4", "offset 44", "seq 4711"} {
		if !strings.Contains(s, part) {
			t.Errorf("Error() = %q, lacks %q", s, part)
		}
	}
}
