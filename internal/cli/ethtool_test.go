package cli

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/genl/ethtool"
	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

func TestParseEthtool(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want ethtoolRequest
		err  string
	}{
		{args: []string{"e0"}, want: ethtoolRequest{cmd: "show", dev: "e0"}},
		{args: []string{"dev", "e0"}, want: ethtoolRequest{cmd: "show", dev: "e0"}},
		{args: []string{"show", "dev", "e0"}, want: ethtoolRequest{cmd: "show", dev: "e0"}},
		{args: []string{"s", "e0"}, want: ethtoolRequest{cmd: "show", dev: "e0"}},
		{args: []string{"f", "e0"}, want: ethtoolRequest{cmd: "features", dev: "e0"}},
		{args: []string{"channels", "dev", "e0"}, want: ethtoolRequest{cmd: "channels", dev: "e0"}},
		{args: []string{"rings", "e0"}, want: ethtoolRequest{cmd: "rings", dev: "e0"}},

		{args: nil, err: `Not enough information: "dev" argument is required.`},
		{args: []string{"show"}, err: `Not enough information: "dev" argument is required.`},
		{args: []string{"show", "dev"}, err: `Command line is not complete. Try option "help"`},
		{args: []string{"e0", "e1"}, err: `Error: either "dev" is duplicate, or "e1" is a garbage.`},
		{args: []string{"dev", "e0", "dev", "e1"}, err: `Error: duplicate "dev": "e1" is the second value.`},
		{args: []string{"a/b"}, err: `Error: argument "a/b" is wrong: "dev" not a valid ifname`},
		{args: []string{"features", "averyveryverylongname"}, err: `Error: argument "averyveryverylongname" is wrong: "dev" not a valid ifname`},
	} {
		got, err := parseEthtool(tc.args)
		checkParsed(t, tc.args, got, err, tc.want, tc.err)
	}
}

