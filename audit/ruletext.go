package audit

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// String formats r as `auditctl -l` (3.0) prints it, quirks included (an
// exe!= field is printed exe=, as auditctl does): "-a always,exit -F arch=b64
// -S openat -F dir=/etc -F perm=wa -F key=k" or "-w /etc/passwd -p wa -k
// k". System call names are those of the rule's arch field, or of the
// running machine when it has none.
func (r Rule) String() string {
	b, _ := r.AppendText(nil)
	return string(b)
}

// MarshalText implements encoding.TextMarshaler with String's text.
func (r Rule) MarshalText() ([]byte, error) { return r.AppendText(nil) }

// AppendText appends String's text to b.
func (r Rule) AppendText(b []byte) ([]byte, error) {
	return appendRule(b, &r, HostArch()), nil
}

// UnmarshalText reads a rule in auditctl's syntax, as in a rules file:
// "-a always,exit -F arch=b64 -S openat -k k" or "-w /etc/passwd -p wa".
// Words are split at spaces; see RuleFromArgs.
func (r *Rule) UnmarshalText(b []byte) error {
	nr, err := RuleFromArgs(strings.Fields(string(b)), HostArch())
	if err != nil {
		return err
	}
	*r = nr
	return nil
}

// isWatch says whether auditctl prints r as a watch (-w): only path, dir,
// perm and key fields, a perm among them, and every system call.
func isWatch(r *Rule) bool {
	perm := false
	for _, f := range r.Fields {
		switch f.Field {
		case FieldPerm:
			perm = true
		case FieldKey, FieldDir, FieldWatch:
		default:
			return false
		}
	}
	all := true
	if l := r.List; l != ListUser && l != ListTask && l != ListExclude {
		all = r.Syscalls.IsAll()
	}
	return perm && all
}

