package enumtext

import (
	"fmt"
	"testing"
)

type small uint8

func (s small) String() string {
	if s == 1 {
		return "one"
	}
	return fmt.Sprintf("small(%d)", uint8(s))
}

type wide uint32

func (w wide) String() string { return fmt.Sprintf("Unknown! (%d)", uint32(w)) }

func TestUnmarshal(t *testing.T) {
	var s small
	for text, want := range map[string]small{"one": 1, "small(7)": 7, "9": 9, "0x10": 16} {
		if err := Unmarshal(&s, []byte(text), "x", "small", 256); err != nil || s != want {
			t.Errorf("%q: %d, %v; want %d", text, s, err, want)
		}
	}
	for _, bad := range []string{"two", "256", "small(x)", ""} {
		if err := Unmarshal(&s, []byte(bad), "x", "small", 256); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	var w wide
	if err := Unmarshal(&w, []byte("Unknown! (70000)"), "x", "wide", 16); err != nil || w != 70000 {
		t.Errorf("wide: %d, %v", w, err)
	}
	if bits[small]() != 8 || bits[wide]() != 32 {
		t.Errorf("bits: %d %d", bits[small](), bits[wide]())
	}
}
