package sockdiag

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// ExprOp is the operation of an Expr node.
type ExprOp uint8

// Expression operations: the connectives, then the conditions the kernel's
// bytecode (linux/inet_diag.h, INET_DIAG_BC_*) can test.
const (
	OpAnd       ExprOp = iota + 1 // every Arg holds
	OpOr                          // some Arg holds
	OpNot                         // Args[0] does not hold
	OpSPortEQ                     // INET_DIAG_BC_S_EQ: source port == Port
	OpSPortGE                     // INET_DIAG_BC_S_GE: source port >= Port
	OpSPortLE                     // INET_DIAG_BC_S_LE: source port <= Port
	OpDPortEQ                     // INET_DIAG_BC_D_EQ
	OpDPortGE                     // INET_DIAG_BC_D_GE
	OpDPortLE                     // INET_DIAG_BC_D_LE
	OpSrc                         // INET_DIAG_BC_S_COND: source address in Prefix (and port == Port unless AnyPort)
	OpDst                         // INET_DIAG_BC_D_COND
	OpDev                         // INET_DIAG_BC_DEV_COND: bound to interface IfIndex
	OpMark                        // INET_DIAG_BC_MARK_COND: mark&Mask == Mark (needs CAP_NET_ADMIN)
	OpCgroup                      // INET_DIAG_BC_CGROUP_COND: in cgroup v2 CgroupID
	OpAutoBound                   // INET_DIAG_BC_AUTO: the port was chosen by the kernel
)

var exprOpNames = []string{"", "and", "or", "not", "sport-eq", "sport-ge", "sport-le", "dport-eq", "dport-ge", "dport-le", "src", "dst", "dev", "fwmark", "cgroup", "autobound"}

// String names the operation: "and", "sport-ge", "dst" ...
func (o ExprOp) String() string { return enumText(exprOpNames, int(o)) }

// AppendText appends String's word.
func (o ExprOp) AppendText(b []byte) ([]byte, error) { return append(b, o.String()...), nil }

