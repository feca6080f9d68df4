package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netns"
)

const netnsHelp = `Usage:	nl netns list
	nl netns add NAME
	nl netns attach NAME PID
	nl netns set NAME NETNSID
	nl [-all] netns delete [NAME]
	nl netns identify [PID]
	nl netns pids NAME
	nl [-all] netns exec [NAME] cmd ...
	nl netns monitor
	nl netns list-id
NETNSID := auto | POSITIVE-INT
`

// netnsRequest is a parsed netns command.
type netnsRequest struct {
	cmd  string // list, add, attach, set, delete, identify, pids, exec, list-id
	name string
	pid  string   // attach, identify: the process (identify: "" is nl itself)
	nsid int32    // set: the id, -1 for auto
	argv []string // exec: the command
}

// netnsCommands are netns's commands in ip's order.
var netnsCommands = []command{{name: "list", abbrev: []string{"list", "show", "lst"}}, {name: "list-id", exact: []string{"list-id"}},
	{name: "add"}, {name: "attach"}, {name: "set"}, {name: "delete"}, {name: "identify"}, {name: "pids"}, {name: "exec"},
	{name: "monitor"}}

// parseNetns turns the words after "netns" into a request. all is -all,
// with which delete and exec take no name.
func parseNetns(args []string, all bool) (netnsRequest, error) {
	var r netnsRequest
	a := wordsOf(args)
	if !a.more() {
		return netnsRequest{cmd: "list"}, nil
	}
	var err error
	if r.cmd, err = pickCommand("netns", a.next(), netnsCommands); err != nil {
		return r, err
	}
	switch r.cmd {
	case "monitor":
		return r, nil // ip ignores what follows
	case "list":
		// ip's netns_list ignores what follows (the kernel's selftests
		// run `ip netns list \| grep ...` through a wrapper that passes
		// the bar as a word)
		return r, nil
	case "list-id":
		if a.more() {
			return r, usagef("Error: garbage \"%s\" after \"netns %s\".", a.peek(), r.cmd)
		}
		return r, nil
	case "identify":
		if a.more() {
			r.pid = a.next()
		}
		if a.more() {
			return r, failf("extra arguments specified")
		}
		return r, nil
	case "attach":
		if len(a.rest()) != 2 {
			return r, failf("No netns name and PID specified")
		}
		r.name, r.pid = a.next(), a.next()
		return r, nil
	case "set":
		if !a.more() {
			return r, failf("No netns name specified")
		}
		r.name = a.next()
		if !a.more() {
			return r, failf("No nsid specified")
		}
		w := a.next()
		if w == "auto" {
			r.nsid = -1
		} else if n, end, over := strtol(w, 0); end != len(w) || w == "" || over || n > 1<<31-1 || n < -1<<31 {
			return r, usagef(`Error: argument "%s" is wrong: Invalid "netnsid" value`, w)
		} else if n < 0 {
			return r, usagef(`Error: argument "%s" is wrong: "netnsid" value should be >= 0`, w)
		} else {
			r.nsid = int32(n)
		}
		return r, nil
	case "exec", "delete":
		if all {
			r.argv = a.rest()
			if r.cmd == "exec" && len(r.argv) == 0 {
				return r, failf("No command specified")
			}
			return r, nil
		}
	}
	if !a.more() {
		return r, failf("No netns name specified")
	}
	r.name = a.next()
	switch {
	case r.cmd == "exec" && !a.more():
		return r, failf("No command specified")
	case r.cmd == "exec":
		r.argv = a.rest()
	case r.cmd == "pids" && a.more():
		return r, failf("extra arguments specified")
	}
	// add and delete, as ip's, ignore the words after the name
	return r, nil
}

