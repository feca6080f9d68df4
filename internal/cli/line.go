package cli

import (
	"iter"
	"net"
	"net/netip"
	"strconv"

	"github.com/nlkit/nlkit/rtnl"
)

// line is one record of a large table (a route, a neighbour ...) printed
// straight into a reusable byte buffer: the text ip prints, or the members
// of one JSON object in the order ip prints them (appendJSON adds the
// braces). Each field is one call giving both outputs, as ip's
// print_*(PRINT_ANY, ...) calls do: str, addr, uint ... for the common
// shapes, text and key for the rest. Nothing is boxed or concatenated, so
// that a record costs no allocation: this is what keeps `nl [-j] route
// show` over 200,000 routes within twice the kernel's own dump (see the
// ipshow benchmark). A line is the env's scratch (env.line): valid until
// the next record is started.
type line struct {
	json    bool
	color   bool                    // -color: paint what ip paints
	numeric bool                    // -Numeric: numbers in place of names
	resolve func(netip.Addr) string // -resolve: env.host (resolve.go); nil: numbers
	b       []byte
	more    bool // JSON: the innermost object or array has a member already

	flags     rtnl.LinkFlags // see env.linkFlagWords
	flagWords []string
}

// line returns the env's reusable line, emptied.
func (e *env) line() *line {
	l := e.lineBuf
	if l == nil {
		l = &line{b: make([]byte, 0, 512)}
		e.lineBuf = l
	}
	l.json, l.color, l.numeric = e.opts.JSON, e.color, e.opts.Numeric
	l.resolve = nil
	if e.opts.Resolve {
		l.resolve = e.host
	}
	l.b, l.more = l.b[:0], false
	return l
}

// key starts the JSON member key (a constant, never escaped).
func (l *line) key(k string) {
	if l.more {
		l.b = append(l.b, ',')
	}
	l.more = true
	l.b = append(l.b, '"')
	l.b = append(l.b, k...)
	l.b = append(l.b, '"', ':')
}

// text prints s in text only.
func (l *line) text(s string) {
	if !l.json {
		l.b = append(l.b, s...)
	}
}

// open starts a JSON object ('{') or array ('[') at key, or as the next
// element of an array when key is ""; close ends it. Nothing in text.
func (l *line) open(key string, c byte) {
	if !l.json {
		return
	}
	if key != "" {
		l.key(key)
	} else if l.more {
		l.b = append(l.b, ',')
	}
	l.b = append(l.b, c)
	l.more = false
}

func (l *line) close(c byte) {
	if l.json {
		l.b = append(l.b, c)
		l.more = true
	}
}

// paintOn starts a painted value in text: the prefix, then the colour if
// -color paints it; paintOff ends the value with its blank.
func (l *line) paintOn(prefix, color string) {
	l.b = append(l.b, prefix...)
	if l.color && color != "" {
		l.b = append(l.b, color...)
	}
}

func (l *line) paintOff(color string) {
	l.b = append(l.b, ' ')
	if l.color && color != "" {
		l.b = append(l.b, colorClear...)
	}
}

// paintEnd ends a painted value that has no blank after it.
func (l *line) paintEnd(color string) {
	if l.color && color != "" {
		l.b = append(l.b, colorClear...)
	}
}

// boolean prints a flag: in JSON "key":true, in text the key and a blank.
func (l *line) boolean(key string) {
	if l.json {
		l.key(key)
		l.b = append(l.b, "true"...)
		return
	}
	l.b = append(l.b, key...)
	l.b = append(l.b, ' ')
}

// str prints a string field: in JSON "key":"v", in text prefix then v and
// a blank, painted in color under -color (ip paints the blank too).
func (l *line) str(key, prefix, color, v string) {
	if l.json {
		l.key(key)
		l.b = appendJSONString(l.b, v)
		return
	}
	l.paintOn(prefix, color)
	l.b = append(l.b, v...)
	l.paintOff(color)
}

// addr is str of an address.
func (l *line) addr(key, prefix, color string, a netip.Addr) {
	if l.resolve != nil { // -resolve: ip's format_host
		l.str(key, prefix, color, l.resolve(a))
		return
	}
	l.number(key, prefix, color, a)
}

// number is addr without -resolve's names (ip's rt_addr_n2a).
func (l *line) number(key, prefix, color string, a netip.Addr) {
	if l.json {
		l.key(key)
		l.b = append(l.b, '"')
		l.b = a.AppendTo(l.b)
		l.b = append(l.b, '"')
		return
	}
	l.paintOn(prefix, color)
	l.b = a.AppendTo(l.b)
	l.paintOff(color)
}

