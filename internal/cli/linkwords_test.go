package cli

import (
	"encoding/binary"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// TestLinkWordsLikeIP: the link add|set|delete|property words beyond the
// common ones (broadcast, carrier, queues, index, parentdev, addrgenmode,
// mode, state, protodown, GSO/GRO sizes, xdp, vf, vrf, link-netns(id),
// netns PID with index, set/delete by group, replace, property altnames,
// help among the words), each against ip: output, exit status and the
// namespace afterwards.
func TestLinkWordsLikeIP(t *testing.T) {
	var lines [][]string
	for _, l := range []string{
		"link set v0 carrier on", "link set v0 carrier x", "link set v0 carrier",
		"link set v0 broadcast ff:ff:ff:ff:ff:fe", "link set v0 brd 00:11", "link set v0 broadcast zz", "link set v0 b ff:ff:ff:ff:ff:fe",
		"link set v0 addrgenmode none", "link set v0 addrgenmode random", "link set v0 addrgenmode stable_secret", "link set v0 addrgenmode foo",
		"link set v0 protodown on", "link set v0 protodown x", "link set v0 protodown_reason 3 on", "link set v0 protodown_reason 40 on",
		"link set v0 protodown_reason foo on", "link set v0 protodown_reason 3 x",
		"link set v0 gso_max_size 30000 gso_max_segs 100 gro_max_size 30000", "link set v0 gso_max_size x", "link set v0 gso_max_segs -1",
		"link set v0 gro_max_size 99999999999",
		"link set v0 xdp off", "link set v0 xdpgeneric off", "link set v0 xdpdrv off", "link set v0 xdp foo", "link set v0 xdp",
		"link set v0 vf 0 mac 00:11:22:33:44:55", "link set v0 vf x", "link set v0 vf 0", "link set v0 vf 0 vlan 5000", "link set v0 vf 0 state foo",
		"link set v0 vf 0 spoofchk x", "link set v0 vf 0 mac 00:11:22:33:44:55 foo", "link set v0 vf 0 mac zz",
		"link set v0 vf 1 vlan 5 qos 2 proto 802.1ad rate 10 max_tx_rate 20 min_tx_rate 5 spoofchk on query_rss off state auto trust on",
		"link set v0 vrf foo", "link set v0 vrf v1", "link set v9 vrf foo",
		"link set v0 link-netnsid 0", "link set v0 link-netnsid x", "link set v0 link-netns foo",
		"link set v0 mode dormant", "link set v0 mode foo", "link set v0 state dormant", "link set v0 state UP", "link set v0 state foo",
		"link set v0 mode default state unknown",
		"link set v0 index 5", "link set v0 numtxqueues 4", "link set v0 parentdev foo",
		"link add v2 numtxqueues 4 numrxqueues 2 index 77 type veth peer name v3",
		"link add v4 txqueuelen 10 broadcast 00:00:00:00:00:01 type veth peer v5",
		"link add v6 index x type veth", "link add v6 index 0 type veth",
		"link add parentdev foo name x0 type veth",
		"link add v8 arp off multicast off carrier off protodown on mode dormant state dormant gso_max_size 3000 gro_max_size 4000 type veth peer name v9",
		"link add v8 xdp off type veth",
		"link set group 0 mtu 1400", "link set group 5 mtu 1400", "link delete group 5", "link delete group 0", "link delete group x",
		"link set v0 group 5",
		"link property add dev v0 altname foo altname bar", "link property add dev v0", "link property add dev v0 altname",
		"link property add dev v9 altname x", "link property del dev v0 altname nope", "link property foo", "link property add v0 altname a",
		"link property add altname x", "link property add dev v0 altname x dev v1", "link property add dev v0 foo",
		"link property add dev v0 altname v1", "link property d dev v0 altname x", "link prop add dev v0 altname " + strings.Repeat("a", 130),
		"link replace v0 type veth", "link replace r0 type bridge",
		"link show vrf foo", "link show vrf v0", "address show vrf foo", "-br link show vrf foo", "link show vrf",
	} {
		lines = append(lines, strings.Fields(l))
	}
	likeIP(t, lines)
	// Where nl answers in its own words, with ip's exit status: its own
	// usage text among the words (ip prints its usage), and 0 queues,
	// which the library cannot send (0 is "not set"; the kernel refuses 0
	// with "Invalid number of receive queues").
	for _, c := range []struct {
		line   string
		code   int
		stderr string
	}{
		{"link set v0 help", ExitUsage, "Usage: ip link add"},
		{"link set v0 he", ExitUsage, "Usage: ip link add"},
		{"link add v6 numrxqueues 0 type veth", ExitFailure, `Error: "numrxqueues" must be at least 1.`},
		{"link add v6 numtxqueues 0 type veth", ExitFailure, `Error: "numtxqueues" must be at least 1.`},
	} {
		_, ns, _ := rtNS(t)
		_, stderr, code := runAs(t, "ip", append([]string{"-n", ns}, strings.Fields(c.line)...)...)
		if code != c.code || !strings.HasPrefix(stderr, c.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d, %q...", c.line, code, stderr, c.code, c.stderr)
		}
	}
}

// linkRequestOf is the last RTM_NEWLINK or RTM_SETLINK an strace log
// shows sent (ip asks the kernel for the device first): its struct
// ifinfomsg and attributes. ip sends link set as RTM_NEWLINK, the library
// as RTM_SETLINK: the kernel applies both with the same code.
func linkRequestOf(t *testing.T, log string) []byte {
	t.Helper()
	var req []byte
	for _, l := range strings.Split(log, "\n") {
		h := straceHex.FindStringSubmatch(l)
		if h == nil {
			continue
		}
		b := unhex(h[1])
		switch {
		case strings.Contains(l, "write(") && len(b) >= 32:
			if typ := binary.NativeEndian.Uint16(b[4:]); typ == 16 || typ == 19 {
				req = b[16:]
			}
		case straceIPFlags.MatchString(l) || strings.Contains(l, "nlmsg_type=0x13") || strings.Contains(l, "RTM_SETLINK"):
			req = b
		}
	}
	if req == nil {
		t.Fatalf("no link request in:\n%s", log)
	}
	return req
}

// TestLinkSetRequestsLikeIP: the requests of link set words whose effect
// this machine cannot show (SR-IOV virtual functions, XDP, protodown on
// devices without it: the kernel refuses them on a veth), byte for byte
// against ip's, captured with strace.
func TestLinkSetRequestsLikeIP(t *testing.T) {
	strace := kerneltest.Tool(t, "strace", "strace")
	nl := filepath.Join(t.TempDir(), "nl")
	if out, err := exec.Command("go", "build", "-o", nl, "../../cmd/nl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	nested := map[string]int{"/22": 0, "/22/1": 0, "/22/1/12": 0, "/43": 0, "/55": 0, "/26": 0, "/26/10": 0}
	guidPad := regexp.MustCompile(`^(/22/1/1[01]=[0-9a-f]{8})[0-9a-f]{8}`)
	for _, line := range []string{
		"link set v0 vf 0 mac 00:11:22:33:44:55 vlan 5 qos 2 proto 802.1ad max_tx_rate 20 min_tx_rate 5 spoofchk on query_rss off state auto trust on node_guid 01:02:03:04:05:06:07:08 port_guid 01:02:03:04:05:06:07:09",
		"link set v0 vf 1 vlan 5",
		"link set v0 vf 1 vlan 5 qos 3 proto 802.1Q",
		"link set v0 vf 2 rate 7",
		"link set v0 vf 2 max_tx_rate 7",
		"link set v0 vf 2 rate 7 min_tx_rate 3",
		"link set v0 vf 3 state disable spoofchk off",
		"link set v0 vf 3 state enable trust off query_rss on",
		"link set v0 xdp off",
		"link set v0 xdpgeneric off",
		"link set v0 xdpdrv off",
		"link set v0 xdpoffload off",
		"link set v0 protodown on protodown_reason 3 on",
		"link set v0 protodown_reason 5 off",
		"link set v0 carrier off broadcast 00:00:00:00:00:02 gso_max_size 3000 gso_max_segs 10 gro_max_size 5000",
		"link set v0 addrgenmode stable_secret mode dormant state testing",
		"link set v0 arp off multicast on promisc on up",
		"link set v0 link-netnsid 0",
	} {
		_, a, _ := rtNS(t)
		_, b, _ := rtNS(t)
		args := strings.Fields(line)
		ipLog, _ := exec.Command(strace, append([]string{"-f", "-e", "trace=sendmsg", "-xx", "-s", "65536", "ip", "-n", a}, args...)...).CombinedOutput()
		nlLog, _ := exec.Command(strace, append([]string{"-f", "-e", "trace=write", "-xx", "-s", "65536", nl, "-n", b}, args...)...).CombinedOutput()
		ipReq, nlReq := linkRequestOf(t, string(ipLog)), linkRequestOf(t, string(nlLog))
		if len(ipReq) < 16 || len(nlReq) < 16 {
			t.Fatalf("%s: short requests %x %x", line, ipReq, nlReq)
		}
		canon := func(b []byte) string {
			lines := canonAttrs(b, "", nested)
			for i, l := range lines {
				lines[i] = guidPad.ReplaceAllString(l, "${1}00000000") // ip leaves the struct's padding unset
			}
			return strings.Join(lines, "\n")
		}
		if string(ipReq[:16]) != string(nlReq[:16]) || canon(ipReq[16:]) != canon(nlReq[16:]) {
			t.Errorf("%s:\n ip: ifinfomsg %x\n%s\n nl: ifinfomsg %x\n%s", line, ipReq[:16], canon(ipReq[16:]), nlReq[:16], canon(nlReq[16:]))
		}
	}
}

// TestLinkAbbreviationsLikeIP: ip reads "b", "br"... as "broadcast"
// (matches), so a link cannot be named that way without "name".
func TestLinkAbbreviationsLikeIP(t *testing.T) {
	likeIP(t, [][]string{
		strings.Fields("link add b type bridge"), strings.Fields("link add br type bridge"),
		strings.Fields("link add name b type bridge"), strings.Fields("link set v0 bro ff:ff:ff:ff:ff:fe"),
	})
}
