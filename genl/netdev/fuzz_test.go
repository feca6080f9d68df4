package netdev

import "testing"

// FuzzDevice fuzzes the device decoder (Device.UnmarshalBinary).
func FuzzDevice(f *testing.F) {
	f.Add([]byte{8, 0, 1, 0, 1, 0, 0, 0, 12, 0, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var d Device
		if err := d.UnmarshalBinary(b); err != nil {
			return
		}
		if d.Index == 0 && len(b) < 8 {
			t.Fatalf("decoded %v from %d bytes", d, len(b))
		}
		_ = d.String()
	})
}
