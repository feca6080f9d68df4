package netlink

import (
	"bytes"
	"encoding/binary"
	"errors"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

// fuzzMaxLen bounds the fuzz inputs. Parsing does not depend on the size
// (the unit tests cover 64 KiB datagrams), but the fuzzer minimises every
// new interesting []byte in O(n²) runs, which stalls the fuzzing of
// inputs of many KiB for the whole -fuzzminimizetime. Acknowledgements
// get half of it for each of their two slices.
const fuzzMaxLen = 1024

func FuzzParseMessages(f *testing.F) {
	f.Add([]byte{})
	f.Add(utMsg(16, Multi, 1, 0, utSeq(20), true))
	f.Add(utCat(utMsg(16, Multi, 1, 0, utSeq(5), true), utMsg(TypeDone, Multi, 1, 0, []byte{0, 0, 0, 0}, true)))
	f.Add(utCat(utMsg(16, 0, 1, 0, utSeq(8), true), utMsg(17, 0, 2, 0, utSeq(3), false)))
	f.Add(utCat(utMsg(16, 0, 1, 0, nil, true), make([]byte, 7)))
	f.Add(utHeader(0, 16, 0, 0, 0))
	f.Add(utHeader(15, 16, 0, 0, 0))
	f.Add(utCat(utHeader(0xFFFFFFFF, 16, 0, 0, 0), utSeq(8)))
	f.Add(utCat(utMsg(16, 0, 1, 0, utSeq(4), true), utHeader(100, 16, 0, 0, 0)))
	f.Add(make([]byte, 64))
	f.Add(utBenchDatagram(600))

	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > fuzzMaxLen {
			return
		}
		orig := bytes.Clone(in)
		msgs, err := AppendParse(nil, in)
		parseErr := err
		if !bytes.Equal(in, orig) {
			t.Fatal("AppendParse modified its input")
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not match ErrMalformed", err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T is not a *ParseError", err)
			}
			if pe.Offset < 0 || pe.Offset%4 != 0 || pe.Offset+HeaderLen > len(in) {
				t.Fatalf("ParseError offset %d in %d bytes", pe.Offset, len(in))
			}
			if got := binary.NativeEndian.Uint32(in[pe.Offset:]); got != pe.Length {
				t.Fatalf("ParseError length %d, the header says %d", pe.Length, got)
			}
			if pe.Length >= HeaderLen && uint64(pe.Length) <= uint64(len(in)-pe.Offset) {
				t.Fatalf("ParseError for a valid nlmsg_len %d at %d in %d bytes", pe.Length, pe.Offset, len(in))
			}
		}

		// Every message is where the previous one ends, is a view of the
		// input and says its length.
		off := 0
		for i, m := range msgs {
			if m.Header.Length != uint32(HeaderLen+len(m.Data)) {
				t.Fatalf("message %d: Length %d with %d bytes of data", i, m.Header.Length, len(m.Data))
			}
			if off+int(m.Header.Length) > len(in) {
				t.Fatalf("message %d at %d of length %d in %d bytes", i, off, m.Header.Length, len(in))
			}
			if binary.NativeEndian.Uint32(in[off:]) != m.Header.Length {
				t.Fatalf("message %d not at offset %d", i, off)
			}
			if cap(m.Data) != len(m.Data) {
				t.Fatalf("message %d: Data capacity %d > length %d", i, cap(m.Data), len(m.Data))
			}
			if len(m.Data) > 0 && &m.Data[0] != &in[off+HeaderLen] {
				t.Fatalf("message %d: Data is not a view of the input", i)
			}
			off += Align(int(m.Header.Length))
		}
		if err == nil && len(in)-off >= HeaderLen {
			t.Fatalf("parsing stopped at %d of %d bytes without an error", off, len(in))
		}
		if err != nil {
			var pe *ParseError
			errors.As(err, &pe)
			if pe.Offset != off {
				t.Fatalf("ParseError at %d, the messages before it end at %d", pe.Offset, off)
			}
		}

		// Round trip: re-encoding gives the same messages.
		var b []byte
		for _, m := range msgs {
			b, err = AppendMessage(b, m.Header, m.Data)
			if err != nil {
				t.Fatal(err)
			}
		}
		again, err := AppendParse(nil, b)
		if err != nil {
			t.Fatalf("re-encoded messages do not parse: %v", err)
		}
		if len(again) != len(msgs) {
			t.Fatalf("%d messages re-parsed, want %d", len(again), len(msgs))
		}
		for i := range msgs {
			want := msgs[i].Header
			want.Length = uint32(HeaderLen + len(msgs[i].Data))
			if again[i].Header != want || !bytes.Equal(again[i].Data, msgs[i].Data) {
				t.Fatalf("message %d: re-parsed %v % x, want %v % x", i, again[i].Header, again[i].Data, want, msgs[i].Data)
			}
		}

		// UnmarshalBinary agrees with AppendParse.
		var m Message
		uerr := m.UnmarshalBinary(in)
		if parseErr == nil && len(msgs) == 1 {
			if uerr != nil || m.Header != msgs[0].Header || !bytes.Equal(m.Data, msgs[0].Data) {
				t.Fatalf("UnmarshalBinary = %v, %v; AppendParse gave one message %v", uerr, m.Header, msgs[0].Header)
			}
		} else if !errors.Is(uerr, ErrMalformed) {
			t.Fatalf("UnmarshalBinary = %v, want ErrMalformed", uerr)
		}
	})
}

