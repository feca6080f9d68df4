package cli

import (
	"encoding/json"
)

// writeJSON prints v as ip -j does: one line, or indented with -p.
func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	if e.opts.Pretty {
		enc.SetIndent("", "    ")
	}
	return enc.Encode(v)
}
