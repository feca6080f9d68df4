package xfrm

import (
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m)) }

var (
	a4 = netip.MustParseAddr
	p4 = netip.MustParsePrefix
)

// richState has every field the package encodes set.
func richState() State {
	return State{
		Src: a4("198.18.0.1"), Dst: a4("198.18.0.2"), SPI: 0x100, Proto: ProtoESP, Family: FamilyIPv4,
		Mode: ModeTunnel, ReqID: 5, Seq: 9, ReplayWindow: 0, Flags: StateNoECN | StateESN,
		ExtraFlags: ExtraDontEncapDSCP,
		Selector:   Selector{Family: FamilyIPv4, Src: p4("10.0.0.0/8"), Dst: p4("10.1.0.0/16"), SrcPort: 80, SrcPortMask: 0xffff, Proto: 6},
		Limits:     Limits{SoftAdd: 10, HardBytes: 1000},
		Auth:       Algorithm{Name: "hmac(sha256)", Key: make32(0x11), ICVBits: 128},
		Crypt:      Algorithm{Name: "cbc(aes)", Key: make16(0x22)},
		Encap:      Encap{Type: EncapESPInUDP, SrcPort: 4500, DstPort: 4500},
		Mark:       Mark{Value: 7, Mask: 0xf}, OutputMark: Mark{Value: 3, Mask: 0xff}, IfID: 9, TFCPad: 16,
		SecurityContext: &SecurityContext{DOI: 1, Alg: 1, Context: "foo"},
		ReplayESN:       &ReplayESN{OSeq: 6, Seq: 5, OSeqHi: 2, SeqHi: 1, Window: 32, Bitmap: []uint32{0xf0}},
		Offload:         &Offload{IfIndex: 3, Flags: OffloadInbound},
	}
}

// richPolicy has every field the package encodes set.
func richPolicy() Policy {
	return Policy{
		Selector: Selector{Family: FamilyIPv6, Src: p4("2001:db8::/64"), Dst: p4("2001:db8:1::/64"), DstPort: 443, DstPortMask: 0xffff, Proto: 6},
		Dir:      DirOut, Action: ActionAllow, Priority: 10, Index: 0x101, Flags: PolicyLocalOK, Share: ShareAny,
		Limits: Limits{SoftAdd: 100, HardPackets: 77},
		Templates: []Template{
			{Family: FamilyIPv6, Src: a4("2001:db8::1"), Dst: a4("2001:db8:1::1"), Proto: ProtoESP, ReqID: 3, Mode: ModeTunnel, AuthAlgos: ^uint32(0), CryptAlgos: ^uint32(0), CompAlgos: ^uint32(0)},
			{Family: FamilyIPv6, Proto: ProtoAH, Mode: ModeTransport, Optional: true, AuthAlgos: 1, CryptAlgos: 2, CompAlgos: 3},
		},
		Mark: Mark{Value: 5, Mask: 0xff}, IfID: 7, Type: PolicyTypeSub,
		SecurityContext: &SecurityContext{DOI: 1, Alg: 1, Context: "system_u:object_r:ipsec_spd_t:s0"},
	}
}

func make16(b byte) []byte {
	k := make([]byte, 16)
	for i := range k {
		k[i] = b + byte(i)
	}
	return k
}

func make32(b byte) []byte { return append(make16(b), make16(b+16)...) }

// diff reports which fields of got differ from want ("" if none), by
// walking structs so that String methods (which hide keys) do not hide
// the difference.
func diff(want, got any) string {
	var out []string
	var walk func(path string, a, b reflect.Value)
	walk = func(path string, a, b reflect.Value) {
		if reflect.DeepEqual(a.Interface(), b.Interface()) {
			return
		}
		switch a.Kind() {
		case reflect.Struct:
			if a.Type() != reflect.TypeFor[netip.Addr]() && a.Type() != reflect.TypeFor[netip.Prefix]() {
				for i := range a.NumField() {
					walk(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
				}
				return
			}
		case reflect.Pointer:
			if !a.IsNil() && !b.IsNil() {
				walk(path, a.Elem(), b.Elem())
				return
			}
		case reflect.Slice:
			if a.Len() == b.Len() && a.Type().Elem().Kind() == reflect.Struct {
				for i := range a.Len() {
					walk(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i))
				}
				return
			}
		}
		out = append(out, fmt.Sprintf("%s: want %v, got %v", path, fmtValue(a), fmtValue(b)))
	}
	walk("", reflect.ValueOf(want), reflect.ValueOf(got))
	return strings.Join(out, "\n")
}

func fmtValue(v reflect.Value) string {
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.CanInterface() {
		if s, ok := v.Interface().(fmt.Stringer); ok && v.Kind() != reflect.Struct {
			return s.String()
		}
	}
	return fmt.Sprintf("%+v", v)
}

// asSent is l as the kernel keeps it after a request: zero byte and
// packet limits are NoLimit.
func asSent(l Limits) Limits {
	for _, v := range []*uint64{&l.SoftBytes, &l.HardBytes, &l.SoftPackets, &l.HardPackets} {
		if *v == 0 {
			*v = NoLimit
		}
	}
	return l
}

// sentState and sentPolicy are s and p as the kernel keeps them.
func sentState(s State) State    { s.Limits = asSent(s.Limits); return s }
func sentPolicy(p Policy) Policy { p.Limits = asSent(p.Limits); return p }
