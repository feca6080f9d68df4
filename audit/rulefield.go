package audit

import (
	"fmt"
	"strconv"
)

// List is the filter list a rule is on (AUDIT_FILTER_*), auditctl's word
// after -a: exit, user, task, exclude, filesystem, io_uring.
type List uint32

// Filter lists from linux/audit.h.
const (
	ListUser       List = 0x00 // AUDIT_FILTER_USER: user-space messages
	ListTask       List = 0x01 // AUDIT_FILTER_TASK: at fork
	ListEntry      List = 0x02 // AUDIT_FILTER_ENTRY: deprecated by the kernel
	ListWatch      List = 0x03 // AUDIT_FILTER_WATCH: internal
	ListExit       List = 0x04 // AUDIT_FILTER_EXIT: at syscall exit
	ListExclude    List = 0x05 // AUDIT_FILTER_EXCLUDE: drop records by type
	ListFilesystem List = 0x06 // AUDIT_FILTER_FS: by file system type
	ListIOUring    List = 0x07 // AUDIT_FILTER_URING_EXIT: io_uring operations

	listMask    = 0x07
	listPrepend = 0x10 // AUDIT_FILTER_PREPEND
)

var listNames = []string{"user", "task", "entry", "watch", "exit", "exclude", "filesystem", "io_uring"}

// String gives auditctl's word for the list.
func (l List) String() string {
	if int(l) < len(listNames) {
		return listNames[l]
	}
	return "list" + strconv.Itoa(int(l))
}

// MarshalText implements encoding.TextMarshaler.
func (l List) MarshalText() ([]byte, error) { return l.AppendText(nil) }

// AppendText implements encoding.TextAppender.
func (l List) AppendText(b []byte) ([]byte, error) { return append(b, l.String()...), nil }

// UnmarshalText reads auditctl's word for a list.
func (l *List) UnmarshalText(b []byte) error {
	for i, n := range listNames {
		if n == string(b) && List(i) != ListWatch {
			*l = List(i)
			return nil
		}
	}
	return fmt.Errorf("audit: unknown filter list %q", b)
}

// Action is what a matching rule does (AUDIT_NEVER, AUDIT_POSSIBLE,
// AUDIT_ALWAYS).
type Action uint32

// Rule actions from linux/audit.h.
const (
	ActionNever    Action = 0 // AUDIT_NEVER: no record
	ActionPossible Action = 1 // AUDIT_POSSIBLE: deprecated
	ActionAlways   Action = 2 // AUDIT_ALWAYS: a record
)

var actionNames = []string{"never", "possible", "always"}

// String gives auditctl's word for the action.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "action" + strconv.Itoa(int(a))
}

// MarshalText implements encoding.TextMarshaler.
func (a Action) MarshalText() ([]byte, error) { return a.AppendText(nil) }

// AppendText implements encoding.TextAppender.
func (a Action) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// UnmarshalText reads auditctl's word for an action.
func (a *Action) UnmarshalText(b []byte) error {
	for i, n := range actionNames {
		if n == string(b) {
			*a = Action(i)
			return nil
		}
	}
	return fmt.Errorf("audit: unknown action %q", b)
}

// Field is what a rule field compares (AUDIT_PID, AUDIT_UID, ... AUDIT_FILTERKEY).
type Field uint32