func appendRule(b []byte, r *Rule, host Arch) []byte {
	watch := isWatch(r)
	machine := host
	if !watch {
		b = append(b, "-a "...)
		b = append(b, r.Action.String()...)
		b = append(b, ',')
		b = append(b, r.List.String()...)
		for _, f := range r.Fields {
			if f.Field != FieldArch {
				continue
			}
			a := Arch(f.Value)
			b = append(b, " -F arch"...)
			b = append(b, f.Op.String()...)
			switch {
			case !a.known():
				b = fmt.Appendf(b, "0x%X", f.Value)
			case a.Is64():
				b = append(b, "b64"...)
			default:
				b = append(b, "b32"...)
			}
			machine = a
		}
		if l := r.List; l != ListUser && l != ListTask && l != ListExclude && l != ListFilesystem {
			if r.Syscalls.IsAll() {
				b = append(b, " -S all"...)
			} else {
				n := 0
				for nr := range bitmaskSize * 32 {
					if !r.Syscalls.Contains(nr) {
						continue
					}
					if n == 0 {
						b = append(b, " -S "...)
					} else {
						b = append(b, ',')
					}
					if s, ok := SyscallName(machine, nr); ok {
						b = append(b, s...)
					} else {
						b = strconv.AppendInt(b, int64(nr), 10)
					}
					n++
				}
			}
		}
	}
	for _, f := range r.Fields {
		op := f.Op.String()
		name := f.Field.String()
		switch f.Field {
		case FieldArch:
			continue
		case FieldMsgType:
			b = append(b, " -F msgtype"...)
			b = append(b, op...)
			if s, ok := RecordType(f.Value).name(); ok && f.Value <= 0xffff && !newerTypes[RecordType(f.Value)] {
				b = append(b, s...)
			} else {
				b = strconv.AppendInt(b, int64(int32(f.Value)), 10)
			}
		case FieldWatch:
			if watch {
				b = append(b, "-w "...)
				b = append(b, f.Text...)
			} else {
				b = append(b, " -F path="...)
				b = append(b, f.Text...)
			}
		case FieldDir:
			// auditctl 3.0.x prints a directory watch without the
			// trailing '/' that later versions add.
			if watch {
				b = append(b, "-w "...)
				b = append(b, f.Text...)
			} else {
				b = append(b, " -F dir="...)
				b = append(b, f.Text...)
			}
		case FieldKey:
			for k := range strings.SplitSeq(f.Text, string(rune(keySep))) {
				if k == "" {
					continue
				}
				if watch {
					b = append(b, " -k "...)
				} else {
					b = append(b, " -F key="...)
				}
				b = append(b, k...)
			}
		case FieldPerm:
			if watch {
				b = append(b, " -p "...)
			} else {
				b = append(b, " -F perm="...)
			}
			b = append(b, Perm(f.Value).String()...)
		case FieldFSType:
			b = fmt.Appendf(b, " -F fstype%s", op)
			switch f.Value {
			case fsDebugfs:
				b = append(b, "debugfs"...)
			case fsTracefs:
				b = append(b, "tracefs"...)
			default:
				b = strconv.AppendInt(b, int64(int32(f.Value)), 10)
			}
		case FieldInode:
			b = fmt.Appendf(b, " -F %s%s%d", name, op, f.Value)
		case FieldCompare:
			for _, c := range compareNames {
				if c.v == f.Value {
					b = fmt.Appendf(b, " -C %s%s%s", c.a, op, c.b)
				}
			}
		case FieldArg0, FieldArg1, FieldArg2, FieldArg3:
			b = fmt.Appendf(b, " -F %s%s0x%X", name, op, f.Value)
		case FieldExit:
			v := int32(f.Value)
			if e := errnoName(-v); v < 0 && e != "" {
				b = fmt.Appendf(b, " -F %s%s-%s", name, op, e)
			} else {
				b = fmt.Appendf(b, " -F %s%s%d", name, op, v)
			}
		case FieldExe:
			// auditctl 3.0 prints exe= whatever the operator (exe!=
			// too); so do we, to print its text.
			b = append(b, " -F exe="...)
			b = append(b, f.Text...)
		default:
			if _, ok := fieldNames[f.Field]; !ok {
				b = fmt.Appendf(b, " f%d%s%d", uint32(f.Field), op, int32(f.Value))
			} else if f.Field.IsString() {
				b = fmt.Appendf(b, " -F %s%s%s", name, op, f.Text)
			} else {
				b = fmt.Appendf(b, " -F %s%s%d", name, op, int32(f.Value))
			}
		}
	}
	return b
}

// newerTypes are record types younger than auditctl 3.0 (Debian 12's),
// which prints them by number in rules; so do we, to print rules as it
// does.
var newerTypes = map[RecordType]bool{1338: true, 1339: true, 1420: true, 1421: true}

// File system magic numbers auditctl knows by name for fstype=.
const (
	fsDebugfs = 0x64626720 // DEBUGFS_MAGIC
	fsTracefs = 0x74726163 // TRACEFS_MAGIC
)

// errnoName names errno e as libaudit does ("EPERM"), or "".
func errnoName(e int32) string {
	if e <= 0 || e > 4095 {
		return ""
	}
	return unix.ErrnoName(syscall.Errno(e))
}

func errnoValue(name string) (int32, bool) {
	for e := int32(1); e < 200; e++ {
		if unix.ErrnoName(syscall.Errno(e)) == name {
			return e, true
		}
	}
	return 0, false
}

// RuleFromArgs reads one rule in auditctl's syntax from its words, as a
// shell would split them:
//
//	-a always,exit -F arch=b64 -S openat,creat -F dir=/etc -F perm=wa -k key
//	-A exit,always ...          (the same, added at the head of the list)
//	-w /etc/passwd -p wa -k key (a watch)
//
// -d and -W are read as -a and -w: the rule to delete is the same rule.
// As auditctl does, a watch of an existing directory becomes a dir field
// (the directory's whole tree) and any other watch a path field, so the
// file system is looked at.
// host is the machine "b64" and "b32" refer to, and whose system call names
// apply when the rule has no arch field (HostArch for this machine).
// Errors name the word at fault.
func RuleFromArgs(args []string, host Arch) (Rule, error) {
	p := ruleParser{host: host}
	if err := p.parse(args); err != nil {
		return Rule{}, fmt.Errorf("audit: rule %q: %w", strings.Join(args, " "), err)
	}
	return p.r, nil
}