func runNetns(ctx context.Context, e *env, args []string) error {
	r, err := parseNetns(args, e.opts.All)
	if err != nil {
		return err
	}
	switch r.cmd {
	case "list":
		return e.netnsList(ctx)
	case "list-id":
		return e.netnsListID(ctx)
	case "monitor":
		return e.netnsMonitor(ctx)
	case "add":
		ns, err := netns.NewNamed(r.name)
		if err != nil {
			if errors.Is(err, fs.ErrExist) {
				return failf("Cannot create namespace file \"/run/netns/%s\": File exists", r.name)
			}
			return err
		}
		return ns.Close()
	case "attach":
		return netnsAttach(r.name, r.pid)
	case "set":
		path := filepath.Join(netnsRunDir, r.name)
		if _, err := os.Stat(path); err != nil {
			return failf("Cannot open network namespace \"%s\": %s", r.name, unwrapErrno(err))
		}
		return e.setNSID(ctx, path, r.nsid)
	case "identify":
		return e.netnsIdentify(r.pid)
	case "pids":
		return e.netnsPids(r.name)
	case "delete":
		if e.opts.All {
			names, err := netnsNames()
			if err != nil {
				return err
			}
			for _, n := range names {
				if err := netns.DeleteNamed(n); err != nil {
					return failf("Cannot remove namespace file \"/run/netns/%s\": %s", n, unwrapErrno(err))
				}
			}
			return nil
		}
		if err := netns.DeleteNamed(r.name); err != nil {
			return failf("Cannot remove namespace file \"/run/netns/%s\": %s", r.name, unwrapErrno(err))
		}
		return nil
	}
	if e.opts.All {
		// ip -all netns exec: the command in each named namespace in
		// turn, a header before each; the exit status is the last
		// failure's.
		names, err := netnsNames()
		if err != nil {
			return err
		}
		var last error
		for _, n := range names {
			fmt.Fprintf(e.stdout, "\nnetns: %s\n", n)
			if err := e.netnsExec(ctx, n, r.argv); err != nil {
				var xe *exitError
				if !errors.As(err, &xe) {
					return err
				}
				last = &exitError{code: ExitFailure}
			}
		}
		return last
	}
	return e.netnsExec(ctx, r.name, r.argv)
}

