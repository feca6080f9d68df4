package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestBatchUsageExitLikeIP: a line of a -batch file with a bad word ends
// the batch with 255, -force or not, as ip's (its invarg, duparg and
// usage functions call exit(-1)); errors ip returns from (an unknown
// object, a selection ip stats refuses) go on with -force. Exit status,
// error output and what the next line would change, against ip.
func TestBatchUsageExitLikeIP(t *testing.T) {
	for _, first := range []string{"frob", "link frob", "maddr frob", "stats set dev v0", "stats show group foo",
		"link set v0 mtu x", "route add 198.18.0.0/24 via 198.18.0.1 dev v0 dev v1", "link set dev nosuch up"} {
		var names [2]string
		for i := range names {
			ns, name := kerneltest.NamedNetNS(t)
			kerneltest.Run(t, ns, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1")
			names[i] = name
		}
		f := filepath.Join(t.TempDir(), "batch")
		if err := os.WriteFile(f, []byte(first+"\nlink set v0 mtu 1400\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"-force", "-batch", f}
		ipOut, ipErr, ipCode := ipResult(t, names[0], args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", names[1]}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%q:\n ip: exit %d %q %q\n nl: exit %d %q %q", first, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
		a, _, _ := ipResult(t, names[0], "link", "show", "v0")
		b, _, _ := ipResult(t, names[1], "link", "show", "v0")
		if noLLAddr(a) != noLLAddr(b) || !strings.Contains(a, "mtu") {
			t.Errorf("%q: afterwards:\n after ip: %s\n after nl: %s", first, a, b)
		}
	}
}
