package netdev

import (
	"testing"

	"github.com/nlkit/nlkit/genl"
)

func TestDeviceDecode(t *testing.T) {
	b, err := devSet.Append(nil, genl.Attrs{"ifindex": 7, "xdp-features": uint64(XDPBasic | XDPRxSG | 1<<9), "xdp-zc-max-segs": 2, "xsk-features": uint64(XSKTxChecksum)})
	if err != nil {
		t.Fatal(err)
	}
	var d Device
	if err := d.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	want := Device{Index: 7, XDPFeatures: XDPBasic | XDPRxSG | 1<<9, XDPZCMaxSegs: 2, XSKFeatures: XSKTxChecksum}
	if d != want {
		t.Fatalf("decoded %+v, want %+v", d, want)
	}
	if s := d.String(); s != "ifindex 7 xdp-features basic|rx-sg|0x200 xdp-rx-metadata 0 xsk-features tx-checksum xdp-zc-max-segs 2" {
		t.Errorf("String = %q", s)
	}
	if err := d.UnmarshalBinary(nil); err == nil {
		t.Errorf("no ifindex: no error")
	}
	if DeviceAdded.String() != "dev-add-ntf" || EventType(9).String() != "cmd-9" {
		t.Errorf("EventType strings")
	}
}
