package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/genl/mptcp"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

func TestParseMptcp(t *testing.T) {
	a1 := netip.MustParseAddr("198.18.0.1")
	a6 := netip.MustParseAddr("2001:db8::1")
	incomplete := `Command line is not complete. Try option "help"`
	for _, tc := range []struct {
		args []string
		want mptcpRequest
		err  string
	}{
		{args: []string{"endpoint"}, want: mptcpRequest{obj: "endpoint", cmd: "show"}},
		{args: []string{"e", "s"}, want: mptcpRequest{obj: "endpoint", cmd: "show"}},
		{args: []string{"endpoint", "show", "id", "3"}, want: mptcpRequest{obj: "endpoint", cmd: "show", id: 3, idSet: true}},
		{args: []string{"endpoint", "add", "198.18.0.1", "dev", "eth0", "id", "1", "signal", "port", "8080"},
			want: mptcpRequest{obj: "endpoint", cmd: "add", addr: a1, dev: "eth0", id: 1, idSet: true, flags: mptcp.Signal, port: 8080}},
		{args: []string{"endpoint", "a", "2001:db8::1", "subflow", "backup", "fullmesh", "i", "0x10"},
			want: mptcpRequest{obj: "endpoint", cmd: "add", addr: a6, id: 16, idSet: true, flags: mptcp.Subflow | mptcp.Backup | mptcp.Fullmesh}},
		{args: []string{"endpoint", "add", "198.18.0.1", "nobackup", "nofullmesh"}, want: mptcpRequest{obj: "endpoint", cmd: "add", addr: a1}},
		{args: []string{"endpoint", "delete", "id", "2"}, want: mptcpRequest{obj: "endpoint", cmd: "delete", id: 2, idSet: true}},
		{args: []string{"endpoint", "del", "id", "0", "198.18.0.1"}, want: mptcpRequest{obj: "endpoint", cmd: "delete", idSet: true, addr: a1}},
		{args: []string{"endpoint", "change", "id", "2", "backup"}, want: mptcpRequest{obj: "endpoint", cmd: "change", id: 2, idSet: true, flags: mptcp.Backup}},
		{args: []string{"endpoint", "c", "198.18.0.1", "p", "80", "nobackup", "fullmesh"},
			want: mptcpRequest{obj: "endpoint", cmd: "change", addr: a1, port: 80, flags: mptcp.Fullmesh}},
		{args: []string{"endpoint", "flush"}, want: mptcpRequest{obj: "endpoint", cmd: "flush"}},
		{args: []string{"limits"}, want: mptcpRequest{obj: "limits", cmd: "show"}},
		{args: []string{"l", "show"}, want: mptcpRequest{obj: "limits", cmd: "show"}},
		{args: []string{"limits", "set", "subflows", "3", "add_addr_accepted", "4"},
			want: mptcpRequest{obj: "limits", cmd: "set", subflows: 3, subflowsSet: true, addAddrAccepted: 4, addAddrAcceptedSet: true}},
		{args: []string{"limits", "set", "add", "0"}, want: mptcpRequest{obj: "limits", cmd: "set", addAddrAcceptedSet: true}},
		{args: []string{"limits", "set"}, want: mptcpRequest{obj: "limits", cmd: "set"}},
		{args: []string{"monitor"}, want: mptcpRequest{obj: "monitor"}},

		{args: nil, err: "Usage: nl mptcp endpoint add ADDRESS"},
		{args: []string{"zap"}, err: `Command "zap" is unknown, try "nl mptcp help".`},
		{args: []string{"endpoint", "zap"}, err: `Command "zap" is unknown, try "nl mptcp help".`},
		{args: []string{"limits", "zap"}, err: `Command "zap" is unknown, try "nl mptcp help".`},
		{args: []string{"monitor", "x"}, err: `Command "x" is unknown, try "nl mptcp help".`},
		{args: []string{"endpoint", "flush", "x"}, err: `Error: argument "x" is wrong: unknown argument`},
		{args: []string{"limits", "show", "x"}, err: `Error: argument "x" is wrong: unknown argument`},
		{args: []string{"endpoint", "add"}, err: `Error: argument "ADDRESS" is required`},
		{args: []string{"endpoint", "add", "198.18.0.1", "frob"}, err: `Error: any valid address is expected rather than "frob".`},
		{args: []string{"endpoint", "add", "fe80::1%v0"}, err: `Error: any valid address is expected rather than "fe80::1%v0".`},
		{args: []string{"endpoint", "add", "198.18.0.1", "198.18.0.2"}, err: `Error: duplicate "ADDRESS": "198.18.0.2" is the second value.`},
		{args: []string{"endpoint", "add", "198.18.0.1", "signal", "fullmesh"}, err: `Error: argument "fullmesh" is wrong: flags mustn't have both signal and fullmesh`},
		{args: []string{"endpoint", "add", "198.18.0.1", "id"}, err: incomplete},
		{args: []string{"endpoint", "add", "198.18.0.1", "dev"}, err: incomplete},
		{args: []string{"endpoint", "add", "198.18.0.1", "port"}, err: incomplete},
		{args: []string{"endpoint", "add", "198.18.0.1", "id", "300"}, err: `Error: argument "300" is wrong: invalid ID` + "\n"},
		{args: []string{"endpoint", "add", "198.18.0.1", "id", "1", "id", "2"}, err: `Error: duplicate "id": "2" is the second value.`},
		{args: []string{"endpoint", "add", "198.18.0.1", "id", "0"}, want: mptcpRequest{obj: "endpoint", cmd: "add", addr: a1, idSet: true}}, // ip 6.1 takes id 0
		{args: []string{"endpoint", "add", "198.18.0.1", "dev", "a/b"}, err: "Error: argument \"a/b\" is wrong: invalid interface name\n"},
		{args: []string{"endpoint", "add", "198.18.0.1", "dev", "a", "dev", "b"}, err: `Error: duplicate "dev": "b" is the second value.`},
		{args: []string{"endpoint", "add", "198.18.0.1", "signal", "port", "x"}, err: `Error: argument "x" is wrong: expected port`},
		{args: []string{"endpoint", "add", "198.18.0.1", "signal", "port", "1", "port", "2"}, err: `Error: duplicate "port": "2" is the second value.`},
		{args: []string{"endpoint", "add", "198.18.0.1", "port", "80"}, err: `Error: argument "port" is wrong: flags must have signal when using port`},
		{args: []string{"endpoint", "delete"}, err: `Error: argument "ID" is required`},
		{args: []string{"endpoint", "delete", "id", "1", "198.18.0.1"}, err: `Error: argument "ADDRESS" is wrong: invalid for non-zero id address`},
		{args: []string{"endpoint", "delete", "id", "0"}, err: `Error: argument "ID" is wrong: address is needed for deleting id 0 address`},
		{args: []string{"endpoint", "change", "id", "1", "signal"}, err: `Error: argument "signal" is wrong: invalid flags, backup and fullmesh only`},
		{args: []string{"endpoint", "change", "id", "1", "port", "5", "backup"}, err: `Error: argument "port" is wrong: port can't be used with id`},
		{args: []string{"endpoint", "change", "backup"}, err: `Error: argument "ID" is required`},
		{args: []string{"endpoint", "show", "198.18.0.1"}, err: `Error: argument "ID" is required`},
		{args: []string{"limits", "set", "subflows"}, err: incomplete},
		{args: []string{"limits", "set", "subflows", "x"}, err: `Error: argument "x" is wrong: invalid subflows` + "\n"},
		{args: []string{"limits", "set", "subflows", "-1"}, err: `Error: argument "-1" is wrong: invalid subflows` + "\n"},
		{args: []string{"limits", "set", "add_addr_accepted", "4294967296"}, err: `Error: argument "4294967296" is wrong: invalid add_addr_accepted` + "\n"},
		{args: []string{"limits", "set", "subflows", "1", "subflows", "2"}, err: `Error: duplicate "subflows": "2" is the second value.`},
		{args: []string{"limits", "set", "add", "1", "add", "2"}, err: `Error: duplicate "add_addr_accepted": "2" is the second value.`},
		{args: []string{"limits", "set", "frob", "1"}, err: `Error: argument "frob" is wrong: unknown limit`},
	} {
		got, err := parseMptcp(tc.args)
		if tc.err != "" {
			var ue *UsageError
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) || !errors.As(err, &ue) {
				t.Errorf("%q: error %v, want usage error %q", tc.args, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v %v\nwant %+v", tc.args, got, err, tc.want)
		}
	}
}

// genlRun runs nl with args and returns stdout, stderr and the exit code.
func genlRun(t testing.TB, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := RunWithInput(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), code
}

// genlMustRun runs nl and fails the test unless it exits 0.
func genlMustRun(t testing.TB, args ...string) string {
	t.Helper()
	out, stderr, code := genlRun(t, args...)
	if code != 0 {
		t.Fatalf("nl %s: exit %d, stderr %q", strings.Join(args, " "), code, stderr)
	}
	return out
}

// genlFails runs nl, which must exit with code and print msg on stderr.
func genlFails(t testing.TB, code int, msg string, args ...string) {
	t.Helper()
	_, stderr, got := genlRun(t, args...)
	if got != code || !strings.Contains(stderr, msg) {
		t.Errorf("nl %s: exit %d, stderr %q; want %d and %q", strings.Join(args, " "), got, stderr, code, msg)
	}
}

// genlKeyOrder gives the keys of each object of a JSON array, in order.
func genlKeyOrder(t *testing.T, b []byte) [][]string {
	t.Helper()
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, b)
	}
	var out [][]string
	for _, r := range raw {
		d := json.NewDecoder(bytes.NewReader(r))
		d.Token() // {
		var keys []string
		for d.More() {
			k, _ := d.Token()
			keys = append(keys, k.(string))
			var skip json.RawMessage
			d.Decode(&skip)
		}
		out = append(out, keys)
	}
	return out
}

