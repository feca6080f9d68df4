package cli

import (
	"errors"

	"bufio"
	"context"
	"fmt"
	"github.com/nlkit/nlkit/netlink"
	"io"
	"os"
	"strings"
)

// ExitBatch is the exit code of a batch in which a command failed.
const ExitBatch = 1

// bulkChunk bounds how many lines go to the bulk path at once.
const bulkChunk = 8192

// batchLine is one command of a batch file.
type batchLine struct {
	no    int // line number, from 1
	words []string
}

// readBatch splits a batch file into commands: one per line, words split
// on blanks, "quoted words" kept whole, # starting a comment. A line ending
// in a backslash continues on the next.
func readBatch(r io.Reader) ([]batchLine, error) {
	var lines []batchLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	no, pending, start := 0, "", 0
	for sc.Scan() {
		no++
		text := sc.Text()
		if pending == "" {
			start = no
		}
		if strings.HasSuffix(text, "\\") {
			pending += strings.TrimSuffix(text, "\\") + " "
			continue
		}
		text, pending = pending+text, ""
		words, err := splitWords(text)
		if err != nil {
			return lines, fmt.Errorf("line %d: %w", start, err)
		}
		if len(words) > 0 {
			lines = append(lines, batchLine{no: start, words: words})
		}
	}
	return lines, sc.Err()
}

// splitWords splits a line like ip's makeargs: blanks separate words,
// double or single quotes group, # outside quotes starts a comment.
func splitWords(s string) ([]string, error) {
	if !strings.ContainsAny(s, "\"'#") {
		if f := strings.Fields(s); len(f) > 0 { // the common case: no quotes, no comment
			return f, nil
		}
		return nil, nil
	}
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
				continue
			}
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == '#':
			if inWord {
				words = append(words, cur.String())
			}
			return words, nil
		case r == ' ' || r == '\t' || r == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, usagef("unterminated quote")
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// runBatch runs the commands of the -batch file, stopping at the first
// failure unless -force, and names the failing line as ip does.
func runBatch(ctx context.Context, e *env) int {
	name := e.opts.Batch
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(e.stderr, "Cannot open file \"%s\" for reading: %s\n", name, unwrapErrno(err))
			return ExitFailure
		}
		defer f.Close()
		r = f
	}
	lines, err := readBatch(r)
	if err != nil {
		fmt.Fprintf(e.stderr, "Error: %s: %v\n", name, err)
		return ExitUsage
	}
	code := ExitOK
	for i := 0; i < len(lines); {
		if ctx.Err() != nil {
			return ExitBatch
		}
		// Runs of route and neighbour adds and deletes go to the kernel
		// through the library's batched path (see bulk.go).
		// At most bulkChunk lines at a time, so that memory stays bounded
		// whatever the size of the file.
		n, failed := runBulk(ctx, e, lines[i:min(i+bulkChunk, len(lines))])
		if n == 0 {
			if code, ends := e.maddrBatchLine(ctx, lines[i].words); ends { // maddrmodify.go
				return code
			}
			if err := dispatch(ctx, e, lines[i].words); err != nil {
				failed = []lineFailure{{0, err, neighExits(e, lines[i].words, err) || ntableExits(lines[i].words, err)}}
			}
			n = 1
		}
		for _, f := range failed {
			var ue *UsageError
			if errors.As(f.err, &ue) && (ue.Exit == 0 || ue.Exit == ExitUsage) {
				// ip's usage errors (invarg, duparg, usage ...) call
				// exit(-1): the batch ends there, -force or not,
				// without "Command failed".
				return report(e.stderr, f.err)
			}
			if f.fatal {
				// ip's neighbour commands exit(2) when the kernel
				// refuses: the batch ends there, without "Command
				// failed", -force or not.
				report(e.stderr, f.err)
				return ExitKernel
			}
			report(e.stderr, f.err)
			fmt.Fprintf(e.stderr, "Command failed %s:%d\n", name, lines[i+f.index].no)
			code = ExitBatch
		}
		if len(failed) > 0 && !e.opts.Force {
			return code
		}
		i += n
	}
	return code
}

// neighExits reports whether ip exits at this failed line of a batch:
// neigh add, del, change and replace refused by the kernel (ip's
// ipneigh_modify calls exit(2)).
func neighExits(e *env, words []string, err error) bool {
	var ne *netlink.Error
	if !errors.As(err, &ne) || len(words) < 2 {
		return false
	}
	if o := bulkObject(words[0]); o != "neighbor" && o != "neighbour" {
		return false
	}
	req, perr := parseNeigh(words[1:], e.opts.Family)
	if perr != nil {
		return false
	}
	switch req.cmd {
	case "add", "delete", "change", "replace":
		return true
	}
	return false
}
