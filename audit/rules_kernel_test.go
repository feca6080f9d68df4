//go:build linux

package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// testRules returns 50+ rules of different shapes in auditctl's syntax,
// each unique to this run by key k (or an unusual value where the list
// takes no key).
func testRules(t *testing.T, k string) []string {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "d")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	rules := []string{
		"-a always,exit -F arch=b64 -S openat -F dir=" + sub + " -F perm=wa -k " + k + "-1",
		"-w " + file + " -p wa -k " + k + "-2",
		"-w " + sub + " -p rx -k " + k + "-3",
		"-w " + file + "-missing",
		"-a exit,always -F arch=b32 -S open,close -F uid!=0 -F auid>=1000 -F auid!=unset -k " + k + "-4",
		"-a always,exit -F arch=b64 -S open,close,openat -C auid!=uid -C uid=euid -k " + k + "-5",
		"-a never,exit -F arch=b64 -S all -F pid=1234 -k " + k + "-6",
		"-a always,exit -F arch=b64 -S execve -F a0=0x10 -F success=1 -F exit=-2 -k " + k + "-7 -k " + k + "-7b",
		"-a always,exit -F exe=/usr/bin/true -k " + k + "-8",
		"-a always,exit -F arch=b64 -S all -F path=" + file + " -F perm=x -k " + k + "-9",
		"-a always,exit -F arch=b64 -S mknod -F a1&0x100 -F uid>3 -F gid<=5 -F euid<7 -F obj_uid=0 -F filetype=file -k " + k + "-10",
		"-a always,exit -F arch=b64 -S openat -F ppid=3 -F sessionid=4 -F loginuid=5 -F pers=0x8 -F devmajor=1 -F devminor=2 -F inode=3 -k " + k + "-11",
		"-a always,exit -F arch=b64 -S openat -F exit=-EPERM -F obj_gid=5 -F saddr_fam=2 -F a2&=7 -k " + k + "-12",
		"-a always,exclude -F msgtype=1399",
		"-a always,exclude -F msgtype>=1338 -F msgtype<=1339",
		"-a always,user -F uid=4242",
		"-a always,task -F uid=4243",
		"-a always,filesystem -F fstype=debugfs",
		"-a always,exit -F arch=b64 -S openat -F auid=-1 -F success=0 -F uid=root -k " + k + "-16",
		"-a always,exit -F arch=b64 -S 449 -F obj_uid!=0 -k " + k + "-17",
		"-A always,exit -F arch=b64 -S unlink,unlinkat,rename,renameat -F auid>=1000 -k " + k + "-18",
		"-a always,exit -F arch=b64 -S openat -F exit=5 -F exit!=-13 -k " + k + "-19",
		"-a always,exit -F arch=b64 -S openat -F dir=" + sub + " -k " + k + "-20",
		"-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=4294967295 -k " + k + "-21",
		"-a always,exit -F arch=b32 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=-1 -k " + k + "-22",
		"-a always,exit -F arch=b64 -S setxattr,lsetxattr,fsetxattr -F exe!=/usr/bin/false -k " + k + "-23",
		"-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k " + k + "-24",
		"-a always,exit -F arch=b64 -S mount -F auid>=1000 -F success=1 -k " + k + "-25",
		"-a always,exit -F arch=b64 -S kill -F a1=9 -k " + k + "-26",
		"-a always,exit -F arch=b64 -S socket -F a0=2 -F a1&=1 -k " + k + "-27",
		"-a always,exit -F arch=b64 -S connect -F saddr_fam!=1 -k " + k + "-28",
		"-a always,exit -F arch=b64 -S pread,pwrite -F uid=0 -k " + k + "-29",
		"-a always,exit -F arch=b64 -S all -F dir=" + sub + " -F perm=r -k " + k + "-30",
		"-a always,exit -F arch=b64 -S openat -F subj_user=nlkit_u -k " + k + "-31",
		"-a always,exit -F arch=b64 -S openat -F obj_type=nlkit_t -k " + k + "-32",
		"-a always,exit -F arch=b64 -S openat -F fsgid=7 -F sgid!=8 -F egid>9 -F suid<10 -F fsuid>=11 -k " + k + "-33",
		"-a always,exit -F arch=b64 -S openat -C euid!=obj_uid -C gid=sgid -C auid=fsuid -k " + k + "-34",
		"-a always,exit -F arch=b64 -S openat -F sessionid!=5 -k " + k + "-35",
		"-a always,exit -F arch=b64 -S openat -F filetype=dir -F inode=4000000000 -k " + k + "-36",
		"-a always,exit -F arch=b64 -S openat -F a3>=0xff -F a0!=5 -F a1<3 -k " + k + "-37",
		"-a always,exit -F arch=b32 -S all -k " + k + "-38",
		"-w " + file + " -p r -k " + k + "-39",
		"-w " + sub + " -p wxa -k " + k + "-40 -k " + k + "-40b",
		"-a always,exit -F arch=b64 -S execve,execveat -F euid=0 -F auid>=1000 -k " + k + "-41",
		"-a always,exit -F arch=b32 -S execve -F euid=0 -k " + k + "-42",
		"-a always,exit -F arch=b64 -S openat,creat,truncate,ftruncate -F exit=-EACCES -k " + k + "-43",
		"-a always,exit -F arch=b64 -S openat,creat,truncate,ftruncate -F exit=-EPERM -k " + k + "-44",
		"-a always,exit -F arch=b64 -S all -F exe=/usr/bin/env -F success=0 -k " + k + "-45",
		"-a always,exit -F arch=b64 -S getppid -F ppid=1 -F pid!=1 -k " + k + "-46",
		"-a never,exit -F arch=b64 -S all -F exe=/usr/bin/ls -k " + k + "-47",
		"-a always,user -F auid=4244 -F uid!=0",
		"-a always,exit -F arch=b64 -S open,openat,openat2 -F dir=" + dir + " -F perm=w -k " + k + "-49",
		"-a always,exit -F arch=b64 -S sethostname,setdomainname -k " + k + "-50",
	}
	return rules
}

