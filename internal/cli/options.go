package cli

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// The global options' run-time side: the program's name in messages
// (progWriter), -oneline (onelineWriter), -color (paint) and -V.

// ipVersion is the iproute2 release whose grammar, output and exit codes
// nl follows; -V reports it, for scripts that probe ip's version before
// using a feature.
const ipVersion = "6.1.0"

// flushWriter is the buffered standard output: a bufio.Writer, or the
// onelineWriter around one.
type flushWriter interface {
	io.Writer
	Flush() error
}

// progWriter names the program as it was invoked (ip) in what nl writes
// to standard error: help texts and messages say "nl" where ip's say "ip"
// ("Usage: nl neigh ...", "try \"nl help\"").
type progWriter struct {
	w    io.Writer
	prog string
}

func (p *progWriter) Write(b []byte) (int, error) {
	if _, err := p.w.Write(progText(b, p.prog)); err != nil {
		return 0, err
	}
	return len(b), nil
}

// progText puts prog in place of the program name "nl" of a help or
// usage text: "nl" after "Usage:", after a double quote or tab, or
// at the start of a line (the continuation lines of usages), when followed
// by a blank, "\"" or end of text. A device or namespace named "nl" in a
// message (`Device "nl" does not exist.`) is left alone: the name there is
// followed by a quote but not preceded by the start of a command.
func progText(b []byte, prog string) []byte {
	if prog == "nl" || !bytes.Contains(b, []byte("nl")) {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		if b[i] == 'n' && i+1 < len(b) && b[i+1] == 'l' && progAt(b, i) {
			out = append(out, prog...)
			i += 2
			continue
		}
		out = append(out, b[i])
		i++
	}
	return out
}

// progAt reports whether the "nl" at b[i] is the program's name.
func progAt(b []byte, i int) bool {
	if i+2 < len(b) && b[i+2] != ' ' && b[i+2] != '\t' {
		return false
	}
	if i+2 == len(b) {
		return false
	}
	if i == 0 {
		return true
	}
	switch b[i-1] {
	case '"', '\t', '\n':
		return true
	case ' ':
		// "Usage: nl", or a usage's continuation line ("       nl ...").
		j := i - 1
		for j >= 0 && b[j] == ' ' {
			j--
		}
		return j < 0 || b[j] == '\n' || b[j] == ':' || b[j] == '|' || b[j] == '{'
	}
	return false
}

// helpText is a help text for the program named prog.
func (e *env) helpText(s string) string {
	return string(progText([]byte(s), e.prog))
}

// onelineWriter is -oneline: a record's continuation lines (those that
// begin with a blank, as ip's do) are joined to the record with "\", as
// ip prints its _SL_ in place of the newline, so that each record is one
// line. The newline of a line is held back until the next byte shows
// whether a continuation follows.
type onelineWriter struct {
	w       *bufio.Writer
	pending bool // a newline is held back
}

func (o *onelineWriter) Write(b []byte) (int, error) {
	for i := 0; i < len(b); {
		if o.pending {
			o.pending = false
			if b[i] == ' ' || b[i] == '\t' {
				if err := o.w.WriteByte('\\'); err != nil {
					return 0, err
				}
			} else if err := o.w.WriteByte('\n'); err != nil {
				return 0, err
			}
		}
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			if _, err := o.w.Write(b[i:]); err != nil {
				return 0, err
			}
			break
		}
		if _, err := o.w.Write(b[i : i+j]); err != nil {
			return 0, err
		}
		o.pending = true
		i += j + 1
	}
	return len(b), nil
}

