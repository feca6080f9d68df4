package cli

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/rtnl"
)

// The requests nl sends, byte for byte against ip's, for link kinds (some
// of which this kernel lacks: the kernel refuses both, and the bytes are
// what is compared), captured with strace from both programs.

var (
	straceHex     = regexp.MustCompile(`"((?:\\x[0-9a-f]{2})+)"`)
	straceIPFlags = regexp.MustCompile(`nlmsg_type=(0x[0-9a-f]+|RTM_NEWLINK)[^,]*, nlmsg_flags=([^,]+),`)
)

// unhex decodes strace's "\x.." string.
func unhex(s string) []byte {
	b, _ := hex.DecodeString(strings.ReplaceAll(s, `\x`, ""))
	return b
}

// newlinkRequest is the first RTM_NEWLINK an strace log shows sent: its
// flags and payload. ip's sendmsg is decoded by strace (header fields,
// then the payload); nl writes the whole message.
func newlinkRequest(t *testing.T, log string) (uint16, []byte) {
	t.Helper()
	for _, l := range strings.Split(log, "\n") {
		if m := straceIPFlags.FindStringSubmatch(l); m != nil && (m[1] == "0x10" || m[1] == "RTM_NEWLINK") {
			var flags uint16
			for _, f := range strings.Split(m[2], "|") {
				switch f {
				case "NLM_F_REQUEST":
					flags |= 1
				case "NLM_F_ACK":
					flags |= 4
				case "NLM_F_CREATE":
					flags |= 0x400
				case "NLM_F_EXCL":
					flags |= 0x200
				default:
					n, _ := strconv.ParseUint(f, 0, 16)
					flags |= uint16(n)
				}
			}
			if h := straceHex.FindStringSubmatch(l); h != nil {
				return flags, unhex(h[1])
			}
		}
		if strings.Contains(l, "write(") {
			if h := straceHex.FindStringSubmatch(l); h != nil {
				b := unhex(h[1])
				if len(b) >= 16 && binary.NativeEndian.Uint16(b[4:]) == 16 {
					return binary.NativeEndian.Uint16(b[6:]), b[16:]
				}
			}
		}
	}
	t.Fatalf("no RTM_NEWLINK in:\n%s", log)
	return 0, nil
}

// canonAttrs lists attributes as TYPE=VALUE lines, descending into the
// nested ones (nested gives their paths, and the length of a fixed header
// before a nest's attributes, such as a veth peer's struct ifinfomsg),
// with NLA_F_NESTED cleared, the final NUL of a name or kind dropped (ip
// sends IFLA_INFO_KIND without one, the library with) and the lines of
// each level sorted: the differences the kernel does not see.
func canonAttrs(b []byte, path string, nested map[string]int) []string {
	var out []string
	for len(b) >= 4 {
		l := int(binary.NativeEndian.Uint16(b))
		typ := binary.NativeEndian.Uint16(b[2:])
		if l < 4 || l > len(b) {
			return append(out, path+"?malformed")
		}
		v := b[4:l]
		p := fmt.Sprintf("%s/%d", path, typ&0x3fff)
		if hdr, ok := nested[p]; ok && len(v) >= hdr {
			out = append(out, fmt.Sprintf("%s:hdr=%x", p, v[:hdr]))
			out = append(out, canonAttrs(v[hdr:], p, nested)...)
		} else {
			if strings.HasSuffix(p, "/3") && (path == "" || path == "/18/2/1") || p == "/18/1" {
				v = []byte(strings.TrimSuffix(string(v), "\x00")) // IFLA_IFNAME, IFLA_INFO_KIND
			}
			out = append(out, fmt.Sprintf("%s=%x", p, v))
		}
		n := (l + 3) &^ 3
		if n > len(b) {
			break
		}
		b = b[n:]
	}
	slices.Sort(out)
	return out
}

