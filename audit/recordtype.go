package audit

import (
	"fmt"
	"strconv"
	"strings"
)

// RecordType is an audit message type (the nlmsg_type of records and
// requests, AUDIT_* in linux/audit.h), named as libaudit names it
// ("SYSCALL", "USER_LOGIN").
type RecordType uint16

// Requests (AUDIT_GET ... AUDIT_GET_FEATURE).
const (
	typeGet        RecordType = 1000 // AUDIT_GET
	typeSet        RecordType = 1001 // AUDIT_SET
	typeAddRule    RecordType = 1011 // AUDIT_ADD_RULE
	typeDelRule    RecordType = 1012 // AUDIT_DEL_RULE
	typeListRules  RecordType = 1013 // AUDIT_LIST_RULES
	typeTTYGet     RecordType = 1016 // AUDIT_TTY_GET
	typeTTYSet     RecordType = 1017 // AUDIT_TTY_SET
	typeSetFeature RecordType = 1018 // AUDIT_SET_FEATURE
	typeGetFeature RecordType = 1019 // AUDIT_GET_FEATURE
)

// Record types the kernel and trusted programs emit. The full list is
// recordTypeNames; these are the ones code refers to.
const (
	TypeUser          RecordType = 1005 // AUDIT_USER: deprecated user message
	TypeLogin         RecordType = 1006 // AUDIT_LOGIN: loginuid changed
	TypeFirstUserMsg  RecordType = 1100 // AUDIT_FIRST_USER_MSG
	TypeUserAVC       RecordType = 1107 // AUDIT_USER_AVC
	TypeUserLogin     RecordType = 1112 // AUDIT_USER_LOGIN
	TypeTest          RecordType = 1120 // AUDIT_TEST
	TypeTrustedApp    RecordType = 1121 // AUDIT_TRUSTED_APP
	TypeUserTTY       RecordType = 1124 // AUDIT_USER_TTY
	TypeLastUserMsg   RecordType = 1199 // AUDIT_LAST_USER_MSG
	TypeDaemonStart   RecordType = 1200 // AUDIT_DAEMON_START
	TypeSyscall       RecordType = 1300 // AUDIT_SYSCALL
	TypePath          RecordType = 1302 // AUDIT_PATH
	TypeConfigChange  RecordType = 1305 // AUDIT_CONFIG_CHANGE
	TypeSockaddr      RecordType = 1306 // AUDIT_SOCKADDR
	TypeCWD           RecordType = 1307 // AUDIT_CWD
	TypeExecve        RecordType = 1309 // AUDIT_EXECVE
	TypeEOE           RecordType = 1320 // AUDIT_EOE: end of a multi-record event
	TypeProctitle     RecordType = 1327 // AUDIT_PROCTITLE
	TypeReplace       RecordType = 1329 // AUDIT_REPLACE: probe of the daemon by a would-be replacement
	TypeAVC           RecordType = 1400 // AUDIT_AVC
	TypeKernel        RecordType = 2000 // AUDIT_KERNEL: audit initialised
	TypeFirstUserMsg2 RecordType = 2100 // AUDIT_FIRST_USER_MSG2
	TypeLastUserMsg2  RecordType = 2999 // AUDIT_LAST_USER_MSG2
)