// genlCompareJSON compares two JSON arrays of objects, as printed by nl
// and by ip: every key both print must be equal, and in the same order;
// keys only one side prints are errors unless listed in onlyIP / onlyNL.
func genlCompareJSON(t *testing.T, what string, nlOut, ipOut []byte, onlyIP, onlyNL []string) {
	t.Helper()
	var nlObjs, ipObjs []map[string]any
	if err := json.Unmarshal(nlOut, &nlObjs); err != nil {
		t.Fatalf("%s: nl output is not a JSON array: %v\n%s", what, err, nlOut)
	}
	if err := json.Unmarshal(ipOut, &ipObjs); err != nil {
		t.Fatalf("%s: ip output is not a JSON array: %v\n%s", what, err, ipOut)
	}
	if len(nlObjs) != len(ipObjs) {
		t.Errorf("%s: nl prints %d objects, ip %d\nnl: %s\nip: %s", what, len(nlObjs), len(ipObjs), nlOut, ipOut)
		return
	}
	nlKeys, ipKeys := genlKeyOrder(t, nlOut), genlKeyOrder(t, ipOut)
	for i := range nlObjs {
		n, p := nlObjs[i], ipObjs[i]
		for k, iv := range p {
			nv, ok := n[k]
			switch {
			case !ok && !slices.Contains(onlyIP, k):
				t.Errorf("%s: [%d] key %q only in ip (%v)\nnl: %v\nip: %v", what, i, k, iv, n, p)
			case ok && !reflect.DeepEqual(nv, iv):
				t.Errorf("%s: [%d] %q: nl %#v, ip %#v", what, i, k, nv, iv)
			}
		}
		for k, nv := range n {
			if _, ok := p[k]; !ok && !slices.Contains(onlyNL, k) {
				t.Errorf("%s: [%d] key %q only in nl (%v)\nnl: %v\nip: %v", what, i, k, nv, n, p)
			}
		}
		var common, nlCommon []string
		for _, k := range ipKeys[i] {
			if _, ok := n[k]; ok {
				common = append(common, k)
			}
		}
		for _, k := range nlKeys[i] {
			if _, ok := p[k]; ok {
				nlCommon = append(nlCommon, k)
			}
		}
		if !slices.Equal(common, nlCommon) {
			t.Errorf("%s: [%d] key order: nl %v, ip %v", what, i, nlCommon, common)
		}
	}
}

