package xfrm

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netlink"
)

// A State survives AppendBinary and UnmarshalBinary with every field.
func TestStateRoundTrip(t *testing.T) {
	s := richState()
	s.Current = Lifetime{Bytes: 1, Packets: 2, Added: 3, Used: 4}
	s.Stats = Stats{1, 2, 3}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got State
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if d := diff(sentState(s), got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
	// A second encoding is byte for byte the first.
	b2, _ := got.MarshalBinary()
	if !bytes.Equal(b, b2) {
		t.Errorf("re-encoding differs")
	}
}

// A Policy survives AppendBinary and UnmarshalBinary with every field.
func TestPolicyRoundTrip(t *testing.T) {
	p := richPolicy()
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Policy
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if d := diff(sentPolicy(p), got); d != "" {
		t.Errorf("round trip (-want +got):\n%s", d)
	}
}

// Keys never show in String, GoString, %v or %+v, nor in errors.
func TestKeysHidden(t *testing.T) {
	s := richState()
	key := "1112131415"
	for _, out := range []string{s.String(), s.GoString(), s.Auth.String(), s.Auth.GoString()} {
		if strings.Contains(out, key) || strings.Contains(out, "\x11\x12") {
			t.Errorf("key in %q", out)
		}
	}
	s.Auth.Name = strings.Repeat("x", 70)
	if _, err := s.MarshalBinary(); err == nil || strings.Contains(err.Error(), key) {
		t.Errorf("bad name: %v", err)
	}
}

// Structures of the wrong size are errors naming them; nothing panics.
func TestMalformed(t *testing.T) {
	s := richState()
	b, _ := s.MarshalBinary()
	var got State
	if err := got.UnmarshalBinary(b[:100]); !errors.Is(err, netlink.ErrMalformed) || !strings.Contains(err.Error(), "xfrm_usersa_info") {
		t.Errorf("short info: %v", err)
	}
	// Cut the first attribute (XFRMA_ALG_AUTH_TRUNC) to 20 bytes of payload.
	bad := append([]byte(nil), b[:sizeUserSAInfo]...)
	bad = append(bad, 24, 0, attrAlgAuthTrunc, 0)
	bad = append(bad, make([]byte, 20)...)
	if err := got.UnmarshalBinary(bad); !errors.Is(err, netlink.ErrMalformed) || !strings.Contains(err.Error(), "XFRMA_ALG_AUTH_TRUNC") {
		t.Errorf("short algorithm: %v", err)
	}
	// A key longer than the attribute holds.
	bad = append([]byte(nil), b[:sizeUserSAInfo]...)
	p := make([]byte, sizeAlgo)
	copy(p, "cbc(aes)")
	ne.PutUint32(p[64:], 256)
	bad = appendAttrFixed(bad, attrAlgCrypt, len(p), func(q []byte) { copy(q, p) })
	if err := got.UnmarshalBinary(bad); !errors.Is(err, netlink.ErrMalformed) || !strings.Contains(err.Error(), "XFRMA_ALG_CRYPT") {
		t.Errorf("long key: %v", err)
	}
	// A template array of a size that is not a multiple of 64.
	pb, _ := richPolicy().MarshalBinary()
	bad = append([]byte(nil), pb[:sizePolicyInfo]...)
	bad = appendAttrFixed(bad, attrTmpl, 65, func([]byte) {})
	var pol Policy
	if err := pol.UnmarshalBinary(bad); !errors.Is(err, netlink.ErrMalformed) || !strings.Contains(err.Error(), "XFRMA_TMPL") {
		t.Errorf("bad templates: %v", err)
	}
	// A selector prefix length beyond the family's width.
	bad = append([]byte(nil), pb...)
	bad[42] = 200
	if err := pol.UnmarshalBinary(bad); !errors.Is(err, netlink.ErrMalformed) {
		t.Errorf("bad prefix length: %v", err)
	}
}

// Limits of zero go out as XFRM_INF and come back as zero.
func TestLimitsInfinite(t *testing.T) {
	var l Limits
	b := make([]byte, sizeLifetimeCfg)
	l.put(b)
	for i := 0; i < 32; i++ {
		if b[i] != 0xff {
			t.Fatalf("byte %d of the byte and packet limits = %#x, want 0xff", i, b[i])
		}
	}
	var got Limits
	got.get(b)
	if got != asSent(l) {
		t.Errorf("got %+v", got)
	}
}

// The enums' text methods read back their words.
func TestEnumText(t *testing.T) {
	for _, p := range []Proto{ProtoESP, ProtoAH, ProtoComp, ProtoRoute2, ProtoHAO, ProtoIPsecAny, 99} {
		var q Proto
		if err := q.UnmarshalText([]byte(p.String())); err != nil || q != p {
			t.Errorf("%v: %v %v", p, q, err)
		}
	}
	for m := range Mode(7) {
		var n Mode
		if err := n.UnmarshalText([]byte(m.String())); err != nil || n != m {
			t.Errorf("%v: %v %v", m, n, err)
		}
	}
	f := StateNoECN | StateESN | 0
	var g StateFlags
	if err := g.UnmarshalText([]byte(f.String())); err != nil || g != f || f.String() != "noecn esn" {
		t.Errorf("%q: %v %v", f, g, err)
	}
	if s := PolicyFlags(0x13).String(); s != "localok icmp 10" {
		t.Errorf("policy flags: %q", s)
	}
	var e EncapType
	if err := e.UnmarshalText([]byte("espintcp")); err != nil || e != EncapESPInTCP {
		t.Errorf("encap: %v %v", e, err)
	}
	var d Dir
	if err := d.UnmarshalText([]byte("sideways")); err == nil {
		t.Errorf("sideways: no error")
	}
}

// StateID and PolicyID survive their codecs.
func TestIDRoundTrip(t *testing.T) {
	sid := StateID{Dst: a4("198.18.0.2"), Src: a4("198.18.0.1"), SPI: 0x100, Proto: ProtoESP, Mark: Mark{1, 2}}
	b, _ := sid.MarshalBinary()
	var sid2 StateID
	if err := sid2.UnmarshalBinary(b); err != nil || sid2 != sid {
		t.Errorf("state id %+v %v", sid2, err)
	}
	pid := PolicyID{Selector: Selector{Family: FamilyIPv4, Src: p4("10.0.0.0/8"), Dst: p4("10.1.0.0/16")}, Dir: DirFwd, Index: 0x12,
		Type: PolicyTypeSub, Mark: Mark{3, 4}, IfID: 5, SecurityContext: &SecurityContext{DOI: 1, Alg: 1, Context: "c"}}
	b, _ = pid.MarshalBinary()
	var pid2 PolicyID
	if err := pid2.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if d := diff(pid, pid2); d != "" {
		t.Errorf("policy id:\n%s", d)
	}
}
