package cli

import (
	"fmt"
	"net/netip"
	"strings"
)

// jsonObject is a JSON object that prints its keys in the order they were
// first set, as ip's JSON does: people diff that output, so the order must
// be stable and the same as ip's. Values are anything encoding/json
// encodes, including other *jsonObject.
type jsonObject struct {
	keys []string
	vals []any
}

// set sets key to v, keeping the key's place if it was set before.
func (o *jsonObject) set(key string, v any) {
	for i, k := range o.keys {
		if k == key {
			o.vals[i] = v
			return
		}
	}
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
}

// push appends key and v without looking for an earlier key: records
// whose keys are set once each (routes, neighbours, rules) skip the
// search, which keeps `nl -j route show` over a million routes fast. A nil
// value is null.
func (o *jsonObject) push(key string, v any) {
	o.keys = append(o.keys, key)
	o.vals = append(o.vals, v)
}

// get returns the value of key.
func (o *jsonObject) get(key string) (any, bool) {
	for i, k := range o.keys {
		if k == key {
			return o.vals[i], true
		}
	}
	return nil, false
}

// MarshalJSON writes the object with its keys in order, without escaping
// HTML characters (as writeJSON does not).
func (o *jsonObject) MarshalJSON() ([]byte, error) {
	return o.appendJSON(nil)
}

// printer prints one record either as text or as a JSON object, the way
// ip's print_*(PRINT_ANY, key, format, value) calls do: one call per
// field gives both outputs, so they cannot drift apart. It serves every
// object but the large tables (routes, neighbours, links and addresses
// print on a line, see line.go), each record in a record of its own
// (newRecord): add for a field whose JSON value and
// text differ, field, onOff and jsonOnly where a format gives the text,
// nested for a JSON object inside, list for an array of records;
// writeRecords and showRecords print the records.
type printer struct {
	json    bool
	color   bool                    // -color: paint what ip paints (see paint)
	numeric bool                    // -Numeric: numbers in place of names
	resolve func(netip.Addr) string // -resolve: env.host; nil: numbers (see hostOf)
	obj     *jsonObject             // JSON: the object being filled
	b       *strings.Builder        // text: the output
}

// record is a printer together with the object and text it fills, so that
// one allocation makes all three.
type record struct {
	p    printer
	obj  jsonObject
	text strings.Builder
}

// newRecord returns a printer that owns its JSON object and its text
// (both are always there: route-style code writes some text in JSON mode
// too, and drops it).
func newRecord(asJSON bool) *printer {
	r := &record{}
	r.p = printer{json: asJSON, obj: &r.obj, b: &r.text}
	return &r.p
}

// add sets key to v in JSON (appending: see push), or writes text.
func (p *printer) add(key string, v any, text string) {
	if p.json {
		p.obj.push(key, v)
	} else {
		p.b.WriteString(text)
	}
}

// list prints n records of their own inside p, each filled by fill: in
// JSON an array of objects at key, in text one after the other.
func (p *printer) list(key string, n int, fill func(i int, c *printer)) {
	objs := make([]*jsonObject, 0, n)
	for i := range n {
		c := newRecord(p.json)
		c.color, c.numeric, c.resolve = p.color, p.numeric, p.resolve
		fill(i, c)
		if p.json {
			objs = append(objs, c.obj)
		} else {
			p.b.WriteString(c.b.String())
		}
	}
	if p.json {
		p.obj.push(key, objs)
	}
}

// field prints v: in JSON as key (if key is not ""), in text with format
// (if format is not ""; a format without a verb, such as "nodad ", is
// printed as it is).
func (p *printer) field(key, format string, v any) {
	if p.json {
		if key != "" {
			p.obj.set(key, v)
		}
		return
	}
	if !strings.Contains(format, "%") {
		p.b.WriteString(format)
		return
	}
	fmt.Fprintf(p.b, format, v)
}

// jsonOnly sets key in JSON and prints nothing in text.
func (p *printer) jsonOnly(key string, v any) {
	if p.json {
		p.obj.set(key, v)
	}
}

// text prints in text only.
func (p *printer) text(format string, args ...any) {
	if !p.json {
		fmt.Fprintf(p.b, format, args...)
	}
}

// nested returns a printer for the JSON object at key (created empty now,
// so that it appears even if nothing is printed into it, as ip's
// open_json_object does); in text it is p itself.
func (p *printer) nested(key string) *printer {
	if !p.json {
		return p
	}
	child := &jsonObject{}
	p.obj.set(key, child)
	return &printer{json: true, obj: child}
}

// onOff prints a boolean as ip's print_on_off: JSON true/false, text
// "on"/"off" with format.
func (p *printer) onOff(key, format string, v bool) {
	if p.json {
		p.obj.set(key, v)
		return
	}
	s := "off"
	if v {
		s = "on"
	}
	fmt.Fprintf(p.b, format, s)
}

// paint is s in color when the printer colours its text (-color), as
// ip's print_color_string wraps what its format gives.
func (p *printer) paint(color, s string) string {
	if !p.color || color == "" || s == "" {
		return s
	}
	return color + s + colorClear
}
