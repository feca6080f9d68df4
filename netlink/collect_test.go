package netlink

import (
	"errors"
	"slices"
	"testing"
)

func TestCollect(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 8191, 8192, 8193, 50000} {
		seq := func(yield func(int, error) bool) {
			for i := range n {
				if !yield(i, nil) {
					return
				}
			}
		}
		got, err := Collect(seq)
		if err != nil || len(got) != n {
			t.Fatalf("n=%d: %d items, %v", n, len(got), err)
		}
		for i, v := range got {
			if v != i {
				t.Fatalf("n=%d: item %d is %d", n, i, v)
			}
		}
	}
	boom := errors.New("boom")
	got, err := Collect(func(yield func(int, error) bool) {
		for i := range 10000 {
			if !yield(i, nil) {
				return
			}
		}
		yield(0, boom)
	})
	if !errors.Is(err, boom) || len(got) != 10000 || !slices.Equal(got[:3], []int{0, 1, 2}) {
		t.Fatalf("error case: %d items, %v", len(got), err)
	}
}
