package audit

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Record is one audit record: a message the kernel emitted (SYSCALL, PATH,
// CWD, PROCTITLE ...) or logged for a trusted program (USER_*), with its
// fields parsed.
type Record struct {
	Type   RecordType
	Time   time.Time // the event's time stamp, to the millisecond
	Serial uint64    // the event's serial number: records of one event share it
	// Text is the message after "audit(TIME:SERIAL): ", as the kernel
	// wrote it (auditd logs it after "type=T msg=audit(...): ").
	Text string
	// Fields are the key=value pairs of Text in order, values unquoted and
	// hex-decoded (see RecordField). The msg='...' of user messages is
	// itself split into fields, after a "msg" field holding it whole.
	Fields []RecordField
}

// RecordField is one key=value pair of a record.
type RecordField struct {
	Name  string
	Value string // unquoted; hex decoded when Encoded
	// Encoded reports that the kernel wrote the value in hex (an untrusted
	// string with spaces, quotes or control characters in it: a
	// proctitle, a file name, an argument) and Value is the decoded text.
	Encoded bool
}

// Value returns the value of the record's first field called name.
func (r *Record) Value(name string) (string, bool) {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// String formats the record as auditd logs it:
// "type=SYSCALL msg=audit(1700000000.123:42): arch=c000003e ...".
func (r Record) String() string {
	return fmt.Sprintf("type=%s msg=audit(%d.%03d:%d): %s", r.Type, r.Time.Unix(), r.Time.Nanosecond()/1e6, r.Serial, r.Text)
}

// DecodeRecord parses the payload of an audit record message of type t
// (the nlmsg_type) into a Record. The Record does not alias payload. A
// payload without the "audit(SECONDS.MILLIS:SERIAL): " stamp is an error
// naming what is wrong; fields that are not key=value are left in Text
// only.
func DecodeRecord(t RecordType, payload []byte) (Record, error) {
	var r Record
	err := r.decode(t, payload)
	return r, err
}

func (r *Record) decode(t RecordType, payload []byte) error {
	// The kernel ends the text with a NUL in some paths; a newline in
	// none, but programs that forward records add one.
	payload = bytes.TrimRight(payload, "\x00\n")
	rest, ok := bytes.CutPrefix(payload, []byte("audit("))
	if !ok {
		return malformed("record %s: no audit(...) stamp", t)
	}
	end := bytes.IndexByte(rest, ')')
	if end < 0 {
		return malformed("record %s: audit( stamp not closed", t)
	}
	stamp := rest[:end]
	dot := bytes.IndexByte(stamp, '.')
	colon := bytes.IndexByte(stamp, ':')
	if dot < 0 || colon < dot {
		return malformed("record %s: stamp %q, want SECONDS.MILLIS:SERIAL", t, stamp)
	}
	sec, ok1 := atou(stamp[:dot])
	ms, ok2 := atou(stamp[dot+1 : colon])
	serial, ok3 := atou(stamp[colon+1:])
	if !ok1 || !ok2 || !ok3 || ms > 999 || sec > 1<<62 {
		return malformed("record %s: stamp %q, want SECONDS.MILLIS:SERIAL", t, stamp)
	}
	text := rest[end+1:]
	text = bytes.TrimPrefix(text, []byte(":"))
	text = bytes.TrimPrefix(text, []byte(" "))
	*r = Record{Type: t, Time: time.Unix(int64(sec), int64(ms)*1e6), Serial: serial, Text: string(text)}
	// One allocation for the fields: at most one per '='.
	r.Fields = appendFields(make([]RecordField, 0, bytes.Count(text, []byte("="))), r.Text, t == TypeExecve)
	return nil
}

// atou reads a decimal number without allocating; ok is false for an
// empty string, anything but digits, or more than 19 digits.
func atou(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

// appendFields splits s into key=value fields.
func appendFields(dst []RecordField, s string, execve bool) []RecordField {
	for len(s) > 0 {
		if s[0] == ' ' {
			s = s[1:]
			continue
		}
		eq := -1
		for i := 0; i < len(s) && s[i] != ' '; i++ {
			if s[i] == '=' {
				eq = i
				break
			}
		}
		if eq <= 0 {
			// Not key=value (an AVC's "denied { read } for"): skip the word.
			sp := strings.IndexByte(s, ' ')
			if sp < 0 {
				return dst
			}
			s = s[sp:]
			continue
		}
		name := s[:eq]
		s = s[eq+1:]
		var v string
		quoted := false
		if len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
			q := s[0]
			if e := strings.IndexByte(s[1:], q); e >= 0 {
				v, s = s[1:1+e], s[2+e:]
				quoted = true
			} else {
				v, s = s[1:], ""
			}
		} else {
			sp := strings.IndexByte(s, ' ')
			if sp < 0 {
				sp = len(s)
			}
			v, s = s[:sp], s[sp:]
		}
		f := RecordField{Name: name, Value: v}
		if !quoted && untrusted(name, execve) {
			if d, ok := unhex(v); ok {
				f.Value, f.Encoded = d, true
			}
		}
		dst = append(dst, f)
		if quoted && name == "msg" && strings.IndexByte(v, '=') > 0 {
			// A user message: msg='op=login acct="root" exe=... res=success'.
			dst = appendFields(dst, v, false)
		}
	}
	return dst
}

// untrusted reports whether the kernel (or libaudit) writes field name
// with audit_log_untrustedstring (quoted when plain, in upper-case hex
// otherwise) or in hex always (a TTY's data). Fields with numbers, which a
// hex string could be mistaken for, are not among them; the a0, a1 ... of
// an EXECVE record are (those of a SYSCALL record are numbers).
func untrusted(name string, execve bool) bool {
	switch name {
	case "name", "comm", "exe", "cwd", "proctitle", "key", "path", "data", "cmd", "acct",
		"dir", "vm", "root_dir", "ocomm", "watch", "file", "grp", "new_group", "old_group":
		return true
	}
	// EXECVE arguments: a0, a1 ... and long ones cut in parts, a1[0].
	return execve && len(name) >= 2 && name[0] == 'a' && name[1] >= '0' && name[1] <= '9'
}

// unhex decodes an even-length string of hex digits (as the kernel writes,
// upper case); ok is false for anything else ("(null)", numbers of odd
// length, words).
func unhex(s string) (string, bool) {
	if len(s) < 2 || len(s)%2 != 0 {
		return "", false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return "", false
	}
	return string(b), true
}
