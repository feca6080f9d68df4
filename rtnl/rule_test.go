//go:build linux

package rtnl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

// ruRules collects the rules that match f.
func ruRules(t *testing.T, c *Conn, f RuleFilter) []Rule {
	t.Helper()
	return testList(t, c.Rules, f, "Rules")
}

// ruFind returns the rules of family fam with priority prio.
func ruFind(t *testing.T, c *Conn, fam Family, prio uint32) []Rule {
	t.Helper()
	var out []Rule
	for _, u := range ruRules(t, c, RuleFilter{Family: fam}) {
		if u.Priority == prio {
			out = append(out, u)
		}
	}
	return out
}

// ruReadBack asserts that want is the only rule of its priority.
func ruReadBack(t *testing.T, c *Conn, want Rule) {
	t.Helper()
	got := ruFind(t, c, want.Family, want.Priority)
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Fatalf("read back rule %d:\n got %+v\nwant %+v", want.Priority, got, want)
	}
}

func TestRuleLifecycle(t *testing.T) {
	for _, f := range rtFams {
		t.Run(f.name, func(t *testing.T) {
			env := rtSetup(t, false)
			c, ctx := env.c, t.Context()
			want := Rule{Family: f.fam, Priority: 100, Table: 100, Action: RuleActionLookup,
				Src: f.p(1), Dst: f.p(2), Mark: 0x10, Mask: 0xff, IifName: "veth0", OifName: "veth2",
				Invert: true, Protocol: ProtoStatic}
			if err := c.AddRule(ctx, want); err != nil {
				t.Fatalf("AddRule: %v", err)
			}
			ruReadBack(t, c, want)
			err := c.AddRule(ctx, want)
			testKernelError(t, err, "add rule priority 100 table 100: file exists", syscall.EEXIST)
			if !errors.Is(err, fs.ErrExist) {
				t.Errorf("errors.Is(%v, fs.ErrExist) = false", err)
			}

			// Defaults: family from Src, lookup action; a mark alone
			// compares all bits; table ids above 255.
			r2 := Rule{Priority: 101, Table: 1000, Src: f.p(3), Mark: 0x20}
			if err := c.AddRule(ctx, r2); err != nil {
				t.Fatalf("AddRule(%+v): %v", r2, err)
			}
			r2.Family, r2.Action, r2.Mask = f.fam, RuleActionLookup, 0xffffffff
			ruReadBack(t, c, r2)

			// The other actions and selectors.
			zero := uint32(0)
			rules := []Rule{
				// Its target does not exist yet; the kernel computes the
				// read-only flags, which AddRule does not send.
				{Family: f.fam, Priority: 150, Action: RuleActionGoto, Goto: 200, Unresolved: true},
				{Family: f.fam, Priority: 200, Action: RuleActionBlackhole, Dst: f.p(5)},
				{Family: f.fam, Priority: 201, Action: RuleActionUnreachable, OifName: "veth0"},
				{Family: f.fam, Priority: 202, Action: RuleActionProhibit, IifName: "lo"},
				{Family: f.fam, Priority: 203, Action: RuleActionNop},
				{Family: f.fam, Priority: 204, Action: RuleActionLookup, Table: TableMain, SuppressPrefixLength: &zero},
				{Family: f.fam, Priority: 205, Action: RuleActionLookup, Table: 1000, IPProto: 6,
					SrcPorts: PortRange{1000, 1000}, DstPorts: PortRange{80, 90}, UIDRange: &UIDRange{100, 200}, Protocol: ProtoBGP},
				{Family: f.fam, Priority: 206, Action: RuleActionLookup, Table: 1001, Mark: 0, Mask: 0xffffffff},
				{Family: f.fam, Priority: 208, Action: RuleActionLookup, Table: 7, IifName: "nosuch0", OifName: "nosuch1",
					IifDetached: true, OifDetached: true},
			}
			if f.fam == FamilyIPv4 {
				rules = append(rules, Rule{Family: f.fam, Priority: 207, Action: RuleActionLookup, Table: 7, Tos: 0x10, Realms: 5})
			}
			for _, u := range rules {
				if err := c.AddRule(ctx, u); err != nil {
					t.Fatalf("AddRule(%+v): %v", u, err)
				}
				ruReadBack(t, c, u)
			}
			resolved := rules[0]
			resolved.Unresolved = false
			ruReadBack(t, c, resolved)

			// Delete by the full rule, and by priority alone.
			if err := c.DeleteRule(ctx, want); err != nil {
				t.Fatalf("DeleteRule: %v", err)
			}
			if got := ruFind(t, c, f.fam, 100); len(got) != 0 {
				t.Fatalf("after delete: %+v", got)
			}
			testKernelError(t, c.DeleteRule(ctx, want), "delete rule", syscall.ENOENT)
			for _, u := range rules {
				if err := c.DeleteRule(ctx, Rule{Family: f.fam, Priority: u.Priority}); err != nil {
					t.Fatalf("DeleteRule(priority %d): %v", u.Priority, err)
				}
			}
			// Left: the defaults and r2.
			var prios []uint32
			for _, u := range ruRules(t, c, RuleFilter{Family: f.fam}) {
				prios = append(prios, u.Priority)
			}
			wantPrios := []uint32{0, 101, 32766, 32767}
			if f.fam == FamilyIPv6 {
				wantPrios = []uint32{0, 101, 32766}
			}
			if !reflect.DeepEqual(prios, wantPrios) {
				t.Errorf("priorities left: %v, want %v", prios, wantPrios)
			}
		})
	}
}

