package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestNexthopBucketLikeIP: nexthop bucket list|get with every selector,
// text and JSON, bad words and kernel refusals, against ip on a namespace
// with a resilient group (the buckets' idle times tick: blanked).
func TestNexthopBucketLikeIP(t *testing.T) {
	ns, name, _ := rtNS(t)
	for _, l := range []string{
		"nexthop add id 1 via 198.18.2.2 dev v0", "nexthop add id 2 via 198.18.2.3 dev v0",
		"nexthop add id 10 group 1/2 type resilient buckets 6 idle_timer 10", "nexthop add id 11 group 1/2",
	} {
		kerneltest.Run(t, ns, "ip", strings.Fields(l)...)
	}
	idle := regexp.MustCompile(`(idle_time"?:? ?)[0-9.e+-]+`)
	for _, l := range []string{
		"nexthop bucket", "nexthop bucket list", "-j nexthop bucket list", "-j -p nexthop bucket list", "nexthop b l",
		"-s nexthop bucket list", "-d nexthop bucket list", "nexthop bucket show id 10 nhid 2", "nexthop bucket list nhid 1",
		"nexthop bucket list id 10", "nexthop bucket list id 11", "nexthop bucket list id 99", "nexthop bucket list dev v0",
		"nexthop bucket list dev v1", "nexthop bucket list master v0", "nexthop bucket get id 10 index 2",
		"-j nexthop bucket get id 10 index 2", "nexthop bucket get id 10 index 9", "nexthop bucket get id 11 index 0",
		"nexthop bucket get id 99 index 0",
		"nexthop bucket foo", "nexthop bucket list id x", "nexthop bucket list nhid x", "nexthop bucket list dev v9",
		"nexthop bucket list foo", "nexthop bucket list vrf v0", "nexthop bucket list groups",
		"nexthop bucket get id x index 1", "nexthop bucket get id 10 index x",
	} {
		args := strings.Fields(l)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		ipOut, nlOut = idle.ReplaceAllString(ipOut, "${1}X"), idle.ReplaceAllString(nlOut, "${1}X")
		if nlCode != ipCode || nlErr != ipErr || nlOut != ipOut {
			t.Errorf("%s:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q", l, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	// The usage ip prints for a get without id or index (nl's own text,
	// same status).
	for _, l := range []string{"nexthop bucket get id 10", "nexthop bucket get index 2", "nexthop bucket get id 10 index 2 foo", "nexthop bucket help"} {
		_, stderr, code := runAs(t, "ip", append([]string{"-n", name}, strings.Fields(l)...)...)
		if code != ExitUsage || !strings.Contains(stderr, "ip nexthop bucket get id ID index INDEX") {
			t.Errorf("%s: exit %d, stderr %q; want the usage naming bucket get, exit 255", l, code, stderr)
		}
	}
}