// TestEthtoolShow runs the ethtool commands on a veth, a tap and lo and
// checks what they print against the library (there is no ethtool
// binary to compare with here, and ethtool's JSON is not the same shape).
func TestEthtoolShow(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	kerneltest.Run(t, ns, "ip", "link", "add", "e0", "type", "veth", "peer", "name", "e1")
	kerneltest.Run(t, ns, "ip", "tuntap", "add", "dev", "t0", "mode", "tap")
	c, err := ethtool.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := t.Context()
	decode := func(args ...string) []map[string]any {
		t.Helper()
		var out []map[string]any
		if err := json.Unmarshal([]byte(genlMustRun(t, append([]string{"-j", "-n", name, "ethtool"}, args...)...)), &out); err != nil || len(out) != 1 {
			t.Fatalf("ethtool %v: %v %v", args, out, err)
		}
		return out
	}
	for _, dev := range []string{"e0", "t0"} {
		lm, err := c.LinkModes(ctx, ethtool.ByName(dev))
		if err != nil {
			t.Fatal(err)
		}
		li, err := c.LinkInfo(ctx, ethtool.ByName(dev))
		if err != nil {
			t.Fatal(err)
		}
		ch, err := c.Channels(ctx, ethtool.ByName(dev))
		if err != nil {
			t.Fatal(err)
		}
		f, err := c.Features(ctx, ethtool.ByName(dev))
		if err != nil {
			t.Fatal(err)
		}
		for _, details := range []bool{false, true} {
			args := []string{"show", dev}
			if details {
				args = []string{"-d", "ethtool", "show", dev}
			}
			var got []map[string]any
			if details {
				out := genlMustRun(t, append([]string{"-j", "-n", name}, args...)...)
				if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 1 {
					t.Fatalf("-d ethtool %s: %v\n%s", dev, err, out)
				}
			} else {
				got = decode(args...)
			}
			o := got[0]
			if o["ifname"] != dev || o["ifindex"] != float64(lm.Device.Index) {
				t.Errorf("%s: %v %v", dev, o["ifname"], o["ifindex"])
			}
			if _, ok := o["rings"]; ok {
				t.Errorf("%s: rings printed, the driver has none", dev) // veth and tap
			}
			modes := o["link_modes"].(map[string]any)
			if modes["speed"] != float64(lm.Speed) || modes["duplex"] != lm.Duplex.String() || modes["autoneg"] != lm.Autoneg ||
				len(modes["supported"].([]any)) != len(lm.Supported()) {
				t.Errorf("%s link_modes: %v, library %+v", dev, modes, lm)
			}
			wantInfo := map[string]any{"port": li.Port.String(), "phyad": float64(li.PhyAddr), "transceiver": li.Transceiver.String(),
				"mdix": li.TPMDIX.String(), "mdix_ctrl": li.TPMDIXCtrl.String()}
			if !reflect.DeepEqual(o["link_info"], wantInfo) {
				t.Errorf("%s link_info: %v, want %v", dev, o["link_info"], wantInfo)
			}
			wantCh := map[string]any{"rx_max": float64(ch.RxMax), "tx_max": float64(ch.TxMax), "other_max": float64(ch.OtherMax),
				"combined_max": float64(ch.CombinedMax), "rx": float64(ch.RxCount), "tx": float64(ch.TxCount),
				"other": float64(ch.OtherCount), "combined": float64(ch.CombinedCount)}
			if !reflect.DeepEqual(o["channels"], wantCh) {
				t.Errorf("%s channels: %v, want %v", dev, o["channels"], wantCh)
			}
			feats := o["features"].(map[string]any)
			named := 0
			for _, x := range f.HW.Bits {
				if x.Name == "" {
					continue
				}
				named++
				want := map[string]any{"active": f.Active.IsSet(x.Name), "fixed": f.Fixed(x.Name), "requested": f.Wanted.IsSet(x.Name)}
				if !reflect.DeepEqual(feats[x.Name], want) {
					t.Errorf("%s feature %s: %v, want %v", dev, x.Name, feats[x.Name], want)
				}
			}
			if named != len(feats) || named == 0 {
				t.Errorf("%s: %d features, library names %d", dev, len(feats), named)
			}
		}
		text := genlMustRun(t, "-n", name, "ethtool", dev)
		for _, want := range []string{"Settings for " + dev + ":\n", "\tSpeed: " + lm.SpeedString() + "\n", "\tDuplex: Full\n",
			"\tAuto-negotiation: off\n", "\tPort: Twisted Pair\n", "Channel parameters for " + dev + ":\n", "Features for " + dev + ":\n",
			"rx-gro: " + map[bool]string{true: "on", false: "off"}[f.Enabled("rx-gro")]} {
			if !strings.Contains(text, want) {
				t.Errorf("ethtool %s: no %q in\n%s", dev, want, text)
			}
		}
		if strings.Contains(text, "bit ") || !strings.HasSuffix(text, f.String()) {
			t.Errorf("ethtool %s: features not as ethtool.Features.String prints them:\n%s", dev, text)
		}
		// One part at a time.
		if out := decode("features", dev)[0]; len(out) != 3 || out["features"] == nil {
			t.Errorf("features %s: %v", dev, out)
		}
		if out := decode("channels", dev)[0]; len(out) != 3 || out["channels"] == nil {
			t.Errorf("channels %s: %v", dev, out)
		}
		if text := genlMustRun(t, "-n", name, "ethtool", "channels", dev); !strings.HasPrefix(text, "Channel parameters for "+dev+":\nPre-set maximums:\n") {
			t.Errorf("channels %s:\n%s", dev, text)
		}
		genlFails(t, ExitKernel, "Operation not supported", "-n", name, "ethtool", "rings", dev)
	}
	// lo has features only.
	if out := decode("lo")[0]; out["features"] == nil || out["link_modes"] != nil || out["channels"] != nil {
		t.Errorf("lo: %v", out)
	}
	genlFails(t, ExitKernel, "no device matches name", "-n", name, "ethtool", "nosuch")
}