// recordTypeNames are libaudit's names of the message types.
var recordTypeNames = map[RecordType]string{
	1000: "GET", 1001: "SET", 1002: "LIST", 1003: "ADD", 1004: "DEL", 1005: "USER", 1006: "LOGIN",
	1007: "WATCH_INS", 1008: "WATCH_REM", 1009: "WATCH_LIST", 1010: "SIGNAL_INFO", 1011: "ADD_RULE",
	1012: "DEL_RULE", 1013: "LIST_RULES", 1014: "TRIM", 1015: "MAKE_EQUIV", 1016: "TTY_GET",
	1017: "TTY_SET", 1018: "SET_FEATURE", 1019: "GET_FEATURE",
	1100: "USER_AUTH", 1101: "USER_ACCT", 1102: "USER_MGMT", 1103: "CRED_ACQ", 1104: "CRED_DISP",
	1105: "USER_START", 1106: "USER_END", 1107: "USER_AVC", 1108: "USER_CHAUTHTOK", 1109: "USER_ERR",
	1110: "CRED_REFR", 1111: "USYS_CONFIG", 1112: "USER_LOGIN", 1113: "USER_LOGOUT", 1114: "ADD_USER",
	1115: "DEL_USER", 1116: "ADD_GROUP", 1117: "DEL_GROUP", 1118: "DAC_CHECK", 1119: "CHGRP_ID",
	1120: "TEST", 1121: "TRUSTED_APP", 1122: "USER_SELINUX_ERR", 1123: "USER_CMD", 1124: "USER_TTY",
	1125: "CHUSER_ID", 1126: "GRP_AUTH", 1127: "SYSTEM_BOOT", 1128: "SYSTEM_SHUTDOWN",
	1129: "SYSTEM_RUNLEVEL", 1130: "SERVICE_START", 1131: "SERVICE_STOP", 1132: "GRP_MGMT",
	1133: "GRP_CHAUTHTOK", 1134: "MAC_CHECK", 1135: "ACCT_LOCK", 1136: "ACCT_UNLOCK",
	1137: "USER_DEVICE", 1138: "SOFTWARE_UPDATE",
	1200: "DAEMON_START", 1201: "DAEMON_END", 1202: "DAEMON_ABORT", 1203: "DAEMON_CONFIG",
	1204: "DAEMON_RECONFIG", 1205: "DAEMON_ROTATE", 1206: "DAEMON_RESUME", 1207: "DAEMON_ACCEPT",
	1208: "DAEMON_CLOSE", 1209: "DAEMON_ERR",
	1300: "SYSCALL", 1301: "FS_WATCH", 1302: "PATH", 1303: "IPC", 1304: "SOCKETCALL",
	1305: "CONFIG_CHANGE", 1306: "SOCKADDR", 1307: "CWD", 1308: "FS_INODE", 1309: "EXECVE",
	1311: "IPC_SET_PERM", 1312: "MQ_OPEN", 1313: "MQ_SENDRECV", 1314: "MQ_NOTIFY",
	1315: "MQ_GETSETATTR", 1316: "KERNEL_OTHER", 1317: "FD_PAIR", 1318: "OBJ_PID", 1319: "TTY",
	1320: "EOE", 1321: "BPRM_FCAPS", 1322: "CAPSET", 1323: "MMAP", 1324: "NETFILTER_PKT",
	1325: "NETFILTER_CFG", 1326: "SECCOMP", 1327: "PROCTITLE", 1328: "FEATURE_CHANGE", 1329: "REPLACE",
	1330: "KERN_MODULE", 1331: "FANOTIFY", 1332: "TIME_INJOFFSET", 1333: "TIME_ADJNTPVAL", 1334: "BPF",
	1335: "EVENT_LISTENER", 1336: "URINGOP", 1337: "OPENAT2", 1338: "DM_CTRL", 1339: "DM_EVENT",
	1400: "AVC", 1401: "SELINUX_ERR", 1402: "AVC_PATH", 1403: "MAC_POLICY_LOAD", 1404: "MAC_STATUS",
	1405: "MAC_CONFIG_CHANGE", 1406: "MAC_UNLBL_ALLOW", 1407: "MAC_CIPSOV4_ADD", 1408: "MAC_CIPSOV4_DEL",
	1409: "MAC_MAP_ADD", 1410: "MAC_MAP_DEL", 1411: "MAC_IPSEC_ADDSA", 1412: "MAC_IPSEC_DELSA",
	1413: "MAC_IPSEC_ADDSPD", 1414: "MAC_IPSEC_DELSPD", 1415: "MAC_IPSEC_EVENT",
	1416: "MAC_UNLBL_STCADD", 1417: "MAC_UNLBL_STCDEL", 1418: "MAC_CALIPSO_ADD", 1419: "MAC_CALIPSO_DEL",
	1420: "MAC_TASK_CONTEXTS", 1421: "MAC_OBJ_CONTEXTS",
	1700: "ANOM_PROMISCUOUS", 1701: "ANOM_ABEND", 1702: "ANOM_LINK", 1703: "ANOM_CREAT",
	1800: "INTEGRITY_DATA", 1801: "INTEGRITY_METADATA", 1802: "INTEGRITY_STATUS", 1803: "INTEGRITY_HASH",
	1804: "INTEGRITY_PCR", 1805: "INTEGRITY_RULE", 1806: "INTEGRITY_EVM_XATTR", 1807: "INTEGRITY_POLICY_RULE",
	2000: "KERNEL",
	2100: "ANOM_LOGIN_FAILURES", 2101: "ANOM_LOGIN_TIME", 2102: "ANOM_LOGIN_SESSIONS",
	2103: "ANOM_LOGIN_ACCT", 2104: "ANOM_LOGIN_LOCATION", 2105: "ANOM_MAX_DAC", 2106: "ANOM_MAX_MAC",
	2107: "ANOM_AMTU_FAIL", 2108: "ANOM_RBAC_FAIL", 2109: "ANOM_RBAC_INTEGRITY_FAIL",
	2110: "ANOM_CRYPTO_FAIL", 2111: "ANOM_ACCESS_FS", 2112: "ANOM_EXEC", 2113: "ANOM_MK_EXEC",
	2114: "ANOM_ADD_ACCT", 2115: "ANOM_DEL_ACCT", 2116: "ANOM_MOD_ACCT", 2117: "ANOM_ROOT_TRANS",
	2118: "ANOM_LOGIN_SERVICE",
	2300: "USER_ROLE_CHANGE", 2301: "ROLE_ASSIGN", 2302: "ROLE_REMOVE", 2303: "LABEL_OVERRIDE",
	2304: "LABEL_LEVEL_CHANGE", 2305: "USER_LABELED_EXPORT", 2306: "USER_UNLABELED_EXPORT",
	2307: "DEV_ALLOC", 2308: "DEV_DEALLOC", 2309: "FS_RELABEL", 2310: "USER_MAC_POLICY_LOAD",
	2311: "ROLE_MODIFY", 2312: "USER_MAC_CONFIG_CHANGE", 2313: "USER_MAC_STATUS",
	2400: "CRYPTO_TEST_USER", 2401: "CRYPTO_PARAM_CHANGE_USER", 2402: "CRYPTO_LOGIN",
	2403: "CRYPTO_LOGOUT", 2404: "CRYPTO_KEY_USER", 2405: "CRYPTO_FAILURE_USER",
	2406: "CRYPTO_REPLAY_USER", 2407: "CRYPTO_SESSION", 2408: "CRYPTO_IKE_SA", 2409: "CRYPTO_IPSEC_SA",
	2500: "VIRT_CONTROL", 2501: "VIRT_RESOURCE", 2502: "VIRT_MACHINE_ID", 2503: "VIRT_INTEGRITY_CHECK",
	2504: "VIRT_CREATE", 2505: "VIRT_DESTROY", 2506: "VIRT_MIGRATE_IN", 2507: "VIRT_MIGRATE_OUT",
}