func TestRuleErrors(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	// A goto backwards.
	if err := c.AddRule(ctx, Rule{Family: FamilyIPv4, Priority: 50}); err != nil {
		t.Fatal(err)
	}
	ne := testKernelError(t, c.AddRule(ctx, Rule{Family: FamilyIPv4, Priority: 60, Goto: 50}), "add rule", syscall.EINVAL)
	if ne.Message == "" {
		t.Errorf("backward goto: no extended-ACK message in %v", ne)
	}
	// No family.
	ne = testKernelError(t, c.AddRule(ctx, Rule{Priority: 61, Table: 5}), "add rule", syscall.EAFNOSUPPORT)
	if ne.Message == "" {
		t.Errorf("no family: no extended-ACK message in %v", ne)
	}
	// Deleting what is not there.
	testKernelError(t, c.DeleteRule(ctx, Rule{Family: FamilyIPv6, Priority: 4242}), "delete rule", syscall.ENOENT)
}

func TestRuleFilter(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	for _, u := range []Rule{{Family: FamilyIPv4, Priority: 10, Table: 10}, {Family: FamilyIPv6, Priority: 11, Table: 10}, {Family: FamilyIPv6, Priority: 12, Table: 11}} {
		if err := c.AddRule(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	fams := map[Family]int{}
	for _, u := range ruRules(t, c, RuleFilter{}) {
		fams[u.Family]++
	}
	if fams[FamilyIPv4] != 4 || fams[FamilyIPv6] != 4 {
		t.Errorf("Rules({}) families: %v, want 4 IPv4 and 4 IPv6", fams)
	}
	if got := ruRules(t, c, RuleFilter{Family: FamilyIPv6}); len(got) != 4 || got[1].Priority != 11 {
		t.Errorf("Rules(IPv6) = %+v", got)
	}
	got := ruRules(t, c, RuleFilter{Table: 10})
	if len(got) != 2 || got[0].Priority != 10 || got[1].Priority != 11 {
		t.Errorf("Rules(Table 10) = %+v", got)
	}
	if got := ruRules(t, c, RuleFilter{Family: FamilyIPv4, Table: TableMain}); len(got) != 1 || got[0].Priority != 32766 {
		t.Errorf("Rules(IPv4, main) = %+v", got)
	}
}

// ruIPRule is a rule as `ip -j rule show` prints it.
type ruIPRule struct {
	Priority   uint32 `json:"priority"`
	Not        bool   `json:"-"` // "not": null is there or not
	Src        string `json:"src"`
	SrcLen     int    `json:"srclen"`
	Dst        string `json:"dst"`
	DstLen     int    `json:"dstlen"`
	Fwmark     string `json:"fwmark"`
	Fwmask     string `json:"fwmask"`
	Iif        string `json:"iif"`
	Oif        string `json:"oif"`
	Table      string `json:"table"`
	Goto       uint32 `json:"goto"`
	Action     string `json:"action"`
	Protocol   string `json:"protocol"`
	Suppress   *int   `json:"suppress_prefixlen"`
	IPProto    string `json:"ipproto"`
	DportStart uint16 `json:"dport_start"`
	DportEnd   uint16 `json:"dport_end"`
	Dport      uint16 `json:"dport"`
	UIDStart   uint32 `json:"uid_start"`
	UIDEnd     uint32 `json:"uid_end"`
}

func TestRuleMatchesIproute2(t *testing.T) {
	env := rtSetup(t, true)
	c := env.c
	rtBatch(t, env.ns, `rule add from 198.18.0.0/24 to 198.19.1.0/24 fwmark 0x10/0xff iif veth0 oif veth2 table 100 pref 100 not
rule add fwmark 0x20 lookup 1000 pref 101
rule add pref 150 goto 200
rule add pref 200 blackhole
rule add pref 201 prohibit to 198.19.9.0/24
rule add pref 204 table main suppress_prefixlength 0
rule add pref 205 ipproto tcp dport 80-90 uidrange 100-200 table 1000 proto static
`)
	rtBatch(t, env.ns, `rule add from 2001:db8::/32 table 100 pref 100
rule add to 2001:db8:5::/48 iif veth0 unreachable pref 101
rule add not fwmark 0x7/0xf lookup 1001 pref 102
`, "-6")
	for _, fam := range []struct {
		f    Family
		args []string
	}{{FamilyIPv4, []string{"-j", "-d", "-4", "rule", "show"}}, {FamilyIPv6, []string{"-j", "-d", "-6", "rule", "show"}}} {
		var ipr []ruIPRule
		out := kerneltest.Run(t, env.ns, "ip", fam.args...)
		var keys []map[string]any
		if err := errors.Join(json.Unmarshal(out, &ipr), json.Unmarshal(out, &keys)); err != nil {
			t.Fatalf("ip %v: %v\n%s", fam.args, err, out)
		}
		for i, k := range keys {
			_, ipr[i].Not = k["not"]
		}
		ours := ruRules(t, c, RuleFilter{Family: fam.f})
		if len(ours) != len(ipr) || len(ours) < 5 {
			t.Fatalf("%v: we list %d rules, ip %d:\n%+v\n%s", fam.f, len(ours), len(ipr), ours, out)
		}
		for i, u := range ours {
			ruCompareIP(t, u, ipr[i])
		}
	}
}

func ruCompareIP(t *testing.T, u Rule, j ruIPRule) {
	t.Helper()
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("rule %d: %s: ip says %q, we say %q", u.Priority, what, want, got)
		}
	}
	check("priority", strconv.Itoa(int(u.Priority)), strconv.Itoa(int(j.Priority)))
	check("not", strconv.FormatBool(u.Invert), strconv.FormatBool(j.Not))
	src, dst := "all", ""
	if u.Src.IsValid() {
		src = fmt.Sprintf("%v/%d", u.Src.Addr(), u.Src.Bits())
	}
	if u.Dst.IsValid() {
		dst = fmt.Sprintf("%v/%d", u.Dst.Addr(), u.Dst.Bits())
	}
	ipSrc, ipDst := j.Src, ""
	if j.SrcLen != 0 {
		ipSrc += "/" + strconv.Itoa(j.SrcLen)
	}
	if j.Dst != "" {
		ipDst = j.Dst + "/" + strconv.Itoa(j.DstLen)
	}
	check("src", src, ipSrc)
	check("dst", dst, ipDst)
	mark, mask := "", ""
	if u.Mark != 0 || u.Mask != 0 && u.Mask != 0xffffffff {
		mark = fmt.Sprintf("%#x", u.Mark)
	}
	if u.Mask != 0xffffffff && u.Mask != 0 {
		mask = fmt.Sprintf("%#x", u.Mask)
	}
	check("fwmark", mark, j.Fwmark)
	check("fwmask", mask, j.Fwmask)
	check("iif", u.IifName, j.Iif)
	check("oif", u.OifName, j.Oif)
	switch u.Action {
	case RuleActionLookup:
		check("table", u.Table.String(), j.Table)
	case RuleActionGoto:
		check("goto", strconv.Itoa(int(u.Goto)), strconv.Itoa(int(j.Goto)))
	case RuleActionNop:
	default:
		check("action", u.Action.String(), j.Action)
	}
	check("protocol", u.Protocol.String(), j.Protocol)
	sup, ipSup := "", ""
	if u.SuppressPrefixLength != nil {
		sup = strconv.Itoa(int(*u.SuppressPrefixLength))
	}
	if j.Suppress != nil {
		ipSup = strconv.Itoa(*j.Suppress)
	}
	check("suppress_prefixlength", sup, ipSup)
	if u.IPProto == 6 {
		check("ipproto", "tcp", j.IPProto)
	}
	dp := fmt.Sprint(u.DstPorts)
	check("dport", dp, fmt.Sprint(PortRange{max(j.DportStart, j.Dport), max(j.DportEnd, j.Dport)}))
	uid := ""
	if u.UIDRange != nil {
		uid = fmt.Sprint(*u.UIDRange)
	}
	ipUID := ""
	if j.UIDEnd != 0 {
		ipUID = fmt.Sprint(UIDRange{j.UIDStart, j.UIDEnd})
	}
	check("uidrange", uid, ipUID)
}