type ruleParser struct {
	host     Arch
	r        Rule
	listSet  bool
	watch    string
	perm     Perm
	permSet  bool
	keys     []string
	syscalls []string
}

func (p *ruleParser) parse(args []string) error {
	next := func(i *int, opt string) (string, error) {
		if *i+1 >= len(args) {
			return "", fmt.Errorf("option %s needs an argument", opt)
		}
		*i++
		return args[*i], nil
	}
	for i := 0; i < len(args); i++ {
		opt := args[i]
		switch opt {
		case "-a", "-A", "-d":
			v, err := next(&i, opt)
			if err != nil {
				return err
			}
			if p.listSet || p.watch != "" {
				return fmt.Errorf("%s: one rule at a time", opt)
			}
			if err := p.listAction(v); err != nil {
				return err
			}
			p.r.Prepend = opt == "-A"
		case "-w", "-W":
			v, err := next(&i, opt)
			if err != nil {
				return err
			}
			if p.listSet || p.watch != "" {
				return fmt.Errorf("%s: one rule at a time", opt)
			}
			if !strings.HasPrefix(v, "/") {
				return fmt.Errorf("watch %q: not an absolute path", v)
			}
			if len(v) > 1 {
				v = strings.TrimRight(v, "/")
			}
			p.watch = v
		case "-p":
			v, err := next(&i, opt)
			if err != nil {
				return err
			}
			pm, err := permFromText(v)
			if err != nil {
				return err
			}
			p.perm, p.permSet = pm, true
		case "-k":
			v, err := next(&i, opt)
			if err != nil {
				return err
			}
			p.keys = append(p.keys, v)
		case "-S":
			v, err := next(&i, opt)
			if err != nil {
				return err
			}
			p.syscalls = append(p.syscalls, strings.Split(v, ",")...)
		case "-F":
			v, err := next(&i, opt)
			if err != nil {
				return err
			}
			if err := p.field(v); err != nil {
				return err
			}
		case "-C":
			v, err := next(&i, opt)
			if err != nil {
				return err
			}
			if err := p.compare(v); err != nil {
				return err
			}
		default:
			return fmt.Errorf("unknown word %q", opt)
		}
	}
	return p.finish()
}

func (p *ruleParser) listAction(v string) error {
	a, b, ok := strings.Cut(v, ",")
	if !ok {
		return fmt.Errorf("%q: want list,action", v)
	}
	var l List
	var act Action
	if l.UnmarshalText([]byte(a)) == nil && act.UnmarshalText([]byte(b)) == nil {
	} else if l.UnmarshalText([]byte(b)) == nil && act.UnmarshalText([]byte(a)) == nil {
	} else {
		return fmt.Errorf("%q: want list,action (lists: exit, user, task, exclude, filesystem, io_uring; actions: always, never)", v)
	}
	if l == ListEntry {
		return errors.New("the entry list is deprecated by the kernel; use exit")
	}
	p.r.List, p.r.Action, p.listSet = l, act, true
	return nil
}

func (p *ruleParser) add(f RuleField) error {
	if len(p.r.Fields) >= maxFields {
		return fmt.Errorf("more than %d fields", maxFields)
	}
	p.r.Fields = append(p.r.Fields, f)
	return nil
}

