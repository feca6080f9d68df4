package apitest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The word splitting the rules rely on.
func TestWords(t *testing.T) {
	for name, want := range map[string]string{
		"LinkByName": "Link By Name", "XDPFeatures": "XDP Features", "SetEndpointFlags": "Set Endpoint Flags",
		"Close": "Close", "UnmarshalText": "Unmarshal Text", "IfIndex": "If Index", "OpenPID": "Open PID",
	} {
		if got := strings.Join(Words(name), " "); got != want {
			t.Errorf("Words(%q) = %q, want %q", name, got, want)
		}
	}
}

// The rules refuse Refused and pass Accepted, with no allow-list and with
// allow-lists by verb (which cannot open a denied verb).
func TestRules(t *testing.T) {
	CheckRefuses(t, nil)
	CheckRefuses(t, Allow{"Get*": "no", "Do*": "no", "Subscribe*": "no", "Remove*": "no"})
}

// An allow-list by verb covers its verb and no denied one; an exact entry
// covers one name.
func TestAllow(t *testing.T) {
	a := Allow{"Execute*": "raw", "Get*": "denied: no effect", "Conn.Send": "raw"}
	for _, c := range []struct {
		f    Func
		want string
	}{
		{Func{Recv: "Conn", Name: "ExecuteAttrs"}, "Execute*"},
		{Func{Recv: "Client", Name: "Execute"}, "Execute*"},
		{Func{Recv: "Conn", Name: "GetLink"}, ""},
		{Func{Recv: "Conn", Name: "Send"}, "Conn.Send"},
		{Func{Recv: "Client", Name: "Send"}, ""},
		{Func{Name: "Send"}, ""},
	} {
		if got := a.match(c.f); got != c.want {
			t.Errorf("match(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, a ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, a...))
}
func (r *recorder) Fatalf(format string, a ...any) { r.Errorf(format, a...) }

// Check, on a package that breaks the vocabulary, reports each broken
// name, a denied verb allowed by verb, and a stale allow-list entry.
func TestCheckReports(t *testing.T) {
	p := MustParseDir(t, "testdata/bad")
	r := &recorder{TB: t}
	n := Check(r, Allow{"Execute*": "raw request", "Get*": "denied", "Conn.Gone": "stale"}, p)
	if n != 7 {
		t.Errorf("Check counted %d functions, want 7", n)
	}
	for _, want := range []string{
		`bad.Conn.GetRoute: "Get" is not a verb`,
		`bad.Conn.Route: a stream is a plural noun`,
		`bad.Conn.RouteSlice: a dump as a slice is XxxList`,
		`allow-list: "Get*": a denied verb`,
		`allow-list: "Conn.Gone" covers no exported name`,
		`allow-list: "Get*" covers no exported name`,
	} {
		if !slices.ContainsFunc(r.errs, func(e string) bool { return strings.HasPrefix(e, want) }) {
			t.Errorf("Check did not report %q; it reported:\n%s", want, strings.Join(r.errs, "\n"))
		}
	}
	for _, e := range r.errs {
		for _, ok := range []string{"bad.Conn.Routes:", "bad.Conn.Execute:", "bad.Conn.AddRoute:", "bad.Conn.String:"} {
			if strings.HasPrefix(e, ok) {
				t.Errorf("Check reported a name within the vocabulary: %s", e)
			}
		}
	}
	if len(r.errs) != 6 {
		t.Errorf("Check reported %d problems, want 6:\n%s", len(r.errs), strings.Join(r.errs, "\n"))
	}
}
