package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// tunnelLines are link add command lines of the tunnel kinds, every word
// of each kind at least once. This kernel has none of the tunnel modules:
// ip and nl both get "Unknown device type", and the requests they sent
// are what is compared.
var tunnelLines = []string{
	// gre, gretap, erspan (link_gre.c)
	"link add t0 type gre remote 198.18.0.2 local 198.18.0.1 ttl 64",
	"link add t0 type gre",
	"link add t0 type gre remote 198.18.0.2 key 5 seq csum tos 0x10 nopmtudisc ignore-df dev v0 fwmark 7",
	"link add t0 type gre ikey 1.2.3.4 okey 9 iseq oseq icsum ocsum ttl inherit tos inherit pmtudisc noignore-df",
	"link add t0 type gre key 5 nokey seq noseq csum nocsum ikey 3 noikey okey 4 nookey noiseq nooseq noicsum noocsum hoplimit 9 dsfield 0x20",
	"link add t0 type gre encap fou encap-sport 5555 encap-dport 6666 encap-csum encap-udp6-csum encap-remcsum",
	"link add t0 type gre encap gue encap-sport auto encap-dport 1 noencap-csum noencap-udp6-csum noencap-remcsum",
	"link add t0 type gre encap none noencap local any remote any",
	"link add t0 type gre remote 224.1.1.1 local 198.18.0.1",
	"link add t0 type gre remote 224.1.1.1 local 198.18.0.1 key 7",
	"link add t0 type gre external",
	"link add t0 type gretap remote 198.18.0.2 local 198.18.0.1 key 1 tclass 0x8",
	"link add t0 type gretap external encap fou",
	"link add t0 type erspan remote 198.18.0.2 local 198.18.0.1 erspan 123 key 5",
	"link add t0 type erspan remote 198.18.0.2 erspan_ver 2 erspan_dir egress erspan_hwid 7",
	"link add t0 type erspan erspan_ver 2 erspan_dir ingress",
	"link add t0 type erspan erspan_ver 0",
	"link add t0 type erspan",
	// ip6gre, ip6gretap, ip6erspan (link_gre6.c)
	"link add t0 type ip6gre remote 2001:db8::2 local 2001:db8::1",
	"link add t0 type ip6gre remote 2001:db8::2 hoplimit 9 encaplimit 7 tclass 0x20 flowlabel 0x345 dscp inherit key 3 seq csum",
	"link add t0 type ip6gre encaplimit none tclass inherit flowlabel inherit fwmark inherit allow-localremote dev v0",
	"link add t0 type ip6gre allow-localremote noallow-localremote fwmark 9 ttl inherit fl 0x12 encap gue encap-dport 5",
	"link add t0 type ip6gre external",
	"link add t0 type ip6gretap remote 2001:db8::2 ikey 4 okey 1.0.0.1 iseq ocsum",
	"link add t0 type ip6gretap local 2001:db8::1 tos 0x10 hlim 3",
	"link add t0 type ip6erspan remote 2001:db8::2 erspan_ver 1 erspan 7",
	"link add t0 type ip6erspan remote 2001:db8::2 erspan_ver 2 erspan_dir egress erspan_hwid 0x3f",
	// ipip, sit (link_iptnl.c)
	"link add t0 type ipip remote 198.18.0.2 local 198.18.0.1 ttl 9 tos 0x10",
	"link add t0 type ipip mode ipip dev v0 fwmark 3 encap fou encap-sport 1000 encap-dport 2000 encap-csum",
	"link add t0 type ipip mode mplsip nopmtudisc tclass inherit",
	"link add t0 type ipip mode any pmtudisc hoplimit inherit dsfield 0x8 noencap",
	"link add t0 type ipip mode ipv4/ipv4 external",
	"link add t0 type sit remote 198.18.0.2 mode ip6ip 6rd-prefix 2001:db8::/32 6rd-relay_prefix 198.18.0.0/15",
	"link add t0 type sit isatap local 198.18.0.1 mode any ttl 64 tc 0x4",
	"link add t0 type sit 6rd-prefix 2001:db8::/48 mode ipv6/ipv4 hlim 5",
	"link add t0 type sit mode mpls/ipv4 encap gue encap-udp6-csum encap-remcsum",
	// ip6tnl (link_ip6tnl.c)
	"link add t0 type ip6tnl remote 2001:db8::2 local 2001:db8::1",
	"link add t0 type ip6tnl mode ipip6 encaplimit 7 hoplimit 9 tclass 0x20 flowlabel 0x345 dscp inherit dev v0",
	"link add t0 type ip6tnl mode ip6ip6 encaplimit none tclass inherit flowlabel inherit fwmark inherit allow-localremote",
	"link add t0 type ip6tnl mode any fwmark 5 noallow-localremote noencap ttl inherit",
	"link add t0 type ip6tnl mode ip4ip6 encap fou encap-sport 7 encap-dport 8 noencap-udp6-csum",
	"link add t0 type ip6tnl external",
	// vti, vti6 (link_vti.c, link_vti6.c)
	"link add t0 type vti remote 198.18.0.2 local 198.18.0.1 key 5",
	"link add t0 type vti ikey 1.2.3.4 okey 7 dev v0 fwmark 3",
	"link add t0 type vti local 198.18.0.1",
	"link add t0 type vti6 remote 2001:db8::2 local 2001:db8::1 key 9",
	"link add t0 type vti6 ikey 1 okey 2 dev v0 fwmark 0x10",
	// xfrm (link_xfrm.c)
	"link add t0 type xfrm if_id 5",
	"link add t0 type xfrm dev v0 if_id 0x10",
	"link add t0 type xfrm external",
	"link add t0 type xfrm external dev v0",
	// xfrm's link set does not read the link first: the request goes.
	"link set v0 type xfrm if_id 5",
	"link set v0 type xfrm external",
}

