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
// a million routes are never all held in memory. With -p the records are
// gathered and indented at the end instead (pretty output is for people,
// and short).
type jsonArray struct {
	e     *env
	n     int
	buf   []byte
	items []byte // -p only: the records so far, encoded
}

// beginJSONArray starts an array on e's output.
func (e *env) beginJSONArray() *jsonArray {
	return &jsonArray{e: e, buf: make([]byte, 0, 4096)}
}

// add writes one record. v is encoded before add returns, so the caller
// may reuse it.
func (a *jsonArray) add(v any) error {
	if a.e.opts.Pretty {
		// Encode now: v may be reused by the caller once add returns.
		if a.n > 0 {
			a.items = append(a.items, ',')
		}
		a.n++
		var err error
		a.items, err = appendJSON(a.items, v)
		return err
	}
	a.buf = a.buf[:0]
	if a.n == 0 {
		a.buf = append(a.buf, '[')
	} else {
		a.buf = append(a.buf, ',')
	}
	a.n++
	var err error
	if a.buf, err = appendJSON(a.buf, v); err != nil {
		return err
	}
	_, err = a.e.stdout.Write(a.buf)
	return err
}

// end closes the array (an empty one prints as []).
func (a *jsonArray) end() error {
	if a.e.opts.Pretty {
		raw := append(append([]byte{'['}, a.items...), ']')
		out := append(ipPretty(make([]byte, 0, len(raw)*2), raw), '\n')
		_, err := a.e.stdout.Write(out)
		return err
	}
	if a.n == 0 {
		_, err := a.e.stdout.Write([]byte("[]\n"))
		return err
	}
	_, err := a.e.stdout.Write([]byte("]\n"))
	return err
}
