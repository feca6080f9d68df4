package audit

import (
	"fmt"
	"runtime"
	"strings"
)

//go:generate go run ./internal/gensyscalls -o syscalls_table.go

// Arch is an AUDIT_ARCH_* value: an ELF machine number with the 64-bit and
// little-endian flags (linux/audit.h), as records (arch=c000003e) and rules
// (-F arch=b64) carry it.
type Arch uint32

// Architectures nlkit knows by name. Syscall names are known for ArchX86_64,
// ArchI386 and ArchAArch64; the others are printed by number.
const (
	ArchX86_64  Arch = 0xc000003e // AUDIT_ARCH_X86_64
	ArchI386    Arch = 0x40000003 // AUDIT_ARCH_I386
	ArchAArch64 Arch = 0xc00000b7 // AUDIT_ARCH_AARCH64
	ArchARM     Arch = 0x40000028 // AUDIT_ARCH_ARM
	ArchPPC64   Arch = 0x80000015 // AUDIT_ARCH_PPC64
	ArchPPC64LE Arch = 0xc0000015 // AUDIT_ARCH_PPC64LE
	ArchPPC     Arch = 0x00000014 // AUDIT_ARCH_PPC
	ArchS390X   Arch = 0x80000016 // AUDIT_ARCH_S390X
	ArchS390    Arch = 0x00000016 // AUDIT_ARCH_S390
	ArchRISCV64 Arch = 0xc00000f3 // AUDIT_ARCH_RISCV64
	ArchRISCV32 Arch = 0x400000f3 // AUDIT_ARCH_RISCV32
)

const arch64Bit = 0x80000000 // __AUDIT_ARCH_64BIT

var archNames = []struct {
	a    Arch
	name string
}{
	{ArchX86_64, "x86_64"}, {ArchI386, "i386"}, {ArchAArch64, "aarch64"}, {ArchARM, "armeb"},
	{ArchPPC64, "ppc64"}, {ArchPPC64LE, "ppc64le"}, {ArchPPC, "ppc"}, {ArchS390X, "s390x"},
	{ArchS390, "s390"}, {ArchRISCV64, "riscv64"}, {ArchRISCV32, "riscv32"},
}

// Is64 reports whether a is a 64-bit architecture.
func (a Arch) Is64() bool { return a&arch64Bit != 0 }

// known reports whether a is an architecture nlkit names.
func (a Arch) known() bool {
	for _, n := range archNames {
		if n.a == a {
			return true
		}
	}
	return false
}

// String names the architecture as uname -m does ("x86_64", "aarch64"), or
// prints it in hex ("0xc000003e") when unknown.
func (a Arch) String() string {
	for _, n := range archNames {
		if n.a == a {
			return n.name
		}
	}
	return fmt.Sprintf("0x%x", uint32(a))
}

// HostArch returns the architecture of the running program (x86_64 or
// aarch64 ...): the one rules without -F arch use for syscall names, and
// the one "b64" means.
func HostArch() Arch {
	switch runtime.GOARCH {
	case "amd64":
		return ArchX86_64
	case "386":
		return ArchI386
	case "arm64":
		return ArchAArch64
	case "arm":
		return ArchARM
	case "ppc64":
		return ArchPPC64
	case "ppc64le":
		return ArchPPC64LE
	case "s390x":
		return ArchS390X
	case "riscv64":
		return ArchRISCV64
	}
	return 0
}

// compat returns the 32-bit architecture of a 64-bit machine ("b32").
func (a Arch) compat() Arch {
	switch a {
	case ArchX86_64:
		return ArchI386
	case ArchAArch64:
		return ArchARM
	case ArchPPC64, ArchPPC64LE:
		return ArchPPC
	case ArchS390X:
		return ArchS390
	case ArchRISCV64:
		return ArchRISCV32
	}
	return a
}

// archFromText reads an -F arch= value: b64, b32, or a machine name, for
// a host of architecture host.
func archFromText(s string, host Arch) (Arch, error) {
	switch s {
	case "b64":
		if !host.Is64() {
			return 0, fmt.Errorf("arch b64 on a 32-bit machine")
		}
		return host, nil
	case "b32":
		return host.compat(), nil
	case "i486", "i586", "i686":
		return ArchI386, nil
	case "arm", "armv7l", "armv7", "armv8l":
		return ArchARM, nil
	case "arm64":
		return ArchAArch64, nil
	case "amd64":
		return ArchX86_64, nil
	}
	for _, n := range archNames {
		if n.name == s {
			return n.a, nil
		}
	}
	return 0, fmt.Errorf("unknown arch %q", s)
}

// syscallTable gives the names of a's system calls, or nil.
func syscallTable(a Arch) []string {
	switch a {
	case ArchX86_64:
		return syscallsX8664[:]
	case ArchI386:
		return syscallsI386[:]
	case ArchAArch64:
		return syscallsAArch64[:]
	}
	return nil
}

// auditctlNames are the few system calls libaudit (auditctl, ausearch)
// names differently from the kernel's headers; rules are printed with
// auditctl's names, and both are accepted.
var auditctlNames = map[Arch]map[int]string{
	ArchX86_64:  {17: "pread", 18: "pwrite"},
	ArchAArch64: {61: "getdents", 67: "pread", 68: "pwrite", 80: "newfstat"},
}

// SyscallName returns the name auditctl gives system call nr of
// architecture a ("openat"), and false if it has none.
func SyscallName(a Arch, nr int) (string, bool) {
	if s, ok := auditctlNames[a][nr]; ok {
		return s, true
	}
	t := syscallTable(a)
	if nr < 0 || nr >= len(t) || t[nr] == "" {
		return "", false
	}
	return t[nr], true
}

// SyscallNumber returns the number of the system call named name on
// architecture a. It accepts the kernel's names and auditctl's.
func SyscallNumber(a Arch, name string) (int, bool) {
	for nr, s := range auditctlNames[a] {
		if s == name {
			return nr, true
		}
	}
	for nr, s := range syscallTable(a) {
		if s == name && s != "" {
			return nr, true
		}
	}
	return 0, false
}

// archFromRecord reads the arch= field of a SYSCALL record (hex).
func archFromRecord(s string) (Arch, bool) {
	var v uint32
	if _, err := fmt.Sscanf(strings.ToLower(s), "%x", &v); err != nil {
		return 0, false
	}
	return Arch(v), true
}
