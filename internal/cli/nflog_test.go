package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter/nflog"
	"github.com/nlkit/nlkit/netlink"
)

func TestParseNflog(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want nflogRequest
		err  string
	}{
		{args: []string{"listen", "7"}, want: nflogRequest{cmd: "listen", group: 7, cfg: nflog.Config{Group: 7, Flags: nflog.FlagSeq}}},
		{args: []string{"l", "0x10", "copy-range", "64", "thr", "50", "time", "200", "buf", "131072", "count", "3", "-w", "f.pcap", "meta", "seq-global"},
			want: nflogRequest{cmd: "listen", group: 16, count: 3, file: "f.pcap", cfg: nflog.Config{Group: 16, CopyRange: 64, QThreshold: 50, Timeout: 200 * time.Millisecond,
				BufferSize: 131072, CopyMode: nflog.CopyMeta, Flags: nflog.FlagSeq | nflog.FlagSeqGlobal}}},
		{args: []string{"listen"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"listen", "70000"}, err: `Error: argument "70000" is wrong: invalid group`},
		{args: []string{"listen", "1", "copy-range", "65532"}, err: `Error: argument "65532" is wrong: copy range is at most 65531`},
		{args: []string{"listen", "1", "buffer-size", "131073"}, err: `Error: argument "131073" is wrong: buffer size is at most 131072`},
		{args: []string{"listen", "1", "count", "1", "count", "2"}, err: `Error: duplicate "count": "2" is the second value.`},
		{args: []string{"listen", "1", "bogus"}, err: `Error: argument "bogus" is unknown, try "nl nflog help".`},
		{args: []string{"listen", "1", "timeout"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"show"}, want: nflogRequest{cmd: "show"}},
		{args: []string{"show", "7"}, err: `Error: argument "7" is wrong: unknown argument`},
		{args: []string{"flush"}, err: `Command "flush" is unknown, try "nl nflog help".`},
	} {
		got, err := parseNflog(tc.args)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
	if _, _, code := run(t, "nflog", "listen", "x"); code != ExitUsage {
		t.Errorf("bad group: exit %d, want %d", code, ExitUsage)
	}
}

// nl nflog listen in a namespace: the lines name the prefix, hook and
// device, and describe the packet as tcpdump does (tcpdump reads the pcap
// file nl wrote and must print the same packet summaries); -j gives one
// JSON object per line; the summary counts the entries.
func TestNflogListen(t *testing.T) {
	nft := kerneltest.Tool(t, "nft", "nftables")
	ns, name := kerneltest.NamedNetNS(t)
	script := filepath.Join(t.TempDir(), "rules.nft")
	os.WriteFile(script, []byte("table inet t {\n chain in {\n type filter hook input priority 0;\n udp dport 9999 log group 3 prefix \"cli \"\n }\n}\n"), 0o600)
	kerneltest.Run(t, ns, nft, "-f", script)
	var s *net.UDPConn
	if err := ns.Do(func() (err error) {
		s, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// listen runs nl until it has n entries, sending datagrams meanwhile
	// (it binds the group after it starts).
	listen := func(d time.Duration, args ...string) (string, string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		var out, errb bytes.Buffer
		done := make(chan int)
		go func() { done <- RunWithInput(ctx, args, strings.NewReader(""), &out, &errb) }()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case code := <-done:
				return out.String(), errb.String(), code
			case <-tick.C:
				s.WriteToUDP([]byte("hello"), &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9999})
			}
		}
	}
	pcap := filepath.Join(t.TempDir(), "out.pcap")
	out, errOut, code := listen(10*time.Second, "-n", name, "nflog", "listen", "3", "count", "3", "-w", pcap)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || errOut != "3 entries received, 0 lost, 0 overruns\n" {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, l := range lines {
		if !strings.Contains(l, ` group 3 prefix "cli " input in lo IP 127.0.0.1.`) || !strings.HasSuffix(l, " > 127.0.0.1.9999: UDP, length 5") {
			t.Errorf("line %q", l)
		}
	}
	{
		td := kerneltest.Tool(t, "tcpdump", "tcpdump")
		b, err := exec.Command(td, "-n", "-r", pcap).Output()
		if err != nil {
			t.Fatalf("tcpdump -r: %v\n%s", err, b)
		}
		tdLines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(tdLines) != 3 {
			t.Fatalf("tcpdump read %d records:\n%s", len(tdLines), b)
		}
		for i, l := range tdLines {
			// tcpdump: "HH:MM:SS.uuuuuu IP 127.0.0.1.P > ...": the same time
			// and summary as nl's line.
			ts, summary, _ := strings.Cut(l, " ")
			if !strings.HasPrefix(lines[i], ts+" ") || !strings.HasSuffix(lines[i], " "+summary) {
				t.Errorf("nl: %q\ntcpdump: %q", lines[i], l)
			}
		}
	}

	out, _, code = listen(10*time.Second, "-j", "-n", name, "nflog", "listen", "3", "count", "2", "copy-range", "28")
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("-j: exit %d:\n%s", code, out)
	}
	for _, l := range lines {
		var v struct {
			Group  int    `json:"group"`
			Prefix string `json:"prefix"`
			Hook   string `json:"hook"`
			In     string `json:"in"`
			Length int    `json:"length"`
			Packet struct {
				Src, Dst  string
				DstPort   int  `json:"dport"`
				Truncated bool `json:"truncated"`
			} `json:"packet"`
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if v.Group != 3 || v.Prefix != "cli " || v.Hook != "input" || v.In != "lo" || v.Length != 28 || v.Packet.Truncated || v.Packet.Dst != "127.0.0.1" || v.Packet.DstPort != 9999 {
			t.Errorf("%+v from %s", v, l)
		}
	}

	// Interrupted (the context nl's main cancels on SIGINT): exit 0 and
	// the summary counts what was printed.
	out, errOut, code = listen(500*time.Millisecond, "-n", name, "nflog", "listen", "3")
	n := strings.Count(out, "\n")
	if code != 0 || n == 0 || errOut != fmt.Sprintf("%d entries received, 0 lost, 0 overruns\n", n) {
		t.Errorf("interrupted: exit %d, %d lines, stderr %q", code, n, errOut)
	}

	// A group another program holds: the kernel's refusal, exit 2.
	holder, err := nflog.Dial(&nflog.Config{Group: 5, Netlink: &netlink.Config{NetNS: ns}})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	_, errOut, code = run(t, "-n", name, "nflog", "listen", "5")
	if code != ExitKernel || !strings.Contains(errOut, "bound by netlink port") {
		t.Errorf("busy group: exit %d, %q", code, errOut)
	}
	// show lists it, as the kernel's table does.
	port := holder.Netfilter().Netlink().PortID()
	out, _, code = run(t, "-n", name, "nflog", "show")
	if want := fmt.Sprintf("group 5 portid %d queued 0 copy packet range 65531 timeout 1000ms\n", port); code != 0 || out != want {
		t.Errorf("show: exit %d\n got %q\nwant %q", code, out, want)
	}
	out, _, code = run(t, "-j", "-n", name, "nflog", "show")
	if want := fmt.Sprintf(`[{"group":5,"portid":%d,"queued":0,"copy_mode":"packet","copy_range":65531,"timeout_ms":1000}]`+"\n", port); code != 0 || out != want {
		t.Errorf("show -j: exit %d\n got %q\nwant %q", code, out, want)
	}
}
