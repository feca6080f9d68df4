package cli

import (
	"strings"
	"testing"
)

// ipObjects are ip 6.1's objects in the order of its cmds table, which
// decides what an abbreviation means; nl's own objects (genl, ethtool,
// nfqueue, conntrack, ynl, nflog, audit, ss) come before help in nl's table.
var ipObjects = []string{"address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "ntbl",
	"link", "l2tp", "fou", "ila", "macsec", "tunnel", "tunl", "tuntap", "tap", "token", "tcpmetrics", "tcp_metrics",
	"monitor", "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam",
	"genl", "ethtool", "nfqueue", "conntrack", "ynl", "nflog", "audit", "ss", "help", "stats"}

// objectCommands are the command tables of the objects that have one.
var objectCommands = map[string][]command{
	"address": addressCommands, "route": routeCommands, "rule": ruleCommands, "neighbor": neighCommands,
	"neighbour": neighCommands, "link": linkCommands, "netns": netnsCommands, "mptcp": mptcpObjects, "genl": genlCommands,
	"monitor": monitorWords, "nfqueue": nfqueueCommands, "nflog": nflogCommands,
}

// TestCommandTree walks nl's objects and their commands: each object's
// help (for "nl OBJECT help" and "nl help OBJECT") starts with "Usage: nl"
// and a word that picks that object, the main help names every object,
// an unknown command points at the object's help, abbreviations of
// objects resolve in ip's order, and every command of a table is picked
// by each of its words.
func TestCommandTree(t *testing.T) {
	_, objectList, _ := strings.Cut(mainHelp, "OBJECT := {")
	objectList, _, _ = strings.Cut(objectList, "}")
	listed := strings.FieldsFunc(objectList, func(r rune) bool { return r == '|' || r == ' ' || r == '\n' })
	for i := range objects {
		o := &objects[i]
		// As ip: "OBJECT help" prints the object's usage and "help
		// OBJECT" the main usage, on standard error, exit status 255.
		for _, args := range [][]string{{o.name, "help"}, {"help", o.name}} {
			want := o.help
			if args[0] == "help" {
				want = mainHelp
			}
			code0 := ExitUsage
			if args[0] == "stats" {
				code0 = ExitOK // ip stats help exits 0
			}
			if out, stderr, code := run(t, args...); code != code0 || out != "" || stderr != want {
				t.Errorf("nl %s: exit %d, stderr %q, not the help", strings.Join(args, " "), code, stderr)
			}
		}
		if o.name == "help" {
			if o.help != mainHelp {
				t.Error("help's help is not the main help")
			}
			continue
		}
		// The help's first word after "Usage: nl" picks the object.
		rest, ok := strings.CutPrefix(strings.Replace(o.help, "Usage:\t", "Usage: ", 1), "Usage: nl ")
		if w, _, _ := strings.Cut(rest, " "); !ok || w == "" || pickedHelp(w) != o.help {
			t.Errorf("%s: help starts %q, not \"Usage: nl\" and a word that picks %s", o.name, strings.SplitN(o.help, "\n", 2)[0], o.name)
		}
		// The main help lists it (neighbour for both spellings).
		found := false
		for _, l := range listed {
			found = found || pickedHelp(l) == o.help
		}
		if !found {
			t.Errorf("the main help's OBJECT list %q lacks %s", listed, o.name)
		}
		// Every abbreviation picks the first object in ip's order.
		for n := 1; n <= len(o.name); n++ {
			w := o.name[:n]
			want := ""
			for _, name := range ipObjects {
				if _, ok := lookupObject(name); ok && matches(w, name) {
					want = name
					break
				}
			}
			if got, _ := lookupObject(w); got == nil || got.name != want {
				name := "nothing"
				if got != nil {
					name = got.name
				}
				t.Errorf("%q picks %s, want %s (ip's order)", w, name, want)
			}
		}
		// An unknown command points at the object's help, which works.
		if cmds, ok := objectCommands[o.name]; ok {
			_, stderr, code := run(t, o.name, "frobnicate")
			_, help, ok := strings.Cut(stderr, ` is unknown, try "nl `)
			help, _, _ = strings.Cut(help, ` help"`)
			if code != ExitUsage || !ok || pickedHelp(help) != o.help {
				t.Errorf("nl %s frobnicate: exit %d, %q", o.name, code, stderr)
			}
			for _, c := range cmds {
				for _, w := range append(append([]string{}, c.abbrev...), c.exact...) {
					if got, err := pickCommand(o.name, w, cmds); err != nil || got != c.name {
						t.Errorf("%s %q picks %q %v, want %s", o.name, w, got, err, c.name)
					}
				}
				if got, err := pickCommand(o.name, c.name, cmds); err != nil || got != c.name {
					t.Errorf("%s %q picks %q %v", o.name, c.name, got, err)
				}
			}
		}
	}
	if _, stderr, code := run(t, "frobnicate"); code != ExitFailure || stderr != "Object \"frobnicate\" is unknown, try \"nl help\".\n" {
		t.Errorf("nl frobnicate: exit %d, %q", code, stderr)
	}
}

// pickedHelp is the help of the object a word picks ("" for none).
func pickedHelp(w string) string {
	if o, ok := lookupObject(w); ok {
		return o.help
	}
	return ""
}
