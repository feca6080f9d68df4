package cli

import (
	"context"
	"fmt"
)

const mainHelp = `Usage: nl [ OPTIONS ] OBJECT { COMMAND | help }
       nl [ -force ] -batch filename
where  OBJECT := { address | link | neighbour | route | rule | monitor | netns |
                   mptcp | genl | ethtool }
       OPTIONS := { -j[son] | -p[retty] | -d[etails] | -s[tatistics] |
                    -4 | -6 | -0 | -f[amily] { inet | inet6 | link } |
                    -n[etns] name | -b[atch] filename | -force | -o[neline] }
`

func init() {
	register(object{name: "help", rank: rankHelp, run: runHelp, help: mainHelp})
}

func runHelp(_ context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stdout, mainHelp)
		return nil
	}
	for _, o := range objects {
		if matches(args[0], o.name) {
			fmt.Fprint(e.stdout, o.help)
			return nil
		}
	}
	return usagef("Object \"%s\" is unknown, try \"nl help\".", args[0])
}
