package sockdiag

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The seeds recorded from the kernel (TestRecordFuzzSeeds) decode with
// each target's own decoder.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	for target, decode := range map[string]func(args []any) error{
		"FuzzInetSocket": func(a []any) error {
			s := &InetSocket{Protocol: Protocol(a[1].(uint16))}
			return s.UnmarshalBinary(a[0].([]byte))
		},
		"FuzzUnixSocket":    func(a []any) error { return new(UnixSocket).UnmarshalBinary(a[0].([]byte)) },
		"FuzzPacketSocket":  func(a []any) error { return new(PacketSocket).UnmarshalBinary(a[0].([]byte)) },
		"FuzzNetlinkSocket": func(a []any) error { return new(NetlinkSocket).UnmarshalBinary(a[0].([]byte)) },
		"FuzzTCPInfo": func(a []any) error {
			var ti TCPInfo
			ti.decode(a[0].([]byte))
			if ti.Len < 104 {
				t.Errorf("tcp_info seed of %d bytes", ti.Len)
			}
			return nil
		},
	} {
		seeds := corpus.Read(t, target)
		for _, s := range seeds {
			if err := decode(s.Args); err != nil {
				t.Errorf("%s/%s: %v", target, s.Name, err)
			}
		}
		if len(seeds) < 1 {
			t.Errorf("%s: no seeds recorded from the kernel (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./sockdiag)", target)
		}
	}
}
