package cli

import (
	"strings"
	"testing"
)

// TestRuleWordsLikeIP: rule add's selectors and actions beyond the common
// ones (uidrange, sport, dport, ipproto, l3mdev, suppress_prefixlength,
// suppress_ifgroup, tun_id, nat), their printing (masquerade, tun_id,
// protocol names as /etc/protocols), list's selectors, and ip's answers
// to bad values, as a sequence against ip.
func TestRuleWordsLikeIP(t *testing.T) {
	var lines []string
	for _, l := range strings.Split(`rule add from 198.18.0.0/24 table 5 priority 100 uidrange 1-100 sport 1-2 dport 3 ipproto tcp
rule add l3mdev priority 101
rule add fwmark 0x5/0xff suppress_prefixlength 5 suppress_ifgroup 3 table 7
rule add iif lo oif v0 realms 5/6 table 8
rule add nat 198.18.0.1 table 8
rule add pref 65 type nat table 3
rule add pref 66 table 10 tun_id 5 iif lo fwmark 3
rule add pref 70 ipproto 253 table 4
rule add pref 71 sport 5-
rule add pref 71 sport 70000
rule add pref 71 suppress_ifgroup default table 5
rule add pref 71 l3mdev table 5
rule add pref 72 ipproto foo
rule add pref 72 sport x
rule add pref 72 dport x
rule add pref 72 uidrange 7
rule add pref 72 uidrange 5-x
rule add pref 72 ipproto 300
rule add pref 72 suppress_prefixlength x
rule add pref 72 suppress_ifgroup x
rule add pref 72 tun_id x
rule add pref 72 nat x
rule add pref 72 nat 2001:db8::1
rule show
-d rule show
-j rule show
-N rule show
rule show uidrange 1-100
rule show sport 1-2
rule show dport 3
rule show dport 6
rule show ipproto tcp
rule show l3mdev
rule show tun_id 5
rule show sport x
rule show ipproto foo
rule show tun_id x
rule show l3mdev x
rule show frob
rule del pref 66 table 10 tun_id 5 iif lo fwmark 3
rule show`, "\n") {
		lines = append(lines, l)
	}
	likeIPSequence(t, nil, lines)
}

// TestRuleSaveLikeIP: rule save (with a selector), restore onto a
// flushed namespace and again (the kernel keeps copies), bad input.
func TestRuleSaveLikeIP(t *testing.T) {
	_, ipName, ipConn := rtNS(t)
	_, nlName, nlConn := rtNS(t)
	for _, l := range []string{"rule add pref 5 table 5 ipproto udp", "rule add pref 6 from 198.18.0.0/16 table 6", "-6 rule add pref 7 table 7"} {
		for _, n := range []string{ipName, nlName} {
			if out, code := runIP(t, n, strings.Fields(l)...); code != 0 {
				t.Fatalf("%s: %s", l, out)
			}
		}
	}
	for _, sel := range [][]string{nil, {"-6"}} {
		args := append([]string{"rule", "save"}, sel...)
		if len(sel) > 0 && sel[0] == "-6" {
			args = []string{"-6", "rule", "save"}
		}
		ipFile, _, ipCode := ipResult(t, ipName, args...)
		nlFile, _, nlCode := runAs(t, "ip", append([]string{"-n", nlName}, args...)...)
		if a, b := len(dumpMessages(t, ipFile)), len(dumpMessages(t, nlFile)); a != b || ipCode != nlCode || ipFile[:4] != nlFile[:4] {
			t.Errorf("rule save %q: ip saved %d rules (exit %d), nl %d (exit %d)", sel, a, ipCode, b, nlCode)
		}
	}
	saved, _, _ := ipResult(t, ipName, "rule", "save")
	for round := 0; round < 2; round++ {
		if round == 0 {
			for _, n := range []string{ipName, nlName} {
				runIP(t, n, "rule", "flush")
			}
		}
		ipOut, ipErr, ipCode := ipStdin(t, ipName, []byte(saved), "rule", "restore")
		nlOut, nlErr, nlCode := nlStdin(t, []byte(saved), "-n", nlName, "rule", "restore")
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("restore %d:\n ip: exit %d %q %q\n nl: exit %d %q %q", round, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
		if a, b := nsState(t, ipConn), nsState(t, nlConn); a != b {
			t.Errorf("after restore %d:\n only after ip:\n%s\n only after nl:\n%s", round, linesOnlyIn(a, b), linesOnlyIn(b, a))
		}
	}
	likeIP(t, [][]string{{"rule", "save", "table", "5"}})
	for _, in := range []string{"junk", ""} {
		ipOut, ipErr, ipCode := ipStdin(t, ipName, []byte(in), "rule", "restore")
		nlOut, nlErr, nlCode := nlStdin(t, []byte(in), "-n", nlName, "rule", "restore")
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("rule restore of %q:\n ip: exit %d %q %q\n nl: exit %d %q %q", in, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
}