// Rule fields from linux/audit.h.
const (
	FieldPID         Field = 0   // AUDIT_PID
	FieldUID         Field = 1   // AUDIT_UID
	FieldEUID        Field = 2   // AUDIT_EUID
	FieldSUID        Field = 3   // AUDIT_SUID
	FieldFSUID       Field = 4   // AUDIT_FSUID
	FieldGID         Field = 5   // AUDIT_GID
	FieldEGID        Field = 6   // AUDIT_EGID
	FieldSGID        Field = 7   // AUDIT_SGID
	FieldFSGID       Field = 8   // AUDIT_FSGID
	FieldLoginUID    Field = 9   // AUDIT_LOGINUID (auditctl's auid)
	FieldPers        Field = 10  // AUDIT_PERS
	FieldArch        Field = 11  // AUDIT_ARCH
	FieldMsgType     Field = 12  // AUDIT_MSGTYPE
	FieldSubjUser    Field = 13  // AUDIT_SUBJ_USER
	FieldSubjRole    Field = 14  // AUDIT_SUBJ_ROLE
	FieldSubjType    Field = 15  // AUDIT_SUBJ_TYPE
	FieldSubjSen     Field = 16  // AUDIT_SUBJ_SEN
	FieldSubjClr     Field = 17  // AUDIT_SUBJ_CLR
	FieldPPID        Field = 18  // AUDIT_PPID
	FieldObjUser     Field = 19  // AUDIT_OBJ_USER
	FieldObjRole     Field = 20  // AUDIT_OBJ_ROLE
	FieldObjType     Field = 21  // AUDIT_OBJ_TYPE
	FieldObjLevLow   Field = 22  // AUDIT_OBJ_LEV_LOW
	FieldObjLevHigh  Field = 23  // AUDIT_OBJ_LEV_HIGH
	FieldLoginUIDSet Field = 24  // AUDIT_LOGINUID_SET
	FieldSessionID   Field = 25  // AUDIT_SESSIONID
	FieldFSType      Field = 26  // AUDIT_FSTYPE
	FieldDevMajor    Field = 100 // AUDIT_DEVMAJOR
	FieldDevMinor    Field = 101 // AUDIT_DEVMINOR
	FieldInode       Field = 102 // AUDIT_INODE
	FieldExit        Field = 103 // AUDIT_EXIT
	FieldSuccess     Field = 104 // AUDIT_SUCCESS
	FieldWatch       Field = 105 // AUDIT_WATCH (auditctl's path, or -w)
	FieldPerm        Field = 106 // AUDIT_PERM
	FieldDir         Field = 107 // AUDIT_DIR
	FieldFileType    Field = 108 // AUDIT_FILETYPE
	FieldObjUID      Field = 109 // AUDIT_OBJ_UID
	FieldObjGID      Field = 110 // AUDIT_OBJ_GID
	FieldCompare     Field = 111 // AUDIT_FIELD_COMPARE (auditctl's -C)
	FieldExe         Field = 112 // AUDIT_EXE
	FieldSaddrFam    Field = 113 // AUDIT_SADDR_FAM
	FieldArg0        Field = 200 // AUDIT_ARG0
	FieldArg1        Field = 201 // AUDIT_ARG1
	FieldArg2        Field = 202 // AUDIT_ARG2
	FieldArg3        Field = 203 // AUDIT_ARG3
	FieldKey         Field = 210 // AUDIT_FILTERKEY (auditctl's key, -k)
)

// fieldNames are auditctl's names (libaudit's field table).
var fieldNames = map[Field]string{
	FieldPID: "pid", FieldUID: "uid", FieldEUID: "euid", FieldSUID: "suid", FieldFSUID: "fsuid",
	FieldGID: "gid", FieldEGID: "egid", FieldSGID: "sgid", FieldFSGID: "fsgid", FieldLoginUID: "auid",
	FieldPers: "pers", FieldArch: "arch", FieldMsgType: "msgtype", FieldSubjUser: "subj_user",
	FieldSubjRole: "subj_role", FieldSubjType: "subj_type", FieldSubjSen: "subj_sen", FieldSubjClr: "subj_clr",
	FieldPPID: "ppid", FieldObjUser: "obj_user", FieldObjRole: "obj_role", FieldObjType: "obj_type",
	FieldObjLevLow: "obj_lev_low", FieldObjLevHigh: "obj_lev_high",
	FieldSessionID: "sessionid", FieldFSType: "fstype", FieldDevMajor: "devmajor", FieldDevMinor: "devminor",
	FieldInode: "inode", FieldExit: "exit", FieldSuccess: "success", FieldWatch: "path", FieldPerm: "perm",
	FieldDir: "dir", FieldFileType: "filetype", FieldObjUID: "obj_uid", FieldObjGID: "obj_gid",
	FieldCompare: "field_compare", FieldExe: "exe", FieldSaddrFam: "saddr_fam", FieldArg0: "a0",
	FieldArg1: "a1", FieldArg2: "a2", FieldArg3: "a3", FieldKey: "key",
}

// String gives auditctl's name of the field ("auid", "path"), or "f<n>".
func (f Field) String() string {
	if s, ok := fieldNames[f]; ok {
		return s
	}
	return "f" + strconv.Itoa(int(f))
}

// MarshalText implements encoding.TextMarshaler.
func (f Field) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// AppendText implements encoding.TextAppender.
func (f Field) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// UnmarshalText reads auditctl's name of a field; "loginuid" is auid.
func (f *Field) UnmarshalText(b []byte) error {
	s := string(b)
	switch s {
	case "loginuid":
		*f = FieldLoginUID
		return nil
	case "loginuid_set":
		// libaudit has no name for it (auditctl prints f24).
		*f = FieldLoginUIDSet
		return nil
	}
	for k, n := range fieldNames {
		if n == s {
			*f = k
			return nil
		}
	}
	return fmt.Errorf("audit: unknown field %q", s)
}

// IsString reports whether the field's value is a string (a path, a key,
// an executable, an LSM label) carried in the rule's buffer.
func (f Field) IsString() bool {
	switch f {
	case FieldSubjUser, FieldSubjRole, FieldSubjType, FieldSubjSen, FieldSubjClr,
		FieldObjUser, FieldObjRole, FieldObjType, FieldObjLevLow, FieldObjLevHigh,
		FieldWatch, FieldDir, FieldKey, FieldExe:
		return true
	}
	return false
}