// netnsExec runs argv in the named namespace and waits for it.
func (e *env) netnsExec(ctx context.Context, name string, argv []string) error {
	// exec, as ip: nl itself started from a thread inside the namespace
	// (the child inherits the thread's namespace at fork) in a mount
	// namespace of its own, where it remounts /sys and binds
	// /etc/netns/NAME before it becomes the command
	// (RunNetnsExecChild).
	ns, err := netns.Open(name)
	if err != nil {
		return usagef("Cannot open network namespace \"%s\": %s", name, unwrapErrno(err))
	}
	defer ns.Close()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{NetnsExecChild, name}, argv...)...)
	cmd.Args[0] = argv[0]
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	if err := e.flush(); err != nil {
		return err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = e.stdin, e.rawStdout, e.stderr
	if err := ns.Do(cmd.Start); err != nil {
		return failf("exec of \"%s\" failed: %s", argv[0], unwrapErrno(err))
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

// netnsList is netns list: the names in the directory's order, each with
// the id the current namespace (-n) gives it, as ip prints them.
func (e *env) netnsList(ctx context.Context) error {
	names, err := netnsNames()
	if err != nil {
		return err
	}
	recs := make([]*printer, 0, len(names))
	for _, n := range names {
		p := newRecord(e.opts.JSON)
		p.field("name", "%s", n)
		if id, err := e.nsidOf(ctx, filepath.Join(netnsRunDir, n)); err == nil && id >= 0 {
			p.field("id", " (id: %d)", id)
		}
		p.text("\n")
		recs = append(recs, p)
	}
	return writeRecords(e, recs)
}

// netnsListID is netns list-id: the ids the current namespace gives
// others, with the names they have under /run/netns.
func (e *env) netnsListID(ctx context.Context) error {
	ids, err := e.listNSIDs(ctx)
	if err != nil {
		return err
	}
	recs := make([]*printer, 0, len(ids))
	for _, id := range ids {
		p := newRecord(e.opts.JSON)
		p.field("nsid", "nsid %d ", id)
		if n := e.nsidName(ctx, id); n != "" {
			p.field("name", "(iproute2 netns name: %s)", n)
		}
		p.text("\n")
		recs = append(recs, p)
	}
	return writeRecords(e, recs)
}

// nsFileID identifies a namespace file by device and inode.
func nsFileID(path string) (unix.Stat_t, error) {
	var st unix.Stat_t
	err := unix.Stat(path, &st)
	return st, err
}

// netnsIdentify is netns identify [PID]: the names under /run/netns of
// the process's namespace.
func (e *env) netnsIdentify(pid string) error {
	path := "/proc/self/ns/net"
	if e.ns != nil {
		// ip -n switches itself into the namespace first.
		path = fmt.Sprintf("/proc/self/fd/%d", e.ns.Fd())
	}
	if pid != "" {
		n, end, over := strtol(pid, 10)
		if end != len(pid) || over || n <= 0 {
			return failf("Specified string '%s' is not a pid", pid)
		}
		path = fmt.Sprintf("/proc/%d/ns/net", n)
	}
	want, err := nsFileID(path)
	if err != nil {
		return failf("Cannot open network namespace: %s", unwrapErrno(err))
	}
	names, err := netnsNames()
	if err != nil {
		return err
	}
	for _, n := range names {
		if st, err := nsFileID(filepath.Join(netnsRunDir, n)); err == nil && st.Dev == want.Dev && st.Ino == want.Ino {
			fmt.Fprintln(e.stdout, n)
		}
	}
	return nil
}

// netnsPids is netns pids NAME: the processes whose network namespace is
// the named one.
func (e *env) netnsPids(name string) error {
	want, err := nsFileID(filepath.Join(netnsRunDir, name))
	if err != nil {
		return failf("Cannot open network namespace: %s", unwrapErrno(err))
	}
	d, err := os.Open("/proc")
	if err != nil {
		return err
	}
	defer d.Close()
	entries, err := d.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, ent := range entries {
		if ent == "" || ent[0] < '0' || ent[0] > '9' {
			continue
		}
		if st, err := nsFileID("/proc/" + ent + "/ns/net"); err == nil && st.Dev == want.Dev && st.Ino == want.Ino {
			fmt.Fprintln(e.stdout, ent)
		}
	}
	return nil
}

// netnsAttach is netns attach NAME PID: the process's namespace bound to
// /run/netns/NAME, as netns add binds a new one.
func netnsAttach(name, pid string) error {
	n, end, over := strtol(pid, 10)
	if end != len(pid) || over || n <= 0 {
		return failf("Specified string '%s' is not a pid", pid)
	}
	ns, err := netns.OpenPID(int(n))
	if err != nil {
		return failf("Cannot open network namespace of %s: %s", pid, unwrapErrno(err))
	}
	defer ns.Close()
	if err := os.MkdirAll(netnsRunDir, 0o755); err != nil {
		return err
	}
	// As ip's create_netns_dir (and netns.NewNamed): /run/netns a shared
	// mount point, so that the bind mount below is seen by every process.
	if err := unix.Mount("", netnsRunDir, "none", unix.MS_SHARED|unix.MS_REC, ""); errors.Is(err, unix.EINVAL) {
		if unix.Mount(netnsRunDir, netnsRunDir, "none", unix.MS_BIND|unix.MS_REC, "") == nil {
			unix.Mount("", netnsRunDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		}
	}
	path := filepath.Join(netnsRunDir, name)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0)
	if err != nil {
		return failf("Cannot create namespace file \"%s\": %s", path, unwrapErrno(err))
	}
	f.Close()
	if err := unix.Mount(fmt.Sprintf("/proc/%d/ns/net", n), path, "none", unix.MS_BIND, ""); err != nil {
		os.Remove(path)
		return failf("Bind /proc/%s/ns/net -> %s failed: %s", pid, path, unwrapErrno(err))
	}
	return nil
}