// mptcpNS gives a named namespace with the veth pair m0-m1 (198.18.0.1/24
// on m0) and an mptcp.Conn in it.
func mptcpNS(t *testing.T) (*netns.NS, string, *mptcp.Conn) {
	t.Helper()
	ns, name := kerneltest.NamedNetNS(t)
	kerneltest.Run(t, ns, "ip", "link", "add", "m0", "type", "veth", "peer", "name", "m1")
	// A signal endpoint with a port listens on its address.
	kerneltest.Run(t, ns, "ip", "address", "add", "198.18.0.1/24", "dev", "m0")
	c, err := mptcp.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return ns, name, c
}

// TestMptcpCommands runs every endpoint and limits command and checks its
// effect through the library.
func TestMptcpCommands(t *testing.T) {
	ns, name, c := mptcpNS(t)
	ctx := t.Context()
	nl := func(args ...string) string {
		t.Helper()
		return genlMustRun(t, append([]string{"-n", name, "mptcp"}, args...)...)
	}
	endpoints := func() []mptcp.Endpoint {
		t.Helper()
		eps, err := netlink.Collect(c.Endpoints(ctx))
		if err != nil {
			t.Fatal(err)
		}
		return eps
	}
	rc, err := rtnl.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	l, err := rc.LinkByName(ctx, "m0")
	if err != nil {
		t.Fatal(err)
	}
	m0 := l.Index

	nl("endpoint", "add", "198.18.0.1", "dev", "m0", "id", "1", "signal", "port", "8080")
	nl("endpoint", "add", "2001:db8::1", "id", "2", "subflow", "backup", "fullmesh")
	nl("e", "a", "198.18.0.3", "subflow")
	want := []mptcp.Endpoint{
		{ID: 1, Addr: netip.MustParseAddr("198.18.0.1"), Port: 8080, Flags: mptcp.Signal, IfIndex: m0},
		{ID: 2, Addr: netip.MustParseAddr("2001:db8::1"), Flags: mptcp.Subflow | mptcp.Backup | mptcp.Fullmesh},
		{ID: 3, Addr: netip.MustParseAddr("198.18.0.3"), Flags: mptcp.Subflow},
	}
	if got := endpoints(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after add: %+v\nwant %+v", got, want)
	}
	if out := nl("endpoint", "show", "id", "1"); out != "198.18.0.1 port 8080 id 1 signal dev m0 \n" {
		t.Errorf("show id 1: %q", out)
	}
	genlFails(t, ExitKernel, "duplicate", "-n", name, "mptcp", "endpoint", "add", "198.18.0.3", "subflow")
	genlFails(t, ExitUsage, `Error: argument "nosuch" is wrong: device does not exist`, "-n", name, "mptcp", "endpoint", "add", "198.18.0.4", "dev", "nosuch")

	nl("endpoint", "change", "id", "2", "nobackup")
	nl("endpoint", "change", "198.18.0.3", "backup")
	nl("endpoint", "change", "198.18.0.1", "port", "8080", "backup")
	want[0].Flags = mptcp.Signal | mptcp.Backup
	want[1].Flags = mptcp.Subflow // change sets backup and fullmesh both
	want[2].Flags = mptcp.Subflow | mptcp.Backup
	if got := endpoints(); !reflect.DeepEqual(got, want) {
		t.Fatalf("after change: %+v\nwant %+v", got, want)
	}
	genlFails(t, ExitKernel, "Error: address not found.", "-n", name, "mptcp", "endpoint", "change", "198.18.0.1", "port", "8081", "nobackup")
	nl("endpoint", "change", "198.18.0.1", "port", "8080", "nobackup")
	want[0].Flags = mptcp.Signal

	nl("endpoint", "delete", "id", "3")
	nl("endpoint", "delete", "id", "0", "198.18.0.1") // from connections only: the endpoint stays
	if got := endpoints(); !reflect.DeepEqual(got, want[:2]) {
		t.Fatalf("after delete: %+v\nwant %+v", got, want[:2])
	}
	genlFails(t, ExitKernel, "Error: address not found.", "-n", name, "mptcp", "endpoint", "delete", "id", "3")
	genlFails(t, ExitKernel, "Error: address not found.", "-n", name, "mptcp", "endpoint", "show", "id", "3")
	nl("endpoint", "flush")
	if got := endpoints(); len(got) != 0 {
		t.Fatalf("after flush: %+v", got)
	}
	if out := nl("endpoint"); out != "" {
		t.Errorf("show after flush: %q", out)
	}
	if out := genlMustRun(t, "-j", "-n", name, "mptcp", "endpoint"); out != "[]\n" {
		t.Errorf("show -j after flush: %q", out)
	}

	nl("limits", "set", "subflows", "3", "add_addr_accepted", "4")
	nl("limits", "set", "subflows", "5") // the other limit stays
	if l, err := c.Limits(ctx); err != nil || l != (mptcp.Limits{Subflows: 5, AddAddrAccepted: 4}) {
		t.Errorf("limits: %+v %v", l, err)
	}
	nl("limits", "set", "add", "1")
	if l, err := c.Limits(ctx); err != nil || l != (mptcp.Limits{Subflows: 5, AddAddrAccepted: 1}) {
		t.Errorf("limits: %+v %v", l, err)
	}
	if out := nl("limits"); out != "add_addr_accepted 1 subflows 5 \n" {
		t.Errorf("limits show: %q", out)
	}
	genlFails(t, ExitKernel, "Error: limit greater than maximum", "-n", name, "mptcp", "limits", "set", "subflows", "100")
}

