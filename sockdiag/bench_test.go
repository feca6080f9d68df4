package sockdiag

import "testing"

// Decoding one TCP socket with every extension into a reused value: no
// allocation (the figures of a whole dump are in internal/bench).
func BenchmarkInetSocketDecode(b *testing.B) {
	src := sampleInetSockets()[0]
	src.MD5Keys, src.Locals, src.Peers = nil, nil, nil
	src.present &^= 1<<AttrMD5Sig | 1<<AttrLocals | 1<<AttrPeers
	msg, err := src.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	s := &InetSocket{}
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		s.Protocol = ProtocolTCP
		if err := s.UnmarshalBinary(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// Compiling ss's filter text to bytecode.
func BenchmarkExprCompile(b *testing.B) {
	var e Expr
	if err := e.UnmarshalText([]byte("( sport = :443 or dport = :443 ) and src 198.18.0.0/15 and not dst 10.0.0.0/8")); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	buf := make([]byte, 0, 256)
	for b.Loop() {
		if _, err := e.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
