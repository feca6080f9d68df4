package cli

import (
	"os"
	"path/filepath"
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

// TestMaddressBatchLikeIP: in a -batch file, maddress add and del end the
// batch as ip's (its multiaddr_modify exits the process): after success,
// after a failed ioctl, after a bad word, with and without -force, and
// after an earlier failure. The exit status, error output and the state
// afterwards (the MTU the next line would set, the groups) are ip's.
func TestMaddressBatchLikeIP(t *testing.T) {
	for _, c := range []struct {
		force bool
		lines string
	}{
		{false, "maddr add 33:33:00:00:00:44 dev v0\nlink set v0 mtu 1400\n"},
		{false, "maddr del 33:33:00:00:00:45 dev v0\nlink set v0 mtu 1400\n"},
		{true, "maddr del 33:33:00:00:00:45 dev v0\nlink set v0 mtu 1400\n"},
		{true, "link set nosuch mtu 1300\nmaddr add 33:33:00:00:00:46 dev v0\nlink set v0 mtu 1400\n"},
		{false, "maddr add 33:33:00:00:00:47\nlink set v0 mtu 1400\n"},
		{false, "link set v0 mtu 1300\nmaddr a 33:33:00:00:00:48 dev v0\nmaddr del 33:33:00:00:00:48 dev v0\n"},
		{false, "maddr show dev v0\nlink set v0 mtu 1400\n"},
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
		for _, show := range [][]string{{"link", "show", "v0"}, {"maddr", "show", "dev", "v0"}} {
			a, _, _ := ipResult(t, names[0], show...)
			b, _, _ := ipResult(t, names[1], show...)
			if a == "" || maddrNoRandom(noLLAddr(a)) != maddrNoRandom(noLLAddr(b)) {
				t.Errorf("%q: %v afterwards:\n after ip: %s\n after nl: %s", c.lines, show, a, b)
			}
		}
	}
}

// noLLAddr drops the link/ether line (the veths' random addresses).
func noLLAddr(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "link/ether") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
