package cli

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestVxlanVethEncodersLikeIP: the RTM_NEWLINK nl sends for vxlan's words
// (adding, and changing an existing vxlan) and for a veth peer's flags,
// up and group, against ip's, captured with strace: the same message
// flags, struct ifinfomsg (the peer's too) and attributes. ip also sends
// a veth peer's alias and master, which the kernel ignores and nl leaves
// out; "ttl auto" is ip's IFLA_VXLAN_TTL 0, the kernel's default, which
// nl leaves out: neither is in these lines.
func TestVxlanVethEncodersLikeIP(t *testing.T) {
	strace := kerneltest.Tool(t, "strace", "strace")
	nl := filepath.Join(t.TempDir(), "nl")
	if out, err := exec.Command("go", "build", "-o", nl, "../../cmd/nl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	nested := map[string]int{"/18": 0, "/18/2": 0}
	veth := map[string]int{"/18": 0, "/18/2": 0, "/18/2/1": 16}
	for _, tc := range []struct{ setup, line string }{
		{"", "link add x0 type vxlan id 42 remote 198.18.3.1 local 198.18.3.2 dstport 4789 ttl 7 tos 0x10 ageing 100 maxaddress 9 srcport 1000 2000 nolearning proxy rsc l2miss l3miss noudpcsum udp6zerocsumtx udp6zerocsumrx remcsumtx remcsumrx gbp df set"},
		{"", "link add x0 type vxlan id 4 remote 2001:db8::1 flowlabel 5 dstport 0 ttl inherit tos inherit remcsumrx df inherit ageing none maxaddress unlimited"},
		{"", "link add x0 type vxlan external vnifilter dstport 4799"},
		{"", "link add x0 type vxlan noexternal learning dstport 4798 vni 3"},
		{"", "link add x0 type vxlan id 7 dev v0 group 239.1.1.1 gpe nol2miss nol3miss noproxy norsc noremcsumtx noremcsumrx novnifilter"},
		{"link add x0 type vxlan id 5 dstport 0", "link set x0 type vxlan ttl 9 ageing 5 learning remote 198.18.3.9"},
		{"link add x0 type vxlan id 5 dstport 0", "link set x0 type vxlan l2miss"},
		{"link add x0 type vxlan id 5 dstport 0", "link set x0 type vxlan external"},
		{"", "link add a0 type veth peer name b0 arp off multicast on group 3 up"},
		{"", "link add a0 type veth peer name b0 down promisc on allmulticast off trailers on dynamic off mtu 1400"},
	} {
		_, a, _ := rtNS(t)
		_, b, _ := rtNS(t)
		if tc.setup != "" {
			for _, ns := range []string{a, b} {
				if _, e, code := ipResult(t, ns, strings.Fields(tc.setup)...); code != 0 {
					t.Fatalf("%s: %s", tc.setup, e)
				}
			}
		}
		args := strings.Fields(tc.line)
		ipLog, _ := exec.Command(strace, append([]string{"-f", "-e", "trace=sendmsg", "-xx", "-s", "65536", "ip", "-n", a}, args...)...).CombinedOutput()
		nlLog, _ := exec.Command(strace, append([]string{"-f", "-e", "trace=write", "-xx", "-s", "65536", nl, "-n", b}, args...)...).CombinedOutput()
		ipFlags, ipReq := newlinkRequest(t, string(ipLog))
		nlFlags, nlReq := newlinkRequest(t, string(nlLog))
		if len(ipReq) < 16 || len(nlReq) < 16 {
			t.Fatalf("%s: short requests %x %x", tc.line, ipReq, nlReq)
		}
		n := nested
		if strings.Contains(tc.line, "veth") {
			n = veth
		}
		ipAttrs := strings.Join(canonAttrs(ipReq[16:], "", n), "\n")
		nlAttrs := strings.Join(canonAttrs(nlReq[16:], "", n), "\n")
		if ipFlags != nlFlags || string(ipReq[:16]) != string(nlReq[:16]) || ipAttrs != nlAttrs {
			t.Errorf("%s:\n ip: flags %#x ifinfomsg %x\n%s\n nl: flags %#x ifinfomsg %x\n%s", tc.line, ipFlags, ipReq[:16], ipAttrs,
				nlFlags, nlReq[:16], nlAttrs)
		}
	}
}
