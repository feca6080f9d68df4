package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

const ynlSpecs = "../../ynl/testdata/specs/"

func TestParseYnl(t *testing.T) {
	for _, c := range []struct {
		args    []string
		want    ynlRequest
		wantErr string
	}{
		{args: []string{"--spec", "x.yaml", "--list-ops"}, want: ynlRequest{spec: "x.yaml", listOps: true}},
		{args: []string{"--spec=x.yaml", "--do", "dev-get", "--json", `{"ifindex": 1}`}, want: ynlRequest{spec: "x.yaml", do: "dev-get", json: `{"ifindex": 1}`}},
		{args: []string{"-spec", "x.yaml", "--dump", "getaddr", "--create", "--excl"}, want: ynlRequest{spec: "x.yaml", dump: "getaddr", flags: netlink.Create | netlink.Excl}},
		{args: []string{"--spec", "x.yaml", "--subscribe", "mgmt", "--duration", "1.5"}, want: ynlRequest{spec: "x.yaml", subscribe: []string{"mgmt"}, duration: 1500 * time.Millisecond}},
		{args: []string{"--spec", "x.yaml", "--do", "a", "--subscribe", "g"}, want: ynlRequest{spec: "x.yaml", do: "a", subscribe: []string{"g"}}},
		{args: []string{"--do", "a"}, wantErr: "ynl: give --spec FILE, or --family NAME --specs DIR"},
		{args: []string{"--family", "rt-addr", "--do", "a"}, wantErr: "ynl: give --spec FILE, or --family NAME --specs DIR"},
		{args: []string{"--family", "rt-addr", "--specs", "d", "--spec", "x", "--do", "a"}, wantErr: "ynl: give --spec FILE, or --family NAME --specs DIR"},
		{args: []string{"--family", "rt-addr", "--specs", "d", "--list-ops"}, want: ynlRequest{family: "rt-addr", specs: "d", listOps: true}},
		{args: []string{"--spec", "x.yaml"}, wantErr: "ynl: give one of --list-ops, --do OP, --dump OP (and/or --subscribe GROUP)"},
		{args: []string{"--spec", "x.yaml", "--do", "a", "--dump", "b"}, wantErr: "ynl: give one of --list-ops, --do OP, --dump OP (and/or --subscribe GROUP)"},
		{args: []string{"--spec", "x.yaml", "--do"}, wantErr: errIncomplete().Error()},
	} {
		got, err := parseYnl(c.args)
		checkParsed(t, c.args, got, err, c.want, c.wantErr)
	}
	for _, bad := range [][]string{{"--spec", "x", "--bogus"}, {"--spec", "x", "--do", "a", "--json", "{"}, {"--spec", "x", "stray"}, {"--spec", "x", "--dump", "a", "--duration", "-1"}} {
		if _, err := parseYnl(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestYnlListOps(t *testing.T) {
	out, stderr, code := run(t, "ynl", "--spec", ynlSpecs+"rt_addr.yaml", "--list-ops")
	if code != 0 || out != "newaddr: do\ndeladdr: do\ngetaddr: dump\n" {
		t.Errorf("exit %d, out %q, stderr %q", code, out, stderr)
	}
	if out2, _, _ := run(t, "ynl", "--family", "rt-addr", "--specs", ynlSpecs, "--list-ops"); out2 != out {
		t.Errorf("--family rt-addr (file rt_addr.yaml): %q", out2)
	}
	_, stderr, code = run(t, "ynl", "--spec", ynlSpecs+"nope.yaml", "--list-ops")
	if code != ExitFailure || !strings.Contains(stderr, "nope.yaml") {
		t.Errorf("missing spec: exit %d, %q", code, stderr)
	}
}

// nl ynl against ip: the addresses of a namespace, dumped through the
// rt-addr spec, are ip's; errors carry the spec's names and ip's exit code.
func TestYnlMatchesIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	kerneltest.Run(t, ns, "ip", "link", "add", "yc0", "type", "veth", "peer", "name", "yc1")
	kerneltest.Run(t, ns, "ip", "link", "set", "yc0", "up")
	kerneltest.Run(t, ns, "ip", "addr", "add", "198.18.9.1/24", "dev", "yc0")
	var idx struct {
		IfIndex int `json:"ifindex"`
	}
	var links []struct {
		IfIndex int `json:"ifindex"`
	}
	json.Unmarshal(kerneltest.Run(t, ns, "ip", "-j", "link", "show", "yc1"), &links)
	if len(links) == 1 {
		idx.IfIndex = links[0].IfIndex
	}
	genlMustRun(t, "-n", name, "ynl", "--spec", ynlSpecs+"rt_addr.yaml", "--do", "newaddr", "--create", "--excl",
		"--json", fmt.Sprintf(`{"ifa-family": 2, "ifa-prefixlen": 16, "ifa-index": %d, "ifa-local": "198.18.10.1", "ifa-address": "198.18.10.1"}`, idx.IfIndex))
	out := genlMustRun(t, "-n", name, "ynl", "--spec", ynlSpecs+"rt_addr.yaml", "--dump", "getaddr", "--json", `{"ifa-family": 2}`)
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var fromIP []ipAddr4
	json.Unmarshal(kerneltest.Run(t, ns, "ip", "-j", "-4", "addr", "show"), &fromIP)
	var a, b []string
	for _, v := range got {
		a = append(a, fmt.Sprintf("%v %v/%v %v", v["ifa-index"], v["ifa-local"], v["ifa-prefixlen"], v["ifa-label"]))
	}
	for _, l := range fromIP {
		for _, x := range l.AddrInfo {
			b = append(b, fmt.Sprintf("%d %s/%d %s", l.IfIndex, x.Local, x.PrefixLen, x.Label))
		}
	}
	sort.Strings(a)
	sort.Strings(b)
	if !slices.Equal(a, b) || len(a) != 3 {
		t.Errorf("nl ynl %q\nip        %q", a, b)
	}
	// the kernel refuses: exit 2, the error in the spec's words
	genlFails(t, ExitKernel, "Error: rt-addr: newaddr: file exists", "-n", name, "ynl", "--spec", ynlSpecs+"rt_addr.yaml", "--do", "newaddr", "--create", "--excl",
		"--json", fmt.Sprintf(`{"ifa-family": 2, "ifa-prefixlen": 16, "ifa-index": %d, "ifa-local": "198.18.10.1"}`, idx.IfIndex))
	genlFails(t, ExitKernel, "Error: ethtool: channels-get: header.dev-index: no such device", "-n", name, "ynl", "--spec", ynlSpecs+"ethtool.yaml", "--do", "channels-get", "--json", `{"header": {"dev-index": 9999}}`)
	// a request the spec refuses is not sent: exit 1
	genlFails(t, ExitFailure, "attribute bogus: not in set addr-attrs", "-n", name, "ynl", "--spec", ynlSpecs+"rt_addr.yaml", "--dump", "getaddr", "--json", `{"bogus": 1}`)
	// -p indents
	out = genlMustRun(t, "-n", name, "-p", "ynl", "--spec", ynlSpecs+"ethtool.yaml", "--do", "channels-get", "--json", `{"header": {"dev-name": "yc0"}}`)
	if !strings.Contains(out, "\n    \"header\": {\n        \"dev-index\"") {
		t.Errorf("pretty output %q", out)
	}
}

type ipAddr4 struct {
	IfIndex  int `json:"ifindex"`
	AddrInfo []struct {
		Local     string `json:"local"`
		PrefixLen int    `json:"prefixlen"`
		Label     string `json:"label"`
	} `json:"addr_info"`
}

// --subscribe prints notifications as {"name", "group", "msg"} until the
// duration ends.
func TestYnlSubscribe(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	kerneltest.Run(t, ns, "ip", "link", "add", "ys0", "type", "veth", "peer", "name", "ys1")
	done := make(chan string)
	go func() {
		out, _, _ := genlRun(t, "-n", name, "ynl", "--spec", ynlSpecs+"rt_addr.yaml", "--subscribe", "rtnlgrp-ipv4-ifaddr", "--duration", "2")
		done <- out
	}()
	// nl joins the group at some point after it starts: add addresses
	// until the duration is nearly over, so that one comes after the join.
	for i := range 5 {
		time.Sleep(250 * time.Millisecond)
		kerneltest.Run(t, ns, "ip", "addr", "add", fmt.Sprintf("198.18.11.%d/24", i+1), "dev", "ys0")
	}
	out := <-done
	var ev struct {
		Name  string         `json:"name"`
		Group string         `json:"group"`
		Msg   map[string]any `json:"msg"`
	}
	line, _, _ := strings.Cut(out, "\n")
	if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.Name != "getaddr" || ev.Group != "rtnlgrp-ipv4-ifaddr" || !strings.HasPrefix(fmt.Sprint(ev.Msg["ifa-local"]), "198.18.11.") {
		t.Errorf("subscribe printed %q (%v)", out, err)
	}
}