// MarshalText gives String's word.
func (o ExprOp) MarshalText() ([]byte, error) { return o.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (o *ExprOp) UnmarshalText(b []byte) error {
	n, err := enumParse(exprOpNames, "expression operation", string(b), 8)
	*o = ExprOp(n)
	return err
}

// AnyPort in Expr.Port of a Src or Dst condition matches every port.
const AnyPort = -1

// Expr is a socket filter that the kernel runs (INET_DIAG_REQ_BYTECODE):
// conditions on ports, addresses, interface, mark and cgroup combined with
// and, or and not. Build it with the functions below (DPort, Dst, And ...)
// or read ss's filter text with UnmarshalText; AppendBinary compiles it.
// An Expr is a value tree: it is safe for concurrent use once built.
type Expr struct {
	Op   ExprOp
	Args []*Expr // OpAnd, OpOr: two or more; OpNot: one

	// Port is the port of the port comparisons, and of OpSrc/OpDst
	// (AnyPort for any).
	Port int32
	// Prefix is the address prefix of OpSrc/OpDst; the zero Prefix
	// matches any address.
	Prefix   netip.Prefix
	IfIndex  int32  // OpDev
	Mark     uint32 // OpMark
	Mask     uint32 // OpMark
	CgroupID uint64 // OpCgroup
}

// Cmp is a comparison of ss's port conditions.
type Cmp uint8

// Comparisons.
const (
	EQ Cmp = iota // =, ==, eq
	NE            // !=, ne, neq
	GE            // >=, ge, geq
	LE            // <=, le, leq
	GT            // >, gt
	LT            // <, lt
)

var cmpNames = []string{"=", "!=", ">=", "<=", ">", "<"}

// String gives ss's operator: "=", "!=", ">=", "<=", ">", "<".
func (c Cmp) String() string { return enumText(cmpNames, int(c)) }

// AppendText appends String's word.
func (c Cmp) AppendText(b []byte) ([]byte, error) { return append(b, c.String()...), nil }

// MarshalText gives String's word.
func (c Cmp) MarshalText() ([]byte, error) { return c.AppendText(nil) }

// UnmarshalText reads any of ss's spellings of a comparison.
func (c *Cmp) UnmarshalText(b []byte) error {
	switch string(b) {
	case "=", "==", "eq":
		*c = EQ
	case "!=", "ne", "neq":
		*c = NE
	case ">=", "ge", "geq":
		*c = GE
	case "<=", "le", "leq":
		*c = LE
	case ">", "gt":
		*c = GT
	case "<", "lt":
		*c = LT
	default:
		return fmt.Errorf("sockdiag: unknown comparison %q", b)
	}
	return nil
}

func portCmp(eq, ge, le ExprOp, c Cmp, port uint16) *Expr {
	p := int32(port)
	switch c {
	case NE:
		return Not(&Expr{Op: eq, Port: p})
	case GE:
		return &Expr{Op: ge, Port: p}
	case LE:
		return &Expr{Op: le, Port: p}
	case GT:
		return Not(&Expr{Op: le, Port: p})
	case LT:
		return Not(&Expr{Op: ge, Port: p})
	}
	return &Expr{Op: eq, Port: p}
}

// SPort is ss's "sport CMP :PORT": the source (local) port compared.
func SPort(c Cmp, port uint16) *Expr { return portCmp(OpSPortEQ, OpSPortGE, OpSPortLE, c, port) }

// DPort is ss's "dport CMP :PORT": the destination (peer) port compared.
func DPort(c Cmp, port uint16) *Expr { return portCmp(OpDPortEQ, OpDPortGE, OpDPortLE, c, port) }

// Src is ss's "src PREFIX[:PORT]": the source (local) address in p (the
// zero Prefix: any), and the port equal to port unless it is AnyPort.
func Src(p netip.Prefix, port int32) *Expr { return &Expr{Op: OpSrc, Prefix: p.Masked(), Port: port} }

// Dst is ss's "dst PREFIX[:PORT]", for the destination (peer).
func Dst(p netip.Prefix, port int32) *Expr { return &Expr{Op: OpDst, Prefix: p.Masked(), Port: port} }

// Dev is ss's "dev = NAME": the socket is bound to interface ifindex.
func Dev(ifindex int32) *Expr { return &Expr{Op: OpDev, IfIndex: ifindex} }

// Mark is ss's "fwmark = MARK/MASK".
func Mark(mark, mask uint32) *Expr { return &Expr{Op: OpMark, Mark: mark, Mask: mask} }

// Cgroup is ss's "cgroup = PATH", by the cgroup's id (its inode number).
func Cgroup(id uint64) *Expr { return &Expr{Op: OpCgroup, CgroupID: id} }

// AutoBound is ss's "autobound": the local port was picked by the kernel.
func AutoBound() *Expr { return &Expr{Op: OpAutoBound} }

// And holds when every x does.
func And(xs ...*Expr) *Expr { return &Expr{Op: OpAnd, Args: xs} }

// Or holds when some x does.
func Or(xs ...*Expr) *Expr { return &Expr{Op: OpOr, Args: xs} }

// Not holds when x does not.
func Not(x *Expr) *Expr { return &Expr{Op: OpNot, Args: []*Expr{x}} }

// Bytecode operation codes (INET_DIAG_BC_*).
const (
	bcNop     = 0
	bcJmp     = 1
	bcSGE     = 2
	bcSLE     = 3
	bcDGE     = 4
	bcDLE     = 5
	bcAuto    = 6
	bcSCond   = 7
	bcDCond   = 8
	bcDevCond = 9
	bcMark    = 10
	bcSEQ     = 11
	bcDEQ     = 12
	bcCgroup  = 13
)

// maxBytecode bounds a program: it travels in one attribute.
const maxBytecode = 65000

// errExpr is wrapped by the errors of malformed expressions.
var errExpr = errors.New("sockdiag: bad filter expression")

// AppendBinary compiles e to the kernel's inet_diag bytecode and appends
// it to b. The program falls through to its end when e holds and jumps 4
// bytes past its end when it does not, as the kernel expects.
func (e *Expr) AppendBinary(b []byte) ([]byte, error) {
	code, err := e.compile(0)
	if err != nil {
		return b, err
	}
	if len(code) > maxBytecode {
		return b, fmt.Errorf("%w: %d bytes of bytecode, at most %d", errExpr, len(code), maxBytecode)
	}
	return append(b, code...), nil
}

// MarshalBinary compiles e as AppendBinary does.
func (e *Expr) MarshalBinary() ([]byte, error) { return e.AppendBinary(nil) }

// op appends an operation whose "yes" falls through (size bytes) and
// whose "no" rejects (jumps 4 bytes past the end of code, which is size
// bytes long when it is the last operation).
func op(code byte, size int) []byte {
	b := make([]byte, 4, size)
	b[0] = code
	b[1] = byte(size)
	binary.NativeEndian.PutUint16(b[2:], uint16(size+4))
	return b
}

func (e *Expr) compile(depth int) ([]byte, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil expression", errExpr)
	}
	if depth > 100 {
		return nil, fmt.Errorf("%w: nested deeper than 100", errExpr)
	}
	switch e.Op {
	case OpAnd, OpOr:
		if len(e.Args) == 0 {
			return nil, fmt.Errorf("%w: %s without operands", errExpr, e.Op)
		}
		code, err := e.Args[0].compile(depth + 1)
		if err != nil {
			return nil, err
		}
		for _, x := range e.Args[1:] {
			next, err := x.compile(depth + 1)
			if err != nil {
				return nil, err
			}
			if e.Op == OpAnd {
				// A failing test of code now jumps past next too.
				if err := patchReject(code, len(next)); err != nil {
					return nil, err
				}
				code = append(code, next...)
			} else {
				// code's failure lands on next (4 bytes past code is
				// the jump, then next); its success jumps over next.
				if len(next)+4 > 0xffff {
					return nil, fmt.Errorf("%w: program too long", errExpr)
				}
				j := []byte{bcJmp, 4, 0, 0}
				binary.NativeEndian.PutUint16(j[2:], uint16(len(next)+4))
				code = append(append(code, j...), next...)
			}
			if len(code) > maxBytecode {
				return nil, fmt.Errorf("%w: program too long", errExpr)
			}
		}
		return code, nil
	case OpNot:
		if len(e.Args) != 1 {
			return nil, fmt.Errorf("%w: not takes one operand, has %d", errExpr, len(e.Args))
		}
		code, err := e.Args[0].compile(depth + 1)
		if err != nil {
			return nil, err
		}
		// Success reaches the jump, which rejects (8 bytes on: 4 past
		// the new end); failure lands at the new end: accept.
		return append(code, bcJmp, 4, 8, 0), nil
	case OpSPortEQ, OpSPortGE, OpSPortLE, OpDPortEQ, OpDPortGE, OpDPortLE:
		if e.Port < 0 || e.Port > 0xffff {
			return nil, fmt.Errorf("%w: port %d", errExpr, e.Port)
		}
		c := map[ExprOp]byte{OpSPortEQ: bcSEQ, OpSPortGE: bcSGE, OpSPortLE: bcSLE, OpDPortEQ: bcDEQ, OpDPortGE: bcDGE, OpDPortLE: bcDLE}[e.Op]
		b := op(c, 8)
		b = append(b, 0, 0, 0, 0)
		binary.NativeEndian.PutUint16(b[6:], uint16(e.Port))
		return b, nil
	case OpSrc, OpDst:
		if e.Port < AnyPort || e.Port > 0xffff {
			return nil, fmt.Errorf("%w: port %d", errExpr, e.Port)
		}
		var fam byte
		var addr []byte
		bits := 0
		switch a := e.Prefix.Addr(); {
		case !e.Prefix.IsValid():
		case a.Is4():
			fam, bits = unix.AF_INET, e.Prefix.Bits()
			v := a.As4()
			addr = v[:]
		default:
			fam, bits = unix.AF_INET6, e.Prefix.Bits()
			v := a.As16()
			addr = v[:]
		}
		c := byte(bcSCond)
		if e.Op == OpDst {
			c = bcDCond
		}
		b := op(c, 12+len(addr))
		b = append(b, fam, byte(bits), 0, 0)
		b = binary.NativeEndian.AppendUint32(b, uint32(e.Port))
		return append(b, addr...), nil
	case OpDev:
		return binary.NativeEndian.AppendUint32(op(bcDevCond, 8), uint32(e.IfIndex)), nil
	case OpMark:
		b := binary.NativeEndian.AppendUint32(op(bcMark, 12), e.Mark)
		return binary.NativeEndian.AppendUint32(b, e.Mask), nil
	case OpCgroup:
		return binary.NativeEndian.AppendUint64(op(bcCgroup, 12), e.CgroupID), nil
	case OpAutoBound:
		return op(bcAuto, 4), nil
	}
	return nil, fmt.Errorf("%w: unknown operation %d", errExpr, e.Op)
}

