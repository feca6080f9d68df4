package audit

import (
	"strings"
	"testing"
)

// FuzzRecord fuzzes the record parser (DecodeRecord) with a record type and
// a payload: it never panics, and what it accepts has its stamp.
func FuzzRecord(f *testing.F) {
	f.Add(uint16(1300), []byte(`audit(1700000000.123:42): arch=c000003e syscall=257 success=yes exit=3 a0=ffffff9c comm="touch" exe="/usr/bin/touch" key="k"`))
	f.Add(uint16(1327), []byte(`audit(1700000000.123:42): proctitle=746F756368002F746D702F66`))
	f.Add(uint16(1121), []byte(`audit(1700000000.123:43): pid=1 uid=0 auid=4294967295 ses=4294967295 msg='op=x acct="root" res=success'`))
	f.Add(uint16(1320), []byte("audit(1700000000.123:42): \x00"))
	f.Add(uint16(1300), []byte(`audit(1.2:3`))
	f.Fuzz(func(t *testing.T, typ uint16, b []byte) {
		r, err := DecodeRecord(RecordType(typ), b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "audit: record ") {
				t.Fatalf("error %q does not name the record", err)
			}
			return
		}
		if r.Type != RecordType(typ) {
			t.Fatalf("type %d, want %d", r.Type, typ)
		}
		for _, f := range r.Fields {
			if f.Name == "" {
				t.Fatalf("a field without a name in %q", b)
			}
		}
		_ = r.String()
	})
}

// FuzzRule fuzzes the rule decoder (Rule.UnmarshalBinary): it never
// panics, names the field at fault, and what it accepts encodes back to a
// rule that decodes the same.
func FuzzRule(f *testing.F) {
	for _, s := range []string{
		"-a always,exit -F arch=b64 -S openat -F dir=/etc -F perm=wa -k key",
		"-w /etc/passwd -p wa -k key",
		"-a never,exclude -F msgtype=CWD",
		"-a always,exit -F arch=b64 -S all -F exe=/usr/bin/true -C uid!=auid",
	} {
		r, err := RuleFromArgs(strings.Fields(s), ArchX86_64)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := r.MarshalBinary()
		f.Add(b)
	}
	f.Add(make([]byte, ruleFixedLen))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Rule
		if err := r.UnmarshalBinary(b); err != nil {
			if !strings.HasPrefix(err.Error(), "audit: rule ") {
				t.Fatalf("error %q does not name the rule's part", err)
			}
			return
		}
		_ = r.String()
		enc, err := r.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Rule
		if err := back.UnmarshalBinary(enc); err != nil {
			t.Fatalf("re-encoded rule does not decode: %v", err)
		}
		if !back.Equal(&r) || back.String() != r.String() {
			t.Fatalf("round trip:\n%s\n%s", r, back)
		}
	})
}

// FuzzStatus fuzzes the status decoder.
func FuzzStatus(f *testing.F) {
	b, _ := Status{Enabled: 1, BacklogLimit: 64}.MarshalBinary()
	f.Add(b)
	f.Add(b[:32])
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Status
		if err := s.UnmarshalBinary(b); err != nil {
			if !strings.HasPrefix(err.Error(), "audit: status") {
				t.Fatalf("error %q does not name the status", err)
			}
			return
		}
		if len(b) < 32 {
			t.Fatalf("accepted %d bytes", len(b))
		}
	})
}
