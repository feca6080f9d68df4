package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestAddressSaveLikeIP: address save (with the selectors ip applies to
// it, and those it ignores), showdump of ip's and nl's files in every
// output mode, restore onto a flushed namespace and onto a full one, bad
// input, against ip; plus anycast and autojoin's check.
func TestAddressSaveLikeIP(t *testing.T) {
	ipNS, ipName, ipConn := rtNS(t)
	nlNS, nlName, nlConn := rtNS(t)
	setup := []string{"link set lo up", "address add 198.18.3.1/24 dev v1 label v1:x", "address add 198.18.4.1/24 dev v0 metric 9",
		"address add 2001:db8:5::1/64 dev v1 nodad valid_lft 1000 preferred_lft 500"}
	for _, l := range setup {
		kerneltest.Run(t, ipNS, "ip", strings.Fields(l)...)
		kerneltest.Run(t, nlNS, "ip", strings.Fields(l)...)
	}
	lifetimes := func(s string) string { // the kernel counts them down
		for _, k := range []string{"valid_lft ", "preferred_lft ", `"valid_life_time":`, `"preferred_life_time":`} {
			for i := 0; ; {
				j := strings.Index(s[i:], k)
				if j < 0 {
					break
				}
				j += i + len(k)
				e := j
				for e < len(s) && (s[e] >= '0' && s[e] <= '9' || s[e] == 's' || s[e] == 'e' || s[e] == 'c') {
					e++
				}
				if e > j && !strings.HasPrefix(s[j:], "forever") {
					s = s[:j] + "N" + s[e:]
				}
				i = j
			}
		}
		return s
	}
	for _, sel := range []string{"", "-4", "-6", "dev v1", "label v1:x", "to 198.18.0.0/16", "up", "scope global"} {
		args := []string{"address", "save"}
		if strings.HasPrefix(sel, "-") {
			args = []string{sel, "address", "save"}
		} else if sel != "" {
			args = append([]string{"address", "save"}, strings.Fields(sel)...)
		}
		ipFile, ipErr, ipCode := ipResult(t, ipName, args...)
		nlFile, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlName}, args...)...)
		if ipCode != 0 || nlCode != 0 || ipErr != "" || nlErr != "" {
			t.Fatalf("%s: ip exit %d %q, nl exit %d %q", sel, ipCode, ipErr, nlCode, nlErr)
		}
		// The files hold the same messages (but for sequence numbers,
		// ports and the lifetimes' ticking), which showdump prints alike.
		if a, b := dumpMessages(t, ipFile), dumpMessages(t, nlFile); len(a) != len(b) {
			t.Errorf("address save %s: ip saved %d addresses, nl %d", sel, len(a), len(b))
		}
		for _, opt := range []string{"", "-j", "-j -p", "-s", "-o", "-d"} {
			show := append(strings.Fields(opt), "address", "showdump")
			for _, file := range []string{ipFile, nlFile} {
				ipOut, ipErr, ipCode := ipStdin(t, ipName, []byte(file), show...)
				nlOut, nlErr, nlCode := nlStdin(t, []byte(file), show...)
				if lifetimes(ipOut) != lifetimes(nlOut) || ipErr != nlErr || ipCode != nlCode {
					t.Errorf("%s showdump of save %s:\n ip: exit %d %q %q\n nl: exit %d %q %q", opt, sel, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
				}
			}
		}
	}
	// Restore: onto the namespace as it is (every address exists: said,
	// and skipped), then after a flush.
	saved, _, _ := ipResult(t, ipName, "address", "save")
	for _, flush := range []bool{false, true} {
		if flush {
			for _, ns := range []string{ipName, nlName} {
				ipResult(t, ns, "address", "flush", "dev", "v1")
			}
		}
		ipOut, ipErr, ipCode := ipStdin(t, ipName, []byte(saved), "address", "restore")
		nlOut, nlErr, nlCode := nlStdin(t, []byte(saved), "-n", nlName, "address", "restore")
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("restore (flushed %v):\n ip: exit %d %q %q\n nl: exit %d %q %q", flush, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
		// The kernel adds an IPv6 address's local route on its own time:
		// compare again for a while.
		for attempt := 0; ; attempt++ {
			a, b := lifetimes(nsState(t, ipConn)), lifetimes(nsState(t, nlConn))
			if a == b {
				break
			}
			if attempt == 20 {
				t.Errorf("after restore (flushed %v):\n only after ip:\n%s\n only after nl:\n%s", flush, linesOnlyIn(a, b), linesOnlyIn(b, a))
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for _, in := range []string{"junk", ""} {
		for _, cmd := range []string{"restore", "showdump"} {
			ipOut, ipErr, ipCode := ipStdin(t, ipName, []byte(in), "address", cmd)
			nlOut, nlErr, nlCode := nlStdin(t, []byte(in), "-n", nlName, "address", cmd)
			if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
				t.Errorf("address %s of %q:\n ip: exit %d %q %q\n nl: exit %d %q %q", cmd, in, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
		}
	}
	likeIP(t, [][]string{
		strings.Fields("address add 198.18.2.3/24 dev v0 anycast 198.18.2.9"),
		strings.Fields("address add 198.18.2.3/24 dev v0 anycast 2001:db8::9"),
		strings.Fields("address add 198.18.2.3/24 dev v0 anycast x"),
		strings.Fields("address add 198.18.2.4/24 dev v0 autojoin"),
		strings.Fields("address add 2001:db8::4/64 dev v0 autojoin"),
	})
}