// String names the type as libaudit does ("SYSCALL"), or "UNKNOWN[n]" as
// ausearch prints types it does not know.
func (t RecordType) String() string {
	if s, ok := recordTypeNames[t]; ok {
		return s
	}
	return "UNKNOWN[" + strconv.Itoa(int(t)) + "]"
}

// name returns libaudit's name, and false for a type it does not know.
func (t RecordType) name() (string, bool) {
	s, ok := recordTypeNames[t]
	return s, ok
}

// MarshalText implements encoding.TextMarshaler.
func (t RecordType) MarshalText() ([]byte, error) { return t.AppendText(nil) }

// AppendText implements encoding.TextAppender.
func (t RecordType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText reads a type's name ("USER_LOGIN"), "UNKNOWN[n]" or a
// number.
func (t *RecordType) UnmarshalText(b []byte) error {
	s := string(b)
	if n, err := strconv.ParseUint(s, 10, 16); err == nil {
		*t = RecordType(n)
		return nil
	}
	if v, ok := strings.CutPrefix(s, "UNKNOWN["); ok {
		if n, err := strconv.ParseUint(strings.TrimSuffix(v, "]"), 10, 16); err == nil {
			*t = RecordType(n)
			return nil
		}
	}
	u := strings.ToUpper(s)
	for k, n := range recordTypeNames {
		if n == u {
			*t = k
			return nil
		}
	}
	return fmt.Errorf("audit: unknown record type %q", s)
}

// IsUser reports whether t is a user-space message type (AUDIT_USER and the
// ranges 1100-1199 and 2100-2999), the kind a trusted program sends.
func (t RecordType) IsUser() bool {
	return t == TypeUser || (t >= TypeFirstUserMsg && t <= TypeLastUserMsg) ||
		(t >= TypeFirstUserMsg2 && t <= TypeLastUserMsg2)
}

// standalone reports whether records of type t are whole events by
// themselves: user messages and daemon messages carry no EOE. Kernel
// records (1300 and up) may share their serial with others and end with an
// EOE when they belong to a system call; those that do not are delivered
// when Events' timeout passes.
func (t RecordType) standalone() bool {
	return t.IsUser() || (t >= 1200 && t <= 1299)
}
