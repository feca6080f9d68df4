package audit

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// Rules read in auditctl's syntax print back as auditctl -l prints them
// (the expected lines are auditctl 3.0.9's, from the kernel test).
func TestRuleText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"-a always,exit -F arch=b64 -S openat -F dir=/etc -F perm=wa -k k1", "-a always,exit -F arch=b64 -S openat -F dir=/etc -F perm=wa -F key=k1"},
		{"-a exit,always -F arch=b32 -S open,close -F uid!=0 -F auid>=1000 -F auid!=unset -k k3", "-a always,exit -F arch=b32 -S open,close -F uid!=0 -F auid>=1000 -F auid!=-1 -F key=k3"},
		{"-a always,exit -F arch=b64 -S openat,open,close -C auid!=uid -C uid=euid", "-a always,exit -F arch=b64 -S open,close,openat -C uid!=auid -C uid=euid"},
		{"-a always,exit -F exe=/usr/bin/true -k k4", "-a always,exit -S all -F exe=/usr/bin/true -F key=k4"},
		{"-a always,exit -F arch=b64 -S execve -F a0=0x10 -F success=1 -F exit=-2 -k k5 -k k6", "-a always,exit -F arch=b64 -S execve -F a0=0x10 -F success=1 -F exit=-ENOENT -F key=k5 -F key=k6"},
		{"-a always,exclude -F msgtype=CWD", "-a always,exclude -F msgtype=CWD"},
		{"-a always,exclude -F msgtype>=1300", "-a always,exclude -F msgtype>=SYSCALL"},
		{"-a always,exclude -F msgtype=1339", "-a always,exclude -F msgtype=1339"},
		{"-a always,exit -F arch=b64 -S mknod -F a1&0x100 -F filetype=file -F key=xx", "-a always,exit -F arch=b64 -S mknod -F a1&0x100 -F filetype=32768 -F key=xx"},
		{"-a always,exit -F arch=b64 -S openat -F loginuid=5 -F pers=0x8 -F inode=4000000000", "-a always,exit -F arch=b64 -S openat -F auid=5 -F pers=8 -F inode=4000000000"},
		{"-a always,exit -F arch=b64 -S openat -F exit=-EPERM -F a2&=7", "-a always,exit -F arch=b64 -S openat -F exit=-EPERM -F a2&=0x7"},
		{"-a always,exit -F arch=b64 -F uid=0", "-a always,exit -F arch=b64 -S all -F uid=0"},
		{"-a always,exit -F arch=b64 -S 999", "-a always,exit -F arch=b64 -S 999"},
		{"-a always,filesystem -F fstype=debugfs", "-a always,filesystem -F fstype=debugfs"},
		{"-a always,task -F uid=0", "-a always,task -F uid=0"},
		{"-w /nonexistent/nlkit -p wa -k k2", "-w /nonexistent/nlkit -p wa -k k2"},
		{"-w /nonexistent/nlkit/", "-w /nonexistent/nlkit -p rwxa"},
		{"-a always,exit -F arch=aarch64 -S openat", "-a always,exit -F arch=b64 -S openat"},
		{"-a always,exit -F arch=b64 -S pread64 -F exe!=/bin/ls", "-a always,exit -F arch=b64 -S pread -F exe=/bin/ls"},
		{"-a always,exit -F arch=b64 -S openat -F loginuid_set=1", "-a always,exit -F arch=b64 -S openat f24=1"},
	} {
		r, err := RuleFromArgs(strings.Fields(c.in), ArchX86_64)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := string(appendRule(nil, &r, ArchX86_64)); got != c.want {
			t.Errorf("%s:\n got  %s\n want %s", c.in, got, c.want)
		}
		b, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Rule
		if err := back.UnmarshalBinary(b); err != nil || !back.Equal(&r) {
			t.Errorf("%s: binary round trip: %v\n%+v\n%+v", c.in, err, back, r)
		}
	}
	// aarch64 names its own system calls.
	r, err := RuleFromArgs(strings.Fields("-a always,exit -F arch=b64 -S openat,newfstat"), ArchAArch64)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(appendRule(nil, &r, ArchAArch64)); got != "-a always,exit -F arch=b64 -S openat,newfstat" || !r.Syscalls.Contains(56) || !r.Syscalls.Contains(80) {
		t.Errorf("aarch64: %s", got)
	}
}