// opSize is the size of the bytecode operation at b (with its operands).
func opSize(b []byte) int {
	switch b[0] {
	case bcSGE, bcSLE, bcDGE, bcDLE, bcSEQ, bcDEQ, bcDevCond:
		return 8
	case bcMark, bcCgroup:
		return 12
	case bcSCond, bcDCond:
		switch b[4] {
		case unix.AF_INET:
			return 16
		case unix.AF_INET6:
			return 28
		}
		return 12
	}
	return 4
}

// patchReject moves every jump of code that rejects (lands 4 bytes past
// its end) extra bytes further, for code to be followed by extra bytes.
func patchReject(code []byte, extra int) error {
	for off := 0; off < len(code); off += opSize(code[off:]) {
		rem := len(code) - off
		if int(code[off+1]) == rem+4 {
			return fmt.Errorf("%w: internal: a yes-jump rejects", errExpr)
		}
		no := int(binary.NativeEndian.Uint16(code[off+2:]))
		if no == rem+4 {
			if no+extra > 0xffff {
				return fmt.Errorf("%w: program too long", errExpr)
			}
			binary.NativeEndian.PutUint16(code[off+2:], uint16(no+extra))
		}
	}
	return nil
}

// String gives ss's filter text for e (AppendText).
func (e *Expr) String() string {
	b, _ := e.AppendText(nil)
	return string(b)
}

