package cli

import (
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/rtnl"
)

// The grammar toolkit: every object reads its words with these, so that a
// word means the same in every object, as it does in ip.
//
//   - words is the cursor over a command's words (ip's argc/argv):
//     next takes a keyword, value takes the word after it (NEXT_ARG, or
//     "Command line is not complete"), valueOf parses that word or fails
//     as ip's invarg, valueOrAll also takes "all".
//   - errIncomplete, errInvarg, errDuparg, errDuparg2 and errMissarg are
//     ip's incomplete_command, invarg, duparg, duparg2 and missarg; a
//     message ending in "\n" gives the empty line ip prints after it.
//     errBadWord is an error ip prints before exit(1) (get_addr,
//     get_prefix, ll_addr_a2n): exit status 1, not 255.
//   - getUint and getInt are ip's get_u8 ... get_u64, get_unsigned,
//     get_integer and get_s32: strtoul and strtol as glibc has them (base
//     0: decimal, 0x hex, leading-0 octal; leading blanks and a sign
//     taken; no "_", no "0b"), then the range of the type.
//   - Family is the one address family of the command line (-4, -6, -0,
//     -f and the family the words imply).
//   - parseInet is ip's get_addr_1 and get_prefix_1 (IPv4 with strtoul
//     octets, "10" meaning 10.0.0.0, masks given as /N or /255.255.0.0),
//     getAddr and getPrefix its error messages.
//   - parseLLAddr is ip's ll_addr_a2n.
//   - validIfname and validAltIfname (ifname.go) are ip's check_ifname
//     and check_altifname.

// words steps through the words of a command, as ip's argc/argv do.
type words struct {
	w []string
	i int
}

// wordsOf returns a cursor on args.
func wordsOf(args []string) *words { return &words{w: args} }

// more reports whether words are left.
func (a *words) more() bool { return a.i < len(a.w) }

// peek returns the current word without taking it ("" at the end).
func (a *words) peek() string {
	if a.i < len(a.w) {
		return a.w[a.i]
	}
	return ""
}

// next takes the current word (a keyword, or a bare value); the caller
// checks more first.
func (a *words) next() string {
	w := a.w[a.i]
	a.i++
	return w
}

// value takes the word after the keyword just taken, as ip's NEXT_ARG.
func (a *words) value() (string, error) {
	if a.i >= len(a.w) {
		return "", errIncomplete()
	}
	return a.next(), nil
}

// rest returns the words not taken yet.
func (a *words) rest() []string { return a.w[a.i:] }

// valueOf takes the next word with value and parses it; a word parse
// refuses fails as ip's invarg(msg, word).
func valueOf[T any](a *words, parse func(string) (T, bool), msg string) (T, error) {
	w, err := a.value()
	if err != nil {
		var zero T
		return zero, err
	}
	return parseWord(w, parse, msg)
}

// parseWord parses w, or fails as ip's invarg(msg, w).
func parseWord[T any](w string, parse func(string) (T, bool), msg string) (T, error) {
	v, ok := parse(w)
	if !ok {
		var zero T
		return zero, errInvarg(msg, w)
	}
	return v, nil
}

// valueOrAll is valueOf where the word may also be "all" (all is then
// true and v zero), as the selectors of show and flush allow. The word is
// parsed first: a name "all" in ip's tables would win.
func valueOrAll[T any](a *words, parse func(string) (T, bool), msg string) (v T, all bool, err error) {
	w, err := a.value()
	if err != nil {
		return v, false, err
	}
	if x, ok := parse(w); ok {
		return x, false, nil
	}
	if w == "all" {
		return v, true, nil
	}
	return v, false, errInvarg(msg, w)
}

// onceValue takes the word after a keyword that may be given once: a
// second time is ip's duparg(key, word). seen records that it was given.
func onceValue(a *words, key string, seen *bool) (string, error) {
	w, err := a.value()
	if err == nil && *seen {
		err = errDuparg(key, w)
	}
	*seen = true
	return w, err
}

// onceOf is onceValue, then parse (or invarg(msg, word)).
func onceOf[T any](a *words, key string, seen *bool, parse func(string) (T, bool), msg string) (T, error) {
	w, err := onceValue(a, key, seen)
	if err != nil {
		var zero T
		return zero, err
	}
	return parseWord(w, parse, msg)
}

