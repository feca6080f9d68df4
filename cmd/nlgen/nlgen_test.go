package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/ynl"
)

// The committed generated packages are what nlgen generates now, and
// generating twice gives the same bytes.
func TestCommittedUpToDate(t *testing.T) {
	src, err := os.ReadFile("../../ynl/gen/generate.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`-spec (\S+) -pkg (\S+) -o (\S+)`)
	n := 0
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		spec := filepath.Join("../../ynl/gen", m[1])
		s, err := ynl.SpecFile(spec)
		if err != nil {
			t.Fatal(err)
		}
		a, err := generate(s, m[2], filepath.Base(spec))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := generate(s, m[2], filepath.Base(spec))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two runs differ", spec)
		}
		have, err := os.ReadFile(filepath.Join("../../ynl/gen", m[3], m[2]+".go"))
		if err != nil || !bytes.Equal(a, have) {
			t.Errorf("%s: committed package differs from nlgen's output (%v); run go generate ./ynl/gen", spec, err)
		}
		n++
	}
	if n < 5 {
		t.Fatalf("only %d packages", n)
	}
}

func TestOpNames(t *testing.T) {
	for name, want := range map[string][2]string{
		"dev-get": {"Device", "Devices"}, "getaddr": {"Address", "Addresses"}, "newroute": {"AddRoute", "AddRoutes"},
		"deladdr": {"DeleteAddress", "DeleteAddresses"}, "channels-get": {"Channels", "AllChannels"},
		"channels-set": {"SetChannels", "SetAllChannels"}, "add-addr": {"AddAddress", "AddAddresses"},
		"get-limits": {"Limits", "AllLimits"}, "flush-addrs": {"FlushAddresses", "FlushAllAddresses"},
		"cable-test-act": {"CableTestAct", "CableTestActs"}, "page-pool-get": {"PagePool", "PagePools"},
		"getfamily": {"Family", "Families"}, "linkinfo-get": {"Linkinfo", "Linkinfos"}, "info-get": {"Info", "Infos"},
		"bind-rx": {"ExecuteBindRx", "ExecuteBindRxs"}, "accept": {"ExecuteAccept", "ExecuteAccepts"}, "getset": {"FamSet", "FamSets"},
		"newset": {"AddSet", "AddSets"}, "get": {"Fam", "Fams"},
	} {
		do, dump := opNames("fam", name)
		if do != want[0] || dump != want[1] {
			t.Errorf("opNames(%s) = %s, %s; want %v", name, do, dump, want)
		}
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{"xdp-rx-metadata": "XDPRxMetadata", "rt_addr": "RtAddr", "ifa-address": "IfaAddress", "802-1q": "X8021q", "dev-id": "DevID"} {
		if got := goName(in); got != want {
			t.Errorf("goName(%q) = %q, want %q", in, got, want)
		}
	}
	if got := PackageName("mptcp_pm"); got != "mptcppm" {
		t.Errorf("PackageName = %q", got)
	}
}

func TestRunErrors(t *testing.T) {
	if err := run(nil); err == nil || !strings.Contains(err.Error(), "usage") {
		t.Errorf("no args: %v", err)
	}
	if err := run([]string{"-spec", "nope.yaml"}); err == nil {
		t.Error("missing spec accepted")
	}
	dir := t.TempDir()
	if err := run([]string{"-spec", "../../ynl/testdata/specs/netdev.yaml", "-o", dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "netdev.go")); err != nil {
		t.Error(err)
	}
}
