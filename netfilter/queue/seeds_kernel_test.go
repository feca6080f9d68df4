package queue_test

import (
	"crypto/sha256"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
)

// TestRecordFuzzSeeds records the kernel's packet messages (IPv4 and IPv6,
// UDP and TCP, with the UID/GID and GSO flags) as seeds of FuzzPacket, in
// testdata/fuzz/FuzzPacket/kernel-*. It runs only when asked:
//
//	NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./netfilter/queue
func TestRecordFuzzSeeds(t *testing.T) {
	if os.Getenv("NLKIT_RECORD_FUZZ_SEEDS") == "" {
		t.Skip("set NLKIT_RECORD_FUZZ_SEEDS=1 to record the seeds")
	}
	p := newPair(t)
	p.queueRules(t, 1)
	var mu sync.Mutex
	var seeds [][]byte
	trace := func(d netlink.Direction, m netlink.Message) {
		if d == netlink.Received && m.Header.Type == netfilter.MessageType(netfilter.SubsysQueue, 0) {
			mu.Lock()
			seeds = append(seeds, append([]byte(nil), m.Data...))
			mu.Unlock()
		}
	}
	q := dial(t, &queue.Config{Num: 1, NetNS: p.b, Flags: queue.FlagUIDGID | queue.FlagGSO, CopyRange: 256, Trace: trace})
	startReader(t, q, func(pkt *queue.Packet) error {
		return q.SetVerdict(t.Context(), queue.Verdict{ID: pkt.ID, Action: queue.Accept})
	})
	for _, dst := range []netip.Addr{p.b4, p.b6} {
		s := udpSender(t, p.a, map[bool]int{true: 4, false: 6}[dst.Is4()])
		s.WriteToUDPAddrPort([]byte("seed"), netip.AddrPortFrom(dst, 7001))
		tcpBulk(t, p, dst, 8001, 200000)
	}
	time.Sleep(100 * time.Millisecond)
	dir := filepath.Join("testdata", "fuzz", "FuzzPacket")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	kept := 0
	for i, b := range seeds {
		if i > 3 && i < len(seeds)-3 {
			continue // the first and last few: SYN, handshake, FIN
		}
		sum := sha256.Sum256(b)
		name := filepath.Join(dir, fmt.Sprintf("kernel-packet-%x", sum[:4]))
		if err := os.WriteFile(name, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644); err != nil {
			t.Fatal(err)
		}
		kept++
	}
	t.Logf("recorded %d of %d packet messages", kept, len(seeds))
}
