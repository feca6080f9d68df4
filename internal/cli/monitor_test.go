package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

func TestParseMonitor(t *testing.T) {
	all := "address link mroute neigh netconf nexthop nsid prefix route rule"
	for _, tc := range []struct {
		args    []string
		objects string
		banner  bool
		dev     string
		allNSID bool
		err     string
	}{
		{args: nil, objects: all},
		{args: []string{"all"}, objects: all, banner: true},
		{args: []string{"r", "a", "l"}, objects: "address route", banner: true}, // ip's order: "l" is label
		{args: []string{"neigh", "rule", "neigh", "al"}, objects: "neigh rule", allNSID: true},
		{args: []string{"nexthop", "nsid", "netconf", "prefix", "stats", "mroute"}, objects: "mroute netconf nexthop nsid prefix stats"},
		{args: []string{"link", "dev", "v0"}, objects: "link", dev: "v0"},
		{args: []string{"links"}, err: `Argument "links" is unknown, try "nl monitor help".`},
		{args: []string{"st"}, err: `Argument "st" is unknown, try "nl monitor help".`},
		{args: []string{"dev"}, err: `Command line is not complete. Try option "help"`},
	} {
		got, err := parseMonitor(tc.args)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.err)
			}
			continue
		}
		var objs []string
		for o := range got.objects {
			objs = append(objs, o)
		}
		slices.Sort(objs)
		if err != nil || strings.Join(objs, " ") != tc.objects || got.banner != tc.banner || got.dev != tc.dev || got.allNSID != tc.allNSID {
			t.Errorf("%q: got %+v %v", tc.args, got, err)
		}
	}
}

// syncBuffer is a writer safe for the monitor goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// monitorScript runs nl monitor with args while a scripted sequence of
// changes is made with nl, and returns what the monitor printed.
func monitorScript(t *testing.T, args ...string) string {
	t.Helper()
	_, name := kerneltest.NamedNetNS(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int)
	go func() {
		done <- RunWithInput(ctx, append([]string{"-n", name}, args...), strings.NewReader(""), &out, &errb)
	}()
	time.Sleep(200 * time.Millisecond) // let it subscribe
	for _, cmd := range [][]string{
		{"link", "add", "m0", "type", "ifb"},
		{"link", "set", "m0", "up"},
		{"address", "add", "198.18.4.1/24", "dev", "m0"},
		{"route", "add", "198.19.4.0/24", "via", "198.18.4.2"},
		{"neigh", "add", "198.18.4.3", "lladdr", "02:00:00:00:04:03", "dev", "m0"},
		{"rule", "add", "from", "198.18.5.0/24", "table", "100", "pref", "100"},
		{"route", "del", "198.19.4.0/24"},
		{"rule", "del", "pref", "100"},
		{"link", "del", "m0"},
	} {
		if _, stderr, code := run(t, append([]string{"-n", name}, cmd...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", cmd, code, stderr)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && !strings.Contains(out.String(), "m0") || strings.Count(out.String(), "\n") < 9 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("monitor exit %d: %s", code, errb.String())
	}
	return out.String()
}

// TestMonitorText: nl monitor prints the events of a scripted sequence of
// changes, in order, shaped like ip monitor.
func TestMonitorText(t *testing.T) {
	out := monitorScript(t, "monitor", "all")
	var want = []string{
		"[LINK]", "m0: <BROADCAST,NOARP>",
		"[ADDR]", "inet 198.18.4.1/24 scope global m0",
		"[ROUTE]198.19.4.0/24 via 198.18.4.2 dev m0",
		"[NEIGH]198.18.4.3 dev m0 lladdr 02:00:00:00:04:03 PERMANENT",
		"[RULE]100:\tfrom 198.18.5.0/24 lookup 100",
		"[ROUTE]Deleted 198.19.4.0/24 via 198.18.4.2 dev m0",
		"[RULE]Deleted 100:\tfrom 198.18.5.0/24 lookup 100",
		"[LINK]Deleted ",
	}
	pos := 0
	for _, w := range want {
		i := strings.Index(out[pos:], w)
		if i < 0 {
			t.Fatalf("monitor output lacks %q after position %d:\n%s", w, pos, out)
		}
		pos += i + len(w)
	}
}

// TestMonitorJSON: with -j, one JSON object per line, with the event and
// the object's show -j fields.
func TestMonitorJSON(t *testing.T) {
	out := monitorScript(t, "-j", "monitor", "route", "link")
	var sawRouteNew, sawRouteDel, sawLinkDel bool
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		switch {
		case m["object"] == "route" && m["dst"] == "198.19.4.0/24" && m["event"] == "new":
			sawRouteNew = m["gateway"] == "198.18.4.2" && m["dev"] == "m0"
		case m["object"] == "route" && m["dst"] == "198.19.4.0/24" && m["event"] == "deleted":
			sawRouteDel = true
		case m["object"] == "link" && m["ifname"] == "m0" && m["event"] == "deleted":
			sawLinkDel = true
		case m["object"] != "route" && m["object"] != "link":
			t.Fatalf("object %v was not asked for: %s", m["object"], line)
		}
	}
	if !sawRouteNew || !sawRouteDel || !sawLinkDel {
		t.Fatalf("route new %v, route deleted %v, link deleted %v:\n%s", sawRouteNew, sawRouteDel, sawLinkDel, out)
	}
}