// TestTunnelEncodersLikeIP: the RTM_NEWLINK nl sends for each tunnel
// command line against ip's (strace), attribute by attribute; and the
// exit status and message, the kernel's refusal here.
func TestTunnelEncodersLikeIP(t *testing.T) {
	strace := kerneltest.Tool(t, "strace", "strace")
	nl := filepath.Join(t.TempDir(), "nl")
	if out, err := exec.Command("go", "build", "-o", nl, "../../cmd/nl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, a, _ := rtNS(t)
	_, b, _ := rtNS(t)
	nested := map[string]int{"/18": 0, "/18/2": 0}
	dir := t.TempDir()
	for _, line := range slices.Concat(tunnelLines, tunnelBadLines) {
		args := strings.Fields(line)
		ipLog, ipOut := straceRun(t, strace, "sendmsg", filepath.Join(dir, "ip.log"), append([]string{"ip", "-n", a}, args...))
		nlLog, nlOut := straceRun(t, strace, "write", filepath.Join(dir, "nl.log"), append([]string{nl, "-n", b}, args...))
		if !strings.Contains(ipLog, "nlmsg_type=0x10") {
			// ip refused the line itself: nl must too, the same way.
			if ipOut != nlOut {
				t.Errorf("%s: ip sent nothing: %s\nnl: %s", line, ipOut, nlOut)
			}
			continue
		}
		ipFlags, ipReq := newlinkRequest(t, ipLog)
		nlFlags, nlReq := newlinkRequest(t, nlLog)
		if len(ipReq) < 16 || len(nlReq) < 16 {
			t.Fatalf("%s: short requests %x %x", line, ipReq, nlReq)
		}
		ipAttrs := strings.Join(canonAttrs(ipReq[16:], "", nested), "\n")
		nlAttrs := strings.Join(canonAttrs(nlReq[16:], "", nested), "\n")
		if ipFlags != nlFlags || string(ipReq[:16]) != string(nlReq[:16]) || ipAttrs != nlAttrs {
			t.Errorf("%s:\n ip: flags %#x ifinfomsg %x\n%s\n nl: flags %#x ifinfomsg %x\n%s", line, ipFlags, ipReq[:16], ipAttrs,
				nlFlags, nlReq[:16], nlAttrs)
		}
		if ipOut != nlOut {
			t.Errorf("%s: ip %q, nl %q", line, ipOut, nlOut)
		}
	}
}

// straceRun runs argv under strace tracing syscall into log, and returns
// the log and the program's output and exit status.
func straceRun(t *testing.T, strace, syscall, log string, argv []string) (string, string) {
	t.Helper()
	cmd := exec.Command(strace, append([]string{"-f", "-o", log, "-e", "trace=" + syscall, "-xx", "-s", "65536"}, argv...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", argv, err)
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), fmt.Sprintf("exit %d: %s", code, out)
}

// tunnelBadLines are tunnel command lines ip refuses: nl must refuse them
// with the same exit status and message (TestTunnelEncodersLikeIP's
// harness compares what ip and nl print when ip sends nothing).
var tunnelBadLines = []string{
	"link add t0 type gre bogus",
	"link add t0 type gre remote 2001:db8::1",
	"link add t0 type gre key 1.2.x",
	"link add t0 type gre key abc",
	"link add t0 type gre ttl 300",
	"link add t0 type gre tos zz",
	"link add t0 type gre ttl",
	"link add t0 type gre remote 224.1.1.1",
	"link add t0 type gre encap foo",
	"link add t0 type gre encap-dport x",
	"link add t0 type gre encap-sport 70000",
	"link add t0 type gre fwmark x",
	"link add t0 type gre erspan 5",
	"link add t0 type gre dev nosuch",
	"link add t0 type erspan erspan 0",
	"link add t0 type erspan erspan 0x100000",
	"link add t0 type erspan erspan_ver 3",
	"link add t0 type erspan erspan_dir sideways",
	"link add t0 type erspan erspan_hwid x",
	"link add t0 type ip6gre remote 198.18.0.1",
	"link add t0 type ip6gre flowlabel 0x100000",
	"link add t0 type ip6gre tclass 0x100",
	"link add t0 type ip6gre dscp 5",
	"link add t0 type ip6gre hoplimit x",
	"link add t0 type ip6gre nopmtudisc",
	"link add t0 type ipip mode foo",
	"link add t0 type ipip mode ip6ip",
	"link add t0 type ipip isatap",
	"link add t0 type ipip ttl 8 nopmtudisc",
	"link add t0 type sit 6rd-prefix zz",
	"link add t0 type sit 6rd-relay_prefix 2001:db8::/32",
	"link add t0 type ip6tnl mode ipip",
	"link add t0 type ip6tnl remote 198.18.0.1",
	"link add t0 type ip6tnl 6rd-prefix 2001:db8::/32",
	"link add t0 type vti fwmark x",
	"link add t0 type vti remote 2001:db8::1",
	"link add t0 type vti ttl 5",
	"link add t0 type vti6 key x",
	"link add t0 type xfrm if_id 0",
	"link add t0 type xfrm if_id x",
	"link add t0 type xfrm dev v0",
	"link add t0 type xfrm external if_id 5",
	"link add t0 type xfrm ttl 5",
	// link set starts from the tunnel's settings: a veth has none.
	"link set v0 type gre ttl 5",
	"link set v0 type gretap key 5",
	"link set v0 type erspan erspan 5",
	"link set v0 type ip6gre hoplimit 3",
	"link set v0 type ipip ttl 5",
	"link set v0 type sit isatap",
	"link set v0 type ip6tnl encaplimit none",
	"link set v0 type vti key 1",
	"link set v0 type vti6 okey 1",
	"link set v0 type gre bogus",
}

// TestTunnelKindHelpLikeIP: link help KIND and an unknown word of each
// tunnel kind, against ip.
func TestTunnelKindHelpLikeIP(t *testing.T) {
	_, name, _ := rtNS(t)
	for _, k := range tunnelKinds {
		for _, line := range [][]string{{"link", "help", k.name}, {"link", "add", "t0", "type", k.name, "frobnicate"}} {
			ipOut, ipErr, ipCode := ipResult(t, name, line...)
			nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, line...)...)
			if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
				t.Errorf("%q:\n ip: exit %d, stderr %q, stdout %q\n nl: exit %d, stderr %q, stdout %q", line,
					ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
			}
		}
	}
}
