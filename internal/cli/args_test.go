package cli

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// The toolkit's answers, as ip 6.1 (glibc's strtoul, strtol and sscanf)
// gives them; TestWordsLikeIP runs the same words through ip itself.

func TestGetUint(t *testing.T) {
	for _, tc := range []struct {
		s                 string
		base              int
		u8, u16, u32, u64 string // the value read at that width; "-": refused
		reason            string
	}{
		{"0", 0, "0", "0", "0", "0", ""},
		{"1500", 0, "-", "1500", "1500", "1500", "decimal"},
		{"0x5dc", 0, "-", "1500", "1500", "1500", "0x is hexadecimal"},
		{"0X5DC", 0, "-", "1500", "1500", "1500", "in either case"},
		{"02734", 0, "-", "1500", "1500", "1500", "a leading 0 is octal"},
		{"08", 0, "-", "-", "-", "-", "8 is no octal digit"},
		{"+5", 0, "5", "5", "5", "5", "strtoul takes a sign"},
		{" 5", 0, "5", "5", "5", "5", "and leading blanks"},
		{"\v\t5", 0, "5", "5", "5", "5", "C's blanks"},
		{"-0", 0, "0", "0", "0", "0", "minus zero is zero"},
		{"-1", 0, "-", "-", "-", "18446744073709551615", "minus one wraps to 2^64-1"},
		{"1_500", 0, "-", "-", "-", "-", "no underscores"},
		{"0b1010", 0, "-", "-", "-", "-", "no binary"},
		{"0o17", 0, "-", "-", "-", "-", "no 0o"},
		{"0x", 0, "-", "-", "-", "-", "0x without digits: stops at x"},
		{"0xg", 0, "-", "-", "-", "-", ""},
		{"5x", 0, "-", "-", "-", "-", "trailing garbage"},
		{"5 ", 0, "-", "-", "-", "-", "trailing blank"},
		{"", 0, "-", "-", "-", "-", "empty"},
		{" ", 0, "-", "-", "-", "-", "blanks only"},
		{"+", 0, "-", "-", "-", "-", "a sign only"},
		{"255", 0, "255", "255", "255", "255", ""},
		{"256", 0, "-", "256", "256", "256", ""},
		{"65536", 0, "-", "-", "65536", "65536", ""},
		{"4294967295", 0, "-", "-", "4294967295", "4294967295", ""},
		{"4294967296", 0, "-", "-", "-", "4294967296", ""},
		{"18446744073709551615", 0, "-", "-", "-", "18446744073709551615", ""},
		{"18446744073709551616", 0, "-", "-", "-", "-", "ERANGE"},
		{"08", 16, "8", "8", "8", "8", "base 16 (vxlan tos)"},
		{"0x10", 16, "16", "16", "16", "16", "base 16 takes 0x too"},
		{"ff", 16, "255", "255", "255", "255", ""},
		{"010", 10, "10", "10", "10", "10", "base 10: no octal"},
	} {
		for _, w := range []struct {
			bits int
			want string
		}{{8, tc.u8}, {16, tc.u16}, {32, tc.u32}, {64, tc.u64}} {
			got := "-"
			if n, ok := getUint(tc.s, tc.base, w.bits); ok {
				got = strconv.FormatUint(n, 10)
			}
			if got != w.want {
				t.Errorf("getUint(%q, %d, %d) = %s; want %s (%s)", tc.s, tc.base, w.bits, got, w.want, tc.reason)
			}
		}
	}
}

func TestGetInt(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int64
		ok   bool
	}{
		{"1500", 1500, true},
		{"-1", -1, true},
		{"-0", 0, true},
		{"+0x10", 16, true},
		{" -010", -8, true},
		{"2147483647", 2147483647, true},
		{"2147483648", 0, false},
		{"-2147483648", -2147483648, true},
		{"-2147483649", 0, false},
		{"99999999999999999999", 0, false},
		{"1_500", 0, false},
		{"0b1", 0, false},
		{"-", 0, false},
		{"", 0, false},
	} {
		if n, ok := getInt(tc.s, 32); ok != tc.ok || ok && n != tc.want {
			t.Errorf("getInt(%q, 32) = %d, %v; want %d, %v", tc.s, n, ok, tc.want, tc.ok)
		}
	}
}

