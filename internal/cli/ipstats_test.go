package cli

import (
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/rtnl"
)

// statsLines are the stats command lines compared with ip: every group,
// subgroup and suite, selections ip refuses, the set command, text and
// JSON, with -s, -d, -h.
var statsLines = []string{
	"stats", "stats show", "-j stats show", "-j -p stats", "-s stats show", "-s -s stats show dev v0", "-d stats show dev v1",
	"stats show dev v1", "stats show dev br0", "stats show group link", "-j stats show group link dev v0",
	"stats show group xstats", "stats show group xstats_slave", "-j stats show group xstats_slave dev v1",
	"stats show group xstats_slave subgroup bridge suite stp", "stats show group xstats subgroup bridge suite mcast dev br0",
	"stats show group xstats subgroup bond", "stats show group offload", "-j stats show group offload",
	"stats show group offload subgroup cpu_hit", "stats show group offload subgroup hw_stats_info dev v0",
	"stats show group offload subgroup l3_stats", "-j stats show group offload subgroup l3_stats dev v0",
	"stats show group afstats", "-j stats show group afstats subgroup mpls",
	"stats show group link group afstats dev lo", "stats show group afstats group link dev lo",
	"stats show group xstats subgroup bridge subgroup bond dev br0", "stats show group xstats subgroup bridge suite stp suite mcast dev v1",
	"stats show group link group link", "-h stats show group link dev v0", "-c stats show group link dev v0",
	"-o stats show", "-o stats show dev v1", "-o -s stats show dev br0 group link",
	"stats show dev nosuch", "stats show dev", "stats show group", "stats show group foo", "stats show subgroup foo",
	"stats show suite foo", "stats show group link subgroup x", "stats show group offload subgroup foo",
	"stats show group xstats suite x", "stats show frob", "stats show dev lo dev v0", "stats show dev a/b",
	"stats show help", "stats help", "stats frob", "stats sh", "stats set", "stats set dev v0", "stats set l3_stats on",
	"stats set dev v0 l3_stats maybe", "stats set dev nosuch l3_stats on", "stats set dev v0 l3_stats on l3_stats off",
	"stats set dev v0 frob", "stats set help", "stats set dev v0 dev v1 l3_stats on",
}

// TestStatsLikeIP: nl stats against ip stats in the populated namespace
// (a bridge with a port, veths, macvlans ...; counters still), byte for
// byte, exit status and error output included; then `stats set l3_stats`
// by each, read back by the other.
func TestStatsLikeIP(t *testing.T) {
	ns, name := kerneltest.NamedNetNS(t)
	_, peer := kerneltest.NamedNetNS(t)
	populate(t, ns, peer)
	for _, line := range statsLines {
		args := strings.Fields(line)
		ipOut, ipErr, ipCode := ipResult(t, name, args...)
		nlOut, nlErr, nlCode := runAs(t, "ip", append([]string{"-n", name}, args...)...)
		if ipOut != nlOut || ipErr != nlErr || ipCode != nlCode {
			t.Errorf("%s:\n ip: exit %d %q\n%s\n nl: exit %d %q\n%s", line, ipCode, ipErr, ipOut, nlCode, nlErr, nlOut)
		}
	}
	for _, c := range []struct {
		who, onOff, want string
	}{{"nl", "on", "on used off\n    RX: "}, {"ip", "off", "off used off\n"}, {"ip", "on", "on used off\n    RX: "}, {"nl", "off", "off used off\n"}} {
		set := []string{"stats", "set", "dev", "v0", "l3_stats", c.onOff}
		var code int
		if c.who == "ip" {
			_, _, code = ipResult(t, name, set...)
		} else {
			_, _, code = runAs(t, "ip", append([]string{"-n", name}, set...)...)
		}
		if code != 0 {
			t.Fatalf("%s %v: exit %d", c.who, set, code)
		}
		show := []string{"stats", "show", "dev", "v0", "group", "offload", "subgroup", "l3_stats"}
		ipOut, _, _ := ipResult(t, name, show...)
		nlOut, _, _ := runAs(t, "ip", append([]string{"-n", name}, show...)...)
		// On, the kernel sends the (zero) L3 counters too, used or not.
		if want := "4: v0: group offload subgroup l3_stats " + c.want; ipOut != nlOut || !strings.HasPrefix(ipOut, want) ||
			c.onOff == "off" && ipOut != want {
			t.Errorf("after %s l3_stats %s:\n ip %q\n nl %q\n want %q", c.who, c.onOff, ipOut, nlOut, want)
		}
		for _, line := range []string{"-j stats show dev v0 group offload", "-h stats show dev v0 group offload"} {
			args := append([]string{"-n", name}, strings.Fields(line)...)
			ipOut, _, _ := ipResult(t, name, args[2:]...)
			nlOut, _, _ := runAs(t, "ip", args...)
			if ipOut != nlOut {
				t.Errorf("l3_stats %s: %s:\n ip %q\n nl %q", c.onOff, line, ipOut, nlOut)
			}
		}
	}
}