// TestMptcpShowMatchesIP compares nl's endpoint and limits output, text
// and JSON, with ip's. Every key ip prints is printed by nl (the "implicit"
// and "laminar" keys ip 6.1 does not know cannot appear in these tests).
func TestMptcpShowMatchesIP(t *testing.T) {
	ns, name, _ := mptcpNS(t)
	for _, cmd := range [][]string{
		{"mptcp", "endpoint", "add", "198.18.0.1", "dev", "m0", "id", "1", "signal", "port", "8080"},
		{"mptcp", "endpoint", "add", "2001:db8::1", "id", "2", "subflow", "backup", "fullmesh"},
		{"mptcp", "endpoint", "add", "198.18.0.3", "subflow"},
		{"mptcp", "endpoint", "add", "198.18.0.4", "id", "9", "signal", "backup", "dev", "m1"},
		{"mptcp", "endpoint", "add", "2001:db8::5"},
		{"mptcp", "limits", "set", "subflows", "4", "add_addr_accepted", "6"},
	} {
		kerneltest.Run(t, ns, "ip", cmd...)
	}
	for _, args := range [][]string{
		{"mptcp", "endpoint"},
		{"mptcp", "endpoint", "show"},
		{"mptcp", "endpoint", "show", "id", "1"},
		{"mptcp", "endpoint", "show", "id", "9"},
	} {
		what := strings.Join(args, " ")
		nlJSON := genlMustRun(t, append([]string{"-j", "-n", name}, args...)...)
		ipJSON := kerneltest.Run(t, ns, "ip", append([]string{"-j"}, args...)...)
		genlCompareJSON(t, what, []byte(nlJSON), ipJSON, nil, nil)
		if nl, ip := genlMustRun(t, append([]string{"-n", name}, args...)...), kerneltest.Run(t, ns, "ip", args...); nl != string(ip) {
			t.Errorf("%s: text differs\nnl:\n%s\nip:\n%s", what, nl, ip)
		}
	}
	// ip 6.1 prints the limits as text even with -j: compare nl's JSON
	// with the words of ip's text.
	ipText := string(kerneltest.Run(t, ns, "ip", "mptcp", "limits", "show"))
	if nl := genlMustRun(t, "-n", name, "mptcp", "limits", "show"); nl != ipText {
		t.Errorf("limits: text differs\nnl: %q\nip: %q", nl, ipText)
	}
	words := strings.Fields(ipText)
	ipObj := map[string]any{}
	var ipKeys []string
	for i := 0; i+1 < len(words); i += 2 {
		var v float64
		if err := json.Unmarshal([]byte(words[i+1]), &v); err != nil {
			t.Fatalf("ip limits: %q", ipText)
		}
		ipObj[words[i]] = v
		ipKeys = append(ipKeys, words[i])
	}
	ipJSON, _ := json.Marshal([]map[string]any{ipObj})
	nlJSON := genlMustRun(t, "-j", "-n", name, "mptcp", "limits")
	genlCompareJSON(t, "limits", []byte(nlJSON), ipJSON, nil, nil)
	if got := genlKeyOrder(t, []byte(nlJSON)); len(got) != 1 || !slices.Equal(got[0], ipKeys) {
		t.Errorf("limits: key order %v, ip's text %v", got, ipKeys)
	}
}