// TestKindEncodersLikeIP: link add with kinds, the request nl sends
// against ip's: the same message flags, struct ifinfomsg and attributes.
func TestKindEncodersLikeIP(t *testing.T) {
	strace := kerneltest.Tool(t, "strace", "strace")
	nl := filepath.Join(t.TempDir(), "nl")
	if out, err := exec.Command("go", "build", "-o", nl, "../../cmd/nl").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	nested := map[string]int{"/18": 0, "/18/2": 0, "/18/5": 0}
	veth := map[string]int{"/18": 0, "/18/2": 0, "/18/2/1": 16}
	for _, line := range []string{
		"link add x0 type vrf table 10",
		"link add x0 type vrf table main",
		"link add x0 type vrf",
		"link add d0 type dummy",
		"link add x0 type ifb",
		"link add x0 type vxlan id 5 dstport 4789 local 198.18.2.1 ttl 9 nolearning",
		"link add b0 type bridge forward_delay 400 stp_state 1 vlan_filtering 1",
		"link add x0 type veth peer name x1",
		"link add x0 link v0 type macvlan mode bridge",
		"link add x0 mtu 1400 txqueuelen 9 group 3 type dummy",
		"link add x0 link v0 type ipvlan mode l3 private",
		"link add x0 link v0 type ipvlan mode l3s",
		"link add x0 link v0 type ipvlan vepa",
		"link add x0 link v0 type ipvlan",
		"link add b0 type bond mode active-backup miimon 100",
		"link add b0 type bond mode 802.3ad updelay 5 downdelay 6",
		"link add b0 type bond mode 4",
		"link add b0 type bond",
		"link add g0 type geneve id 5 remote 198.18.2.9",
		"link add g0 type geneve id 5 remote 198.18.2.9 ttl 7 tos 0x10 dstport 6081",
		"link add g0 type geneve vni 7 remote 2001:db8::9",
		"link add g0 type geneve",
		"link add x0 type bareudp dstport 6635 ethertype mpls_uc",
		"link add x0 type bareudp dstport 6635 ethertype 0x86dd",
		"link add x0 type bareudp",
		"link add w0 type wireguard",
		"link set v1 type bridge_slave cost 5 priority 7 state 3 guard on hairpin on learning off mcast_router 2 group_fwd_mask 8 locked on",
	} {
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
		n := nested
		if strings.Contains(line, "veth") {
			n = veth
		}
		ipAttrs := strings.Join(canonAttrs(ipReq[16:], "", n), "\n")
		nlAttrs := strings.Join(canonAttrs(nlReq[16:], "", n), "\n")
		if ipFlags != nlFlags || string(ipReq[:16]) != string(nlReq[:16]) || ipAttrs != nlAttrs {
			t.Errorf("%s:\n ip: flags %#x ifinfomsg %x\n%s\n nl: flags %#x ifinfomsg %x\n%s", line, ipFlags, ipReq[:16], ipAttrs,
				nlFlags, nlReq[:16], nlAttrs)
		}
	}
}

// TestVrfDecode: what ip -d and vrf show print of a vrf, from the raw
// IFLA_INFO_DATA a kernel with the vrf module sends (this one has none).
func TestVrfDecode(t *testing.T) {
	data := []byte{8, 0, iflaVrfTable, 0, 0, 0, 0, 0}
	binary.NativeEndian.PutUint32(data[4:], 1234)
	l := rtnl.Link{Kind: "vrf", Info: &rtnl.UnknownKind{Kind: "vrf", Data: data}}
	if tb, ok := vrfTable(&l); !ok || tb != 1234 {
		t.Errorf("vrfTable: %d %v", tb, ok)
	}
	for _, asJSON := range []bool{false, true} {
		p := newRecord(asJSON)
		printVrf(t.Context(), nil, p, &l)
		got := p.b.String()
		if asJSON {
			b, _ := appendJSON(nil, p.obj)
			got = string(b)
		}
		if want := map[bool]string{false: "table 1234 ", true: `{"table":1234}`}[asJSON]; got != want {
			t.Errorf("json %v: %q, want %q", asJSON, got, want)
		}
	}
	// A table attribute of the wrong length is no table.
	l.Info = &rtnl.UnknownKind{Kind: "vrf", Data: []byte{6, 0, iflaVrfTable, 0, 1, 2, 0, 0}}
	if _, ok := vrfTable(&l); ok {
		t.Error("a 2-byte table was read")
	}
}
