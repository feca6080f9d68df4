// Package enumtext holds the helper behind the text methods of the enums
// of genl and its family packages: MarshalText and AppendText give
// String's words, UnmarshalText reads them back with Unmarshal.
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

// Unmarshal sets *v to the value whose String is text, among the values
// below limit; else to the number text spells (0x for hex), alone or in
// parentheses at its end, as String prints values without a word
// ("kind(300)", "Unknown! (7)"). pkg and what name the enum in the error.
func Unmarshal[T Enum](v *T, text []byte, pkg, what string, limit uint32) error {
	w := string(text)
	for i := range limit {
		if T(i).String() == w {
			*v = T(i)
			return nil
		}
	}
	num := w
	if open := strings.LastIndexByte(w, '('); open >= 0 && strings.HasSuffix(w, ")") {
		num = w[open+1 : len(w)-1]
	}
	n, err := strconv.ParseUint(num, 0, bits[T]())
	if err != nil {
		return fmt.Errorf("%s: %q is not a %s", pkg, text, what)
	}
	*v = T(n)
	return nil
}

// bits is the width of T.
func bits[T Enum]() int {
	if wide := uint32(1 << 16); T(wide) != 0 {
		return 32
	}
	if mid := uint32(1 << 8); T(mid) != 0 {
		return 16
	}
	return 8
}