// MarshalText gives ss's filter text for e.
func (e *Expr) MarshalText() ([]byte, error) { return e.AppendText(nil) }

// AppendText appends ss's filter text for e: "dport = :443 and dst
// 198.18.0.0/15", with parentheses where ss needs them. ss's text has no
// way to say "any IPv4 address" (a /0 reads as any address of either
// family): such a typed condition prints as 0.0.0.0/0 and reads back
// wider.
func (e *Expr) AppendText(b []byte) ([]byte, error) {
	return e.appendText(b, 0, 0)
}

// prec: 0 or, 1 and, 2 not/condition.
func (e *Expr) appendText(b []byte, outer, depth int) ([]byte, error) {
	if e == nil {
		return b, fmt.Errorf("%w: nil expression", errExpr)
	}
	if depth > 100 {
		return b, fmt.Errorf("%w: nested deeper than 100", errExpr)
	}
	var err error
	switch e.Op {
	case OpAnd, OpOr:
		prec, word := 1, " and "
		if e.Op == OpOr {
			prec, word = 0, " or "
		}
		if len(e.Args) == 0 {
			return b, fmt.Errorf("%w: %s without operands", errExpr, e.Op)
		}
		paren := outer > prec
		if paren {
			b = append(b, "( "...)
		}
		for i, x := range e.Args {
			if i > 0 {
				b = append(b, word...)
			}
			if b, err = x.appendText(b, prec+1, depth+1); err != nil {
				return b, err
			}
		}
		if paren {
			b = append(b, " )"...)
		}
		return b, nil
	case OpNot:
		if len(e.Args) != 1 {
			return b, fmt.Errorf("%w: not takes one operand", errExpr)
		}
		x := e.Args[0]
		// The comparisons ss writes with a negated operator.
		switch x.Op {
		case OpSPortEQ, OpDPortEQ:
			return fmt.Appendf(b, "%s != :%d", portWord(x.Op), x.Port), nil
		case OpSPortLE, OpDPortLE:
			return fmt.Appendf(b, "%s > :%d", portWord(x.Op), x.Port), nil
		case OpSPortGE, OpDPortGE:
			return fmt.Appendf(b, "%s < :%d", portWord(x.Op), x.Port), nil
		}
		b = append(b, "not "...)
		return x.appendText(b, 2, depth+1)
	case OpSPortEQ, OpDPortEQ:
		return fmt.Appendf(b, "%s = :%d", portWord(e.Op), e.Port), nil
	case OpSPortGE, OpDPortGE:
		return fmt.Appendf(b, "%s >= :%d", portWord(e.Op), e.Port), nil
	case OpSPortLE, OpDPortLE:
		return fmt.Appendf(b, "%s <= :%d", portWord(e.Op), e.Port), nil
	case OpSrc, OpDst:
		w := "src "
		if e.Op == OpDst {
			w = "dst "
		}
		b = append(b, w...)
		return appendHost(b, e.Prefix, e.Port), nil
	case OpDev:
		return fmt.Appendf(b, "dev = %d", e.IfIndex), nil
	case OpMark:
		return fmt.Appendf(b, "fwmark = 0x%x/0x%x", e.Mark, e.Mask), nil
	case OpCgroup:
		return fmt.Appendf(b, "cgroup = %d", e.CgroupID), nil
	case OpAutoBound:
		return append(b, "autobound"...), nil
	}
	return b, fmt.Errorf("%w: unknown operation %d", errExpr, e.Op)
}