// Bad rule words give errors naming them.
func TestRuleTextErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"-a always", "want list,action"},
		{"-a always,nowhere", "want list,action"},
		{"-a always,exit -S nosuchcall", "nosuchcall"},
		{"-a always,exit -F nosuch=1", `unknown field "nosuch"`},
		{"-a always,exit -F uid", "want field<op>value"},
		{"-a always,exit -F uid=nosuchuser_nlkit", "unknown user"},
		{"-w relative", "not an absolute path"},
		{"-w /x -p q", "rwxa"},
		{"-w /x -S open", "takes only -p and -k"},
		{"-a always,user -S open", "takes no system calls"},
		{"-a always,exit -C uid=pid", "cannot be compared"},
		{"-a always,exit -F arch<b64", "only = and !="},
		{"-F uid=0", "no -a"},
		{"-a always,exit -k " + strings.Repeat("k", 300), "longer than 256"},
		{"-a always,exit -x", `unknown word "-x"`},
	} {
		_, err := RuleFromArgs(strings.Fields(c.in), ArchX86_64)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", c.in, err, c.want)
		}
	}
}

// The rule decoder rejects malformed data and names what is wrong.
func TestRuleDecodeErrors(t *testing.T) {
	r, _ := RuleFromArgs(strings.Fields("-a always,exit -S all -F dir=/etc -k key"), ArchX86_64)
	good, _ := r.MarshalBinary()
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short", good[:100], "rule of 100 bytes"},
		{"buflen", good[:len(good)-1], "buflen"},
		{"fields", func() []byte { b := slices.Clone(good); b[8] = 65; return b }(), "field_count 65"},
		{"string", func() []byte {
			b := slices.Clone(good)
			// The dir field's length past the buffer.
			off := 12 + 4*bitmaskSize + 4*maxFields
			b[off] = 200
			return b
		}(), "field 0 (dir)"},
	} {
		var d Rule
		err := d.UnmarshalBinary(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, netlink.ErrMalformed) {
			t.Errorf("%s: %v, want an error with %q", c.name, err, c.want)
		}
	}
}

