package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

func TestParseConntrack(t *testing.T) {
	a1, a2 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.0.2")
	for _, tc := range []struct {
		args  []string
		check func(r ctRequest) bool
		err   string
	}{
		{args: []string{"-L"}, check: func(r ctRequest) bool { return r.cmd == 'L' && r.table == "conntrack" }},
		{args: []string{"-L", "expect"}, check: func(r ctRequest) bool { return r.cmd == 'L' && r.table == "expect" }},
		{args: []string{"-L", "-p", "tcp", "--dport", "80", "-s", "198.18.0.1", "-m", "5/0xff", "-w", "3", "-u", "ASSURED", "-o", "extended,id"},
			check: func(r ctRequest) bool {
				f := r.filter
				return f.Proto == 6 && f.DstPort == 80 && f.Src == netip.PrefixFrom(a1, 32) && f.Mark == 5 && f.MarkMask == 0xff &&
					f.MatchZone && f.Zone == 3 && f.StatusMask == conntrack.StatusAssured && r.extended && r.withID
			}},
		{args: []string{"-L", "-s", "198.18.0.0/16"}, check: func(r ctRequest) bool { return r.filter.Src == netip.MustParsePrefix("198.18.0.0/16") }},
		{args: []string{"-L", "-f", "ipv6"}, check: func(r ctRequest) bool { return r.filter.Family == netfilter.FamilyIPv6 }},
		{args: []string{"-I", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1", "--dport", "2", "--state", "ESTABLISHED", "-t", "100"},
			check: func(r ctRequest) bool {
				return r.cmd == 'I' && r.orig == conntrack.Tuple{Src: a1, Dst: a2, Proto: 6, SrcPort: 1, DstPort: 2} && r.stateOK && r.state == conntrack.TCPEstablished && r.timeout == 100
			}},
		{args: []string{"-G", "-p", "icmp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--icmp-type", "8", "--icmp-id", "7"},
			check: func(r ctRequest) bool { return r.orig.ICMPType == 8 && r.orig.ICMPID == 7 }},
		{args: []string{"-E", "-e", "NEW,DESTROY"}, check: func(r ctRequest) bool { return r.events == conntrack.EventNew|conntrack.EventDestroy }},
		{args: nil, check: func(r ctRequest) bool { return r.cmd == 'h' }},

		{args: []string{"-X"}, err: "unknown option `-X'"},
		{args: []string{"-L", "--sport", "1"}, err: "unknown option `--sport'"},
		{args: []string{"-L", "-p", "foo"}, err: "`foo' unsupported protocol"},
		{args: []string{"-L", "-f", "ipv7"}, err: "`ipv7' unsupported protocol"},
		{args: []string{"-L", "-o", "foo"}, err: "Bad parameter `foo'"},
		{args: []string{"-L", "-L"}, err: "Invalid commands combination"},
		{args: []string{"-I", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2"}, err: "You need to supply the `--timeout' option"},
		{args: []string{"-E", "-e", "FOO"}, err: "Bad parameter `FOO'"},
		{args: []string{"-p", "tcp"}, err: "no command specified"},
		{args: []string{"-L", "-m"}, err: "requires an argument"},
		{args: []string{"-L", "-p", "tcp", "--state", "BOGUS"}, err: "unknown TCP state"},
	} {
		r, err := parseConntrack(tc.args, 0)
		if tc.err != "" {
			var ue *UsageError
			if !errors.As(err, &ue) || !strings.Contains(ue.Msg, tc.err) || ue.Exit != ctExitParameter {
				t.Errorf("%q: %v, want %q with exit 2", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !tc.check(r) {
			t.Errorf("%q: %+v, %v", tc.args, r, err)
		}
	}
}

// ctTool runs the real conntrack in the named namespace.
func ctTool(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	tool := kerneltest.Tool(t, "conntrack", "conntrack")
	cmd := exec.Command("ip", append([]string{"netns", "exec", name, tool}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("conntrack %s: %v", strings.Join(args, " "), err)
	return "", "", 0
}

// nlCT runs nl -n name conntrack args.
func nlCT(t *testing.T, name string, args ...string) (string, string, int) {
	t.Helper()
	return genlRun(t, append([]string{"-n", name, "conntrack"}, args...)...)
}

// toolSummary is conntrack's stderr summary in nl's words.
func toolSummary(s string) string {
	return strings.ReplaceAll(s, "conntrack v1.4.7 (conntrack-tools):", "nl conntrack:")
}

// TestConntrackLikeTool: for the same table, nl conntrack prints what
// conntrack prints, line for line, with the same summaries and exit codes.
func TestConntrackLikeTool(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	kerneltest.Run(t, ns, kerneltest.Tool(t, "sysctl", "procps"), "-qw", "net.netfilter.nf_conntrack_acct=1")
	for _, args := range [][]string{
		{"-I", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "100", "-u", "ASSURED"},
		{"-I", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1001", "--dport", "80", "--state", "SYN_SENT", "-t", "200", "-m", "7"},
		{"-I", "-p", "udp", "-s", "198.18.0.1", "-d", "198.18.0.3", "--sport", "1000", "--dport", "53", "-t", "100", "-w", "3"},
		{"-I", "-p", "icmp", "-s", "198.18.0.1", "-d", "198.18.0.3", "--icmp-type", "8", "--icmp-code", "0", "--icmp-id", "77", "-t", "100"},
		{"-I", "-p", "icmpv6", "-s", "2001:db8::1", "-d", "2001:db8::2", "--icmpv6-type", "128", "--icmpv6-code", "0", "--icmpv6-id", "5", "-t", "100"},
		{"-I", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::3", "--sport", "5353", "--dport", "53", "-t", "100", "-m", "7"},
		{"-I", "-p", "gre", "-s", "198.18.0.5", "-d", "198.18.0.6", "--srckey", "5", "--dstkey", "0x10", "-t", "100"},
		{"-I", "-p", "gre", "-s", "198.18.0.7", "-d", "198.18.0.6", "--srckey", "7", "--dstkey", "8", "-t", "100", "-m", "7"},
	} {
		// Half made by nl, half by conntrack: both read both.
		if len(args)%2 == 0 {
			if _, stderr, code := nlCT(t, name, args...); code != 0 {
				t.Fatalf("nl conntrack %q: %d %s", args, code, stderr)
			}
		} else if _, stderr, code := ctTool(t, name, args...); code != 0 {
			t.Fatalf("conntrack %q: %d %s", args, code, stderr)
		}
	}
	compare := func(args []string, wo, we string, wc int, go_, ge string, gc int) {
		t.Helper()
		if normalizeCT(go_) != normalizeCT(wo) || toolSummary(we) != ge || gc != wc {
			t.Errorf("%q:\nconntrack (exit %d):\n%s%s\nnl (exit %d):\n%s%s", args, wc, wo, we, gc, go_, ge)
		}
	}
	same := func(args ...string) {
		t.Helper()
		wo, we, wc := ctTool(t, name, args...)
		go_, ge, gc := nlCT(t, name, args...)
		compare(args, wo, we, wc, go_, ge, gc)
	}
	// sameChange runs a change with conntrack, makes the table again with
	// setup, runs it with nl, and compares.
	sameChange := func(setup []string, args ...string) {
		t.Helper()
		ctTool(t, name, "-F")
		ctTool(t, name, setup...)
		wo, we, wc := ctTool(t, name, args...)
		after, _, _ := ctTool(t, name, "-L")
		ctTool(t, name, "-F")
		ctTool(t, name, setup...)
		go_, ge, gc := nlCT(t, name, args...)
		compare(args, wo, we, wc, go_, ge, gc)
		if nlAfter, _, _ := ctTool(t, name, "-L"); normalizeCT(nlAfter) != normalizeCT(after) {
			t.Errorf("%q: the table after conntrack:\n%s\nafter nl:\n%s", args, after, nlAfter)
		}
	}
	for _, args := range [][]string{
		{"-L"}, {"-L", "-o", "extended"}, {"-L", "-o", "id"}, {"-L", "-o", "extended,id"},
		{"-L", "-p", "tcp"}, {"-L", "-p", "tcp", "--dport", "80"}, {"-L", "-p", "udp", "--sport", "5353"},
		{"-L", "-s", "198.18.0.1"}, {"-L", "-d", "198.18.0.3"}, {"-L", "-r", "198.18.0.2"}, {"-L", "-q", "198.18.0.1"},
		{"-L", "-m", "7"}, {"-L", "-w", "3"}, {"-L", "-f", "ipv6"}, {"-L", "-f", "ipv4"}, {"-L", "--status", "ASSURED"},
		{"-L", "-p", "icmp"}, {"-L", "-s", "198.18.0.99"}, {"-L", "-p", "gre"},
		{"-G", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1000", "--dport", "80"},
		{"-G", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "9", "--dport", "80"},
		{"-C"}, {"-L", "expect"}, {"-L", "dying"}, {"-L", "unconfirmed"},
		// Bad options: exit 2 both.
		{"-X"}, {"-L", "-p", "foo"}, {"-L", "--sport", "1"}, {"-L", "-f", "ipv7"}, {"-L", "-o", "foo"}, {"-L", "-L"},
		{"-I", "-p", "tcp", "-s", "198.18.0.1"}, {"-E", "-e", "FOO"},
	} {
		if len(args) > 0 && (args[0] == "-X" || args[0] == "-E" || strings.HasPrefix(strings.Join(args, " "), "-L -") && (args[len(args)-1] == "foo" || args[len(args)-1] == "ipv7" || args[1] == "--sport" || args[1] == "-L")) || args[0] == "-I" {
			// Messages differ in words (nl names itself); exit codes must not.
			_, _, wc := ctTool(t, name, args...)
			_, ge, gc := nlCT(t, name, args...)
			if gc != wc || gc != 2 {
				t.Errorf("%q: exit %d (%s), conntrack exits %d", args, gc, ge, wc)
			}
			continue
		}
		same(args...)
	}
	// -S: the same CPUs and fields (the counters of both runs agree: nothing changes between).
	same("-S")
	// Updates and deletions: each on the same table, then the tables
	// compared.
	tcpFlow := []string{"-I", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "100"}
	udpFlow := []string{"-I", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::3", "--sport", "5353", "--dport", "53", "-t", "100", "-m", "7"}
	sameChange(tcpFlow, "-U", "-s", "198.18.0.1", "-m", "9")
	sameChange(tcpFlow, "-U", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1000", "--dport", "80", "-m", "10")
	sameChange(tcpFlow, "-U", "-s", "198.18.0.7", "-m", "9")
	sameChange(udpFlow, "-D", "-p", "udp", "-s", "2001:db8::1")
	sameChange(udpFlow, "-D", "-p", "tcp")
	sameChange(tcpFlow, "-D", "-p", "tcp", "--dport", "80")
	sameChange(udpFlow, "-D", "-m", "7")
	// Creation with NAT: the same reply tuple.
	sameChange([]string{"-C"}, "-I", "-p", "udp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1", "--dport", "2", "-t", "100", "--src-nat", "198.18.9.9")
	sameChange([]string{"-C"}, "-I", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1", "--dport", "80", "-t", "100", "--state", "ESTABLISHED", "--dst-nat", "198.18.7.7:8080")
	// Listing by translation, on a table with both kinds and none.
	ctTool(t, name, "-I", "-p", "udp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1", "--dport", "2", "-t", "100", "--src-nat", "198.18.9.9")
	ctTool(t, name, "-I", "-p", "udp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "3", "--dport", "2", "-t", "100")
	for _, args := range [][]string{{"-L", "--src-nat", "198.18.9.9"}, {"-L", "-n"}, {"-L", "-g"}, {"-L", "--dst-nat", "198.18.7.7"}, {"-L", "-n", "198.18.9.8"}} {
		same(args...)
	}
	// JSON: one object per flow, per line.
	ctTool(t, name, "-F")
	ctTool(t, name, tcpFlow...)
	ctTool(t, name, udpFlow...)
	out, _, code := genlRun(t, "-n", name, "-j", "conntrack", "-L")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 {
		t.Fatalf("nl -j conntrack -L: exit %d, %d lines:\n%s", code, len(lines), out)
	}
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		for _, k := range []string{"family", "protoname", "proto", "timeout", "orig", "reply", "status", "mark", "use"} {
			if _, ok := v[k]; !ok {
				t.Errorf("JSON flow lacks %q: %s", k, l)
			}
		}
	}
	same("-F")
	same("-L")
}

// TestConntrackEventsLikeTool: nl conntrack -E prints the events conntrack
// -E prints, line for line.
func TestConntrackEventsLikeTool(t *testing.T) {
	_, name := kerneltest.NamedNetNS(t)
	tool := kerneltest.Tool(t, "conntrack", "conntrack")
	ctx, cancel := context.WithCancel(context.Background())
	var nlOut, nlErr syncBuffer
	done := make(chan int)
	go func() {
		done <- RunWithInput(ctx, []string{"-n", name, "conntrack", "-E"}, strings.NewReader(""), &nlOut, &nlErr)
	}()
	cmd := exec.Command("ip", "netns", "exec", name, "timeout", "-s", "INT", "3", tool, "-E")
	var toolOut bytes.Buffer
	cmd.Stdout = &toolOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	ctTool(t, name, "-I", "-p", "tcp", "-s", "198.18.0.1", "-d", "198.18.0.2", "--sport", "1000", "--dport", "80", "--state", "ESTABLISHED", "-t", "100")
	ctTool(t, name, "-I", "-p", "udp", "-s", "2001:db8::1", "-d", "2001:db8::2", "--sport", "1", "--dport", "53", "-t", "100", "-m", "3")
	ctTool(t, name, "-U", "-s", "198.18.0.1", "-m", "5")
	ctTool(t, name, "-D", "-p", "udp")
	cmd.Wait()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("nl conntrack -E: exit %d: %s", code, nlErr.String())
	}
	if normalizeCT(nlOut.String()) != normalizeCT(toolOut.String()) || toolOut.Len() == 0 {
		t.Errorf("conntrack -E:\n%s\nnl conntrack -E:\n%s", toolOut.String(), nlOut.String())
	}
	if !strings.Contains(nlErr.String(), "nl conntrack: 4 flow events have been shown.") {
		t.Errorf("stderr: %q", nlErr.String())
	}
}

// timeoutField is the timeout of a conntrack line (after the protocol's
// name and number), and progname the program conntrack -E names.
var (
	timeoutField  = regexp.MustCompile(`(?m)^((?:\s*\[[A-Z]+\] )?(?:ipv[46] +\d+ )?\S+ +\d+ )\d+ `)
	prognameField = regexp.MustCompile(` progname=\S+`)
)

// normalizeCT blurs what differs between two readings a moment apart:
// the timeout counting down, and whether the program that made a change
// still ran when its event was printed.
func normalizeCT(s string) string {
	s = timeoutField.ReplaceAllString(s, "${1}T ")
	return prognameField.ReplaceAllString(s, "")
}

// TestConntrackExpectLikeTool: nl conntrack -L expect prints the lines
// conntrack -L expect prints; -D and -F expect empty the table.
func TestConntrackExpectLikeTool(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	c, err := conntrack.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	// Both -E expect listeners run while the master and the expectation
	// are made.
	tool := kerneltest.Tool(t, "conntrack", "conntrack")
	ectx, cancel := context.WithCancel(ctx)
	var nlOut, nlErr syncBuffer
	done := make(chan int)
	go func() {
		done <- RunWithInput(ectx, []string{"-n", name, "conntrack", "-E", "expect"}, strings.NewReader(""), &nlOut, &nlErr)
	}()
	cmd := exec.Command("ip", "netns", "exec", name, "timeout", "-s", "INT", "2", tool, "-E", "expect")
	var toolOut bytes.Buffer
	cmd.Stdout = &toolOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// The master comes after the listeners: since Linux 5.19 a flow made
	// while nobody listens never reports events, its expectations' neither.
	master := conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.2"), Proto: conntrack.ProtoTCP, SrcPort: 1000, DstPort: 21}
	if err := c.AddFlow(ctx, conntrack.Flow{Orig: master, Timeout: time.Minute, Helper: "ftp", TCP: conntrack.TCPInfo{State: conntrack.TCPEstablished}}); err != nil {
		t.Fatal(err)
	}
	ones := netip.MustParseAddr("255.255.255.255")
	if err := c.AddExpectation(ctx, conntrack.Expectation{Master: master, Tuple: conntrack.Tuple{Src: master.Dst, Dst: master.Src, Proto: conntrack.ProtoTCP, DstPort: 5000},
		Mask: conntrack.Tuple{Src: ones, Dst: ones, Proto: conntrack.ProtoTCP, DstPort: 0xffff}, Timeout: 300 * time.Second}); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("nl conntrack -E expect: exit %d: %s", code, nlErr.String())
	}
	if normalizeEvExpect(nlOut.String()) != normalizeEvExpect(toolOut.String()) || toolOut.Len() == 0 {
		t.Errorf("conntrack -E expect:\n%s\nnl conntrack -E expect:\n%s", toolOut.String(), nlOut.String())
	}
	if out, _, code := nlCT(t, name, "-C", "expect"); code != 0 || out != "1\n" {
		t.Errorf("-C expect: %d %q", code, out)
	}
	wo, we, wc := ctTool(t, name, "-L", "expect")
	go_, ge, gc := nlCT(t, name, "-L", "expect")
	if normalizeExpect(go_) != normalizeExpect(wo) || toolSummary(we) != ge || gc != wc || wo == "" {
		t.Errorf("conntrack -L expect (exit %d):\n%s%s\nnl (exit %d):\n%s%s", wc, wo, we, gc, go_, ge)
	}
	if _, ge, gc := nlCT(t, name, "-D", "expect", "-p", "tcp"); gc != 0 || !strings.Contains(ge, "1 expectations have been deleted") {
		t.Errorf("-D expect: %d %s", gc, ge)
	}
	if _, _, gc := nlCT(t, name, "-D", "expect", "-p", "tcp"); gc != 1 {
		t.Errorf("-D expect of nothing: exit %d, want 1", gc)
	}
	if _, ge, gc := nlCT(t, name, "-F", "expect"); gc != 0 || !strings.Contains(ge, "expectation table has been emptied") {
		t.Errorf("-F expect: %d %s", gc, ge)
	}
}

// normalizeEvExpect blurs an expectation event's timeout.
func normalizeEvExpect(s string) string {
	return regexp.MustCompile(`(?m)^(\s*\[[A-Z]+\] )\d+ `).ReplaceAllString(s, "${1}T ")
}

// normalizeExpect blurs the expectation's timeout, the first field.
func normalizeExpect(s string) string {
	return regexp.MustCompile(`(?m)^\d+ `).ReplaceAllString(s, "T ")
}