// genlSyncBuffer is a bytes.Buffer safe for a writer and a reader.
type genlSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *genlSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *genlSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMptcpMonitor watches the events of an MPTCP listener being opened.
func TestMptcpMonitor(t *testing.T) {
	ns, name, _ := mptcpNS(t)
	for _, asJSON := range []bool{false, true} {
		args := []string{"-n", name, "mptcp", "monitor"}
		want := "[LISTENER_CREATED] saddr4=127.0.0.1 sport=10000\n"
		if asJSON {
			args = append([]string{"-j"}, args...)
			want = `{"type":"LISTENER_CREATED","saddr":"127.0.0.1","sport":10000}`
		}
		ctx, cancel := context.WithCancel(t.Context())
		var out, errb genlSyncBuffer
		done := make(chan int)
		go func() { done <- RunWithInput(ctx, args, strings.NewReader(""), &out, &errb) }()
		// The monitor joins its group at some point: open listeners
		// until one is seen.
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(out.String(), want) && time.Now().Before(deadline) {
			err := ns.Do(func() error {
				fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, unix.IPPROTO_MPTCP)
				if err != nil {
					return err
				}
				defer unix.Close(fd)
				if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
					return err
				}
				if err := unix.Bind(fd, &unix.SockaddrInet4{Port: 10000, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
					return err
				}
				return unix.Listen(fd, 1)
			})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("monitor: exit %d, stderr %q", code, errb.String())
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("monitor -j=%v: output %q, want a line %q", asJSON, out.String(), want)
		}
	}
}