// prefixValue takes the word after a keyword as a prefix of family fam
// (ip's NEXT_ARG then get_prefix).
func prefixValue(a *words, fam Family) (inet, error) {
	w, err := a.value()
	if err != nil {
		return inet{}, err
	}
	return getPrefix(w, fam)
}

// command is one command of an object: its name, the words that pick it
// abbreviated (ip's matches; nil: the name) and those that pick it only
// whole (strcmp).
type command struct {
	name   string
	abbrev []string
	exact  []string
}

// lookupCommand finds the command w names among cmds, tried in ip's
// order.
func lookupCommand(w string, cmds []command) (string, bool) {
	for _, c := range cmds {
		abbrev := c.abbrev
		if abbrev == nil {
			abbrev = []string{c.name}
		}
		for _, word := range abbrev {
			if matches(w, word) {
				return c.name, true
			}
		}
		if slices.Contains(c.exact, w) {
			return c.name, true
		}
	}
	return "", false
}

// pickCommand is lookupCommand, or ip's message for an unknown command
// of object.
func pickCommand(object, w string, cmds []command) (string, error) {
	if name, ok := lookupCommand(w, cmds); ok {
		return name, nil
	}
	return "", usagef(`Command "%s" is unknown, try "nl %s help".`, w, object)
}

// UsageError is a bad command line: it names the word that was wrong.
type UsageError struct {
	Msg string
	// Exit is the exit status: ExitUsage (255, ip's exit(-1)) when 0,
	// or ExitFailure where ip exits with 1 (an address, prefix or
	// link-layer address that does not parse).
	Exit int
}

func (e *UsageError) Error() string { return e.Msg }

// usagef is a usage error with exit status 255.
func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// errBadWord is a usage error with exit status 1, for what ip reports
// before exit(1).
func errBadWord(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...), Exit: ExitFailure}
}

// errIncomplete is ip's incomplete_command (NEXT_ARG at the end).
func errIncomplete() error {
	return usagef(`Command line is not complete. Try option "help"`)
}

// errInvarg is ip's invarg: `Error: argument "ARG" is wrong: MSG`.
func errInvarg(msg, arg string) error {
	return usagef(`Error: argument "%s" is wrong: %s`, arg, msg)
}

// errDuparg is ip's duparg: a keyword given twice.
func errDuparg(key, arg string) error {
	return usagef(`Error: duplicate "%s": "%s" is the second value.`, key, arg)
}

// errDuparg2 is ip's duparg2: a second bare word where one was expected.
func errDuparg2(key, arg string) error {
	return usagef(`Error: either "%s" is duplicate, or "%s" is a garbage.`, key, arg)
}

// errMissarg is ip's missarg: a required argument not given.
func errMissarg(key string) error {
	return usagef(`Error: argument "%s" is required`, key)
}

// cSpace are the bytes C's isspace accepts in the "C" locale.
const cSpace = " \t\n\v\f\r"

// scanNumber reads a number as glibc's strtoul and strtol do (base 0, 8,
// 10 or 16): leading blanks, an optional sign, "0x" for base 0 and 16, a
// leading 0 meaning octal for base 0. It returns the magnitude, whether a
// minus sign came first, the index of the first byte not taken (0 when no
// digit was read: endptr == nptr) and whether the magnitude overflowed 64
// bits.
func scanNumber(s string, base int) (mag uint64, neg bool, end int, overflow bool) {
	i := 0
	for i < len(s) && strings.IndexByte(cSpace, s[i]) >= 0 {
		i++
	}
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if i+1 < len(s) && s[i] == '0' && (s[i+1] == 'x' || s[i+1] == 'X') && (base == 0 || base == 16) {
		if i+2 >= len(s) || hexDigit(s[i+2]) >= 16 {
			// "0x" with no hex digit after it: the 0 is the number
			// and the x is where the parse stops.
			return 0, neg, i + 1, false
		}
		i += 2
		base = 16
	}
	if base == 0 {
		base = 10
		if i < len(s) && s[i] == '0' {
			base = 8
		}
	}
	start := i
	for ; i < len(s); i++ {
		d := uint64(hexDigit(s[i]))
		if d >= uint64(base) {
			break
		}
		if mag > (^uint64(0)-d)/uint64(base) {
			overflow = true
		}
		mag = mag*uint64(base) + d
	}
	if i == start {
		return 0, false, 0, false
	}
	return mag, neg, i, overflow
}

