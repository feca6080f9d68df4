package cli

import (
	"fmt"
	"io"
	"iter"
)

// writeJSON prints v as ip -j does: one line, or indented with -p. The
// objects the commands build encode themselves (see jsonenc.go); the
// result equals encoding/json's.
func writeJSON(e *env, v any) error {
	b, err := appendJSON(make([]byte, 0, 4096), v)
	if err != nil {
		return err
	}
	if e.opts.Pretty {
		b = ipPretty(make([]byte, 0, len(b)*2), b)
	}
	b = append(b, '\n')
	_, err = e.stdout.Write(b)
	return err
}

// writeRecords prints records: in JSON one array, in text one after the
// other.
func writeRecords(e *env, recs []*printer) error {
	if e.opts.JSON {
		objs := make([]*jsonObject, len(recs))
		for i, p := range recs {
			objs[i] = p.obj
		}
		return writeJSON(e, objs)
	}
	for _, p := range recs {
		if _, err := io.WriteString(e.stdout, p.b.String()); err != nil {
			return err
		}
	}
	return nil
}

// showRecords prints the objects of seq that keep accepts, each formatted
// into its own record by format: text as it comes, JSON as one array once
// the dump has ended (so that a failed dump prints no JSON at all).
func showRecords[T any](e *env, seq iter.Seq2[T, error], keep func(*T) bool, format func(*T) *printer) error {
	objs := []*jsonObject{}
	for x, err := range seq {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if !keep(&x) {
			continue
		}
		o := format(&x)
		if e.opts.JSON {
			objs = append(objs, o.obj)
		} else {
			fmt.Fprint(e.stdout, o.b.String())
		}
	}
	if e.opts.JSON {
		return writeJSON(e, objs)
	}
	return nil
}

// jsonArray streams a JSON array of records as they are produced, so that
// a million routes are never all held in memory. With -p each record is
// laid out as ip -p lays out an element of an array ("[ {" ... "},{" ...
// "} ]": ipPretty puts an array's elements side by side), as it comes.
type jsonArray struct {
	e      *env
	n      int
	opened bool // the "[" is written
	buf    []byte
	pretty []byte // -p: the record laid out
}

// beginJSONArray starts an array on e's output; its "[" is written with
// the first record, or by end.
func (e *env) beginJSONArray() *jsonArray {
	return &jsonArray{e: e, buf: make([]byte, 0, 4096)}
}

// openJSONArray starts an array and writes its "[" at once, as ip does
// before a dump whose records it prints as they come (route, neighbour):
// a dump that fails then leaves "[" before ip's error.
func (e *env) openJSONArray() (*jsonArray, error) {
	a := e.beginJSONArray()
	return a, a.open()
}

func (a *jsonArray) open() error {
	if a.opened {
		return nil
	}
	a.opened = true
	open := "["
	if a.e.opts.Pretty {
		open = "[ "
	}
	_, err := io.WriteString(a.e.stdout, open)
	return err
}

// add writes one record. v is encoded before add returns, so the caller
// may reuse it.
func (a *jsonArray) add(v any) error {
	if err := a.open(); err != nil {
		return err
	}
	a.buf = a.buf[:0]
	if a.n > 0 {
		a.buf = append(a.buf, ',')
	}
	var err error
	if a.buf, err = appendJSON(a.buf, v); err != nil {
		return err
	}
	out := a.buf
	if a.e.opts.Pretty {
		// ipPretty("[" + record + "]") is "[ " + the record laid out
		// as an element of an array + " ]".
		a.buf = append(a.buf[:0], '[')
		if a.buf, err = appendJSON(a.buf, v); err != nil {
			return err
		}
		a.buf = append(a.buf, ']')
		a.pretty = ipPretty(a.pretty[:0], a.buf)
		out = a.pretty[1 : len(a.pretty)-2] // " " + the record
		if a.n > 0 {
			out[0] = ','
		} else {
			out = out[1:]
		}
	}
	a.n++
	_, err = a.e.stdout.Write(out)
	return err
}

// end closes the array (an empty one prints as [], or "[ ]" with -p).
func (a *jsonArray) end() error {
	if err := a.open(); err != nil {
		return err
	}
	end := "]\n"
	if a.e.opts.Pretty && a.n > 0 {
		end = " ]\n"
	}
	_, err := io.WriteString(a.e.stdout, end)
	return err
}
