package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// ntableVolatile matches the values of ntable -s that move on their own:
// the tables are the host's, shared by every namespace, so their counters
// count what the whole machine does (and the times of the last flush and
// hash change are printed at one-second resolution); and "reachable",
// which the kernel draws at random between each change of base_reachable.
var ntableVolatile = regexp.MustCompile(`((?:allocs|destroys|hash_grows|res_failed|lookups|hits|entries|periodic_gc_runs|` +
	`forced_gc_runs|rcv_probes_mcast|rcv_probes_ucast|table_fulls|reachable)"?:? ?)[0-9]+|` +
	`((?:last_flush|last_rand)"?:? ?"?)[0-9-]+ [0-9:]+`)

func ntableStill(s string) string { return ntableVolatile.ReplaceAllString(s, "${1}${2}0") }

// TestNtableChangeLikeIP: ntable show -s against ip in one namespace
// (volatile counters blanked), then ntable change line by line by ip in
// one namespace and nl (invoked as ip) in another: the same output, error
// output and exit status, and the same tables afterwards.
func TestNtableChangeLikeIP(t *testing.T) {
	var names [2]string
	for i := range names {
		ns, name := kerneltest.NamedNetNS(t)
		kerneltest.Run(t, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
		names[i] = name
	}
	for _, line := range []string{"-s ntable", "-s ntable show dev v0", "-s ntable show name arp_cache", "-j -s ntable",
		"-s -4 ntable show name ndisc_cache", "-j -p -s ntable show name arp_cache"} {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, names[0], args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", names[0]}, args...)...)
		if ntableStill(ipOut) != ntableStill(nlOut) || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q\n%s\n nl: exit %d %q\n%s", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
		if !strings.Contains(line, "dev") && !strings.Contains(line, "-4") && !strings.Contains(ipOut, "hash_rnd") {
			t.Errorf("%s: no configuration printed: %q", line, ipOut)
		}
	}
	for _, line := range []string{
		"ntable change name arp_cache dev v0 queue 51 app_probes 2 ucast_probes 4 mcast_probes 5 base_reachable 20000 retrans 900 " +
			"gc_stale 50000 delay_probe 4000 anycast_delay 900 proxy_delay 700 proxy_queue 70 locktime 900",
		"ntable change name ndisc_cache dev v1 queue 7 retrans 0x200", "ntable chg name arp_cache dev v1 locktime 5",
		"-6 ntable change name ndisc_cache dev v0 mcast_probes 1", "-4 ntable change name ndisc_cache dev v0 mcast_probes 1",
		// The tables' own settings are the host's: the kernel refuses them
		// in other namespaces.
		"ntable change name arp_cache queue 50", "ntable change name arp_cache thresh1 100 thresh2 600 thresh3 1200 gc_int 20000",
		"ntable change name nosuch dev v0 queue 3", "ntable change name arp_cache", "ntable change dev v0 queue 3",
		"ntable change name arp_cache dev nosuch queue 3", "ntable change name arp_cache queue x",
		"ntable change name arp_cache thresh1 4294967296", "ntable change name arp_cache gc_int -",
		"ntable change name arp_cache name ndisc_cache queue 3", "ntable change name arp_cache frob 3",
		"ntable change name arp_cache queue", "ntable change name arp_cache dev v0", "ntable change help", "ntable help",
		"ntable c name arp_cache dev v0 proxy_queue 9",
	} {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, names[0], args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", names[1]}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	for _, dev := range []string{"v0", "v1"} {
		a, _, _ := ipResult(t, names[0], "ntable", "show", "dev", dev)
		b, _, _ := ipResult(t, names[1], "ntable", "show", "dev", dev)
		if ntableStill(a) != ntableStill(b) || !strings.Contains(a, "queue") {
			t.Errorf("dev %s afterwards:\n after ip:\n%s\n after nl:\n%s", dev, a, b)
		}
	}
	if a, _, _ := ipResult(t, names[1], "ntable", "show", "dev", "v0", "name", "arp_cache"); !strings.Contains(a, "queue 51") ||
		!strings.Contains(a, "locktime 900") {
		t.Errorf("after nl's change: %q", a)
	}
}

// TestNtableBatchLikeIP: a refused ntable change ends a -batch with exit
// status 2, -force or not (ip's ipntable_modify exits), and the line
// after it is not run; an accepted one goes on.
func TestNtableBatchLikeIP(t *testing.T) {
	for _, c := range []struct {
		force bool
		lines string
	}{
		{true, "ntable change name arp_cache queue 5\nlink set v0 mtu 1400\n"},
		{false, "ntable change name arp_cache queue 5\nlink set v0 mtu 1400\n"},
		{false, "ntable change name arp_cache dev v0 queue 5\nlink set v0 mtu 1400\n"},
		{true, "ntable change name arp_cache dev nosuch queue 5\nlink set v0 mtu 1400\n"},
	} {
		var names [2]string
		for i := range names {
			ns, name := kerneltest.NamedNetNS(t)
			kerneltest.Run(t, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
			names[i] = name
		}
		f := filepath.Join(t.TempDir(), "batch")
		if err := os.WriteFile(f, []byte(c.lines), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"-batch", f}
		if c.force {
			args = append([]string{"-force"}, args...)
		}
		ipOut, ipErr, ipCode := ipResult(t, names[0], args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", names[1]}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%q force %v:\n ip: exit %d %q %q\n nl: exit %d %q %q", c.lines, c.force, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
		a, _, _ := ipResult(t, names[0], "link", "show", "v0")
		b, _, _ := ipResult(t, names[1], "link", "show", "v0")
		if noLLAddr(a) != noLLAddr(b) {
			t.Errorf("%q: afterwards:\n after ip: %s\n after nl: %s", c.lines, a, b)
		}
	}
}