// fuzzAckSeeds returns realistic NLMSG_ERROR bodies with their flags.
func fuzzAckSeeds(f *testing.F) (req []byte, seeds []Message) {
	req = utRequest(f)
	full := utTLVs(f, func(e *nlattr.Encoder) {
		e.String(utAttrMsg, "Invalid MTU")
		e.Uint32(utAttrOffs, utOffMTU)
		e.Uint32(utAttrMissType, 1)
		e.Uint32(utAttrMissNest, utOffLinkinfo)
		e.Bytes(utAttrCookie, []byte{1, 2, 3, 4})
	})
	seeds = []Message{
		utAck(Capped, 0, req, false, nil),
		utAck(Capped, utErrno(syscall.EEXIST), req, false, nil),
		utAck(0, utErrno(syscall.EINVAL), req, true, nil),
		utAck(Capped|AckTLVs, utErrno(syscall.EINVAL), req, false, full),
		utAck(AckTLVs, utErrno(syscall.EINVAL), req, true, full),
		utAck(Capped|AckTLVs, 0, req, false, full),
		utAck(Capped|AckTLVs, utErrno(syscall.EINVAL), req, false, utTLVs(f, func(e *nlattr.Encoder) { e.Uint32(utAttrOffs, 0x7FFFFFFD) })),
		utAck(Capped|AckTLVs, utErrno(syscall.EINVAL), req, false, []byte{0xff, 0xff, 1, 0}),
	}
	return req, seeds
}

