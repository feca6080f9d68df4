package cli

import (
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestMaddressModifyLikeIP: maddress add and del, one line after the
// other, by ip in one namespace and by nl (invoked as ip) in another set
// up alike: the same output, error output and exit status on each line,
// and the same groups afterwards (maddress show, by ip, in both).
func TestMaddressModifyLikeIP(t *testing.T) {
	var names [2]string
	for i := range names {
		ns, name := kerneltest.NamedNetNS(t)
		kerneltest.Run(t, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
		kerneltest.Run(t, ns, "ip", "link", "add", "br0", "type", "bridge")
		names[i] = name
	}
	lines := []string{
		"maddr add 33:33:00:00:00:02 dev v0", "maddr add 33:33:00:00:00:02 dev v0", "maddress add 01:00:5e:00:00:07 dev v1",
		"maddr del 33:33:00:00:00:02 dev v0", "maddr del 33:33:00:00:00:02 dev v0", "maddr delete 33:33:00:00:00:02 dev v0",
		"maddr add 01:00:5e:00:00:05 dev lo", "maddr add zz dev v0", "maddr add 1.2.3.4 dev v0", "maddr add 1.2.3.4.5 dev v0",
		"maddr add ::1 dev v0", "maddr add 100:33 dev v0", "maddr add 33:33 dev v0", "maddr add 33:33:00:00:00:00:01 dev v0",
		"maddr add a dev v0", "maddr add 33:33:00:00:00:02", "maddr add dev v0", "maddr add 33:33:00:00:00:02 dev nosuch",
		"maddr add 33:33:00:00:00:02 44:44:00:00:00:01 dev v0", "maddr add 00:33:00:00:00:02 44:44:00:00:00:01 dev v0",
		"maddr add address 33:33:00:00:00:09 dev v0", "maddr add 33:33:00:00:00:02 dev v0 dev v1", "maddr add help",
		"maddr del help", "maddr add 33:33:00:00:00:02 dev a/b", "maddr a 33:33:00:00:00:0a dev v0",
		"maddr d 33:33:00:00:00:0a dev v0", "maddr add 33:33:00:00:00:02 dev", "maddr add address", "maddr add 33:33:0:0:0:d dev br0",
		"maddr add 0x33:33:00:00:00:10 dev br0", "maddr add 33:33:00:00:00:0c dev if2", "maddr add 33:33:00:00:00:0e dev br0 address 33:33:00:00:00:0f",
	}
	for _, line := range lines {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, names[0], args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", names[1]}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	ipState, _, _ := ipResult(t, names[0], "maddr", "show")
	nlState, _, _ := ipResult(t, names[1], "maddr", "show")
	// The veths' own link-layer addresses (in their IPv6 groups) are random.
	if strings.Count(ipState, "static") != 6 || maddrNoRandom(ipState) != maddrNoRandom(nlState) {
		t.Errorf("groups afterwards:\n after ip:\n%s\n after nl:\n%s", ipState, nlState)
	}
}

// maddrNoRandom drops the lines of groups made from a random link-layer
// address (solicited-node groups 33:33:ff:..., ff02::1:ff...).
func maddrNoRandom(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "33:33:ff:") && !strings.Contains(l, "ff02::1:ff") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
