package ethtool

import (
	"encoding/binary"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

// Helpers shared by several test files of the package.

// verbose encodes a verbose bit set.
func verbose(t testing.TB, size uint32, noMask bool, bits []Bit) []byte {
	e := nlattr.NewEncoder(nil)
	if noMask {
		e.Flag(bitsetNoMask)
	}
	e.Uint32(bitsetSize, size)
	e.Nest(bitsetBits)
	for _, b := range bits {
		e.Nest(bitsBit)
		e.Uint32(bitIndex, b.Index)
		if b.Name != "" {
			e.String(bitName, b.Name)
		}
		if b.Set && !noMask {
			e.Flag(bitValue)
		}
		e.End()
	}
	e.End()
	out, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// compact encodes a compact bit set.
func compact(t testing.TB, size uint32, value, mask []uint32) []byte {
	e := nlattr.NewEncoder(nil)
	if mask == nil {
		e.Flag(bitsetNoMask)
	}
	e.Uint32(bitsetSize, size)
	words := func(w []uint32) []byte {
		b := make([]byte, 4*len(w))
		for i, x := range w {
			binary.NativeEndian.PutUint32(b[4*i:], x)
		}
		return b
	}
	e.Bytes(bitsetValue, words(value))
	if mask != nil {
		e.Bytes(bitsetMask, words(mask))
	}
	out, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reply builds a reply payload: header nest, then attributes.
func reply(t testing.TB, f func(e *nlattr.Encoder)) []byte {
	e := nlattr.NewEncoder(nil)
	e.Nest(attrHeader)
	e.Uint32(headerDevIndex, 4)
	e.String(headerDevName, "eth0")
	e.End()
	f(e)
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return b
}
