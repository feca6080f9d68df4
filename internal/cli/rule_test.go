package cli

import (
	"context"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

func TestParseRule(t *testing.T) {
	p := netip.MustParsePrefix
	v4 := rtnl.FamilyIPv4
	for _, tc := range []struct {
		args []string
		fam  Family
		want ruleRequest
		err  string
	}{
		{args: nil, want: ruleRequest{cmd: "show", rule: rtnl.Rule{Family: v4}}},
		{args: nil, fam: FamilyInet6, want: ruleRequest{cmd: "show", rule: rtnl.Rule{Family: rtnl.FamilyIPv6}}},
		{args: []string{"list", "table", "main", "pref", "100"},
			want: ruleRequest{cmd: "show", rule: rtnl.Rule{Family: v4, Table: rtnl.TableMain, Priority: 100}, hasPref: true, hasTable: true}},
		{args: []string{"s", "10.0.0.0/8", "iif", "v0", "not", "fwmark", "0x10/0xff"},
			want: ruleRequest{cmd: "show", rule: rtnl.Rule{Family: v4, Dst: p("10.0.0.0/8"), IifName: "v0", Invert: true, Mark: 0x10, Mask: 0xff},
				hasMark: true, hasMask: true}},
		{args: []string{"add", "from", "10.0.0.0/8", "table", "100", "pref", "100"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Src: p("10.0.0.0/8"), Table: 100, Priority: 100}, hasPref: true, hasTable: true}},
		{args: []string{"add", "not", "to", "10.1.0.0/16", "fwmark", "0x10/0xff", "iif", "v0", "oif", "v1", "lookup", "main", "priority", "200", "proto", "static"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Invert: true, Dst: p("10.1.0.0/16"), Mark: 0x10, Mask: 0xff,
				IifName: "v0", OifName: "v1", Table: rtnl.TableMain, Priority: 200, Protocol: rtnl.ProtoStatic},
				hasMark: true, hasMask: true, hasPref: true, hasTable: true}},
		{args: []string{"add", "from", "2001:db8::/32", "table", "200"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Src: p("2001:db8::/32"), Table: 200}, hasTable: true}}, // the kernel refuses it, as ip's
		{args: []string{"add", "fwmark", "5", "blackhole", "order", "400"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Mark: 5, Action: rtnl.RuleActionBlackhole, Priority: 400}, hasMark: true, hasPref: true}},
		{args: []string{"add", "from", "all", "type", "unreachable"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Action: rtnl.RuleActionUnreachable}}},
		{args: []string{"add", "prohibit", "dev", "v0"}, fam: FamilyInet6,
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: rtnl.FamilyIPv6, Action: rtnl.RuleActionProhibit, IifName: "v0"}}},
		{args: []string{"add", "pref", "300", "goto", "400"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Priority: 300, Goto: 400, Action: rtnl.RuleActionGoto}, hasPref: true}},
		{args: []string{"add", "nop", "pref", "600"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Action: rtnl.RuleActionNop, Priority: 600}, hasPref: true}},
		{args: []string{"a", "from", "10.0.0.0/8"},
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Src: p("10.0.0.0/8"), Table: rtnl.TableMain}}},
		{args: []string{"del", "pref", "100"},
			want: ruleRequest{cmd: "delete", rule: rtnl.Rule{Family: v4, Priority: 100}, hasPref: true}},

		// Every error message.
		{args: []string{"frob"}, err: `Command "frob" is unknown, try "nl rule help".`},
		{args: []string{"add"}, err: `"nl rule add" requires arguments.`},
		{args: []string{"delete"}, err: `"nl rule del" requires arguments.`},
		{args: []string{"add", "from", "xyz"}, err: `Error: any valid prefix is expected rather than "xyz".`},
		{args: []string{"add", "from", "10.0.0.0/8", "to", "2001:db8::/32"}, // the kernel refuses it, as ip's
			want: ruleRequest{cmd: "add", rule: rtnl.Rule{Family: v4, Src: p("10.0.0.0/8"), Dst: p("2001:db8::/32"), Table: rtnl.TableMain}}},
		{args: []string{"add", "to", "xyz"}, err: `Error: any valid prefix is expected rather than "xyz".`},
		{args: []string{"add", "fwmark", "xyz"}, err: `Error: argument "xyz" is wrong: fwmark value is invalid` + "\n"},
		{args: []string{"add", "fwmark", "1/xyz"}, err: `Error: argument "xyz" is wrong: fwmask value is invalid` + "\n"},
		{args: []string{"add", "pref", "xyz"}, err: `Error: argument "xyz" is wrong: preference value is invalid` + "\n"},
		{args: []string{"add", "table", "xyz"}, err: `Error: argument "xyz" is wrong: invalid table ID` + "\n"},
		{args: []string{"add", "protocol", "xyz"}, err: `Error: argument "xyz" is wrong: "protocol" value is invalid` + "\n"},
		{args: []string{"add", "goto", "xyz"}, err: `Error: argument "xyz" is wrong: invalid target` + "\n"},
		{args: []string{"add", "goto"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "type"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "frob"}, err: `Error: argument "frob" is wrong: Failed to parse rule type`},
		{args: []string{"add", "iif"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"add", "iif", "a/b"}, err: `Error: argument "a/b" is wrong: "iif"/"dev" not a valid ifname`},
		{args: []string{"add", "oif", "0123456789abcdef"}, err: `Error: argument "0123456789abcdef" is wrong: "oif" not a valid ifname`},
		{args: []string{"show", "frob"}, err: `Error: inet prefix is expected rather than "frob".`}, // ip's list: inet unless -6
	} {
		got, err := parseRule(tc.args, tc.fam)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
}