func FuzzParseAck(f *testing.F) {
	req, seeds := fuzzAckSeeds(f)
	for _, m := range seeds {
		f.Add(uint16(m.Header.Flags), m.Data, req)
		f.Add(uint16(m.Header.Flags), m.Data, []byte{})
	}
	f.Add(uint16(0), []byte{}, []byte{})
	f.Add(uint16(Capped|AckTLVs), make([]byte, 19), req)

	f.Fuzz(func(t *testing.T, flags uint16, data, req []byte) {
		if len(data) > fuzzMaxLen/2 || len(req) > fuzzMaxLen/2 {
			return
		}
		if len(req) == 0 {
			req = nil // Conn passes the request as sent; nil is allowed too
		}
		m := Message{Header: Header{Length: uint32(HeaderLen + len(data)), Type: TypeError, Flags: Flags(flags)}, Data: data}
		origData, origReq := bytes.Clone(data), bytes.Clone(req)
		errno, e, err := parseAck(&m, req)
		if !bytes.Equal(data, origData) || !bytes.Equal(req, origReq) {
			t.Fatal("parseAck modified its input")
		}
		if len(data) < 4+HeaderLen {
			if err == nil || !errors.Is(err, ErrMalformed) || errno != 0 || e != nil {
				t.Fatalf("%d-byte body: parseAck = %v, %v, %v; want a ParseError", len(data), errno, e, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%d-byte body: %v", len(data), err)
		}
		if want := errnoOf(int32(binary.NativeEndian.Uint32(data))); errno != want {
			t.Fatalf("errno %v, want %v", errno, want)
		}
		checkFuzzError(t, errno, e, req)
		if e != nil {
			if e.Type != MessageType(binary.NativeEndian.Uint16(data[8:])) || e.Sequence != binary.NativeEndian.Uint32(data[12:]) {
				t.Fatalf("*Error names type %v seq %d, not the echoed header's", e.Type, e.Sequence)
			}
		}
	})
}

func FuzzParseDone(f *testing.F) {
	req := utRequest(f)
	_, seeds := fuzzAckSeeds(f)
	for _, m := range seeds {
		if len(m.Data) >= 4+HeaderLen {
			// The error code followed by the TLVs of an NLMSG_ERROR seed.
			body := append(bytes.Clone(m.Data[:4]), m.Data[4+HeaderLen:]...)
			f.Add(uint16(m.Header.Flags|Multi), body, req)
		}
	}
	f.Add(uint16(Multi), []byte{0, 0, 0, 0}, req)
	f.Add(uint16(Multi), []byte{0, 0, 0}, req)
	f.Add(uint16(Multi|AckTLVs), utDone(0, utErrno(syscall.EINVAL), []byte{8, 0, 2, 0, 44, 0, 0, 0}).Data, []byte{})

	f.Fuzz(func(t *testing.T, flags uint16, data, req []byte) {
		if len(data) > fuzzMaxLen/2 || len(req) > fuzzMaxLen/2 {
			return
		}
		if len(req) == 0 {
			req = nil
		}
		m := Message{Header: Header{Length: uint32(HeaderLen + len(data)), Type: TypeDone, Flags: Flags(flags), Sequence: 99}, Data: data}
		origData, origReq := bytes.Clone(data), bytes.Clone(req)
		errno, e, err := parseDone(&m, req)
		if !bytes.Equal(data, origData) || !bytes.Equal(req, origReq) {
			t.Fatal("parseDone modified its input")
		}
		if len(data) < 4 {
			if err == nil || !errors.Is(err, ErrMalformed) || errno != 0 || e != nil {
				t.Fatalf("%d-byte body: parseDone = %v, %v, %v; want a ParseError", len(data), errno, e, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%d-byte body: %v", len(data), err)
		}
		if want := errnoOf(int32(binary.NativeEndian.Uint32(data))); errno != want {
			t.Fatalf("errno %v, want %v", errno, want)
		}
		checkFuzzError(t, errno, e, req)
		if e != nil && e.Sequence != 99 {
			t.Fatalf("*Error seq %d, want the DONE's 99", e.Sequence)
		}
	})
}

// checkFuzzError checks the invariants of a decoded *Error.
func checkFuzzError(t *testing.T, errno syscall.Errno, e *Error, req []byte) {
	t.Helper()
	if errno != 0 && e == nil {
		t.Fatalf("errno %v without an *Error", errno)
	}
	if e == nil {
		return
	}
	if e.Errno != errno {
		t.Fatalf("*Error errno %v, returned %v", e.Errno, errno)
	}
	if errno == 0 && e.Message == "" && e.Offset < 0 && e.MissingType == 0 {
		t.Fatalf("an empty warning: %+v", *e)
	}
	if e.Offset < -1 || e.MissingNest < -1 {
		t.Fatalf("Offset %d, MissingNest %d", e.Offset, e.MissingNest)
	}
	if req != nil && e.Offset >= len(req) {
		t.Fatalf("Offset %d beyond the %d-byte request", e.Offset, len(req))
	}
	if e.AttrType != 0 {
		if e.Offset < HeaderLen || e.Offset+nlattr.HeaderLen > len(req) {
			t.Fatalf("AttrType %d at offset %d of a %d-byte request", e.AttrType, e.Offset, len(req))
		}
		if want := binary.NativeEndian.Uint16(req[e.Offset+2:]) & nlattr.TypeMask; e.AttrType != want {
			t.Fatalf("AttrType %d, the request has %d at offset %d", e.AttrType, want, e.Offset)
		}
	}
	if u := e.Unwrap(); (u == nil) != (errno == 0) {
		t.Fatalf("Unwrap = %v for errno %v", u, errno)
	}
	_ = e.Error()
}
