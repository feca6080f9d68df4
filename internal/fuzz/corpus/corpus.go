// Package corpus reads and writes the seed corpus files of Go's native fuzz
// targets (testdata/fuzz/FuzzXxx/*, format "go test fuzz v1") for the seeds
// recorded from a real kernel (see package internal/fuzz).
//
// Recorded seeds are the files whose names start with Prefix; everything
// else in a target's directory (crashers written by `go test -fuzz`, seeds
// written by hand) is left alone. It imports nothing but the standard
// library, so that the tests of every package, nlattr and netlink
// included, can use it to check that their recorded seeds reach their
// decoder.
package corpus

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Prefix starts the name of every recorded seed file.
const Prefix = "kernel-"

const header = "go test fuzz v1\n"

// Dir is the corpus directory of target, relative to its package's
// directory (the working directory of its tests).
func Dir(target string) string { return filepath.Join("testdata", "fuzz", target) }

// Marshal encodes the arguments of one fuzz input like the go command
// does: []byte as a %q-quoted string, uint8 as a quoted byte, uint16 and
// uint32 as decimal.
func Marshal(vals ...any) ([]byte, error) {
	b := bytes.NewBufferString(header)
	for _, v := range vals {
		switch v := v.(type) {
		case []byte:
			fmt.Fprintf(b, "[]byte(%q)\n", v)
		case uint8:
			fmt.Fprintf(b, "byte(%q)\n", v)
		case uint16, uint32:
			fmt.Fprintf(b, "%T(%v)\n", v, v)
		default:
			return nil, fmt.Errorf("corpus: unsupported argument type %T", v)
		}
	}
	return b.Bytes(), nil
}

// Unmarshal decodes a corpus file with arguments of the types Marshal
// writes ([]byte, byte or uint8, uint16, uint32).
func Unmarshal(data []byte) ([]any, error) {
	s, ok := strings.CutPrefix(string(data), header)
	if !ok {
		return nil, fmt.Errorf("corpus: not a %q file", strings.TrimSpace(header))
	}
	var vals []any
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		typ, arg, ok := strings.Cut(line, "(")
		arg, ok2 := strings.CutSuffix(arg, ")")
		if !ok || !ok2 {
			return nil, fmt.Errorf("corpus: malformed line %.40q", line)
		}
		switch typ {
		case "[]byte":
			v, err := strconv.Unquote(arg)
			if err != nil {
				return nil, fmt.Errorf("corpus: %.40q: %v", line, err)
			}
			vals = append(vals, []byte(v))
		case "byte", "uint8":
			if len(arg) >= 3 && arg[0] == '\'' && arg[len(arg)-1] == '\'' {
				c, _, tail, err := strconv.UnquoteChar(arg[1:len(arg)-1], '\'')
				if err != nil || tail != "" || c > 0xff {
					return nil, fmt.Errorf("corpus: bad byte in %.40q", line)
				}
				vals = append(vals, uint8(c))
				continue
			}
			n, err := strconv.ParseUint(arg, 0, 8)
			if err != nil {
				return nil, fmt.Errorf("corpus: %.40q: %v", line, err)
			}
			vals = append(vals, uint8(n))
		case "uint16", "uint32":
			bits := 16
			if typ == "uint32" {
				bits = 32
			}
			n, err := strconv.ParseUint(arg, 0, bits)
			if err != nil {
				return nil, fmt.Errorf("corpus: %.40q: %v", line, err)
			}
			if bits == 16 {
				vals = append(vals, uint16(n))
			} else {
				vals = append(vals, uint32(n))
			}
		default:
			return nil, fmt.Errorf("corpus: unsupported type in %.40q", line)
		}
	}
	return vals, nil
}

// Seed is one recorded input.
type Seed struct {
	Name string // file name
	Args []any  // the target's arguments, in order
}

// Read returns the recorded seeds of target (files named Prefix*), in the
// order of their names. A file that does not decode fails the test.
func Read(tb testing.TB, target string) []Seed {
	tb.Helper()
	dir := Dir(target)
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatalf("corpus: %v", err)
	}
	var seeds []Seed
	for _, e := range ents {
		if e.IsDir() || !strings.HasPrefix(e.Name(), Prefix) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			tb.Fatalf("corpus: %v", err)
		}
		args, err := Unmarshal(data)
		if err != nil {
			tb.Fatalf("corpus: %s: %v", e.Name(), err)
		}
		seeds = append(seeds, Seed{e.Name(), args})
	}
	return seeds
}

// Writer writes the recorded seeds of one target, skipping inputs it has
// already written (by content) and any beyond its limit.
type Writer struct {
	dir   string
	limit int
	seen  map[[sha256.Size]byte]bool
	n     int
}

// NewWriter removes the recorded seeds (Prefix*) of the target whose
// corpus directory is dir (any path; see Dir) and returns a Writer that
// writes at most limit new ones there.
func NewWriter(dir string, limit int) (*Writer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	old, err := filepath.Glob(filepath.Join(dir, Prefix+"*"))
	if err != nil {
		return nil, err
	}
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return nil, err
		}
	}
	return &Writer{dir: dir, limit: limit, seen: make(map[[sha256.Size]byte]bool)}, nil
}

// Add writes one input, named Prefix + label + a hash of its content, and
// reports whether it was new and within the limit. label may only hold
// letters, digits, '-' and '.'.
func (w *Writer) Add(label string, args ...any) (bool, error) {
	for _, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false, fmt.Errorf("corpus: label %q: character %q", label, r)
		}
	}
	data, err := Marshal(args...)
	if err != nil {
		return false, err
	}
	sum := sha256.Sum256(data)
	if w.seen[sum] || w.n >= w.limit {
		return false, nil
	}
	name := fmt.Sprintf("%s%s-%x", Prefix, label, sum[:4])
	if err := os.WriteFile(filepath.Join(w.dir, name), data, 0o644); err != nil {
		return false, err
	}
	w.seen[sum] = true
	w.n++
	return true, nil
}

// Len is the number of seeds written.
func (w *Writer) Len() int { return w.n }