func portWord(o ExprOp) string {
	if o <= OpSPortLE {
		return "sport"
	}
	return "dport"
}

func appendHost(b []byte, p netip.Prefix, port int32) []byte {
	switch {
	case !p.IsValid():
		b = append(b, '*')
	case p.Addr().Is6():
		b = append(b, '[')
		b = p.Addr().AppendTo(b)
		b = append(b, ']')
		if p.Bits() != 128 {
			b = fmt.Appendf(b, "/%d", p.Bits())
		}
	default:
		b = p.Addr().AppendTo(b)
		if p.Bits() != 32 {
			b = fmt.Appendf(b, "/%d", p.Bits())
		}
	}
	if port != AnyPort {
		b = fmt.Appendf(b, ":%d", port)
	}
	return b
}

// UnmarshalText reads ss's filter text (ss(8), "FILTER"): conditions
// "sport CMP :PORT", "dport CMP :PORT", "src HOST", "dst HOST" (HOST:
// ADDR[/LEN][:PORT], [IPV6][/LEN][:PORT], *[:PORT] or :PORT), "dev = IFINDEX",
// "fwmark = MARK[/MASK]", "cgroup = ID", "autobound"; CMP one of = == eq
// != ne neq >= ge geq <= le leq > gt < lt; combined with "and" ("&", "&&",
// or nothing), "or" ("|", "||"), "not" ("!") and parentheses, not binding
// tightest and or loosest. A /0 prefix is any address of either family,
// as ss reads it (the typed Src and Dst keep the kernel's meaning: a
// prefix of one family never matches the other). Device names and cgroup
// paths are the caller's
// to resolve (nl ss does). Port names are looked up in /etc/services.
func (e *Expr) UnmarshalText(text []byte) error {
	p := &exprParser{toks: tokenize(string(text))}
	if len(p.toks) == 0 {
		return fmt.Errorf("%w: empty", errExpr)
	}
	x, err := p.or(0)
	if err != nil {
		return err
	}
	if p.i < len(p.toks) {
		return fmt.Errorf("%w: unexpected %q", errExpr, p.toks[p.i])
	}
	*e = *x
	return nil
}

// tokenize splits ss's filter text into words, parentheses and '!' as
// words of their own.
func tokenize(s string) []string {
	var toks []string
	for _, w := range strings.Fields(s) {
		for w != "" {
			switch {
			case w[0] == '(' || w[0] == ')':
				toks = append(toks, w[:1])
				w = w[1:]
			case w[0] == '!' && !strings.HasPrefix(w, "!="):
				toks = append(toks, "!")
				w = w[1:]
			default:
				i := strings.IndexAny(w, "()")
				if i < 0 {
					i = len(w)
				}
				toks = append(toks, w[:i])
				w = w[i:]
			}
		}
	}
	return toks
}

type exprParser struct {
	toks []string
	i    int
}

func (p *exprParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *exprParser) next() string {
	t := p.peek()
	if p.i < len(p.toks) {
		p.i++
	}
	return t
}

func (p *exprParser) or(depth int) (*Expr, error) {
	x, err := p.and(depth)
	if err != nil {
		return nil, err
	}
	args := []*Expr{x}
	for {
		switch p.peek() {
		case "or", "|", "||":
			p.next()
			y, err := p.and(depth)
			if err != nil {
				return nil, err
			}
			args = append(args, y)
			continue
		}
		break
	}
	if len(args) == 1 {
		return x, nil
	}
	return Or(args...), nil
}

func (p *exprParser) and(depth int) (*Expr, error) {
	x, err := p.unary(depth)
	if err != nil {
		return nil, err
	}
	args := []*Expr{x}
	for {
		switch t := p.peek(); t {
		case "and", "&", "&&":
			p.next()
		case "", ")", "or", "|", "||":
			if len(args) == 1 {
				return x, nil
			}
			return And(args...), nil
		}
		y, err := p.unary(depth)
		if err != nil {
			return nil, err
		}
		args = append(args, y)
	}
}