// Records parse into fields; hex-encoded values are decoded.
func TestDecodeRecord(t *testing.T) {
	r, err := DecodeRecord(TypeProctitle, []byte("audit(1700000000.123:42): proctitle=746F756368002F746D702F66\x00"))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := r.Value("proctitle"); v != "touch\x00/tmp/f" || r.Serial != 42 || r.Time != time.Unix(1700000000, 123e6) {
		t.Errorf("proctitle %q serial %d time %v", v, r.Serial, r.Time)
	}
	if r.String() != "type=PROCTITLE msg=audit(1700000000.123:42): proctitle=746F756368002F746D702F66" {
		t.Errorf("String: %s", r)
	}
	r, err = DecodeRecord(TypeSyscall, []byte(`audit(1.002:7): arch=c000003e syscall=257 success=yes a0=10 comm="touch" exe=2F746D702F6120622F78 key=(null)`))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"arch": "c000003e", "a0": "10", "comm": "touch", "exe": "/tmp/a b/x", "key": "(null)", "success": "yes"} {
		if v, _ := r.Value(name); v != want {
			t.Errorf("%s=%q, want %q", name, v, want)
		}
	}
	r, err = DecodeRecord(TypeExecve, []byte(`audit(1.002:7): argc=2 a0="ls" a1=2D6C2061`))
	if v, _ := r.Value("a1"); err != nil || v != "-l a" {
		t.Errorf("execve a1 %q %v", v, err)
	}
	r, err = DecodeRecord(1112, []byte(`audit(1.002:8): pid=5 uid=0 msg='op=login acct="root" exe="/bin/login" res=success'`))
	if op, _ := r.Value("op"); err != nil || op != "login" {
		t.Errorf("user message op %q %v", op, err)
	}
	if v, _ := r.Value("acct"); v != "root" {
		t.Errorf("acct %q", v)
	}
	for _, bad := range []string{"", "audit(", "audit(1.2)", "audit(x.1:2): ", "audit(1.5000:2): ", "nothing"} {
		if _, err := DecodeRecord(TypeSyscall, []byte(bad)); err == nil || !errors.Is(err, netlink.ErrMalformed) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// The assembler groups by serial, ends on EOE, delivers single-record
// types at once and the rest on timeout or pressure.
func TestAssembler(t *testing.T) {
	a := newAssembler(&EventConfig{Timeout: time.Second, MaxPending: 2})
	now := time.Unix(100, 0)
	rec := func(t RecordType, serial uint64) Record { return Record{Type: t, Serial: serial} }
	a.push(rec(TypeSyscall, 1), now)
	a.push(rec(TypeSyscall, 2), now)
	a.push(rec(TypePath, 1), now)
	a.push(rec(TypeTrustedApp, 9), now)
	if len(a.out) != 1 || a.out[0].Serial != 9 {
		t.Fatalf("user message not delivered at once: %+v", a.out)
	}
	a.push(rec(TypeEOE, 1), now)
	if len(a.out) != 2 || a.out[1].Serial != 1 || !a.out[1].EOE || len(a.out[1].Records) != 2 {
		t.Fatalf("EOE: %+v", a.out)
	}
	a.out = nil
	a.push(rec(TypeCWD, 3), now)
	a.push(rec(TypeCWD, 4), now) // over MaxPending: 2 goes
	if len(a.out) != 1 || a.out[0].Serial != 2 || a.out[0].EOE {
		t.Fatalf("eviction: %+v", a.out)
	}
	a.out = nil
	if next := a.expire(now.Add(500 * time.Millisecond)); next != now.Add(time.Second) || len(a.out) != 0 {
		t.Fatalf("early expiry: %v %+v", next, a.out)
	}
	if next := a.expire(now.Add(time.Second)); !next.IsZero() || len(a.out) != 2 {
		t.Fatalf("expiry: %v %+v", next, a.out)
	}
	ev := Event{Records: []Record{{Type: TypeSyscall, Fields: []RecordField{{Name: "key", Value: "k"}}}, {Type: TypePath, Fields: []RecordField{{Name: "name", Value: "/x"}}}}}
	if ev.Key() != "k" {
		t.Errorf("key %q", ev.Key())
	}
	if v, ok := ev.Value("name"); !ok || v != "/x" {
		t.Errorf("name %q", v)
	}
}

// The syscall tables agree with the kernel's numbering of well-known calls.
func TestSyscallTables(t *testing.T) {
	for _, c := range []struct {
		a    Arch
		name string
		nr   int
	}{
		{ArchX86_64, "read", 0}, {ArchX86_64, "openat", 257}, {ArchX86_64, "execve", 59}, {ArchX86_64, "pread", 17}, {ArchX86_64, "pread64", 17},
		{ArchI386, "open", 5}, {ArchI386, "socketcall", 102},
		{ArchAArch64, "openat", 56}, {ArchAArch64, "execve", 221}, {ArchAArch64, "newfstatat", 79}, {ArchAArch64, "fstat", 80},
	} {
		if nr, ok := SyscallNumber(c.a, c.name); !ok || nr != c.nr {
			t.Errorf("%s %s: %d %v, want %d", c.a, c.name, nr, ok, c.nr)
		}
	}
	if s, ok := SyscallName(ArchAArch64, 80); !ok || s != "newfstat" {
		t.Errorf("aarch64 80: %q", s)
	}
	if _, ok := SyscallName(ArchX86_64, 400); ok {
		t.Errorf("x86_64 400 has a name")
	}
}

// Status text is auditctl -s's.
func TestStatusText(t *testing.T) {
	s := Status{Enabled: 1, Failure: 1, BacklogLimit: 64, BacklogWaitTime: 15000}
	b, _ := s.MarshalBinary()
	var d Status
	if err := d.UnmarshalBinary(b); err != nil || d != s {
		t.Fatalf("%+v %v", d, err)
	}
	want := "enabled 1\nfailure 1\npid 0\nrate_limit 0\nbacklog_limit 64\nlost 0\nbacklog 0\nbacklog_wait_time 15000\nbacklog_wait_time_actual 0\n"
	if s.String() != want {
		t.Errorf("%q", s.String())
	}
	if f := (Features{Mask: 3, Enabled: 2, Locked: 2}); f.String() != "loginuid_immutable 1 locked\n" {
		t.Errorf("%q", f.String())
	}
}