// TestParseGroup: ip's rtnl_group_a2n reads a long, then keeps an int
// that must not be negative.
func TestParseGroup(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want uint32
		ok   bool
	}{
		{"default", 0, true},
		{"5", 5, true},
		{"-0", 0, true},
		{"4294967297", 1, true},
		{"2147483648", 0, false},
		{"-1", 0, false},
		{"99999999999999999999", 0, false},
		{"blue", 0, false},
	} {
		if g, ok := parseGroup(tc.s); ok != tc.ok || ok && g != tc.want {
			t.Errorf("parseGroup(%q) = %d, %v; want %d, %v", tc.s, g, ok, tc.want, tc.ok)
		}
	}
}

func TestParsePrefix(t *testing.T) {
	p := netip.MustParsePrefix
	for _, tc := range []struct {
		s    string
		fam  Family
		want netip.Prefix // invalid: "default", "all", "any"
		any  bool
		plen bool
		ok   bool
	}{
		{"198.18.5.0/24", FamilyAny, p("198.18.5.0/24"), false, true, true},
		{"198.18.5.1", FamilyAny, p("198.18.5.1/32"), false, false, true},
		{"10", FamilyAny, p("10.0.0.0/32"), false, false, true},
		{"10.1/16", FamilyAny, p("10.1.0.0/16"), false, true, true},
		{"0x0a.1", FamilyAny, p("10.1.0.0/32"), false, false, true},
		{"012.0.0.1", FamilyAny, p("10.0.0.1/32"), false, false, true},
		{"-0.1.2.3", FamilyAny, p("0.1.2.3/32"), false, false, true},
		{" 1.2.3.4", FamilyAny, p("1.2.3.4/32"), false, false, true},
		{"1.2.3.08", FamilyAny, netip.Prefix{}, false, false, false},
		{"1.2.3.4.5", FamilyAny, netip.Prefix{}, false, false, false},
		{"1.2.3.", FamilyAny, netip.Prefix{}, false, false, false},
		{"256.1.1.1", FamilyAny, netip.Prefix{}, false, false, false},
		{"198.18.5.0/0x18", FamilyAny, p("198.18.5.0/24"), false, true, true},
		{"198.18.5.0/+24", FamilyAny, p("198.18.5.0/24"), false, true, true},
		{"198.18.5.0/255.255.255.0", FamilyAny, p("198.18.5.0/24"), false, true, true},
		{"198.18.5.0/255.0.255.0", FamilyAny, netip.Prefix{}, false, false, false},
		{"198.18.5.0/default", FamilyAny, p("198.18.5.0/0"), false, true, true},
		{"198.18.5.0/33", FamilyAny, netip.Prefix{}, false, false, false},
		{"198.18.5.0/", FamilyAny, netip.Prefix{}, false, false, false},
		{"2001:db8::/64", FamilyAny, p("2001:db8::/64"), false, true, true},
		{"2001:db8::/255.255.0.0", FamilyAny, p("2001:db8::/16"), false, true, true},
		{"2001:db8::5", FamilyAny, p("2001:db8::5/128"), false, false, true},
		{"::ffff:1.2.3.4", FamilyAny, p("::ffff:1.2.3.4/128"), false, false, true},
		{"fe80::1%v0", FamilyAny, netip.Prefix{}, false, false, false},
		{"2001:db8::/64", FamilyInet, netip.Prefix{}, false, false, false},
		{"198.18.5.0/24", FamilyInet6, netip.Prefix{}, false, false, false},
		{"198.18.5.0/24", FamilyLink, netip.Prefix{}, false, false, false},
		{"default", FamilyAny, netip.Prefix{}, true, true, true},
		{"all", FamilyInet6, netip.Prefix{}, true, false, true},
		{"any", FamilyAny, netip.Prefix{}, true, false, true},
		{"default/0", FamilyAny, netip.Prefix{}, false, false, false},
		{"", FamilyAny, netip.Prefix{}, false, false, false},
	} {
		got, ok := parsePrefix(tc.s, tc.fam)
		if ok != tc.ok || ok && (got.Prefix() != tc.want || got.Any != tc.any || got.Plen != tc.plen) {
			t.Errorf("parsePrefix(%q, %v) = %+v, %v; want %v any %v plen %v, %v", tc.s, tc.fam, got, ok, tc.want, tc.any, tc.plen, tc.ok)
		}
	}
	// The errors, with ip's exit status 1.
	for _, tc := range []struct {
		err  error
		want string
	}{
		{func() error { _, err := getPrefix("zz", FamilyAny); return err }(), `Error: any valid prefix is expected rather than "zz".`},
		{func() error { _, err := getPrefix("::1", FamilyInet); return err }(), `Error: inet prefix is expected rather than "::1".`},
		{func() error { _, err := getPrefix("1.2.3.4", FamilyLink); return err }(), `Error: "1.2.3.4" may be inet prefix, but it is not allowed in this context.`},
		{func() error { _, err := getAddr("1.2.3.4", FamilyInet6); return err }(), `Error: inet6 address is expected rather than "1.2.3.4".`},
		{func() error { _, err := getIPAddr("all", FamilyAny); return err }(), `Error: any valid address is expected rather than "all".`},
		{func() error { _, err := parseLLAddr("zz", 32); return err }(), `"zz" is invalid lladdr.`},
	} {
		var ue *UsageError
		if !errors.As(tc.err, &ue) || ue.Msg != tc.want || ue.Exit != ExitFailure {
			t.Errorf("error %#v, want %q with exit status 1", tc.err, tc.want)
		}
	}
	if a, err := getIPAddr("default", FamilyInet6); err != nil || a != netip.IPv6Unspecified() {
		t.Errorf(`getIPAddr("default", inet6) = %v, %v; want ::`, a, err)
	}
	if p, err := getIPPrefix("default", FamilyInet); err != nil || p.Prefix() != netip.MustParsePrefix("0.0.0.0/0") {
		t.Errorf(`getIPPrefix("default", inet) = %+v, %v; want 0.0.0.0/0`, p, err)
	}
	if _, err := getIPPrefix("default", FamilyAny); err == nil {
		t.Error(`getIPPrefix("default", any): no error`)
	}
}

