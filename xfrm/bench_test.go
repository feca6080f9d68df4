package xfrm

import (
	"testing"
)

// BenchmarkPolicyDecode decodes one dumped policy with a template, as
// Policies does per message.
func BenchmarkPolicyDecode(b *testing.B) {
	p := Policy{Selector: Selector{Src: p4("198.18.0.0/24"), Dst: p4("10.0.0.1/32")}, Dir: DirOut,
		Templates: []Template{{Proto: ProtoESP, Mode: ModeTunnel, ReqID: 1, Src: a4("198.18.0.1"), Dst: a4("198.18.1.1")}}, Type: PolicyTypeSub}
	buf, _ := p.MarshalBinary()
	b.ReportAllocs()
	for b.Loop() {
		var q Policy
		if err := q.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPolicyEncode encodes one policy into a reused buffer, as
// AddPolicies does per policy.
func BenchmarkPolicyEncode(b *testing.B) {
	p := Policy{Selector: Selector{Src: p4("198.18.0.0/24"), Dst: p4("10.0.0.1/32")}, Dir: DirOut,
		Templates: []Template{{Proto: ProtoESP, Mode: ModeTunnel, ReqID: 1, Src: a4("198.18.0.1"), Dst: a4("198.18.1.1")}}}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = p.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}