// host is str of a prefix as ip prints a route's destination (rtHost): the
// address alone for a host prefix.
func (l *line) host(key, prefix, color string, p netip.Prefix) {
	if p.Bits() == p.Addr().BitLen() {
		l.addr(key, prefix, color, p.Addr())
		return
	}
	if l.json {
		l.key(key)
		l.b = append(l.b, '"')
		l.b = p.AppendTo(l.b)
		l.b = append(l.b, '"')
		return
	}
	l.paintOn(prefix, color)
	l.b = p.AppendTo(l.b)
	l.paintOff(color)
}

// mac is str of a link-layer address (net.HardwareAddr.String's form).
func (l *line) mac(key, prefix, color string, a net.HardwareAddr) {
	if l.json {
		l.key(key)
		l.b = append(l.b, '"')
		l.b = appendMAC(l.b, a)
		l.b = append(l.b, '"')
		return
	}
	l.paintOn(prefix, color)
	l.b = appendMAC(l.b, a)
	l.paintOff(color)
}

// appendMAC appends a as net.HardwareAddr.String does: lower-case hex
// bytes joined by colons.
func appendMAC(b []byte, a net.HardwareAddr) []byte {
	for i, c := range a {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return b
}

// uint prints a number: in JSON "key":v, in text prefix, v and a blank.
func (l *line) uint(key, prefix string, v uint64) {
	if l.json {
		l.key(key)
		l.b = strconv.AppendUint(l.b, v, 10)
		return
	}
	l.b = append(l.b, prefix...)
	l.b = strconv.AppendUint(l.b, v, 10)
	l.b = append(l.b, ' ')
}

// null prints a flag ip shows as a word: in JSON "key":null, in text the
// word and a blank.
func (l *line) null(key string) {
	if l.json {
		l.key(key)
		l.b = append(l.b, "null"...)
		return
	}
	l.b = append(l.b, key...)
	l.b = append(l.b, ' ')
}

// words prints words: in JSON an array of strings at key, in text each
// word and a blank.
func (l *line) words(key string, ws []string) {
	if l.json {
		l.key(key)
		l.b = append(l.b, '[')
		for i, w := range ws {
			if i > 0 {
				l.b = append(l.b, ',')
			}
			l.b = appendJSONString(l.b, w)
		}
		l.b = append(l.b, ']')
		return
	}
	for _, w := range ws {
		l.b = append(l.b, w...)
		l.b = append(l.b, ' ')
	}
}

// appendJSON makes a JSON line encode itself as an object (writeJSON,
// jsonArray).
func (l *line) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	b = append(b, l.b...)
	return append(b, '}'), nil
}

// rawJSON is JSON already encoded, written as it is.
type rawJSON []byte

func (r rawJSON) appendJSON(b []byte) ([]byte, error) { return append(b, r...), nil }

// showLines prints the objects of seq that keep accepts as they come,
// each formatted into the env's line by format: text record after record,
// JSON one array written as it goes (jsonArray), so that a table is never
// held in memory.
func showLines[T any](e *env, seq iter.Seq2[T, error], keep func(*T) bool, format func(*T) *line) error {
	var arr *jsonArray
	if e.opts.JSON {
		var err error
		if arr, err = e.openJSONArray(); err != nil {
			return err
		}
	}
	var x T // one variable for all: its address goes to keep and format
	for v, err := range seq {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		x = v
		if !keep(&x) {
			continue
		}
		if err := e.writeLine(arr, format(&x)); err != nil {
			return err
		}
	}
	if arr != nil {
		return arr.end()
	}
	return nil
}

// writeLine writes a record: into arr in JSON (arr is nil in text), else
// its text.
func (e *env) writeLine(arr *jsonArray, l *line) error {
	if arr != nil {
		return arr.add(l)
	}
	_, err := e.stdout.Write(l.b)
	return err
}

// with prints what fill prints on a printer of its own (the kinds'
// settings, the statistics: code written for the printer): in JSON its
// members, inside an object at key when key is not "", in text its text.
func (l *line) with(key string, fill func(*printer)) {
	k := newRecord(l.json)
	k.color, k.numeric = l.color && !l.json, l.numeric && (key == "" || !l.json)
	fill(k)
	switch {
	case !l.json:
		l.b = append(l.b, k.b.String()...)
	case key != "":
		l.key(key)
		l.b, _ = k.obj.appendJSON(l.b)
	default:
		for i, name := range k.obj.keys {
			l.key(name)
			l.b, _ = appendJSON(l.b, k.obj.vals[i])
		}
	}
}

// pad appends blanks to the text of a line up to width bytes since
// start (a column of ip's brief output, "%-16s").
func (l *line) pad(start, width int) {
	for n := len(l.b) - start; n < width; n++ {
		l.b = append(l.b, ' ')
	}
}
