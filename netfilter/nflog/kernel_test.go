package nflog

import (
	"bytes"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
)

// End to end: UDP over the veth pair hits an nft `log group` rule and an
// iptables -j NFLOG rule, for IPv4 and IPv6; every packet arrives with its
// prefix, devices, hardware header and payload.
func TestEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		family netfilter.Family
		dst    func() (string, []byte)
	}{
		{"ipv4", netfilter.FamilyIPv4, nil},
		{"ipv6", netfilter.FamilyIPv6, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t)
			const group = 7
			logRule(t, p, group, 9999, "nft-x", "")
			ipt := "iptables-legacy"
			dst, network := addrB4, "udp4"
			if tc.family == netfilter.FamilyIPv6 {
				ipt, dst, network = "ip6tables-legacy", addrB6, "udp6"
			}
			path := kerneltest.Tool(t, ipt, "iptables")
			kerneltest.Run(t, p.b, path, "-A", "INPUT", "-p", "udp", "--dport", "9998",
				"-j", "NFLOG", "--nflog-group", "7", "--nflog-prefix", "ipt-y")
			c := dial(t, p.b, Config{Group: group, Flags: FlagSeq})
			s := sender(t, p.a, network)
			const n = 50
			send(t, s, dst, 9999, n, payloadN)
			send(t, s, dst, 9998, n, payloadN)
			got, errs := collect(t, c, 2*n, 10*time.Second)
			if len(errs) > 0 {
				t.Errorf("errors in the stream: %v", errs)
			}
			if len(got) != 2*n {
				t.Fatalf("got %d entries, want %d", len(got), 2*n)
			}
			for i, e := range got {
				prefix, k := "nft-x", i
				if i >= n {
					prefix, k = "ipt-y", i-n
				}
				if e.Prefix != prefix || e.Family != tc.family || e.Group != group || e.Hook != HookInput {
					t.Errorf("entry %d: %v, want prefix %q family %v hook input", i, e, prefix, tc.family)
				}
				if e.InIndex != p.bIndex || e.OutIndex != 0 {
					t.Errorf("entry %d: in %d out %d, want in %d (vb)", i, e.InIndex, e.OutIndex, p.bIndex)
				}
				if want := payloadN(k); !bytes.Equal(udpPayload(e.Payload), want) {
					t.Errorf("entry %d: payload %q, want %q", i, udpPayload(e.Payload), want)
				}
				if !bytes.Equal(e.HWAddr, p.aMAC) || len(e.HWHeader) != 14 || !bytes.Equal(e.HWHeader[:6], p.bMAC) || !bytes.Equal(e.HWHeader[6:12], p.aMAC) {
					t.Errorf("entry %d: hw addr %x header %x, want from %v to %v", i, e.HWAddr, e.HWHeader, p.aMAC, p.bMAC)
				}
				if e.HWType != 1 || e.HWLen != 14 {
					t.Errorf("entry %d: hw type %d len %d, want Ethernet (1, 14)", i, e.HWType, e.HWLen)
				}
				wantProto := uint16(0x0800)
				if tc.family == netfilter.FamilyIPv6 {
					wantProto = 0x86dd
				}
				if e.HWProtocol != wantProto {
					t.Errorf("entry %d: hw protocol %#x, want %#x", i, e.HWProtocol, wantProto)
				}
				if e.Time.IsZero() || time.Since(e.Time) > time.Minute || time.Since(e.Time) < 0 {
					t.Errorf("entry %d: time %v", i, e.Time)
				}
				if !e.HasSeq || e.Seq != uint32(i) {
					t.Errorf("entry %d: seq %d (%v), want %d", i, e.Seq, e.HasSeq, i)
				}
			}
			if st := c.Stats(); st.Entries != 2*n || st.Lost != 0 || st.Overruns != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}