// TestMptcpEventFormat: the text of an event, printed field by field with
// its JSON, is the library's (ip mptcp monitor's) Event.String.
func TestMptcpEventFormat(t *testing.T) {
	all := mptcp.AttrToken | mptcp.AttrLocalID | mptcp.AttrRemoteID | mptcp.AttrSport | mptcp.AttrDport | mptcp.AttrBackup |
		mptcp.AttrError | mptcp.AttrFlags | mptcp.AttrTimeout | mptcp.AttrIfIndex | mptcp.AttrResetReason | mptcp.AttrResetFlags
	v4 := netip.MustParseAddrPort("198.18.0.1:1000")
	v6 := netip.MustParseAddrPort("[2001:db8::1]:2000")
	for _, ev := range []mptcp.Event{
		{Type: mptcp.EventListenerCreated, Source: v4, Present: mptcp.AttrSaddr4 | mptcp.AttrSport},
		{Type: mptcp.EventSubEstablished, Token: 0xabc, LocalID: 1, RemoteID: 2, Source: v4, Dest: v4, Backup: true, Error: 3,
			Flags: 0x12, Timeout: 7, IfIndex: 4, ResetReason: 5, ResetFlags: 6, ServerSide: true,
			Present: all | mptcp.AttrSaddr4 | mptcp.AttrDaddr4},
		{Type: mptcp.EventAnnounced, Token: 1, Source: v6, Dest: v6, Present: all | mptcp.AttrSaddr6 | mptcp.AttrDaddr6},
		{Type: mptcp.EventCreated, Present: mptcp.AttrToken},
		{Type: 99, Token: 1, Present: mptcp.AttrToken},
	} {
		if got, want := mptcpEventFormat(ev, false).b.String(), ev.String()+"\n"; got != want {
			t.Errorf("text %q, want %q", got, want)
		}
		keys := mptcpEventFormat(ev, true).obj.keys
		if keys[0] != "type" || ev.ServerSide != slices.Contains(keys, "server_side") || ev.Has(mptcp.AttrToken) != slices.Contains(keys, "token") {
			t.Errorf("%v: JSON keys %q", ev, keys)
		}
	}
}