// TestStatsFormats: the suites this kernel cannot fill (L3 hardware
// counters, MPLS, bond 802.3ad, large numbers), printed from fabricated
// statistics as ip's print code lays them out (print_hw_stats64,
// print_mpls_link_stats, bond_print_3ad_stats).
func TestStatsFormats(t *testing.T) {
	s := rtnl.LinkStats{Index: 7, HasOffload: true, Offload: rtnl.OffloadXstats{HasHWSInfo: true,
		L3Info: &rtnl.HWStatsInfo{Request: true, HasRequest: true, Used: true, HasUsed: true},
		HasL3:  true, L3: rtnl.HWStats64{RxPackets: 2, RxBytes: 1234567890123, TxPackets: 3, TxBytes: 300, Multicast: 4}},
		HasAFSpec: true, HasAFMPLS: true, MPLS: &rtnl.MPLSLinkStats{RxBytes: 10, TxBytes: 108, TxPackets: 1, RxNoRoute: 5},
		HasXstats: true, Xstats: rtnl.Xstats{Bond: &rtnl.BondXstats{LACP: &rtnl.Bond3ADStats{LACPDURx: 5, MarkerRespTx: 2,
			Present: 1<<0 | 1<<7}}}}
	root := statsTree()
	leaf := func(path ...string) *statsLeaf {
		n := root
		for _, w := range path {
			for _, s := range n.subs {
				if s.name == w {
					n = s
				}
			}
		}
		return n.leaf
	}
	pad := strings.Repeat(" ", 20)
	for _, c := range []struct {
		path []string
		json bool
		want string
	}{
		{[]string{"offload", "l3_stats"}, false, " on used on\n" +
			"    RX:     bytes packets errors dropped   mcast\n" +
			"    1234567890123       2      0       0       4 \n" +
			"    TX:     bytes packets errors dropped\n" +
			"              300       3      0       0 "},
		{[]string{"offload", "l3_stats"}, true, `{"info":{"request":true,"used":true},"stats64":{"rx":{"bytes":1234567890123,"packets":2,"errors":0,"dropped":0,"multicast":4},"tx":{"bytes":300,"packets":3,"errors":0,"dropped":0}}}`},
		{[]string{"offload", "hw_stats_info"}, false, "\n    l3_stats on used on"},
		{[]string{"afstats", "mpls"}, false, "\n" +
			"    RX: bytes packets errors dropped noroute\n" +
			"           10       0      0       0       5 \n" +
			"    TX: bytes packets errors dropped\n" +
			"          108       1      0       0 "},
		{[]string{"afstats", "mpls"}, true, `{"mpls_stats":{"rx":{"bytes":10,"packets":0,"errors":0,"dropped":0,"noroute":5},"tx":{"bytes":108,"packets":1,"errors":0,"dropped":0}}}`},
		{[]string{"xstats", "bond", "802.3ad"}, false, "\n" + pad + "LACPDU Rx 5\n" + pad + "Marker response Tx 2\n"},
		{[]string{"xstats", "bond", "802.3ad"}, true, `{"802.3ad":{"lacpdu_rx":5,"marker_response_tx":2}}`},
		{[]string{"xstats_slave", "bond", "802.3ad"}, false, ""},
	} {
		e := &env{opts: Options{JSON: c.json}}
		p := e.record()
		e.statsLeafFormat(t.Context(), p, &s, leaf(c.path...), 1)
		got := strings.ReplaceAll(p.b.String(), lineEnd, "\n")
		if c.json {
			b, err := appendJSON(nil, p.obj)
			if err != nil {
				t.Fatal(err)
			}
			got = string(b)
		}
		if got != c.want {
			t.Errorf("%v json %v:\n got %q\nwant %q", c.path, c.json, got, c.want)
		}
	}
}
