package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/sockdiag"
)

// parseSS is a pure function of the words: ss's option bundles, long
// options, tables, families, state filters and the expression's words.
func TestParseSS(t *testing.T) {
	for _, c := range []struct {
		args   string
		check  func(r ssRequest) bool
		reason string
	}{
		{"", func(r ssRequest) bool { return r.dbs == ssAll && r.states == ssConn && r.v4 && r.v6 }, "defaults"},
		{"-tulpn", func(r ssRequest) bool {
			return r.dbs == ssTCP|ssUDP && r.processes && r.numeric && r.states == 1<<sockdiag.StateListen|1<<sockdiag.StateClose
		}, "bundle"},
		{"--tcp --all --numeric --extended", func(r ssRequest) bool { return r.dbs == ssTCP && r.extended && r.states == sockdiag.AllStates }, "long"},
		{"-A tcp,unix_stream -4", func(r ssRequest) bool { return r.dbs == ssTCP|ssUnixStream && r.v4 && !r.v6 }, "query, -4 keeps unix"},
		{"-x -4", func(r ssRequest) bool { return r.dbs == ssUnix|ssInet && r.v4 && !r.v6 }, "a family adds its tables"},
		{"-t -f unix", func(r ssRequest) bool { return r.dbs == ssTCP|ssUnix && r.v4 && r.v6 }, "-f unix adds unix"},
		{"-Atcp", func(r ssRequest) bool { return r.dbs == ssTCP }, "joined argument"},
		{"--query=udp", func(r ssRequest) bool { return r.dbs == ssUDP }, "long with ="},
		{"-f inet6", func(r ssRequest) bool { return r.dbs == ssInet && r.v6 && !r.v4 }, "family"},
		{"-x -f unix", func(r ssRequest) bool { return r.dbs == ssUnix }, "table and family"},
		{"-t -6", func(r ssRequest) bool { return r.dbs == ssTCP && r.v6 && !r.v4 }, "-6 restricts"},
		{"-t state established state syn-sent", func(r ssRequest) bool {
			return r.states == sockdiag.StatesOf(sockdiag.StateEstablished, sockdiag.StateSynSent)
		}, "states add up"},
		{"-t exclude listening exclude time-wait", func(r ssRequest) bool {
			return r.states == sockdiag.AllStates&^sockdiag.StatesOf(sockdiag.StateListen, sockdiag.StateTimeWait)
		}, "exclude starts from all"},
		{"-t state connected dport = :443", func(r ssRequest) bool {
			return r.states == sockdiag.Connected && strings.Join(r.filter, " ") == "dport = :443"
		}, "expression words"},
		{"-N blue -tK -E -H -O -j", func(r ssRequest) bool {
			return r.netns == "blue" && r.kill && r.events && r.noHeader && r.oneline && r.json
		}, "the rest"},
		{"-tn -- -x", func(r ssRequest) bool { return r.dbs == ssTCP && strings.Join(r.filter, " ") == "-x" }, "-- ends options"},
	} {
		r, err := parseSS(strings.Fields(c.args))
		if err != nil || !c.check(r) {
			t.Errorf("%q (%s): %+v %v", c.args, c.reason, r, err)
		}
	}
	for _, bad := range []string{"-Q", "--bogus", "-A bogus", "-f bogus", "-t state", "-t state estab", "-N"} {
		_, err := parseSS(strings.Fields(bad))
		var ue *UsageError
		if !errors.As(err, &ue) || ue.Exit != 0 && ue.Exit != ExitUsage {
			t.Errorf("%q: %v, want a usage error", bad, err)
		}
	}
}