// strtoul is glibc's strtoul on a 64-bit machine: a minus negates modulo
// 2^64; an overflow gives 2^64-1 (ERANGE).
func strtoul(s string, base int) (n uint64, end int, overflow bool) {
	mag, neg, end, overflow := scanNumber(s, base)
	switch {
	case overflow:
		return ^uint64(0), end, true
	case neg:
		return -mag, end, false
	}
	return mag, end, false
}

// strtol is glibc's strtol on a 64-bit machine: an overflow gives
// LONG_MAX or LONG_MIN (ERANGE).
func strtol(s string, base int) (n int64, end int, overflow bool) {
	mag, neg, end, overflow := scanNumber(s, base)
	switch {
	case neg && (overflow || mag > 1<<63):
		return math.MinInt64, end, true
	case neg:
		return int64(-mag), end, false // -(1<<63) wraps to itself
	case overflow || mag > math.MaxInt64:
		return math.MaxInt64, end, true
	}
	return int64(mag), end, false
}

// hexDigit is the value of a hex digit, 16 for any other byte.
func hexDigit(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10
	}
	return 16
}

// getUint is ip's get_u8, get_u16, get_u32 (and get_unsigned), get_u64:
// the whole word a number by strtoul in base (0 for ip's usual base 0),
// at most bits wide.
func getUint(s string, base, bits int) (uint64, bool) {
	n, end, overflow := strtoul(s, base)
	if s == "" || end == 0 || end != len(s) || overflow || bits < 64 && n >= 1<<bits {
		return 0, false
	}
	return n, true
}

// getU32 is getUint(s, 0, 32), ip's get_u32(&v, s, 0).
func getU32(s string) (uint32, bool) {
	n, ok := getUint(s, 0, 32)
	return uint32(n), ok
}

// getU16 is ip's get_u16(&v, s, 0).
func getU16(s string) (uint16, bool) {
	n, ok := getUint(s, 0, 16)
	return uint16(n), ok
}

// getU8 is ip's get_u8(&v, s, 0).
func getU8(s string) (uint8, bool) {
	n, ok := getUint(s, 0, 8)
	return uint8(n), ok
}

// getInt is ip's get_integer (bits 32) and get_s32: the whole word a
// number by strtol in base 0, within a signed type of bits bits.
func getInt(s string, bits int) (int64, bool) {
	n, end, overflow := strtol(s, 0)
	if s == "" || end == 0 || end != len(s) || overflow || n < -1<<(bits-1) || n >= 1<<(bits-1) {
		return 0, false
	}
	return n, true
}

// Family is the address family of a command: the -4, -6, -0 and -f
// options (ip's preferred_family), and the family of the words that
// follow (the first address fixes it for the rest).
type Family uint8

// The families nl knows, as ip's AF_UNSPEC, AF_INET, AF_INET6 and
// AF_PACKET.
const (
	FamilyAny   Family = iota // no family given
	FamilyInet                // -4, -f inet
	FamilyInet6               // -6, -f inet6
	FamilyLink                // -0, -f link
)

// String is ip's family_name.
func (f Family) String() string {
	switch f {
	case FamilyInet:
		return "inet"
	case FamilyInet6:
		return "inet6"
	case FamilyLink:
		return "link"
	}
	return "unspec"
}

// verbose is ip's family_name_verbose, for "... is expected" errors.
func (f Family) verbose() string {
	if f == FamilyAny {
		return "any valid"
	}
	return f.String()
}

// rtnl is the family in route netlink: AF_PACKET for link, which the
// kernel answers as it answers ip -0.
func (f Family) rtnl() rtnl.Family {
	switch f {
	case FamilyInet:
		return rtnl.FamilyIPv4
	case FamilyInet6:
		return rtnl.FamilyIPv6
	case FamilyLink:
		return rtnl.Family(unix.AF_PACKET)
	}
	return rtnl.FamilyUnspec
}

// ip is the family where it is one of inet and inet6, else FamilyAny
// (the route-netlink objects treat -0 as no family).
func (f Family) ip() Family {
	if f == FamilyInet || f == FamilyInet6 {
		return f
	}
	return FamilyAny
}

// or is f, or g when f is FamilyAny: the family given, else the one the
// words imply.
func (f Family) or(g Family) Family {
	if f == FamilyAny {
		return g
	}
	return f
}

