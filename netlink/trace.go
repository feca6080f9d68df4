package netlink

import (
	"context"
	"log/slog"
)

// SlogTrace returns a Config.Trace function that logs every message at
// debug level on l, with its decoded header and payload length.
func SlogTrace(l *slog.Logger) func(Direction, Message) {
	return func(d Direction, m Message) {
		if !l.Enabled(context.Background(), slog.LevelDebug) {
			return
		}
		l.LogAttrs(context.Background(), slog.LevelDebug, "netlink "+d.String(),
			slog.String("header", m.Header.String()),
			slog.Int("payload", len(m.Data)))
	}
}