func TestRuleHelp(t *testing.T) {
	if _, out, code := run(t, "rule", "help"); code != ExitUsage || !strings.Contains(out, "nl rule { add | del } SELECTOR ACTION") {
		t.Errorf("rule help: exit %d, %q", code, out)
	}
}

// rtRules lists the rules of a family.
func rtRules(t *testing.T, c *rtnl.Conn, fam rtnl.Family) []rtnl.Rule {
	t.Helper()
	rs, err := netlink.Collect(c.Rules(context.Background(), rtnl.RuleFilter{Family: fam}))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// rtRuleAt gives the rules at one priority.
func rtRuleAt(t *testing.T, c *rtnl.Conn, fam rtnl.Family, pref uint32) []rtnl.Rule {
	t.Helper()
	var out []rtnl.Rule
	for _, u := range rtRules(t, c, fam) {
		if u.Priority == pref {
			out = append(out, u)
		}
	}
	return out
}

// TestRuleCommands adds and deletes rules and checks them through the
// library.
func TestRuleCommands(t *testing.T) {
	_, name, c := rtNS(t)
	nl := func(args ...string) { t.Helper(); rtMustRun(t, append([]string{"-n", name}, args...)...) }
	v4, v6 := rtnl.FamilyIPv4, rtnl.FamilyIPv6
	nl("rule", "add", "from", "10.0.0.0/8", "table", "100", "pref", "100")
	nl("rule", "add", "not", "to", "10.1.0.0/16", "fwmark", "0x10/0xff", "iif", "v0", "lookup", "main", "pref", "200")
	nl("rule", "add", "oif", "v1", "goto", "900", "pref", "300")
	nl("rule", "add", "fwmark", "5", "blackhole", "pref", "400")
	nl("rule", "add", "unreachable", "pref", "500", "proto", "static")
	nl("rule", "add", "nop", "pref", "600")
	nl("rule", "add", "pref", "900", "lookup", "1000")
	nl("-6", "rule", "add", "from", "2001:db8::/32", "table", "200", "pref", "100")
	nl("-6", "rule", "add", "prohibit", "pref", "700", "from", "2001:db8:1::/48")
	// Without -6 the rule is an IPv4 one, as in ip: the kernel refuses
	// the IPv6 source.
	rtFails(t, ExitKernel, "Error: Invalid source address.", "-n", name, "rule", "add", "prohibit", "pref", "701", "from", "2001:db8:1::/48")
	for _, tc := range []struct {
		fam  rtnl.Family
		pref uint32
		want rtnl.Rule
	}{
		{v4, 100, rtnl.Rule{Src: netip.MustParsePrefix("10.0.0.0/8"), Table: 100, Action: rtnl.RuleActionLookup}},
		{v4, 200, rtnl.Rule{Invert: true, Dst: netip.MustParsePrefix("10.1.0.0/16"), Mark: 0x10, Mask: 0xff, IifName: "v0",
			Table: rtnl.TableMain, Action: rtnl.RuleActionLookup}},
		{v4, 300, rtnl.Rule{OifName: "v1", Goto: 900, Action: rtnl.RuleActionGoto}},
		{v4, 400, rtnl.Rule{Mark: 5, Mask: 0xffffffff, Action: rtnl.RuleActionBlackhole}},
		{v4, 500, rtnl.Rule{Action: rtnl.RuleActionUnreachable, Protocol: rtnl.ProtoStatic}},
		{v4, 600, rtnl.Rule{Action: rtnl.RuleActionNop}},
		{v4, 900, rtnl.Rule{Table: 1000, Action: rtnl.RuleActionLookup}},
		{v6, 100, rtnl.Rule{Src: netip.MustParsePrefix("2001:db8::/32"), Table: 200, Action: rtnl.RuleActionLookup}},
		{v6, 700, rtnl.Rule{Src: netip.MustParsePrefix("2001:db8:1::/48"), Action: rtnl.RuleActionProhibit}},
	} {
		rs := rtRuleAt(t, c, tc.fam, tc.pref)
		tc.want.Family, tc.want.Priority = tc.fam, tc.pref
		if len(rs) != 1 || !reflect.DeepEqual(rs[0], tc.want) {
			t.Errorf("%v rule %d: %+v\nwant %+v", tc.fam, tc.pref, rs, tc.want)
		}
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: File exists", "-n", name, "rule", "add", "from", "10.0.0.0/8", "table", "100", "pref", "100")
	rtFails(t, ExitKernel, "Error: Backward goto not supported.", "-n", name, "rule", "add", "goto", "100", "pref", "1000")
	nl("rule", "del", "pref", "100")
	nl("rule", "delete", "fwmark", "5", "blackhole")
	nl("-6", "rule", "del", "from", "2001:db8::/32")
	if rs := rtRuleAt(t, c, v4, 100); len(rs) != 0 {
		t.Errorf("del pref 100: left %v", rs)
	}
	if rs := rtRuleAt(t, c, v4, 400); len(rs) != 0 {
		t.Errorf("del fwmark 5: left %v", rs)
	}
	if rs := rtRuleAt(t, c, v6, 100); len(rs) != 0 {
		t.Errorf("del -6: left %v", rs)
	}
	rtFails(t, ExitKernel, "RTNETLINK answers: No such file or directory", "-n", name, "rule", "del", "pref", "100")
	rtFails(t, ExitFailure, `"nl rule add" requires arguments.`, "-n", name, "rule", "add")
}

// TestRuleShowMatchesIP compares nl -j rule show with ip -j; text output
// is compared too. Every key ip prints for these rules is printed.
func TestRuleShowMatchesIP(t *testing.T) {
	ns, name, _ := rtNS(t)
	for _, cmd := range [][]string{
		{"rule", "add", "from", "10.0.0.0/8", "table", "100", "pref", "100"},
		{"rule", "add", "not", "to", "10.1.0.0/16", "fwmark", "0x10/0xff", "iif", "v0", "lookup", "main", "pref", "200"},
		{"rule", "add", "oif", "v1", "goto", "900", "pref", "300"},
		{"rule", "add", "fwmark", "5", "blackhole", "pref", "400"},
		{"rule", "add", "fwmark", "0/0xff", "lookup", "7", "pref", "410"},
		{"rule", "add", "unreachable", "pref", "500", "proto", "static"},
		{"rule", "add", "nop", "pref", "600"},
		{"rule", "add", "prohibit"},
		{"rule", "add", "pref", "900", "lookup", "1000", "to", "198.18.2.7"},
		{"rule", "add", "pref", "910", "lookup", "main", "suppress_prefixlength", "0"},
		{"rule", "add", "pref", "920", "ipproto", "tcp", "dport", "80-90", "sport", "22", "lookup", "5"},
		{"rule", "add", "pref", "930", "uidrange", "100-200", "lookup", "6"},
		// [detached] and [unresolved]: links that do not exist, a goto
		// without its target.
		{"rule", "add", "pref", "940", "iif", "nosuch0", "lookup", "8"},
		{"rule", "add", "pref", "950", "oif", "nosuch1", "lookup", "9"},
		{"rule", "add", "pref", "960", "goto", "965"},
		{"-6", "rule", "add", "from", "2001:db8::/32", "table", "200", "pref", "100"},
		{"-6", "rule", "add", "to", "2001:db8::1", "unreachable", "pref", "200"},
	} {
		kerneltest.Run(t, ns, "ip", cmd...)
	}
	for _, args := range [][]string{
		{"rule"},
		{"-6", "rule"},
		{"-d", "rule"},
		{"-d", "-6", "rule", "show"},
		{"rule", "show", "table", "main"},
		{"rule", "show", "pref", "200"},
		{"rule", "list", "from", "10.0.0.0/8"},
		{"rule", "show", "iif", "v0"},
		{"rule", "show", "fwmark", "5"},
		{"rule", "show", "not"},
	} {
		rtCompareIP(t, ns, name, nil, nil, args...)
		nl := rtMustRun(t, append([]string{"-n", name}, args...)...)
		if ip := kerneltest.Run(t, ns, "ip", args...); nl != string(ip) {
			t.Errorf("%v: text differs\nnl:\n%s\nip:\n%s", args, nl, ip)
		}
	}
}