func TestParseLLAddr(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want net.HardwareAddr
		err  string // the byte ip names
	}{
		{"02:00:00:00:00:09", net.HardwareAddr{2, 0, 0, 0, 0, 9}, ""},
		{"2:0:0:0:0:9", net.HardwareAddr{2, 0, 0, 0, 0, 9}, ""},
		{"0x2:+0:-0: 0:0:9", net.HardwareAddr{2, 0, 0, 0, 0, 9}, ""}, // sscanf's %x
		{"2:0:0:0:0:1g", net.HardwareAddr{2, 0, 0, 0, 0, 1}, ""},     // it stops at the g
		{"0x:1", net.HardwareAddr{0, 1}, ""},
		{"1.2.3.4", net.HardwareAddr{1, 2, 3, 4}, ""},
		{"2::1", nil, ""},
		{"2:0:0:0:0:100", nil, "100"},
		{"zz", nil, "zz"},
		{"00:zz", nil, "zz"},
		{"", nil, ""},
		{"-1", nil, "-1"},
		{"1.2.3.4.5", nil, "1.2.3.4.5"},
	} {
		got, err := parseLLAddr(tc.s, 32)
		if tc.want != nil {
			if err != nil || got.String() != tc.want.String() {
				t.Errorf("parseLLAddr(%q) = %v, %v; want %v", tc.s, got, err, tc.want)
			}
			continue
		}
		if want := `"` + tc.err + `" is invalid lladdr.`; err == nil || err.Error() != want {
			t.Errorf("parseLLAddr(%q) = %v, %v; want error %q", tc.s, got, err, want)
		}
	}
}

