//go:build linux

package xfrm

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// sent is one netlink request ip sent, as strace shows it.
type sent struct {
	typ   netlink.MessageType
	flags netlink.Flags
	data  []byte
}

var straceMsg = regexp.MustCompile(`nlmsg_type=(0x[0-9a-f]+) /\* NLMSG_\?\?\? \*/, nlmsg_flags=([^,]+), nlmsg_seq=\d+, nlmsg_pid=\d+\}(?:, "((?:\\x[0-9a-f]{2})*)")?`)

var straceFlags = map[string]netlink.Flags{
	"NLM_F_REQUEST": netlink.Request, "NLM_F_MULTI": netlink.Multi, "NLM_F_ACK": netlink.Acknowledge,
	"NLM_F_ECHO": netlink.Echo, "NLM_F_DUMP": netlink.Dump, "NLM_F_ROOT": netlink.Root, "NLM_F_MATCH": netlink.Match,
	"NLM_F_REPLACE": netlink.Replace, "NLM_F_EXCL": netlink.Excl, "NLM_F_CREATE": netlink.Create, "NLM_F_APPEND": netlink.Append,
}

// ipSends runs `ip -n ns xfrm words...` under strace and returns the
// NETLINK_XFRM requests it sent (route-netlink ones, which strace
// decodes by name, are left out) and ip's standard error. ip's exit
// status is not checked: the kernel refusing an SA is what it is run for.
func ipSends(t *testing.T, ns string, words ...string) ([]sent, string) {
	t.Helper()
	strace := kerneltest.Tool(t, "strace", "strace")
	ip := kerneltest.Tool(t, "ip", "iproute2")
	out := filepath.Join(t.TempDir(), "trace")
	args := append([]string{"-f", "-qq", "-s", "65536", "-xx", "-e", "trace=sendmsg", "-o", out, ip, "-n", ns, "xfrm"}, words...)
	cmd := exec.Command(strace, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	_ = cmd.Run()
	trace, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("strace %v: %v (%s)", words, err, stderr.String())
	}
	var msgs []sent
	for _, m := range straceMsg.FindAllStringSubmatch(string(trace), -1) {
		typ, _ := strconv.ParseUint(m[1], 0, 16)
		var flags netlink.Flags
		for _, f := range strings.Split(m[2], "|") {
			if v, ok := straceFlags[f]; ok {
				flags |= v
			} else if n, err := strconv.ParseUint(f, 0, 16); err == nil {
				flags |= netlink.Flags(n)
			} else {
				t.Fatalf("strace flag %q", f)
			}
		}
		data, err := hex.DecodeString(strings.ReplaceAll(m[3], `\x`, ""))
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, sent{netlink.MessageType(typ), flags, data})
	}
	return msgs, strings.TrimSpace(stderr.String())
}

// firstOf returns the first request of type typ ip sent.
func firstOf(t *testing.T, msgs []sent, typ netlink.MessageType) sent {
	t.Helper()
	for _, m := range msgs {
		if m.typ == typ {
			return m
		}
	}
	t.Fatalf("ip sent no message of type %#x (it sent %d)", typ, len(msgs))
	return sent{}
}

// sameBytes fails t with the first differing offset if got != want.
func sameBytes(t *testing.T, what string, want, got []byte) {
	t.Helper()
	if string(want) == string(got) {
		return
	}
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	t.Errorf("%s: bytes differ from ip's at offset %d (ip %d bytes, ours %d)\nip:   % x\nours: % x", what, i, len(want), len(got), want, got)
}
