package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netns"
)

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want Options
		rest []string
		err  string
	}{
		{args: []string{"-j", "-p", "addr"}, want: Options{JSON: true, Pretty: true}, rest: []string{"addr"}},
		{args: []string{"-json", "-d", "-s", "link", "show"}, want: Options{JSON: true, Details: true, Stats: true, StatsLevel: 1}, rest: []string{"link", "show"}},
		{args: []string{"-n", "blue", "-4", "r"}, want: Options{NetNS: "blue", Family: FamilyInet}, rest: []string{"r"}},
		{args: []string{"-netns", "blue", "-6", "r"}, want: Options{NetNS: "blue", Family: FamilyInet6}, rest: []string{"r"}},
		{args: []string{"-f", "inet6", "a"}, want: Options{Family: FamilyInet6}, rest: []string{"a"}},
		{args: []string{"-force", "-batch", "f.txt"}, want: Options{Force: true, Batch: "f.txt"}},
		{args: []string{"-b", "-"}, want: Options{Batch: "-"}},
		{args: []string{"-x", "addr"}, err: `Option "-x" is unknown, try "nl -help".`},
		{args: []string{"-n"}, err: strings.TrimSuffix(mainHelp, "\n")},
		{args: []string{"-s", "-s", "-br", "-o", "-c", "-h", "-iec", "-N", "-ts", "-a", "-l", "3", "-rc", "0x100", "--", "-x"},
			want: Options{Stats: true, StatsLevel: 2, Brief: true, Oneline: true, Color: ColorAlways, Human: true, IEC: true, Numeric: true,
				Timestamp: true, TShort: true, All: true, Loops: 3, HasLoops: true, RcvBuf: 256}, rest: []string{"-x"}},
		{args: []string{"-color=never", "-t", "-l", "x", "-V", "-zz"}, want: Options{Timestamp: true, HasLoops: true, Version: true}, rest: []string{"-zz"}},
		{args: []string{"-color=blue"}, err: `Option "-color=blue" is unknown, try "nl -help".`},
		{args: []string{"-rc", "-1"}, err: `Invalid rcvbuf size '-1'`},
		{args: []string{"-M", "route"}, err: `Option "-M" (the mpls family) is not supported by nl.`},
		{args: []string{"-r", "route"}, want: Options{Resolve: true}, rest: []string{"route"}},
		{args: []string{"-echo"}, err: `Option "-echo" is unknown, try "nl -help".`},
		{args: []string{"-f", "ipx", "a"}, err: `Error: argument "ipx" is wrong: invalid protocol family`},
	} {
		got, rest, err := ParseOptions(tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want || !reflect.DeepEqual(rest, tc.rest) && len(rest)+len(tc.rest) > 0 {
			t.Errorf("%q: got %+v %q %v, want %+v %q", tc.args, got, rest, err, tc.want, tc.rest)
		}
	}
}