// splitOp cuts "name<op>value".
func splitOp(s string) (name string, op Op, value string, err error) {
	best := -1
	for i := range len(s) {
		for _, o := range opSymbols {
			if strings.HasPrefix(s[i:], o.sym) {
				name, op, value = s[:i], o.op, s[i+len(o.sym):]
				best = i
				break
			}
		}
		if best >= 0 {
			break
		}
	}
	if best <= 0 {
		return "", 0, "", fmt.Errorf("%q: want field<op>value", s)
	}
	return name, op, value, nil
}

func (p *ruleParser) field(s string) error {
	name, op, v, err := splitOp(s)
	if err != nil {
		return err
	}
	var f Field
	if err := f.UnmarshalText([]byte(name)); err != nil || f == FieldCompare {
		return fmt.Errorf("-F %s: unknown field %q", s, name)
	}
	if f == FieldKey {
		if op != OpEqual {
			return fmt.Errorf("-F %s: key takes only =", s)
		}
		p.keys = append(p.keys, v)
		return nil
	}
	rf := RuleField{Field: f, Op: op}
	if f.IsString() {
		if v == "" {
			return fmt.Errorf("-F %s: empty value", s)
		}
		switch f {
		case FieldWatch, FieldDir, FieldExe:
			if op != OpEqual && op != OpNotEqual {
				return fmt.Errorf("-F %s: %s takes only = and !=", s, name)
			}
			if !strings.HasPrefix(v, "/") {
				return fmt.Errorf("-F %s: not an absolute path", s)
			}
			if f != FieldExe && len(v) > 1 {
				v = strings.TrimRight(v, "/")
			}
		}
		rf.Text, rf.Value = v, uint32(len(v))
		return p.add(rf)
	}
	val, err := p.value(f, op, v)
	if err != nil {
		return fmt.Errorf("-F %s: %w", s, err)
	}
	rf.Value = val
	return p.add(rf)
}

func (p *ruleParser) value(f Field, op Op, v string) (uint32, error) {
	num := func() (uint32, error) {
		if n, err := strconv.ParseInt(v, 0, 64); err == nil && n >= -1<<31 && n < 1<<32 {
			return uint32(n), nil
		}
		return 0, fmt.Errorf("%q is not a number", v)
	}
	switch f {
	case FieldUID, FieldEUID, FieldSUID, FieldFSUID, FieldLoginUID, FieldObjUID:
		if v == "unset" {
			return ^uint32(0), nil
		}
		if n, err := num(); err == nil {
			return n, nil
		}
		u, err := user.Lookup(v)
		if err != nil {
			return 0, fmt.Errorf("unknown user %q", v)
		}
		n, _ := strconv.ParseUint(u.Uid, 10, 32)
		return uint32(n), nil
	case FieldGID, FieldEGID, FieldSGID, FieldFSGID, FieldObjGID:
		if v == "unset" {
			return ^uint32(0), nil
		}
		if n, err := num(); err == nil {
			return n, nil
		}
		g, err := user.LookupGroup(v)
		if err != nil {
			return 0, fmt.Errorf("unknown group %q", v)
		}
		n, _ := strconv.ParseUint(g.Gid, 10, 32)
		return uint32(n), nil
	case FieldArch:
		if op != OpEqual && op != OpNotEqual {
			return 0, errors.New("arch takes only = and !=")
		}
		if n, err := num(); err == nil && n > 0xffff {
			return n, nil
		}
		a, err := archFromText(v, p.host)
		return uint32(a), err
	case FieldMsgType:
		var t RecordType
		if err := t.UnmarshalText([]byte(v)); err != nil {
			return 0, fmt.Errorf("unknown message type %q", v)
		}
		return uint32(t), nil
	case FieldPerm:
		if op != OpEqual {
			return 0, errors.New("perm takes only =")
		}
		pm, err := permFromText(v)
		return uint32(pm), err
	case FieldExit:
		if e, ok := strings.CutPrefix(v, "-"); ok {
			if n, ok := errnoValue(e); ok {
				return uint32(-n), nil
			}
		}
		if n, ok := errnoValue(v); ok {
			return uint32(n), nil
		}
		return num()
	case FieldFileType:
		if n, ok := fileTypes[v]; ok {
			return n, nil
		}
		return num()
	case FieldFSType:
		switch v {
		case "debugfs":
			return fsDebugfs, nil
		case "tracefs":
			return fsTracefs, nil
		}
		return num()
	case FieldSuccess:
		switch v {
		case "yes":
			return 1, nil
		case "no":
			return 0, nil
		}
		return num()
	case FieldLoginUIDSet:
		return num()
	}
	return num()
}