// Flush writes out what is buffered. A held-back newline is written: a
// flush comes at the end of output, or after a whole streamed record.
func (o *onelineWriter) Flush() error {
	if o.pending {
		o.pending = false
		if err := o.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return o.w.Flush()
}

// isTerminal reports whether w is a terminal (for -color=auto).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// The colours of ip's -color (its enum color_attr and default palette).
const (
	colorIfname = "\x1b[36m" // cyan
	colorMAC    = "\x1b[33m" // yellow
	colorInet   = "\x1b[35m" // magenta
	colorInet6  = "\x1b[34m" // blue
	colorUp     = "\x1b[32m" // green
	colorDown   = "\x1b[31m" // red
	colorClear  = "\x1b[0m"
)

// paint wraps s in a colour when -color is on.
func (e *env) paint(color, s string) string {
	if !e.color || s == "" || color == "" {
		return s
	}
	return color + s + colorClear
}

// cjoin is prefix+val+suffix with val and suffix in color under -color: ip
// paints a value with the blank its format puts after it ("dev " then
// "v0 " painted). Without colour it costs one concatenation, as before.
func (e *env) cjoin(prefix, color, val, suffix string) string {
	if !e.color || color == "" {
		return prefix + val + suffix
	}
	return prefix + color + val + suffix + colorClear
}

// record is newRecord for this run: JSON with -j, painted with -color.
func (e *env) record() *printer {
	p := newRecord(e.opts.JSON)
	p.color, p.numeric = e.color, e.opts.Numeric
	if e.opts.Resolve {
		p.resolve = e.host
	}
	return p
}

// familyColor is the colour of an address of the family of a.
func familyColor(is6 bool) string {
	if is6 {
		return colorInet6
	}
	return colorInet
}

// num is -Numeric: the number n in place of its name, as ip's rt_names
// functions print table, protocol, scope, route type, group and link
// type numbers with -N.
func (e *env) num(name string, n uint64) string {
	if e.opts.Numeric {
		return strconv.FormatUint(n, 10)
	}
	return name
}

// ipPretty re-lays compact JSON (what appendJSON writes) as ip -p does,
// following iproute2's json_writer: members one per line indented by four
// blanks a level, arrays opened "[ " and closed " ]" with their elements
// on the same line ("[ "a","b" ]", "[ {" ... "},{" ... "} ]"), an empty
// array "[ ]". Strings, numbers and literals are copied as they are.
func ipPretty(dst, src []byte) []byte {
	depth := 0
	var sep byte
	var inObject []bool // per open container: an object (true) or an array
	expectKey := false
	eor := func() {
		if sep != 0 {
			dst = append(dst, sep)
		}
		sep = ','
	}
	eol := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, "    "...)
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '{', '[':
			eor()
			dst = append(dst, c)
			depth++
			sep = 0
			inObject = append(inObject, c == '{')
			expectKey = c == '{'
			if c == '[' {
				dst = append(dst, ' ')
			}
		case '}', ']':
			if len(inObject) == 0 {
				continue // unbalanced: not appendJSON's output; never panic
			}
			if c == ']' {
				if sep != 0 {
					dst = append(dst, ' ')
				}
				sep = 0
			}
			depth--
			if sep != 0 {
				eol()
			}
			dst = append(dst, c)
			sep = ','
			inObject = inObject[:len(inObject)-1]
			expectKey = false
		case ',':
			expectKey = len(inObject) > 0 && inObject[len(inObject)-1]
		case ':':
			expectKey = false
		case ' ', '\t', '\n', '\r':
		default:
			j := i + 1
			if c == '"' {
				for j < len(src) && src[j] != '"' {
					if src[j] == '\\' {
						j++
					}
					j++
				}
				j++
			} else {
				for j < len(src) && !strings.ContainsRune(",:]} \t\r\n", rune(src[j])) {
					j++
				}
			}
			j = min(j, len(src))
			if expectKey {
				eor()
				eol()
				sep = 0
				dst = append(dst, src[i:j]...)
				dst = append(dst, ':', ' ')
				expectKey = false
			} else {
				eor()
				dst = append(dst, src[i:j]...)
			}
			i = j - 1
		}
	}
	return dst
}

// unjoined is standard output without -oneline's joining of lines, for
// the few records ip prints with plain line breaks even with -o (xfrm
// policy getdefault).
func (e *env) unjoined() io.Writer {
	if o, ok := e.stdout.(*onelineWriter); ok {
		if o.pending {
			o.pending = false
			o.w.WriteByte('\n')
		}
		return o.w
	}
	return e.stdout
}
