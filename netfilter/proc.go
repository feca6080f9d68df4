package netfilter

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netns"
)

// ParseProcTable parses one of the tables nfnetlink subsystems keep in
// /proc/net/netfilter (nfnetlink_queue, nfnetlink_log): a line per
// instance of whitespace-separated decimal numbers, of which the first n
// of each line are returned. Blank lines are skipped. A line with fewer
// than n fields, or a field that is not a 32-bit unsigned number, is an
// error naming the line; the lines parsed before it are returned with it.
func ParseProcTable(r io.Reader, n int) ([][]uint32, error) {
	var out [][]uint32
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) < n {
			return out, fmt.Errorf("line %q: %d fields, want at least %d", sc.Text(), len(f), n)
		}
		row := make([]uint32, n)
		for i := range row {
			v, err := strconv.ParseUint(f[i], 10, 32)
			if err != nil {
				return out, fmt.Errorf("line %q: field %d: %w", sc.Text(), i+1, err)
			}
			row[i] = uint32(v)
		}
		out = append(out, row)
	}
	return out, sc.Err()
}

// ReadProcTable reads /proc/net/netfilter/name as network namespace ns
// (nil: the caller's) sees it, and parses it as ParseProcTable does. The
// tables are per namespace and readable by root only. A missing file (the
// subsystem's module is not loaded) is an empty table, not an error.
func ReadProcTable(ctx context.Context, ns *netns.NS, name string, n int) ([][]uint32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var data []byte
	read := func() (err error) {
		data, err = os.ReadFile("/proc/thread-self/net/netfilter/" + name)
		return err
	}
	var err error
	if ns != nil {
		err = ns.Do(read)
	} else {
		err = read()
	}
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return ParseProcTable(bytes.NewReader(data), n)
}
