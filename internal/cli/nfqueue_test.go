package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netns"
)

func TestParseNfqueue(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want nfqueueRequest
		err  string
	}{
		{args: nil, want: nfqueueRequest{cmd: "show", verdict: queue.Accept}},
		{args: []string{"s"}, want: nfqueueRequest{cmd: "show", verdict: queue.Accept}},
		{args: []string{"listen", "5"}, want: nfqueueRequest{cmd: "listen", cfg: queue.Config{Num: 5}, verdict: queue.Accept}},
		{args: []string{"l", "0x10", "verdict", "d", "copy-range", "128", "maxlen", "4096", "fail-open", "gso", "uid-gid", "conntrack", "count", "3", "-w", "f.pcap"},
			want: nfqueueRequest{cmd: "listen", cfg: queue.Config{Num: 16, CopyRange: 128, MaxLen: 4096,
				Flags: queue.FlagFailOpen | queue.FlagGSO | queue.FlagUIDGID | queue.FlagConntrack}, verdict: queue.Drop, count: 3, write: "f.pcap"}},
		{args: []string{"listen", "1", "copy-range", "0"}, want: nfqueueRequest{cmd: "listen", cfg: queue.Config{Num: 1, CopyMode: queue.CopyMeta}, verdict: queue.Accept}},
		{args: []string{"listen", "1", "write", "x"}, want: nfqueueRequest{cmd: "listen", cfg: queue.Config{Num: 1}, verdict: queue.Accept, write: "x"}},

		{args: []string{"zap"}, err: `Command "zap" is unknown, try "nl nfqueue help".`},
		{args: []string{"listen"}, err: `"NUM" is required`},
		{args: []string{"listen", "65536"}, err: "invalid queue number"},
		{args: []string{"listen", "1", "verdict", "maybe"}, err: `verdict is accept or drop`},
		{args: []string{"listen", "1", "verdict"}, err: `Command line is not complete`},
		{args: []string{"listen", "1", "count", "2", "count", "3"}, err: `duplicate "count"`},
		{args: []string{"listen", "1", "bogus"}, err: `unknown argument`},
		{args: []string{"show", "x"}, err: `unknown argument`},
	} {
		got, err := parseNfqueue(tc.args)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: %v, want an error with %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.args, got, tc.want)
		}
	}
}

// nfqueueNS is a named namespace where UDP to 127.0.0.1:34567 going out is
// queued to queue 0, with a listener on that port.
func nfqueueNS(t *testing.T) (*netns.NS, string, *net.UDPConn, *net.UDPConn) {
	ns, name := kerneltest.NamedNetNS(t)
	ipt := kerneltest.Tool(t, "iptables-legacy", "iptables")
	kerneltest.Run(t, ns, ipt, "-A", "OUTPUT", "-o", "lo", "-p", "udp", "--dport", "34567", "-j", "NFQUEUE", "--queue-num", "0")
	var l, s *net.UDPConn
	if err := ns.Do(func() (err error) {
		if l, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 34567}); err != nil {
			return err
		}
		s, err = net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 34567})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(); s.Close() })
	return ns, name, l, s
}

// nfqueueRun runs nl in the background and, once queue 0 is bound in ns,
// sends n datagrams; it returns stdout, stderr and the exit code.
func nfqueueRun(t *testing.T, ns *netns.NS, s *net.UDPConn, n int, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	var out, errb genlSyncBuffer
	done := make(chan int)
	go func() { done <- RunWithInput(ctx, args, strings.NewReader(""), &out, &errb) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, _ := queue.InstanceList(ctx, ns)
		if len(l) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue not bound; stderr %q", errb.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i := range n {
		s.Write(fmt.Appendf(nil, "dgram%d", i))
	}
	select {
	case code := <-done:
		return out.String(), errb.String(), code
	case <-ctx.Done():
		t.Fatalf("nl did not stop after %d packets; stdout %q", n, out.String())
	}
	return "", "", 0
}

func recvAll(l *net.UDPConn) int {
	n := 0
	buf := make([]byte, 100)
	for {
		l.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, _, err := l.ReadFromUDP(buf); err != nil {
			return n
		}
		n++
	}
}