func TestIfIndexWord(t *testing.T) {
	for s, want := range map[string]int32{"if2": 2, "if 3": 3, "if+4x": 4, "if": 0, "eth0": 0, "2": 0, "ifa": 0} {
		if got := sscanfIfIndex(s); got != want {
			t.Errorf("sscanfIfIndex(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestWords: the cursor and ip's error helpers.
func TestWords(t *testing.T) {
	a := wordsOf([]string{"mtu", "1400", "table", "all", "metric"})
	if w := a.next(); w != "mtu" || a.peek() != "1400" {
		t.Fatalf("next %q, peek %q", w, a.peek())
	}
	if n, err := valueOf(a, getU32, "bad"); err != nil || n != 1400 {
		t.Errorf("valueOf: %d %v", n, err)
	}
	a.next()
	if tab, all, err := valueOrAll(a, parseTable, "bad\n"); err != nil || !all || tab != 0 {
		t.Errorf("valueOrAll(all): %d %v %v", tab, all, err)
	}
	a.next()
	if _, err := a.value(); err == nil || err.Error() != `Command line is not complete. Try option "help"` {
		t.Errorf("value at the end: %v", err)
	}
	if a.more() || a.peek() != "" || len(a.rest()) != 0 {
		t.Errorf("words left: %q", a.rest())
	}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errInvarg("invalid id", "x"), `Error: argument "x" is wrong: invalid id`},
		{errInvarg(`Invalid "mtu" value`+"\n", "x"), "Error: argument \"x\" is wrong: Invalid \"mtu\" value\n"},
		{errDuparg("dev", "v1"), `Error: duplicate "dev": "v1" is the second value.`},
		{errDuparg2("to", "x"), `Error: either "to" is duplicate, or "x" is a garbage.`},
		{errMissarg("ID"), `Error: argument "ID" is required`},
		{func() error {
			_, err := valueOf(wordsOf([]string{"1_500"}), getU32, "\"mtu\" value is invalid\n")
			return err
		}(), "Error: argument \"1_500\" is wrong: \"mtu\" value is invalid\n"},
	} {
		var ue *UsageError
		if !errors.As(tc.err, &ue) || ue.Msg != tc.want || ue.Exit != 0 {
			t.Errorf("%#v, want usage error %q", tc.err, tc.want)
		}
	}
	// report prints the message with its newline, and ip's exit status.
	var b strings.Builder
	if code := report(&b, errInvarg("m\n", "x")); code != ExitUsage || b.String() != "Error: argument \"x\" is wrong: m\n\n" {
		t.Errorf("report: %d %q", code, b.String())
	}
	b.Reset()
	if code := report(&b, errBadWord("bad")); code != ExitFailure || b.String() != "bad\n" {
		t.Errorf("report: %d %q", code, b.String())
	}
}

func TestFamily(t *testing.T) {
	for _, tc := range []struct {
		f             Family
		name, verbose string
	}{
		{FamilyAny, "unspec", "any valid"}, {FamilyInet, "inet", "inet"},
		{FamilyInet6, "inet6", "inet6"}, {FamilyLink, "link", "link"},
	} {
		if tc.f.String() != tc.name || tc.f.verbose() != tc.verbose {
			t.Errorf("%d: %q %q", tc.f, tc.f.String(), tc.f.verbose())
		}
	}
	if FamilyAny.or(FamilyInet) != FamilyInet || FamilyInet6.or(FamilyInet) != FamilyInet6 || FamilyLink.ip() != FamilyAny {
		t.Error("or, ip")
	}
	for _, s := range []string{"inet", "ipv4", "inet6", "ipv6", "link"} {
		if _, err := parseFamily(s); err != nil {
			t.Errorf("parseFamily(%q): %v", s, err)
		}
	}
}
