package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"slices"

	"github.com/nlkit/nlkit/netns"
)

const netnsHelp = `Usage: nl netns list
       nl netns add NAME
       nl netns delete NAME
       nl netns exec NAME cmd ...
`

// netnsRequest is a parsed netns command.
type netnsRequest struct {
	cmd  string // list, add, delete, exec
	name string
	argv []string // exec: the command
}

// netnsCommands are netns's commands in ip's order.
var netnsCommands = []command{{name: "list", abbrev: []string{"list", "show"}}, {name: "add"}, {name: "delete"}, {name: "exec"}}

// parseNetns turns the words after "netns" into a request.
func parseNetns(args []string) (netnsRequest, error) {
	var r netnsRequest
	a := wordsOf(args)
	if !a.more() {
		return netnsRequest{cmd: "list"}, nil
	}
	var err error
	if r.cmd, err = pickCommand("netns", a.next(), netnsCommands); err != nil {
		return r, err
	}
	switch {
	case r.cmd == "list" && a.more():
		return r, usagef("Error: garbage \"%s\" after \"netns list\".", a.peek())
	case r.cmd == "list":
		return r, nil
	case !a.more():
		return r, usagef("No netns name specified")
	}
	r.name = a.next()
	switch {
	case r.cmd == "exec" && !a.more():
		return r, usagef("No command specified")
	case r.cmd == "exec":
		r.argv = a.rest()
	case a.more():
		return r, usagef("Error: garbage \"%s\" after the netns name.", a.peek())
	}
	return r, nil
}

func runNetns(ctx context.Context, e *env, args []string) error {
	r, err := parseNetns(args)
	if err != nil {
		return err
	}
	switch r.cmd {
	case "list":
		names, err := netns.Names()
		if err != nil {
			return err
		}
		slices.Sort(names)
		if e.opts.JSON {
			out := make([]map[string]any, 0, len(names))
			for _, n := range names {
				out = append(out, map[string]any{"name": n})
			}
			return writeJSON(e, out)
		}
		for _, n := range names {
			fmt.Fprintln(e.stdout, n)
		}
		return nil
	case "add":
		ns, err := netns.NewNamed(r.name)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("Cannot create namespace file \"/run/netns/%s\": File exists", r.name)
			}
			return err
		}
		return ns.Close()
	case "delete":
		if err := netns.DeleteNamed(r.name); err != nil {
			return fmt.Errorf("Cannot remove namespace file \"/run/netns/%s\": %s", r.name, unwrapErrno(err))
		}
		return nil
	}
	// exec: start the command from a thread inside the namespace; the
	// child inherits the thread's namespace at fork.
	ns, err := netns.Open(r.name)
	if err != nil {
		return fmt.Errorf("Cannot open network namespace \"%s\": %s", r.name, unwrapErrno(err))
	}
	defer ns.Close()
	cmd := exec.CommandContext(ctx, r.argv[0], r.argv[1:]...)
	if err := e.flush(); err != nil {
		return err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.rawStdout, e.stderr
	if err := ns.Do(cmd.Start); err != nil {
		return fmt.Errorf("exec of \"%s\" failed: %s", r.argv[0], unwrapErrno(err))
	}
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return &exitError{code: ee.ExitCode()}
		}
		return err
	}
	return nil
}

// exitError carries a child's exit status out of nl (netns exec).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }
