package cli

import (
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// helpProbeMissing are the commands ip's help names that nl does not
// have yet, each with the reason; the test fails when one appears in
// nl's help (remove it here) or another goes missing.
var helpProbeMissing = map[string]string{
	"ip link xstats":  "ip link's older form of ip stats group xstats not in nl yet (nl stats has it)",
	"ip link afstats": "ip link's older form of ip stats group afstats not in nl yet (nl stats has it)",
	"ip vrf exec":     "needs cgroup v2 BPF programs (ip vrf exec); refused loudly",
	"ip vrf identify": "needs cgroup v2 BPF programs; refused loudly",
	"ip vrf pids":     "needs cgroup v2 BPF programs; refused loudly",
}

// helpProbeObjects are the objects of ip that nl lacks, with the reason.
var helpProbeObjects = map[string]string{}

// TestHelpProbesLikeIP: scripts probe for features by grepping help
// (`ip neigh help 2>&1 | grep 'ip neigh get'`): every "ip OBJECT COMMAND
// [WORD]" that ip's help for an object names, nl's help (invoked as ip)
// names too, and both exit with 255.
func TestHelpProbesLikeIP(t *testing.T) {
	kerneltest.Tool(t, "ip", "iproute2")
	for _, obj := range []string{"link", "address", "route", "rule", "neigh", "ntable", "tunnel", "tuntap", "maddress", "mroute",
		"monitor", "xfrm", "netns", "netconf", "nexthop", "token", "stats", "vrf", "addrlabel"} {
		ipHelp, _ := exec.Command("ip", obj, "help").CombinedOutput()
		_, nlHelp, code := runAs(t, "ip", obj, "help")
		if reason, missing := helpProbeObjects[obj]; missing {
			if code != ExitFailure {
				t.Errorf("%s help: exit %d; nl has the object now: remove it from helpProbeObjects (%s)", obj, code, reason)
			}
			continue
		}
		if want := map[bool]int{true: ExitOK, false: ExitUsage}[obj == "stats"]; code != want { // ip stats help exits 0
			t.Errorf("%s help: exit %d, want %d", obj, code, want)
		}
		// The commands: the first word after the object.
		probe := regexp.MustCompile(`ip ` + obj + ` [a-z][a-z_-]*`)
		have := probe.FindAllString(nlHelp, -1)
		for _, p := range slices.Compact(slices.Sorted(slices.Values(probe.FindAllString(string(ipHelp), -1)))) {
			found := slices.Contains(have, p)
			if reason, known := helpProbeMissing[p]; known {
				if found {
					t.Errorf("%q is in nl's help now: remove it from helpProbeMissing (%s)", p, reason)
				}
				continue
			}
			if !found {
				t.Errorf("ip %s help names %q; nl's help does not (a script probing for it would think nl lacks it)", obj, p)
			}
		}
	}
	// The kernel's fib_rule_tests.sh probes `ip rule help` and `ip route
	// get help` for the words it needs (uidrange, uid, sport, ipproto).
	for _, p := range []struct {
		args  []string
		words []string
	}{{[]string{"rule", "help"}, []string{"uidrange", "sport", "dport", "ipproto"}}, {[]string{"route", "get", "help"}, []string{"uid", "sport", "ipproto"}}} {
		ipHelp, _ := exec.Command("ip", p.args...).CombinedOutput()
		_, nlHelp, code := runAs(t, "ip", p.args...)
		for _, w := range p.words {
			if strings.Contains(string(ipHelp), w) && !strings.Contains(nlHelp, w) || code != ExitUsage {
				t.Errorf("ip %s: exit %d; ip's help names %q, nl's: %q", strings.Join(p.args, " "), code, w, nlHelp)
			}
		}
	}
}