func (p *ruleParser) compare(s string) error {
	a, op, b, err := splitOp(s)
	if err != nil {
		return fmt.Errorf("-C %w", err)
	}
	if op != OpEqual && op != OpNotEqual {
		return fmt.Errorf("-C %s: only = and != compare fields", s)
	}
	for _, c := range compareNames {
		if c.a == a && c.b == b || c.a == b && c.b == a {
			return p.add(RuleField{Field: FieldCompare, Op: op, Value: c.v})
		}
	}
	return fmt.Errorf("-C %s: fields %s and %s cannot be compared", s, a, b)
}

func (p *ruleParser) finish() error {
	if p.watch != "" {
		p.r.List, p.r.Action = ListExit, ActionAlways
		// As auditctl: a watch on an existing directory is a dir
		// field (the whole tree), anything else a path field.
		wf := FieldWatch
		if fi, err := os.Stat(p.watch); err == nil && fi.IsDir() {
			wf = FieldDir
		}
		if len(p.syscalls) > 0 || len(p.r.Fields) > 0 {
			return errors.New("a watch (-w) takes only -p and -k")
		}
		if !p.permSet {
			p.perm = PermRead | PermWrite | PermExec | PermAttr
		}
		p.r.Syscalls.IncludeAll()
		p.r.Fields = append(p.r.Fields,
			RuleField{Field: wf, Op: OpEqual, Value: uint32(len(p.watch)), Text: p.watch},
			RuleField{Field: FieldPerm, Op: OpEqual, Value: uint32(p.perm)})
	} else {
		if !p.listSet {
			return errors.New("no -a, -A, -d or -w")
		}
		if p.permSet {
			return errors.New("-p goes with -w; use -F perm= in a syscall rule")
		}
		if err := p.syscallMask(); err != nil {
			return err
		}
	}
	if len(p.keys) > 0 {
		k := strings.Join(p.keys, string(rune(keySep)))
		if len(k) > maxKeyLen {
			return fmt.Errorf("key %q: longer than %d bytes", k, maxKeyLen)
		}
		if err := p.add(RuleField{Field: FieldKey, Op: OpEqual, Value: uint32(len(k)), Text: k}); err != nil {
			return err
		}
	}
	return nil
}

func (p *ruleParser) syscallMask() error {
	l := p.r.List
	takes := l == ListExit || l == ListFilesystem || l == ListIOUring
	if len(p.syscalls) > 0 && !takes {
		return fmt.Errorf("the %s list takes no system calls (-S)", l)
	}
	if len(p.syscalls) == 0 {
		// As auditctl: every list but task gets the full mask when no
		// -S is given (the kernel compares masks to find duplicates).
		if l != ListTask {
			p.r.Syscalls.IncludeAll()
		}
		return nil
	}
	machine := p.host
	if a, ok := p.r.Arch(); ok {
		machine = a
	}
	for _, s := range p.syscalls {
		if s == "all" {
			p.r.Syscalls.IncludeAll()
			continue
		}
		if n, err := strconv.Atoi(s); err == nil {
			if n < 0 || n >= bitmaskSize*32 {
				return fmt.Errorf("-S %d: out of range", n)
			}
			p.r.Syscalls.Include(n)
			continue
		}
		n, ok := SyscallNumber(machine, s)
		if !ok {
			return fmt.Errorf("-S %s: unknown system call on %s", s, machine)
		}
		p.r.Syscalls.Include(n)
	}
	return nil
}
