package sockdiag

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"
)

// vmSocket is what the kernel's bytecode looks at.
type vmSocket struct {
	src, dst  netip.AddrPort
	ifindex   int32
	mark      uint32
	cgroup    uint64
	autobound bool
}

// runBytecode runs a program as the kernel's inet_diag_bc_run does (a test
// model of linux/net/ipv4/inet_diag.c, written from its documented
// semantics): each operation jumps "yes" bytes on success and "no" bytes
// on failure; the socket is accepted when the program ends exactly at its
// end. ok is false for a program the kernel's audit would refuse.
func runBytecode(code []byte, s vmSocket) (accept, ok bool) {
	if !auditBytecode(code) {
		return false, false
	}
	off := 0
	for off < len(code) {
		b := code[off:]
		yes := true
		ne := binary.NativeEndian
		switch b[0] {
		case bcNop:
		case bcJmp:
			yes = false
		case bcSEQ:
			yes = s.src.Port() == ne.Uint16(b[6:])
		case bcSGE:
			yes = s.src.Port() >= ne.Uint16(b[6:])
		case bcSLE:
			yes = s.src.Port() <= ne.Uint16(b[6:])
		case bcDEQ:
			yes = s.dst.Port() == ne.Uint16(b[6:])
		case bcDGE:
			yes = s.dst.Port() >= ne.Uint16(b[6:])
		case bcDLE:
			yes = s.dst.Port() <= ne.Uint16(b[6:])
		case bcAuto:
			yes = s.autobound
		case bcSCond, bcDCond:
			ap := s.src
			if b[0] == bcDCond {
				ap = s.dst
			}
			fam, plen, port := b[4], int(b[5]), int32(ne.Uint32(b[8:]))
			if port != -1 && port != int32(ap.Port()) {
				yes = false
				break
			}
			a := ap.Addr()
			var want netip.Addr
			switch fam {
			case 0:
				break
			case unix.AF_INET:
				want = netip.AddrFrom4([4]byte(b[12:16]))
				a = a.Unmap()
			default:
				want = netip.AddrFrom16([16]byte(b[12:28]))
			}
			if fam != 0 && a.BitLen() != want.BitLen() {
				yes = false
				break
			}
			if plen == 0 {
				break
			}
			p, _ := want.Prefix(plen)
			yes = p.Contains(a)
		case bcDevCond:
			yes = s.ifindex == int32(ne.Uint32(b[4:]))
		case bcMark:
			yes = s.mark&ne.Uint32(b[8:]) == ne.Uint32(b[4:])
		case bcCgroup:
			yes = s.cgroup == ne.Uint64(b[4:])
		}
		if yes {
			off += int(b[1])
		} else {
			off += int(ne.Uint16(b[2:]))
		}
	}
	return off == len(code), true
}

// auditBytecode checks a program as inet_diag_bc_audit does: walking the
// "yes" chain, every operation is complete, jumps are 4-aligned, at least
// the operation's size, land within the program or 4 bytes past it, and a
// "no" jump inside the program lands on an operation of the chain.
func auditBytecode(code []byte) bool {
	starts := map[int]bool{}
	for off := 0; off < len(code); {
		starts[off] = true
		if len(code)-off < 4 {
			return false
		}
		yes := int(code[off+1])
		if yes == 0 {
			return false
		}
		off += yes
	}
	for off := 0; off < len(code); {
		b := code[off:]
		rem := len(code) - off
		size := opSize(b)
		if size > rem {
			return false
		}
		switch b[0] {
		case bcNop, bcJmp, bcAuto, bcSEQ, bcSGE, bcSLE, bcDEQ, bcDGE, bcDLE, bcDevCond, bcMark, bcCgroup:
		case bcSCond, bcDCond:
			fam := b[4]
			n := map[byte]int{0: 0, unix.AF_INET: 4, unix.AF_INET6: 16}[fam]
			if fam != 0 && fam != unix.AF_INET && fam != unix.AF_INET6 || int(b[5]) > 8*n {
				return false
			}
		default:
			return false
		}
		yes, no := int(b[1]), int(binary.NativeEndian.Uint16(b[2:]))
		if b[0] != bcNop {
			if no < size || no > rem+4 || no&3 != 0 {
				return false
			}
			if no < rem && !starts[off+no] {
				return false
			}
		}
		if yes < size || yes > rem+4 || yes&3 != 0 {
			return false
		}
		off += yes
	}
	return true
}

// evalExpr is the reference meaning of an Expr, evaluated in Go.
func evalExpr(e *Expr, s vmSocket) bool {
	switch e.Op {
	case OpAnd:
		for _, x := range e.Args {
			if !evalExpr(x, s) {
				return false
			}
		}
		return true
	case OpOr:
		for _, x := range e.Args {
			if evalExpr(x, s) {
				return true
			}
		}
		return false
	case OpNot:
		return !evalExpr(e.Args[0], s)
	case OpSPortEQ:
		return int32(s.src.Port()) == e.Port
	case OpSPortGE:
		return int32(s.src.Port()) >= e.Port
	case OpSPortLE:
		return int32(s.src.Port()) <= e.Port
	case OpDPortEQ:
		return int32(s.dst.Port()) == e.Port
	case OpDPortGE:
		return int32(s.dst.Port()) >= e.Port
	case OpDPortLE:
		return int32(s.dst.Port()) <= e.Port
	case OpSrc, OpDst:
		ap := s.src
		if e.Op == OpDst {
			ap = s.dst
		}
		if e.Port != AnyPort && e.Port != int32(ap.Port()) {
			return false
		}
		if !e.Prefix.IsValid() {
			return true
		}
		a := ap.Addr()
		if e.Prefix.Addr().Is4() {
			a = a.Unmap()
		}
		return a.BitLen() == e.Prefix.Addr().BitLen() && (e.Prefix.Bits() == 0 || e.Prefix.Contains(a))
	case OpDev:
		return s.ifindex == e.IfIndex
	case OpMark:
		return s.mark&e.Mask == e.Mark
	case OpCgroup:
		return s.cgroup == e.CgroupID
	case OpAutoBound:
		return s.autobound
	}
	return false
}