func TestParseNetns(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want netnsRequest
		err  string
	}{
		{args: nil, want: netnsRequest{cmd: "list"}},
		{args: []string{"l"}, want: netnsRequest{cmd: "list"}},
		{args: []string{"add", "blue"}, want: netnsRequest{cmd: "add", name: "blue"}},
		{args: []string{"del", "blue"}, want: netnsRequest{cmd: "delete", name: "blue"}},
		{args: []string{"exec", "blue", "ip", "link"}, want: netnsRequest{cmd: "exec", name: "blue", argv: []string{"ip", "link"}}},
		{args: []string{"add"}, err: "No netns name specified"},
		{args: []string{"exec", "blue"}, err: "No command specified"},
		{args: []string{"add", "a", "b"}, want: netnsRequest{cmd: "add", name: "a"}}, // ip ignores the rest
		{args: []string{"frob"}, err: `Command "frob" is unknown, try "nl netns help".`},
		{args: []string{"list-id"}, want: netnsRequest{cmd: "list-id"}},
		{args: []string{"set", "blue", "auto"}, want: netnsRequest{cmd: "set", name: "blue", nsid: -1}},
		{args: []string{"set", "blue", "0x10"}, want: netnsRequest{cmd: "set", name: "blue", nsid: 16}},
		{args: []string{"set", "blue", "x"}, err: `Error: argument "x" is wrong: Invalid "netnsid" value`},
		{args: []string{"set", "blue", "-5"}, err: `Error: argument "-5" is wrong: "netnsid" value should be >= 0`},
		{args: []string{"set", "blue"}, err: "No nsid specified"},
		{args: []string{"set"}, err: "No netns name specified"},
		{args: []string{"identify"}, want: netnsRequest{cmd: "identify"}},
		{args: []string{"identify", "42"}, want: netnsRequest{cmd: "identify", pid: "42"}},
		{args: []string{"pids", "blue"}, want: netnsRequest{cmd: "pids", name: "blue"}},
		{args: []string{"attach", "blue", "42"}, want: netnsRequest{cmd: "attach", name: "blue", pid: "42"}},
		{args: []string{"attach", "blue"}, err: "No netns name and PID specified"},
	} {
		got, err := parseNetns(tc.args, false)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v %v, want %+v", tc.args, got, err, tc.want)
		}
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string][]string{
		"route add 198.18.0.0/24 dev lo":    {"route", "add", "198.18.0.0/24", "dev", "lo"},
		"  link set  dev x0   up # comment": {"link", "set", "dev", "x0", "up"},
		`link set x0 alias "my link"`:       {"link", "set", "x0", "alias", "my link"},
		"# only a comment":                  nil,
		"":                                  nil,
	} {
		got, err := splitWords(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := splitWords(`a "b`); err == nil {
		t.Error("unterminated quote accepted")
	}
}

// run runs nl with args and returns stdout, stderr and the exit code.
func run(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunWithInput(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// checkParsed checks one case of a parse table: with wantErr, a
// *UsageError saying exactly that; without, no error and got equal to want.
func checkParsed[R any](t *testing.T, args []string, got R, err error, want R, wantErr string) {
	t.Helper()
	if wantErr != "" {
		var ue *UsageError
		if err == nil || err.Error() != wantErr || !errors.As(err, &ue) {
			t.Errorf("%q: error %v, want usage error %q", args, err, wantErr)
		}
		return
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("%q:\n got %+v %v\nwant %+v", args, got, err, want)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"frobnicate"}, ExitFailure, `Object "frobnicate" is unknown, try "nl help".`},
		{[]string{"-q"}, ExitUsage, `Option "-q" is unknown`},
		{[]string{"netns", "zap"}, ExitUsage, `Command "zap" is unknown`},
		{[]string{"help", "zz"}, ExitUsage, `Usage: nl [ OPTIONS ]`},
		{[]string{"help"}, ExitUsage, `Usage: nl [ OPTIONS ]`},
		{[]string{"netns", "help"}, ExitUsage, "nl netns add NAME"},
	} {
		out, stderr, code := run(t, tc.args...)
		if code != tc.code || out != "" || !strings.Contains(stderr, tc.msg) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
}

// TestNetnsCommands: add, list (text and JSON), exec, delete.
func TestNetnsCommands(t *testing.T) {
	kerneltest.Require(t)
	name := "nlkit-test-cli-" + filepath.Base(t.TempDir())
	if _, stderr, code := run(t, "netns", "add", name); code != 0 {
		t.Fatalf("add: %d %s", code, stderr)
	}
	defer netns.DeleteNamed(name)
	if out, _, _ := run(t, "netns", "list"); !strings.Contains(out, name+"\n") {
		t.Fatalf("list: %q", out)
	}
	if out, _, _ := run(t, "-j", "netns"); !strings.Contains(out, `{"name":"`+name+`"}`) {
		t.Fatalf("list -j: %q", out)
	}
	if _, stderr, code := run(t, "netns", "add", name); code == 0 || !strings.Contains(stderr, "File exists") {
		t.Fatalf("add twice: %d %q", code, stderr)
	}
	// exec runs inside: its view of the links is the namespace's (only lo).
	out, stderr, code := run(t, "netns", "exec", name, "cat", "/proc/net/dev")
	if code != 0 || strings.Count(out, ":") != 1 || !strings.Contains(out, "lo:") {
		t.Fatalf("exec: %d %q %q", code, out, stderr)
	}
	if _, _, code := run(t, "netns", "exec", name, "false"); code != 1 {
		t.Fatalf("exec false: exit %d, want 1", code)
	}
	if _, stderr, code := run(t, "netns", "delete", name); code != 0 {
		t.Fatalf("delete: %d %s", code, stderr)
	}
	if _, stderr, code := run(t, "netns", "delete", name); code == 0 || !strings.Contains(stderr, "No such file") {
		t.Fatalf("delete twice: %d %q", code, stderr)
	}
	if _, stderr, code := run(t, "-n", name, "netns"); code != ExitUsage || !strings.Contains(stderr, "Cannot open network namespace") {
		t.Fatalf("-n missing: %d %q", code, stderr)
	}
}

// TestBatchStopsAtFailure: a batch stops at its first failing line and
// names it; -force goes on.
func TestBatchStopsAtFailure(t *testing.T) {
	kerneltest.Require(t)
	dir := t.TempDir()
	name := "nlkit-test-batch-" + filepath.Base(dir)
	file := filepath.Join(dir, "batch")
	// Line 4 fails without ending the process in ip (a bad word would:
	// TestBatchUsageExitLikeIP).
	content := "netns add " + name + "\n# a comment\n\nnetns delete " + name + "-nosuch\nnetns delete " + name + "\n"
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, "-batch", file)
	if code != ExitBatch || !strings.Contains(stderr, "Command failed "+file+":4") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	// Line 5 did not run: the namespace is still there.
	if names, _ := netns.Names(); !slices.Contains(names, name) {
		t.Fatal("the batch went on past the failing line")
	}
	_, stderr, code = run(t, "-force", "-batch", file)
	if code != ExitBatch || !strings.Contains(stderr, ":1") || !strings.Contains(stderr, ":4") {
		t.Fatalf("-force: exit %d, stderr %q", code, stderr)
	}
	if names, _ := netns.Names(); slices.Contains(names, name) {
		netns.DeleteNamed(name)
		t.Fatal("-force did not run the lines after the failure")
	}
}