// Op is a field's comparison (AUDIT_EQUAL ... AUDIT_BIT_TEST), in the
// fieldflags of struct audit_rule_data.
type Op uint32

// Operators from linux/audit.h.
const (
	OpEqual        Op = 0x40000000 // AUDIT_EQUAL: =
	OpNotEqual     Op = 0x30000000 // AUDIT_NOT_EQUAL: !=
	OpLess         Op = 0x10000000 // AUDIT_LESS_THAN: <
	OpGreater      Op = 0x20000000 // AUDIT_GREATER_THAN: >
	OpLessEqual    Op = 0x50000000 // AUDIT_LESS_THAN_OR_EQUAL: <=
	OpGreaterEqual Op = 0x60000000 // AUDIT_GREATER_THAN_OR_EQUAL: >=
	OpBitMask      Op = 0x08000000 // AUDIT_BIT_MASK: &
	OpBitTest      Op = 0x48000000 // AUDIT_BIT_TEST: &=

	opMask = 0x78000000 // AUDIT_OPERATORS
)

var opSymbols = []struct {
	op  Op
	sym string
}{
	// Longest first, for reading.
	{OpNotEqual, "!="}, {OpLessEqual, "<="}, {OpGreaterEqual, ">="}, {OpBitTest, "&="},
	{OpEqual, "="}, {OpLess, "<"}, {OpGreater, ">"}, {OpBitMask, "&"},
}

// String gives the operator's symbol as auditctl writes it ("!=").
func (o Op) String() string {
	for _, s := range opSymbols {
		if s.op == o {
			return s.sym
		}
	}
	return fmt.Sprintf("op%#x", uint32(o))
}

// Perm is the access a watch or perm= field audits (AUDIT_PERM_*),
// written rwxa.
type Perm uint32

// Permission bits from linux/audit.h.
const (
	PermExec  Perm = 1 // AUDIT_PERM_EXEC: x
	PermWrite Perm = 2 // AUDIT_PERM_WRITE: w
	PermRead  Perm = 4 // AUDIT_PERM_READ: r
	PermAttr  Perm = 8 // AUDIT_PERM_ATTR: a
)

// String writes the permissions as auditctl does, in the order rwxa.
func (p Perm) String() string {
	b := make([]byte, 0, 4)
	for _, c := range []struct {
		p Perm
		c byte
	}{{PermRead, 'r'}, {PermWrite, 'w'}, {PermExec, 'x'}, {PermAttr, 'a'}} {
		if p&c.p != 0 {
			b = append(b, c.c)
		}
	}
	return string(b)
}

func permFromText(s string) (Perm, error) {
	var p Perm
	if s == "" || len(s) > 4 {
		return 0, fmt.Errorf("permission %q: want letters of rwxa", s)
	}
	for _, c := range s {
		switch c {
		case 'r':
			p |= PermRead
		case 'w':
			p |= PermWrite
		case 'x':
			p |= PermExec
		case 'a':
			p |= PermAttr
		default:
			return 0, fmt.Errorf("permission %q: want letters of rwxa", s)
		}
	}
	return p, nil
}

// compareNames are the -C comparisons (AUDIT_COMPARE_*), by value, as
// auditctl prints them.
var compareNames = []struct {
	v    uint32
	a, b string
}{
	{1, "uid", "obj_uid"}, {2, "gid", "obj_gid"}, {3, "euid", "obj_uid"}, {4, "egid", "obj_gid"},
	{5, "auid", "obj_uid"}, {6, "suid", "obj_uid"}, {7, "sgid", "obj_gid"}, {8, "fsuid", "obj_uid"},
	{9, "fsgid", "obj_gid"}, {10, "uid", "auid"}, {11, "uid", "euid"}, {12, "uid", "fsuid"},
	{13, "uid", "suid"}, {14, "auid", "fsuid"}, {15, "auid", "suid"}, {16, "auid", "euid"},
	{17, "euid", "suid"}, {18, "euid", "fsuid"}, {19, "suid", "fsuid"}, {20, "gid", "egid"},
	{21, "gid", "fsgid"}, {22, "gid", "sgid"}, {23, "egid", "fsgid"}, {24, "egid", "sgid"},
	{25, "sgid", "fsgid"},
}

// fileTypes are the filetype= words (S_IF* values).
var fileTypes = map[string]uint32{
	"file": 0o100000, "dir": 0o040000, "socket": 0o140000, "link": 0o120000,
	"symlink": 0o120000, "character": 0o020000, "block": 0o060000, "fifo": 0o010000,
}