// TestNfqueueListen: nl nfqueue listen prints a line per packet, accepts
// them, stops after count with a summary, and its pcap file reads back
// with tcpdump, whose lines equal nl's summaries.
func TestNfqueueListen(t *testing.T) {
	ns, name, l, s := nfqueueNS(t)
	tcpdump := kerneltest.Tool(t, "tcpdump", "tcpdump")
	file := filepath.Join(t.TempDir(), "q.pcap")
	out, stderr, code := nfqueueRun(t, ns, s, 3, "-n", name, "nfqueue", "listen", "0", "count", "3", "-w", file)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	re := regexp.MustCompile(`^\d\d:\d\d:\d\d\.\d{6} queue 0 id (\d+) output out lo len 34: (IP 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.34567: UDP, length 6)$`)
	var summaries []string
	for i, line := range lines {
		m := re.FindStringSubmatch(line)
		if m == nil || m[1] != fmt.Sprint(i+1) {
			t.Fatalf("line %d %q does not match %s", i, line, re)
		}
		summaries = append(summaries, m[2])
	}
	if len(lines) != 3 || !strings.Contains(stderr, "3 packets seen, 3 verdicts given, 0 overruns, 0 missed") {
		t.Fatalf("output %q, stderr %q", out, stderr)
	}
	if n := recvAll(l); n != 3 {
		t.Errorf("%d datagrams accepted, want 3", n)
	}
	dump := kerneltest.Run(t, ns, tcpdump, "-n", "-r", file)
	dl := strings.Split(strings.TrimSuffix(string(dump), "\n"), "\n")
	if len(dl) != 3 {
		t.Fatalf("tcpdump read %q", dump)
	}
	for i, line := range dl {
		_, rest, _ := strings.Cut(line, " ")
		if rest != summaries[i] {
			t.Errorf("tcpdump %q, nl %q", rest, summaries[i])
		}
	}
	t.Logf("nl:\n%s\ntcpdump -r:\n%s", out, dump)
}

// TestNfqueueListenJSON: -j prints one object per line; verdict drop drops.
func TestNfqueueListenJSON(t *testing.T) {
	ns, name, l, s := nfqueueNS(t)
	out, stderr, code := nfqueueRun(t, ns, s, 2, "-j", "-n", name, "nfqueue", "listen", "0", "verdict", "drop", "count", "2")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("output %q", out)
	}
	for _, line := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		for k, want := range map[string]any{"queue": 0.0, "hook": "output", "outdev": "lo", "verdict": "drop", "family": "ipv4",
			"src": "127.0.0.1", "dst": "127.0.0.1", "dport": 34567.0, "protocol": 17.0, "len": 34.0, "payload_length": 6.0} {
			if v[k] != want {
				t.Errorf("%s: %v, want %v (%s)", k, v[k], want, line)
			}
		}
	}
	if n := recvAll(l); n != 0 {
		t.Errorf("%d datagrams got through a drop verdict", n)
	}
}

// TestNfqueueShow: nl nfqueue show prints the kernel's table, and an
// error binding a queue that is taken exits 2.
func TestNfqueueShow(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	q, err := queue.Dial(&queue.Config{Num: 9, NetNS: ns, CopyRange: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	out := genlMustRun(t, "-n", name, "nfqueue", "show")
	proc := strings.Fields(string(kerneltest.Run(t, ns, "cat", "/proc/net/netfilter/nfnetlink_queue")))
	want := fmt.Sprintf("queue 9 portid %s waiting 0 copy packet range 100 queue-dropped 0 user-dropped 0 id 0\n", proc[1])
	if out != want {
		t.Errorf("show: %q, want %q (/proc: %q)", out, want, proc)
	}
	js := genlMustRun(t, "-j", "-n", name, "nfqueue", "show")
	wantJS := fmt.Sprintf(`[{"queue":9,"portid":%s,"waiting":0,"copy_mode":"packet","copy_range":100,"queue_dropped":0,"user_dropped":0,"id_sequence":0}]`+"\n", proc[1])
	if js != wantJS {
		t.Errorf("show -j: %q, want %q", js, wantJS)
	}
	genlFails(t, 2, "Error: queue: bind queue 9: operation not permitted", "-n", name, "nfqueue", "listen", "9")
	genlFails(t, 255, `"NUM" is required`, "nfqueue", "listen")
	genlFails(t, 255, `unknown argument`, "nfqueue", "listen", "1", "zap")
}

// TestNfqueueListenInterrupt: without count, listen runs until its context
// ends (SIGINT in nl), then prints the summary and exits 0.
func TestNfqueueListenInterrupt(t *testing.T) {
	ns, name, l, s := nfqueueNS(t)
	ctx, cancel := context.WithCancel(t.Context())
	var out, errb genlSyncBuffer
	done := make(chan int)
	go func() {
		done <- RunWithInput(ctx, []string{"-n", name, "nfqueue", "listen", "0"}, strings.NewReader(""), &out, &errb)
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if l, _ := queue.InstanceList(ctx, ns); len(l) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("queue not bound")
		}
	}
	for range 4 {
		s.Write([]byte("x"))
	}
	for deadline := time.Now().Add(5 * time.Second); strings.Count(out.String(), "\n") < 4 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(errb.String(), "4 packets seen, 4 verdicts given, 0 overruns") {
			t.Fatalf("exit %d, stderr %q, stdout %q", code, errb.String(), out.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("listen did not stop at the interrupt")
	}
	if n := recvAll(l); n != 4 {
		t.Errorf("%d datagrams accepted, want 4", n)
	}
	if l, _ := queue.InstanceList(t.Context(), ns); len(l) != 0 {
		t.Errorf("queue still bound after nl stopped: %+v", l)
	}
}
