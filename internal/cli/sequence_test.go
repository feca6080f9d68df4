package cli

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// likeIPSequence runs setup (ip commands) in two namespaces made by
// rtNS, then each line in order, with ip in one and nl (invoked as ip) in
// the other: each line's output, standard error and exit status must be
// the same, and so must the namespaces at the end (nsState). For
// commands whose effect shows only with what earlier lines did.
func likeIPSequence(t *testing.T, setup []string, lines []string) {
	t.Helper()
	likeIPSequenceNorm(t, setup, lines, nil)
}

// likeIPSequenceNorm is likeIPSequence comparing the outputs through norm
// (nil: as they are).
func likeIPSequenceNorm(t *testing.T, setup []string, lines []string, norm func(string) string) {
	t.Helper()
	ipNS, ipName, ipConn := rtNS(t)
	nlNS, nlName, nlConn := rtNS(t)
	for _, l := range setup {
		kerneltest.Run(t, ipNS, "ip", strings.Fields(l)...)
		kerneltest.Run(t, nlNS, "ip", strings.Fields(l)...)
	}
	for _, l := range lines {
		args := strings.Fields(l)
		ipOut, ipErr, ipCode := ipResult(t, ipName, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", nlName}, args...)...)
		if norm != nil {
			ipOut, nlOut = norm(ipOut), norm(nlOut)
		}
		if nlCode != ipCode || nlErr != ipErr || nlOut != ipOut {
			t.Errorf("%s:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q", l, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	for attempt := 0; ; attempt++ {
		ipState, nlState := nsState(t, ipConn), nsState(t, nlConn)
		if ipState == nlState {
			return
		}
		if attempt == 20 {
			t.Errorf("the namespaces differ afterwards:\n only after ip:\n%s\n only after nl:\n%s", linesOnlyIn(ipState, nlState), linesOnlyIn(nlState, ipState))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestNeighWordsLikeIP: neighbour flags use and managed (which makes an
// entry the kernel resolves itself: no default permanent state), their
// printing, and the vrf and nomaster selectors, against ip.
func TestNeighWordsLikeIP(t *testing.T) {
	// The kernel lists neighbours in hash order, which differs between
	// namespaces: compare sorted lines (and JSON array elements).
	sorted := func(s string) string {
		if strings.HasPrefix(s, "[{") {
			el := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "[{"), "}]"), "},{")
			slices.Sort(el)
			return strings.Join(el, "\n")
		}
		l := strings.Split(s, "\n")
		slices.Sort(l)
		return strings.Join(l, "\n")
	}
	likeIPSequenceNorm(t, []string{"link add br0 type bridge", "link set br0 addrgenmode none", "link set br0 up",
		"link add v2 type veth peer name v3", "link set v2 addrgenmode none", "link set v3 addrgenmode none",
		"link set v2 master br0", "link set v2 up", "link set v3 up"}, []string{
		"neigh add 198.18.2.6 lladdr 00:11:22:33:44:55 dev v0 use",
		"neigh add 198.18.2.7 dev v0 managed",
		"neigh add 198.18.2.9 dev v0 managed nud permanent",
		"neigh replace 198.18.2.8 lladdr 00:11:22:33:44:55 dev v0 nud stale use",
		"-6 neigh add 2001:db8::5 dev v0 managed extern_learn",
		"neigh add 198.18.9.9 lladdr 00:11:22:33:44:56 dev v2",
		"neigh show", "-j neigh show", "neigh show nomaster", "-6 neigh show nomaster", "neigh show vrf foo", "neigh show vrf br0",
		"neigh get 198.18.2.7 dev v0", "neigh show proxy nomaster", "neigh show vrf",
		"neigh get 198.18.2.7 dev v0 managed",
	}, sorted)
}

// TestRouteEncapShowLikeIP: routes and paths with lightweight tunnel
// encapsulations print as ip prints them (nl used to leave the
// encapsulation out), in every output mode, and monitor shows them.
func TestRouteEncapShowLikeIP(t *testing.T) {
	likeIPSequence(t, nil, []string{
		"route add 10.1.0.0/24 encap ip dst 1.2.3.4 key via 198.18.2.9",
		"route add 10.0.0.0/24 nexthop via 198.18.2.8 dev v0 nexthop encap ip dst 198.19.10.20 via 198.18.2.7 dev v0 weight 2",
		"route add 10.5.0.0/24 encap ip6 dst 2001:db8::1 hoplimit 3 dev v0",
		"route add 10.6.0.0/24 encap ip dst 1.2.3.4 src 1.1.1.1 ttl 3 tos 4 id 7 csum seq dev v0",
		"route show", "-j route show", "-d route show", "-j -p route show", "-o route show",
		"route get 10.1.0.1", "route del 10.6.0.0/24 encap ip dst 1.2.3.4 src 1.1.1.1 ttl 3 tos 4 id 7 csum seq dev v0",
		"route show",
	})
}
