package corpus

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	for _, args := range [][]any{
		{[]byte{}},
		{[]byte("\x00\xff\"\\\n'abc")},
		{uint16(0x300), []byte{1, 2}, []byte{}},
		{uint8('\''), []byte{0}},
		{uint8(0xff), []byte{9}},
		{uint8(0), uint32(1 << 31)},
	} {
		b, err := Marshal(args...)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Unmarshal(b)
		if err != nil || !reflect.DeepEqual(got, args) {
			t.Errorf("%q: %v, %v; want %v", b, got, err, args)
		}
	}
}

// Files written by the go command (byte as a quoted character, uint16 in
// decimal) read back.
func TestUnmarshalGoCommandFormat(t *testing.T) {
	got, err := Unmarshal([]byte("go test fuzz v1\nbyte('\\x10')\nuint16(514)\n[]byte(\"\\x00A\")\n"))
	want := []any{uint8(0x10), uint16(514), []byte("\x00A")}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("%v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"go test fuzz v2\n", "go test fuzz v1\nint(3)\n", "go test fuzz v1\n[]byte(\"x)\n", "go test fuzz v1\nbyte('xy')\n"} {
		if _, err := Unmarshal([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "FuzzX")
	w, err := NewWriter(dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "0123abcd"), []byte("go test fuzz v1\n[]byte(\"\")\n"), 0o644) // a crasher: kept
	for _, tc := range []struct {
		label string
		arg   []byte
		want  bool
	}{{"a", []byte{1}, true}, {"b", []byte{1}, false}, {"c", []byte{2}, true}, {"d", []byte{3}, false}} {
		if ok, err := w.Add(tc.label, tc.arg); ok != tc.want || err != nil {
			t.Errorf("Add(%s) = %t, %v", tc.label, ok, err)
		}
	}
	if _, err := w.Add("bad label", []byte{4}); err == nil {
		t.Error("a label with a space was accepted")
	}
	// A new Writer replaces the recorded seeds only.
	if _, err := NewWriter(dir, 1); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "0123abcd" {
		t.Errorf("after NewWriter: %v", ents)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "0123abcd"))
	if !bytes.HasPrefix(b, []byte("go test fuzz v1")) {
		t.Error("crasher changed")
	}
}