// bits is ip's af_bit_len: 32, 128, or 0.
func (f Family) bits() int {
	switch f {
	case FamilyInet:
		return 32
	case FamilyInet6:
		return 128
	}
	return 0
}

// familyOf is the family of an address.
func familyOf(a netip.Addr) Family {
	if a.Is4() {
		return FamilyInet
	}
	return FamilyInet6
}

// defaultPrefix is the zero-length prefix of an IP family (inet for any
// other).
func (f Family) defaultPrefix() netip.Prefix {
	if f == FamilyInet6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}

// parseFamily reads the word of -f (ip's read_family, for the families
// nl knows).
func parseFamily(f string) (Family, error) {
	switch f {
	case "inet", "ipv4":
		return FamilyInet, nil
	case "inet6", "ipv6":
		return FamilyInet6, nil
	case "link":
		return FamilyLink, nil
	}
	return FamilyAny, usagef("Invalid protocol family \"%s\".", f)
}

// inet is an address word as ip's get_addr_1 and get_prefix_1 read it
// (ip's inet_prefix).
type inet struct {
	// Addr is the address; invalid for "default", "all" and "any".
	Addr netip.Addr
	// Family is Addr's, or the family asked for (possibly FamilyAny) for
	// "default", "all" and "any".
	Family Family
	// Bits is the prefix length: the /N given, Addr's full length
	// without one, 0 for "default", "all" and "any".
	Bits int
	// Any: the word was "default", "all" or "any".
	Any bool
	// Plen: a prefix length was given (/N), or the word was "default"
	// (ip's PREFIXLEN_SPECIFIED).
	Plen bool
}

// Prefix is the address with its length; invalid for "default", "all"
// and "any" (see Family.defaultPrefix).
func (p inet) Prefix() netip.Prefix {
	if !p.Addr.IsValid() {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(p.Addr, p.Bits)
}

// parseAddr is ip's get_addr_1: an address of family fam (FamilyAny:
// either), "default", "all" or "any". IPv4 is read as ip's get_addr_ipv4
// does: up to four parts by strtoul in base 0, missing ones zero ("10" is
// 10.0.0.0, "0x0a.1" 10.1.0.0).
func parseAddr(s string, fam Family) (inet, bool) {
	switch s {
	case "default", "all", "any":
		return inet{Family: fam, Any: true, Plen: s == "default"}, true
	}
	if fam == FamilyLink {
		return inet{}, false // ip would read a link-layer address here
	}
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if fam != FamilyAny && fam != FamilyInet6 || err != nil || !a.Is6() || a.Zone() != "" {
			return inet{}, false
		}
		return inet{Addr: a, Family: FamilyInet6, Bits: 128}, true
	}
	if fam != FamilyAny && fam != FamilyInet {
		return inet{}, false
	}
	var b [4]byte
	for i := 0; i < 4; i++ {
		n, end, _ := strtoul(s, 0)
		if n > 255 || end == 0 {
			return inet{}, false
		}
		b[i] = byte(n)
		if end == len(s) {
			break
		}
		if i == 3 || s[end] != '.' {
			return inet{}, false
		}
		s = s[end+1:]
	}
	return inet{Addr: netip.AddrFrom4(b), Family: FamilyInet, Bits: 32}, true
}

// parsePrefix is ip's get_prefix_1: ADDR[/LEN] as parseAddr reads ADDR,
// LEN a number (get_unsigned, base 0) or an IPv4 netmask
// (255.255.255.0).
func parsePrefix(s string, fam Family) (inet, bool) {
	addr, mask, slash := strings.Cut(s, "/")
	p, ok := parseAddr(addr, fam)
	if !ok {
		return inet{}, false
	}
	if !slash {
		return p, true
	}
	if p.Any {
		return inet{}, false
	}
	n, ok := getUint(mask, 0, 32)
	if !ok {
		// A netmask; "default", "all" and "any" read as 0.0.0.0 (/0),
		// as in ip.
		m, ok := parseAddr(mask, FamilyInet)
		if !ok {
			return inet{}, false
		}
		var b [4]byte
		if m.Addr.IsValid() {
			b = m.Addr.As4()
		}
		bits, ok := maskBits(b)
		if !ok {
			return inet{}, false
		}
		n = uint64(bits)
	}
	if n > uint64(p.Family.bits()) {
		return inet{}, false
	}
	p.Bits, p.Plen = int(n), true
	return p, true
}