func (p *exprParser) unary(depth int) (*Expr, error) {
	if depth > 100 {
		return nil, fmt.Errorf("%w: nested deeper than 100", errExpr)
	}
	switch t := p.next(); t {
	case "":
		return nil, fmt.Errorf("%w: unexpected end", errExpr)
	case "!", "not":
		x, err := p.unary(depth + 1)
		if err != nil {
			return nil, err
		}
		return Not(x), nil
	case "(":
		x, err := p.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if p.next() != ")" {
			return nil, fmt.Errorf("%w: missing )", errExpr)
		}
		return x, nil
	case "sport", "dport":
		c := EQ
		if err := c.UnmarshalText([]byte(p.peek())); err == nil {
			p.next()
		}
		w := p.next()
		port, err := portOf(strings.TrimPrefix(strings.TrimPrefix(w, "*"), ":"))
		if err != nil {
			return nil, err
		}
		if t == "sport" {
			return SPort(c, port), nil
		}
		return DPort(c, port), nil
	case "src", "dst":
		c := EQ
		if err := c.UnmarshalText([]byte(p.peek())); err == nil {
			p.next()
		}
		if c != EQ && c != NE {
			return nil, fmt.Errorf("%w: %s takes = or !=", errExpr, t)
		}
		pfx, port, err := hostOf(p.next())
		if err != nil {
			return nil, err
		}
		x := Src(pfx, port)
		if t == "dst" {
			x = Dst(pfx, port)
		}
		if c == NE {
			x = Not(x)
		}
		return x, nil
	case "dev":
		if w := p.peek(); w == "=" || w == "==" || w == "eq" {
			p.next()
		}
		w := p.next()
		n, err := strconv.ParseInt(w, 0, 32)
		if err != nil {
			return nil, fmt.Errorf("%w: dev %q: an interface index", errExpr, w)
		}
		return Dev(int32(n)), nil
	case "fwmark":
		if w := p.peek(); w == "=" || w == "==" || w == "eq" {
			p.next()
		}
		w := p.next()
		ms, mk, hasMask := strings.Cut(w, "/")
		m, err := strconv.ParseUint(ms, 0, 32)
		mask := uint64(0xffffffff)
		if err == nil && hasMask {
			mask, err = strconv.ParseUint(mk, 0, 32)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: fwmark %q", errExpr, w)
		}
		return Mark(uint32(m), uint32(mask)), nil
	case "cgroup":
		if w := p.peek(); w == "=" || w == "==" || w == "eq" {
			p.next()
		}
		w := p.next()
		n, err := strconv.ParseUint(w, 0, 64)
		if err != nil {
			return nil, fmt.Errorf("%w: cgroup %q: a cgroup id", errExpr, w)
		}
		return Cgroup(n), nil
	case "autobound":
		return AutoBound(), nil
	default:
		return nil, fmt.Errorf("%w: unexpected %q", errExpr, t)
	}
}

// portOf reads a port number or service name.
func portOf(s string) (uint16, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: missing port", errExpr)
	}
	if n, err := strconv.ParseUint(s, 10, 16); err == nil {
		return uint16(n), nil
	}
	if n, ok := servicePort(s); ok {
		return n, nil
	}
	return 0, fmt.Errorf("%w: bad port %q", errExpr, s)
}

// hostOf reads ss's HOST: ADDR[/LEN][:PORT], [ADDR6][/LEN][:PORT], ADDR6[/LEN]
// (no port), *[:PORT], :PORT.
func hostOf(s string) (netip.Prefix, int32, error) {
	bad := func() (netip.Prefix, int32, error) {
		return netip.Prefix{}, 0, fmt.Errorf("%w: bad address %q", errExpr, s)
	}
	if s == "" {
		return bad()
	}
	port := int32(AnyPort)
	addr := s
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return bad()
		}
		addr = s[1:end]
		rest := s[end+1:]
		if strings.HasPrefix(rest, "/") {
			i := strings.IndexByte(rest, ':')
			if i < 0 {
				i = len(rest)
			}
			addr += rest[:i]
			rest = rest[i:]
		}
		if rest != "" {
			if rest[0] != ':' {
				return bad()
			}
			n, err := portOf(rest[1:])
			if err != nil {
				return netip.Prefix{}, 0, err
			}
			port = int32(n)
		}
	} else if strings.Count(s, ":") == 1 {
		a, ps, _ := strings.Cut(s, ":")
		n, err := portOf(ps)
		if err != nil {
			return netip.Prefix{}, 0, err
		}
		port, addr = int32(n), a
	}
	if addr == "" || addr == "*" {
		return netip.Prefix{}, port, nil
	}
	if strings.Contains(addr, "/") {
		p, err := netip.ParsePrefix(addr)
		if err != nil {
			return bad()
		}
		if p.Bits() == 0 {
			return netip.Prefix{}, port, nil // ss: any address, of either family
		}
		return p.Masked(), port, nil
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return bad()
	}
	return netip.PrefixFrom(a, a.BitLen()), port, nil
}
