//go:build linux

package sockdiag

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// TestRecordFuzzSeeds records replies of this kernel as the seeds of the
// decoders' fuzz targets (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run
// TestRecordFuzzSeeds ./sockdiag).
func TestRecordFuzzSeeds(t *testing.T) {
	if os.Getenv("NLKIT_RECORD_FUZZ_SEEDS") != "1" {
		t.Skip("NLKIT_RECORD_FUZZ_SEEDS=1 records the seeds")
	}
	w := newWorld(t)
	var mfd int
	w.do(t, func() (err error) {
		if mfd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 262); err != nil {
			return err
		}
		return unix.Listen(mfd, 1)
	})
	defer unix.Close(mfd)
	c := testDial(t, w.ns)
	writer := func(target string) *corpus.Writer {
		wr, err := corpus.NewWriter(corpus.Dir(target), 24)
		if err != nil {
			t.Fatal(err)
		}
		return wr
	}
	inet := writer("FuzzInetSocket")
	for _, p := range []Protocol{ProtocolTCP, ProtocolUDP, ProtocolMPTCP} {
		for _, fam := range []uint8{unix.AF_INET, unix.AF_INET6} {
			req, _ := appendInetRequest(nil, fam, p, 0, 0, ExtAll, SockID{Cookie: NoCookie}, nil)
			i := 0
			for b, err := range c.dump(bg, "record", req) {
				if err != nil {
					t.Fatal(err)
				}
				if _, err := inet.Add(fmt.Sprintf("%s-%d-%d", p, fam, i), append([]byte(nil), b...), uint16(p)); err != nil {
					t.Fatal(err)
				}
				i++
			}
		}
	}
	for target, req := range map[string][]byte{
		"FuzzUnixSocket":    appendUnixRequest(nil, 0, 0, NoCookie),
		"FuzzPacketSocket":  {unix.AF_PACKET, 0, 0, 0, 0, 0, 0, 0, pdiagShowAll, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		"FuzzNetlinkSocket": {unix.AF_NETLINK, 255, 0, 0, 0, 0, 0, 0, ndiagShowAll, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	} {
		wr := writer(target)
		i := 0
		for b, err := range c.dump(bg, "record", req) {
			if err != nil {
				t.Fatal(err)
			}
			if _, err := wr.Add(fmt.Sprint(i), append([]byte(nil), b...)); err != nil {
				t.Fatal(err)
			}
			i++
		}
	}
	ti := writer("FuzzTCPInfo")
	for s, err := range c.InetSockets(bg, &InetFilter{Extensions: ExtInfo}) {
		if err != nil {
			t.Fatal(err)
		}
		if s.TCPInfo.Len == 0 {
			continue
		}
		if _, err := ti.Add(s.State.String(), s.TCPInfo.append(nil)); err != nil {
			t.Fatal(err)
		}
	}
}
