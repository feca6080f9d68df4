package sockdiag

import (
	"bytes"
	"testing"
)

// Each target decodes its own type and checks that what decodes encodes
// back to bytes that decode to the same value.

// FuzzInetSocket fuzzes InetSocket.UnmarshalBinary (struct inet_diag_msg
// with every extension); proto picks the protocol the dump asked for
// (tcp_info, or mptcp_info for MPTCP).
func FuzzInetSocket(f *testing.F) {
	for _, s := range sampleInetSockets() {
		b, _ := s.MarshalBinary()
		f.Add(b, uint16(s.Protocol))
	}
	f.Fuzz(func(t *testing.T, b []byte, proto uint16) {
		s := &InetSocket{Protocol: Protocol(proto)}
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		_ = s.String()
		enc, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		s2 := &InetSocket{Protocol: Protocol(proto)}
		if err := s2.UnmarshalBinary(enc); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		enc2, _ := s2.MarshalBinary()
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip unstable:\n%x\n%x", enc, enc2)
		}
	})
}

// FuzzTCPInfo fuzzes the tcp_info decoder with every length.
func FuzzTCPInfo(f *testing.F) {
	f.Add(make([]byte, 104))
	f.Add(make([]byte, TCPInfoLen))
	f.Add(bytes.Repeat([]byte{0xff}, TCPInfoLen+16))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ti TCPInfo
		ti.decode(b)
		if ti.Len != min(len(b), 1<<20) {
			t.Fatalf("Len %d for %d bytes", ti.Len, len(b))
		}
		enc := ti.append(nil)
		var t2 TCPInfo
		t2.decode(enc)
		if t2 != ti {
			t.Fatalf("round trip: %+v\n%+v", ti, t2)
		}
	})
}

// FuzzUnixSocket fuzzes UnixSocket.UnmarshalBinary.
func FuzzUnixSocket(f *testing.F) {
	for _, s := range sampleUnixSockets() {
		b, _ := s.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s UnixSocket
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		enc, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var s2 UnixSocket
		if err := s2.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		if enc2, _ := s2.MarshalBinary(); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip unstable")
		}
	})
}

// FuzzPacketSocket fuzzes PacketSocket.UnmarshalBinary.
func FuzzPacketSocket(f *testing.F) {
	for _, s := range samplePacketSockets() {
		b, _ := s.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s PacketSocket
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		enc, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var s2 PacketSocket
		if err := s2.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		if enc2, _ := s2.MarshalBinary(); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip unstable")
		}
	})
}

// FuzzNetlinkSocket fuzzes NetlinkSocket.UnmarshalBinary.
func FuzzNetlinkSocket(f *testing.F) {
	for _, s := range sampleNetlinkSockets() {
		b, _ := s.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var s NetlinkSocket
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		enc, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var s2 NetlinkSocket
		if err := s2.UnmarshalBinary(enc); err != nil {
			t.Fatal(err)
		}
		if enc2, _ := s2.MarshalBinary(); !bytes.Equal(enc, enc2) {
			t.Fatalf("round trip unstable")
		}
	})
}

// FuzzExpr fuzzes the filter text reader: what reads compiles to
// bytecode the kernel's audit accepts, prints as text that reads back to
// the same program, and runs as the expression means.
func FuzzExpr(f *testing.F) {
	for _, s := range sampleExprs {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Expr
		if err := e.UnmarshalText(b); err != nil {
			return
		}
		code, err := e.MarshalBinary()
		if err != nil {
			return // too long or too deep: refused, not crashed
		}
		if !auditBytecode(code) {
			t.Fatalf("%q: the kernel would refuse %x", b, code)
		}
		text, err := e.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var e2 Expr
		if err := e2.UnmarshalText(text); err != nil {
			t.Fatalf("%q printed as %q which does not read: %v", b, text, err)
		}
		code2, _ := e2.MarshalBinary()
		if !bytes.Equal(code, code2) {
			t.Fatalf("%q -> %q: programs differ", b, text)
		}
		for _, s := range vmSamples {
			if got, _ := runBytecode(code, s); got != evalExpr(&e, s) {
				t.Fatalf("%q on %+v: bytecode %v, meaning %v", b, s, got, !got)
			}
		}
	})
}