// newLines returns the lines of after that are not in before (as
// multisets, in after's order).
func newLines(before, after string) []string {
	seen := map[string]int{}
	for l := range strings.Lines(before) {
		seen[strings.TrimRight(l, "\n")]++
	}
	var out []string
	for l := range strings.Lines(after) {
		l = strings.TrimRight(l, "\n")
		if seen[l] > 0 {
			seen[l]--
			continue
		}
		if l != "No rules" {
			out = append(out, l)
		}
	}
	return out
}

// Fifty rules added by auditctl are listed and printed by us exactly as
// auditctl -l prints them; the same rules parsed by us and added are
// listed by auditctl as its own; deleting them leaves the kernel as it was.
func TestRulesLikeAuditctl(t *testing.T) {
	c := kernelConn(t)
	ctx := context.Background()
	k := uniqueKey(t)
	rules := testRules(t, k)
	if len(rules) < 50 {
		t.Fatalf("%d rules, want 50", len(rules))
	}
	base := auditctl(t, "-l")
	baseOurs, err := c.RuleList(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// auditctl adds, we list and print.
	for _, r := range rules {
		auditctl(t, strings.Fields(r)...)
	}
	want := newLines(base, auditctl(t, "-l"))
	if len(want) != len(rules) {
		t.Fatalf("auditctl -l shows %d new rules, want %d:\n%s", len(want), len(rules), strings.Join(want, "\n"))
	}
	got, err := c.RuleList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ours := newLines(strings.Join(ruleTexts(baseOurs), "\n"), strings.Join(ruleTexts(got), "\n"))
	if !slices.Equal(ours, want) {
		t.Errorf("our listing differs from auditctl -l:\n%s", diffLines(ours, want))
	}
	// Each printed rule reads back as the same rule.
	for _, r := range got {
		var back Rule
		if err := back.UnmarshalText([]byte(r.String())); err != nil {
			t.Errorf("%s: reads back with %v", r, err)
			continue
		}
		if back.String() != r.String() {
			t.Errorf("%s: reads back as %s", r, back)
		}
	}
	// We delete what auditctl added.
	for _, r := range got[len(baseOurs):] {
		if err := c.DeleteRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if left := newLines(base, auditctl(t, "-l")); len(left) != 0 {
		t.Fatalf("rules left after deleting ours:\n%s", strings.Join(left, "\n"))
	}

	// We parse and add; auditctl lists them as its own.
	for _, r := range rules {
		rule, err := RuleFromArgs(strings.Fields(r), HostArch())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddRule(ctx, rule); err != nil {
			t.Fatalf("%s: %v", r, err)
		}
	}
	if again := newLines(base, auditctl(t, "-l")); !slices.Equal(again, want) {
		t.Errorf("auditctl -l of the rules we added differs from its own:\n%s", diffLines(again, want))
	}

	// auditctl -D style: delete them by listing, as auditctl does.
	all, err := c.RuleList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all[len(baseOurs):] {
		if err := c.DeleteRule(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if left := newLines(base, auditctl(t, "-l")); len(left) != 0 {
		t.Fatalf("rules left:\n%s", strings.Join(left, "\n"))
	}
}

func diffLines(got, want []string) string {
	var b strings.Builder
	for i := range max(len(got), len(want)) {
		g, w := "", ""
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			fmt.Fprintf(&b, "line %d:\n  ours:     %s\n  auditctl: %s\n", i+1, g, w)
		}
	}
	return b.String()
}
