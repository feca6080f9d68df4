package sockdiag

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Process is a process holding a socket: one open file descriptor of it.
type Process struct {
	PID     int
	Command string // the command name (/proc/PID/stat's comm)
	FD      int
}

// ProcessMap maps socket inodes to the processes holding them, read from
// /proc (each /proc/PID/fd/N that links to "socket:[INODE]"), as ss -p
// does. Nothing is read until the first lookup, and /proc is read once:
// make a new ProcessMap for a fresh view. Processes of other users are
// seen only with the privilege to read their fd directories. It is safe
// for concurrent use.
type ProcessMap struct {
	root string
	once sync.Once
	m    map[uint32][]Process
	err  error
}

// NewProcessMap returns a map that will read the proc file system at root
// ("" is /proc) when first asked.
func NewProcessMap(root string) *ProcessMap {
	if root == "" {
		root = "/proc"
	}
	return &ProcessMap{root: root}
}

// Processes returns the processes holding the socket with inode ino, in
// ss's order (the last found first), or nil. The error is that of reading
// the proc root; unreadable processes are skipped.
func (m *ProcessMap) Processes(ino uint32) ([]Process, error) {
	m.once.Do(m.load)
	if m.err != nil {
		return nil, m.err
	}
	return m.m[ino], nil
}

func (m *ProcessMap) load() {
	m.m = map[uint32][]Process{}
	d, err := os.Open(m.root)
	if err != nil {
		m.err = err
		return
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		m.err = err
		return
	}
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		fdDir := filepath.Join(m.root, n, "fd")
		f, err := os.Open(fdDir)
		if err != nil {
			continue
		}
		fds, _ := f.Readdirnames(-1)
		f.Close()
		comm := ""
		for _, fdName := range fds {
			fd, err := strconv.Atoi(fdName)
			if err != nil {
				continue
			}
			l, err := os.Readlink(filepath.Join(fdDir, fdName))
			if err != nil {
				continue
			}
			s, ok := strings.CutPrefix(l, "socket:[")
			if !ok || !strings.HasSuffix(s, "]") {
				continue
			}
			ino, err := strconv.ParseUint(s[:len(s)-1], 10, 32)
			if err != nil {
				continue
			}
			if comm == "" {
				comm = command(filepath.Join(m.root, n, "stat"))
			}
			i := uint32(ino)
			m.m[i] = append([]Process{{PID: pid, Command: comm, FD: fd}}, m.m[i]...)
		}
	}
}

// command reads the comm field of a /proc/PID/stat file: the text between
// the first '(' and the last ')'.
func command(stat string) string {
	b, err := os.ReadFile(stat)
	if err != nil {
		return ""
	}
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return ""
	}
	return s[i+1 : j]
}
