//go:build race

package queue_test

// raceEnabled: the race detector allocates and makes sync.Pool drop items
// at random, so allocation counts are checked only without it.
const raceEnabled = true
