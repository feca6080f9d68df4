package cli

import (
	"bytes"
	"encoding/json"
)

// writeJSON prints v as ip -j does: one line, or indented with -p. The
// objects the commands build encode themselves (see jsonenc.go); the
// result equals encoding/json's.
func writeJSON(e *env, v any) error {
	b, err := appendJSON(make([]byte, 0, 4096), v)
	if err != nil {
		return err
	}
	if e.opts.Pretty {
		var ind bytes.Buffer
		if err := json.Indent(&ind, b, "", "    "); err != nil {
			return err
		}
		b = ind.Bytes()
	}
	b = append(b, '\n')
	_, err = e.stdout.Write(b)
	return err
}