func TestRuleDecodeCaptured(t *testing.T) {
	zero := uint32(0)
	for _, tc := range []struct {
		name string
		hex  string
		want Rule
	}{
		{"IPv4", ruSeedIPv4, Rule{Family: FamilyIPv4, Priority: 100, Table: 100, Action: RuleActionLookup, Invert: true,
			Src: rtPfx("198.18.0.0/24"), Dst: rtPfx("198.18.1.0/24"), Mark: 0x10, Mask: 0xff, IifName: "veth0", OifName: "veth1"}},
		{"IPv6", ruSeedIPv6, Rule{Family: FamilyIPv6, Priority: 200, Table: 1000, Action: RuleActionLookup,
			Src: rtPfx("2001:db8::/32"), Protocol: ProtoStatic, IPProto: 6, SrcPorts: PortRange{1000, 1000}, DstPorts: PortRange{80, 90},
			UIDRange: &UIDRange{100, 200}, SuppressPrefixLength: &zero}},
		{"local", ruSeedLocal, Rule{Family: FamilyIPv4, Table: TableLocal, Action: RuleActionLookup, Protocol: ProtoKernel}},
		{"IPMR", ruSeedIPMR, Rule{Family: 128, Priority: 32767, Table: TableDefault, Action: RuleActionLookup, Protocol: ProtoKernel}},
	} {
		var u Rule
		if err := u.UnmarshalBinary(rtHex(tc.hex)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !reflect.DeepEqual(u, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, u, tc.want)
		}
		b, err := u.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var u2 Rule
		if err := u2.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(u, u2) {
			t.Errorf("%s: round trip: %+v, %v", tc.name, u2, err)
		}
	}
}

func TestRuleDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short", rtHex(ruSeedLocal)[:8], "fib_rule_hdr"},
		{"FRA_PRIORITY length", rtPatch(rtHex(ruSeedIPv4), "0800060064000000", "0600060064000000"), "FRA_PRIORITY"},
		{"FRA_SRC family", rtPatch(rtHex(ruSeedIPv6), "0a002000", "02002000"), "FRA_SRC"},
		{"FRA_UID_RANGE length", rtPatch(rtHex(ruSeedIPv6), "0c001400", "08001400"), "FRA_UID_RANGE"},
		{"FRA_DPORT_RANGE length", rtPatch(rtHex(ruSeedIPv6), "08001800", "06001800"), "FRA_DPORT_RANGE"},
		{"src_len", rtPatch(rtHex(ruSeedIPv4), "02181800", "02182100"), "src_len"},
	} {
		var u Rule
		err := u.UnmarshalBinary(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.want)
		}
	}
	if got := RuleActionBlackhole.String() + " " + RuleAction(42).String(); got != "blackhole 42" {
		t.Errorf("RuleAction strings: %q", got)
	}
}
