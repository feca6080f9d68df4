package nlattr

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// Helpers shared by several test files of the package.

// hdr returns an attribute header in native byte order.
func hdr(nlaLen, typ uint16) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint16(b, nlaLen)
	binary.NativeEndian.PutUint16(b[2:], typ)
	return b
}

func cat(parts ...[]byte) []byte {
	return bytes.Join(parts, nil)
}

func u32(v uint32) []byte {
	return binary.NativeEndian.AppendUint32(nil, v)
}

func sample(tb testing.TB) []byte {
	var e Encoder
	encodeSample(&e)
	b, err := e.Finish()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
