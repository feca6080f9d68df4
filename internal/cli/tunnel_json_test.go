package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTunnelDetailsJSON: ip 6.1 prints monitor files as text even with
// -j, so the JSON of the tunnel kinds (ip -j -d link show) cannot be
// compared there; it is checked against the keys and values of ip's
// print_opt functions (PRINT_ANY and PRINT_JSON keys), per kind.
func TestTunnelDetailsJSON(t *testing.T) {
	_, name, _ := rtNS(t)
	file := tunnelMonitorFile(t, tunnelFixtures())
	out, errOut, code := runAs(t, "ip", "-n", name, "-j", "-d", "monitor", "file", file)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var l struct {
			IfName   string `json:"ifname"`
			LinkInfo struct {
				InfoData json.RawMessage `json:"info_data"`
			} `json:"linkinfo"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, line)
		}
		got[l.IfName] = string(l.LinkInfo.InfoData)
	}
	for name, want := range map[string]string{
		"gre1": `{"remote":"198.18.0.2","local":"198.18.0.1","ttl":64,"pmtudisc":true}`,
		"gre2": `{"remote":"198.18.0.2","local":"any","link":"v0","ttl":0,"tos":"0x10","pmtudisc":false,"ignore_df":true,` +
			`"ikey":"1.2.3.4","okey":"0.0.0.5","iseq":true,"icsum":true,"ocsum":true,"fwmark":"0x7",` +
			`"encap":{"type":"fou","sport":5555,"dport":6666,"csum":true,"csum6":false,"remcsum":true}}`,
		"gre3": `{"remote":"any","local":"198.18.0.1","ttl":9,"tos":"0x1",` +
			`"encap":{"type":"gue","sport":0,"dport":7,"csum":false,"csum6":true,"remcsum":false}}`,
		"gre4":  `{"external":true,"remote":"any","local":"any","ttl":0}`,
		"er2":   `{"remote":"198.18.0.2","local":"any","ttl":0,"erspan_ver":2,"erspan_dir":"egress","erspan_hwid":"0x3f"}`,
		"g6b":   `{"remote":"2001:db8::2","local":"any","link":"v0","ttl":0,"encap_limit":7,"tclass":"0x20","flowlabel":"0x00345","ip6_tnl_f_rcv_dscp_copy":true,"ikey":"0.0.0.3","okey":"0.0.0.3","iseq":true,"ocsum":true,"ip6_tnl_f_allow_local_remote":true,"fwmark":"0x9","encap":{"type":"gue","sport":1,"dport":2,"csum":false,"csum6":false,"remcsum":false}}`,
		"g6c":   `{"remote":"any","local":"any","ttl":64,"ip6_tnl_f_ign_encap_limit":true,"ip6_tnl_f_use_orig_tclass":true,"ip6_tnl_f_use_orig_flowlabel":true,"ip6_tnl_f_use_orig_fwmark":true}`,
		"ipip2": `{"proto":"mplsip","remote":"any","local":"any","link":"v0","ttl":8,"tos":"0x1","pmtudisc":false,"fwmark":"0x3","encap":{"type":"fou","sport":1000,"dport":2000,"csum":true,"csum6":false,"remcsum":false}}`,
		"sit1":  `{"proto":"ip6ip","remote":"any","local":"198.18.0.1","ttl":64,"pmtudisc":true,"isatap":true,"prefix":"2001:db8::","prefixlen":32,"relay_prefix":"198.18.0.0","relay_prefixlen":15}`,
		"t6c":   `{"proto":"any","remote":"any","local":"any","ttl":0,"ip6_tnl_f_ign_encap_limit":true,"ip6_tnl_f_use_orig_tclass":true,"ip6_tnl_f_use_orig_flowlabel":true,"ip6_tnl_f_use_orig_fwmark":true}`,
		"vti1":  `{"remote":"198.18.0.2","local":"198.18.0.1","ikey":"0.0.0.5","okey":"1.2.3.4"}`,
		"xf1":   `{"if_id":"0x2a"}`,
		"xf2":   `{"external":true}`,
	} {
		if got[name] != want {
			t.Errorf("%s:\n got %s\nwant %s", name, got[name], want)
		}
	}
}