// maskBits is ip's mask2bits: the length of a contiguous netmask.
func maskBits(m [4]byte) (int, bool) {
	mask := uint32(m[0])<<24 | uint32(m[1])<<16 | uint32(m[2])<<8 | uint32(m[3])
	host := ^mask
	if host&(host+1) != 0 {
		return 0, false
	}
	bits := 0
	for ; mask != 0; mask <<= 1 {
		bits++
	}
	return bits, true
}

// getAddr is ip's get_addr: parseAddr, or its error (exit status 1).
func getAddr(s string, fam Family) (inet, error) {
	p, ok := parseAddr(s, fam)
	if !ok {
		return p, errBadWord(`Error: %s address is expected rather than "%s".`, fam.verbose(), s)
	}
	return p, nil
}

// getPrefix is ip's get_prefix: parsePrefix, or its error (exit status
// 1).
func getPrefix(s string, fam Family) (inet, error) {
	if fam == FamilyLink {
		return inet{}, errBadWord(`Error: "%s" may be inet prefix, but it is not allowed in this context.`, s)
	}
	p, ok := parsePrefix(s, fam)
	if !ok {
		return p, errBadWord(`Error: %s prefix is expected rather than "%s".`, fam.verbose(), s)
	}
	return p, nil
}

// getIPAddr is getAddr for a word that must be an address. "default" is
// the unspecified address of fam (ip sends that many zero bytes); without
// a family, and for "all" and "any" (which ip sends as an empty
// address), it is refused with get_addr's message, as nl cannot send
// an empty address.
func getIPAddr(s string, fam Family) (netip.Addr, error) {
	p, err := getAddr(s, fam)
	if err != nil {
		return netip.Addr{}, err
	}
	if p.Any && p.Plen && fam.ip() != FamilyAny {
		return fam.defaultPrefix().Addr(), nil
	}
	if !p.Addr.IsValid() {
		return netip.Addr{}, errBadWord(`Error: %s address is expected rather than "%s".`, fam.verbose(), s)
	}
	return p.Addr, nil
}

// getIPPrefix is getPrefix for a word that must be an address with its
// prefix length. "default" is the zero-length prefix of fam (ip sends
// that many zero bytes); without a family, and for "all" and "any" (which
// ip sends as no address), it is refused with get_prefix's message, as nl
// cannot send an empty address.
func getIPPrefix(s string, fam Family) (inet, error) {
	p, err := getPrefix(s, fam)
	switch {
	case err != nil || !p.Any:
	case p.Plen && fam.ip() != FamilyAny:
		p.Addr, p.Any = fam.defaultPrefix().Addr(), false
	default:
		err = errBadWord(`Error: %s prefix is expected rather than "%s".`, fam.verbose(), s)
	}
	return p, err
}

// parseLLAddr is ip's ll_addr_a2n: a link-layer address of at most max
// bytes, hex bytes separated by colons, each read as sscanf's %x (blanks,
// a sign and "0x" taken, anything after the digits ignored), or a dotted
// IPv4 address (four bytes). A byte that does not read fails with ip's
// message naming that byte's text, exit status 1.
func parseLLAddr(s string, max int) (net.HardwareAddr, error) {
	if strings.Contains(s, ".") {
		p, ok := parseAddr(s, FamilyInet)
		if !ok || !p.Addr.IsValid() {
			return nil, errBadWord(`"%s" is invalid lladdr.`, s)
		}
		b := p.Addr.As4()
		return b[:], nil
	}
	var hw net.HardwareAddr
	for len(hw) < max {
		part, rest, more := strings.Cut(s, ":")
		// %x stores an unsigned int, which ip reads as an int.
		n, end, _ := strtoul(part, 16)
		if b := int32(uint32(n)); end == 0 || b < 0 || b > 255 {
			return nil, errBadWord(`"%s" is invalid lladdr.`, part)
		}
		hw = append(hw, byte(n))
		if !more {
			break
		}
		s = rest
	}
	return hw, nil
}

// sscanfIfIndex is ip's ll_idx_a2n: "ifN" names the link of index N
// (sscanf "if%u": blanks and a sign taken after "if", anything after the
// digits ignored); 0 for any other word.
func sscanfIfIndex(s string) int32 {
	rest, ok := strings.CutPrefix(s, "if")
	if !ok {
		return 0
	}
	n, end, _ := strtoul(rest, 10)
	if end == 0 {
		return 0
	}
	return int32(uint32(n))
}
