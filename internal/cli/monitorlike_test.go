package cli

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// monitorSequence makes the changes the monitor tests watch, in the
// namespace NAME: links, addresses, routes, a nexthop, a namespace id,
// netconf (forwarding), a rule, a neighbour, a link moved to another
// namespace.
func monitorSequence(t *testing.T, name string) {
	t.Helper()
	_, other := kerneltest.NamedNetNS(t)
	for _, l := range []string{
		"link add v0 type veth peer name v1", "link set v0 up", "link set v1 up",
		"address add 198.18.0.1/24 dev v0", "address add 198.18.1.1/24 dev v1",
		"nexthop add id 1 via 198.18.0.2 dev v0", "nexthop del id 1",
		"netns set " + other + " 7",
		"rule add pref 5 table 5", "route add 198.18.9.0/24 via 198.18.0.3",
		"neigh add 198.18.0.9 lladdr 00:11:22:33:44:55 dev v0",
		"link set v1 netns " + other,
	} {
		if out, code := runIP(t, name, strings.Fields(l)...); code != 0 {
			t.Fatalf("ip %s: %s", l, out)
		}
	}
	if out, err := exec.Command("ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv4.conf.v0.forwarding=1").CombinedOutput(); err != nil {
		t.Fatalf("sysctl: %v %s", err, out)
	}
}

// runIP runs ip -n NAME args and returns its output and exit status.
func runIP(t *testing.T, name string, args ...string) (string, int) {
	t.Helper()
	out, stderr, code := ipResult(t, name, args...)
	return out + stderr, code
}

// monitorClock blanks what -t adds (the time the event was printed).
var monitorClock = regexp.MustCompile(`(?m)^Timestamp: .* usec$|\[\d{4}-\d\d-\d\dT[\d:.]+\] `)

// TestMonitorFileLikeIP: rtmon records every event of a sequence of
// changes (links, addresses, routes, nexthops, a namespace id, netconf,
// rules, neighbours, a link leaving for another namespace); ip monitor
// file and nl monitor file print the file alike, with every option and
// selector (objects, label, dev, -t, -o, -d, -s).
func TestMonitorFileLikeIP(t *testing.T) {
	rtmon := kerneltest.Tool(t, "rtmon", "iproute2")
	ns, name := kerneltest.NamedNetNS(t)
	_ = ns
	file := filepath.Join(t.TempDir(), "rtmon")
	ctx, cancel := context.WithCancel(t.Context())
	rec := exec.CommandContext(ctx, "ip", "netns", "exec", name, rtmon, "file", file, "all")
	if err := rec.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // rtmon listening
	monitorSequence(t, name)
	time.Sleep(300 * time.Millisecond)
	cancel()
	rec.Wait()
	for _, opts := range []string{"", "label", "label dev v0", "dev v1", "nexthop", "link", "-4 route", "all", "-o", "-t", "-ts",
		"-d", "-s", "nsid netconf", "neigh rule", "-6 all", "al"} {
		args := strings.Fields(opts)
		var pre, sel []string
		for _, a := range args {
			if strings.HasPrefix(a, "-") {
				pre = append(pre, a)
			} else {
				sel = append(sel, a)
			}
		}
		cmd := append(append(append(pre, "monitor"), sel...), "file", file)
		ipOut, _, ipCode := ipResult(t, name, cmd...)
		nlOut, _, nlCode := runAs(t, "ip", append([]string{"-n", name}, cmd...)...)
		ipOut, nlOut = monitorClock.ReplaceAllString(ipOut, "T "), monitorClock.ReplaceAllString(nlOut, "T ")
		if ipOut != nlOut || ipCode != nlCode {
			t.Errorf("monitor %s: exit ip %d nl %d\n ip:\n%s\n nl:\n%s", opts, ipCode, nlCode, ipOut, nlOut)
		}
	}
}

// TestMonitorLiveLikeIP: ip monitor and nl monitor running side by side
// while the sequence happens print the same lines (all objects, with
// label; and dev v0).
func TestMonitorLiveLikeIP(t *testing.T) {
	stdbuf := kerneltest.Tool(t, "stdbuf", "coreutils")
	for _, opts := range [][]string{{"label"}, {"dev", "v0"}} {
		_, name := kerneltest.NamedNetNS(t)
		if _, code := runIP(t, name, "link", "add", "v0", "type", "veth", "peer", "name", "v1"); code != 0 {
			t.Fatal("veth")
		}
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		ipCmd := exec.CommandContext(ctx, stdbuf, append([]string{"-oL", "ip", "-n", name, "monitor"}, opts...)...)
		ipPipe, _ := ipCmd.StdoutPipe()
		if err := ipCmd.Start(); err != nil {
			t.Fatal(err)
		}
		nlR, nlW := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- RunProgram(ctx, "ip", append([]string{"-n", name, "monitor"}, opts...), strings.NewReader(""), nlW, io.Discard)
			nlW.Close()
		}()
		time.Sleep(500 * time.Millisecond)
		// The sequence, on the existing veth.
		for _, l := range []string{"link set v0 up", "link set v1 up", "address add 198.18.0.1/24 dev v0",
			"nexthop add id 1 via 198.18.0.2 dev v0", "nexthop del id 1", "rule add pref 5 table 5",
			"neigh add 198.18.0.9 lladdr 00:11:22:33:44:55 dev v0", "address add 198.18.1.1/24 dev v1", "link set v1 mtu 1400",
			"link set v0 mtu 1300"} {
			if out, code := runIP(t, name, strings.Fields(l)...); code != 0 {
				t.Fatalf("ip %s: %s", l, out)
			}
		}
		// The last change is on v0: read until both printed it.
		read := func(r io.Reader) string {
			var b strings.Builder
			s := bufio.NewScanner(r)
			for s.Scan() {
				b.WriteString(s.Text() + "\n")
				if strings.Contains(s.Text(), "mtu 1300") {
					break
				}
			}
			return b.String()
		}
		ipOut, nlOut := read(ipPipe), read(nlR)
		cancel()
		go io.Copy(io.Discard, nlR)
		<-done
		ipCmd.Wait()
		// IPv6 autoconfiguration may interleave differently: compare the
		// lines as sets.
		if a, b := sortedLines(ipOut), sortedLines(nlOut); a != b {
			t.Errorf("monitor %q:\n only ip:\n%s\n only nl:\n%s", opts, linesOnlyIn(a, b), linesOnlyIn(b, a))
		}
	}
}

// sortedLines sorts the lines of s.
func sortedLines(s string) string {
	l := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i := 1; i < len(l); i++ {
		for j := i; j > 0 && l[j] < l[j-1]; j-- {
			l[j], l[j-1] = l[j-1], l[j]
		}
	}
	return strings.Join(l, "\n")
}
