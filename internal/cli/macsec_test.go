package cli

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// macsecLines are link add lines of the macsec kind, every word of ip
// 6.1's grammar.
var macsecLines = []string{
	"link add m0 link v0 type macsec",
	"link add m0 link v0 type macsec port 11 encrypt on",
	"link add m0 link v0 type macsec sci 0x1122334455667788 cipher gcm-aes-256 icvlen 12",
	"link add m0 link v0 type macsec sci 1122334455667788",
	"link add m0 link v0 type macsec address 02:00:00:00:00:01 port 7 send_sci on",
	"link add m0 link v0 type macsec address 02:00:00:00:00:01",
	"link add m0 link v0 type macsec cipher default encrypt off protect on replay on window 64 validate strict",
	"link add m0 link v0 type macsec cipher GCM-AES-128 end_station on scb off validate check encodingsa 3",
	"link add m0 link v0 type macsec cipher gcm-aes-xpn-128 replay off window 0 validate disabled offload mac",
	"link add m0 link v0 type macsec cipher gcm-aes-xpn-256 scb on send_sci off offload phy icvlen 16",
	"link add m0 link v0 type macsec replay off",
	"link add m0 link v0 type macsec port 0x10 encodingsa 0 offload off icvlen 8",
}

// macsecBadLines are lines both refuse before asking the kernel.
var macsecBadLines = []string{
	"link add m0 link v0 type macsec encrypt maybe", "link add m0 link v0 type macsec icvlen 20",
	"link add m0 link v0 type macsec icvlen x", "link add m0 link v0 type macsec frob",
	"link add m0 link v0 type macsec replay on", "link add m0 link v0 type macsec window 5",
	"link add m0 link v0 type macsec send_sci on end_station on", "link add m0 link v0 type macsec end_station on scb on",
	"link add m0 link v0 type macsec validate maybe", "link add m0 link v0 type macsec encodingsa 4",
	"link add m0 link v0 type macsec encodingsa 1 encodingsa 2", "link add m0 link v0 type macsec cipher foo",
	"link add m0 link v0 type macsec cipher default cipher default", "link add m0 link v0 type macsec port 0",
	"link add m0 link v0 type macsec sci zz", "link add m0 link v0 type macsec port 5 address 02:00:00:00:00:01",
	"link add m0 link v0 type macsec offload maybe", "link add m0 link v0 type macsec icvlen 8 icvlen 9",
	"link add m0 link v0 type macsec port 70000", "link add m0 link v0 type macsec address zz port 3",
	"link add m0 link v0 type macsec port 3 sci 5", "link add m0 link v0 type macsec address 02:00:00:00:00:01 sci 5",
	"link add m0 link v0 type macsec window x", "link add m0 link v0 type macsec encrypt",
	"link add m0 link v0 type macsec", // the kernel here has no macsec: both fail alike
}

// TestMacsecEncoderLikeIP: the macsec kind's RTM_NEWLINK as nl sends it
// against ip's, captured with strace (this kernel has no macsec module:
// both requests are refused, and the bytes are what is compared); then
// the lines both refuse, with ip's messages and exit statuses.
func TestMacsecEncoderLikeIP(t *testing.T) {
	strace := kerneltest.Tool(t, "strace", "strace")
	nl := filepath.Join(t.TempDir(), "nl")
	if out, err := exec.Command("go", "build", "-o", nl, "../../cmd/nl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	nested := map[string]int{"/18": 0, "/18/2": 0}
	for _, line := range macsecLines {
		_, a, _ := rtNS(t)
		_, b, _ := rtNS(t)
		args := strings.Fields(line)
		ipLog, _ := exec.Command(strace, append([]string{"-f", "-e", "trace=sendmsg", "-xx", "-s", "65536", "ip", "-n", a}, args...)...).CombinedOutput()
		nlLog, _ := exec.Command(strace, append([]string{"-f", "-e", "trace=write", "-xx", "-s", "65536", nl, "-n", b}, args...)...).CombinedOutput()
		ipFlags, ipReq := newlinkRequest(t, string(ipLog))
		nlFlags, nlReq := newlinkRequest(t, string(nlLog))
		if len(ipReq) < 16 || len(nlReq) < 16 {
			t.Fatalf("%s: short requests %x %x", line, ipReq, nlReq)
		}
		ipAttrs := strings.Join(canonAttrs(ipReq[16:], "", nested), "\n")
		nlAttrs := strings.Join(canonAttrs(nlReq[16:], "", nested), "\n")
		if ipFlags != nlFlags || string(ipReq[:16]) != string(nlReq[:16]) || ipAttrs != nlAttrs || !strings.Contains(ipAttrs, "/18/1=6d6163736563") {
			t.Errorf("%s:\n ip: flags %#x ifinfomsg %x\n%s\n nl: flags %#x ifinfomsg %x\n%s", line, ipFlags, ipReq[:16], ipAttrs,
				nlFlags, nlReq[:16], nlAttrs)
		}
	}
	_, name, _ := rtNS(t)
	for _, line := range macsecBadLines {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q %q\n nl: exit %d %q %q", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
}
