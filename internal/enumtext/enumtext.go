// Package enumtext holds the helper behind the text methods of the enums
// of rtnl, genl and genl's family packages: MarshalText and AppendText give
// String's words, UnmarshalText reads them back with Parse (or Unmarshal).
package enumtext

import (
	"fmt"
	"strconv"
	"strings"
)

// Enum is an enum whose String gives its words (the kernel's, or the
// classic tool's), different for every value.
type Enum interface {
	~uint8 | ~uint16 | ~uint32
	String() string
}

// Numbers is how Parse reads a number.
type Numbers int

const (
	// GoNumbers reads numbers as strconv.ParseUint with base 0 does
	// (0x, 0o, 0b, a leading 0 for octal, underscores between digits),
	// alone or in parentheses at the end of the text, as the String of
	// genl's enums prints values without a word ("kind(300)",
	// "Unknown! (7)").
	GoNumbers Numbers = iota
	// IPRoute2Numbers reads numbers as iproute2 does (strtoul with base
	// 0, see ParseNumber), and only alone.
	IPRoute2Numbers
)

// Parser reads the text of an enum T.
type Parser[T Enum] struct {
	// Limit makes Parse try the words of the values below Limit.
	Limit uint32
	// Cands are further values whose words Parse tries.
	Cands []T
	// Bits is the widest number Parse takes; 0 is the width of T.
	Bits int
	// Numbers is how Parse reads a number.
	Numbers Numbers
}

// Parse gives the value whose String is text, among the values below
// p.Limit and those of p.Cands; else the number text spells. It reports
// false if text is neither.
func (p Parser[T]) Parse(text []byte) (T, bool) {
	w := string(text)
	for i := range p.Limit {
		if T(i).String() == w {
			return T(i), true
		}
	}
	for _, c := range p.Cands {
		if c.String() == w {
			return c, true
		}
	}
	bits := p.Bits
	if bits == 0 {
		bits = width[T]()
	}
	if p.Numbers == IPRoute2Numbers {
		n, ok := ParseNumber(w, bits)
		return T(n), ok
	}
	num := w
	if open := strings.LastIndexByte(w, '('); open >= 0 && strings.HasSuffix(w, ")") {
		num = w[open+1 : len(w)-1]
	}
	n, err := strconv.ParseUint(num, 0, bits)
	return T(n), err == nil
}

// Unmarshal sets *v to the value whose String is text, among the values
// below limit; else to the number text spells (GoNumbers). pkg and what
// name the enum in the error.
func Unmarshal[T Enum](v *T, text []byte, pkg, what string, limit uint32) error {
	n, ok := Parser[T]{Limit: limit}.Parse(text)
	if !ok {
		return fmt.Errorf("%s: %q is not a %s", pkg, text, what)
	}
	*v = n
	return nil
}

// ParseNumber reads an unsigned number as iproute2 does (strtoul with
// base 0): decimal, hexadecimal after "0x", octal after a leading "0"; at
// most bits wide. Unlike strconv.ParseUint with base 0 it takes no
// underscores, signs, blanks, "0o" or "0b".
func ParseNumber(s string, bits int) (uint64, bool) {
	if s == "" || strings.ContainsAny(s, "_+- \t") {
		return 0, false
	}
	if len(s) > 1 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B') {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, bits)
	return n, err == nil
}

// width is the width of T.
func width[T Enum]() int {
	if wide := uint32(1 << 16); T(wide) != 0 {
		return 32
	}
	if mid := uint32(1 << 8); T(mid) != 0 {
		return 16
	}
	return 8
}
