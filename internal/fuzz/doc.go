// Package fuzz holds what the native fuzz targets of the module share:
//
//   - run.sh runs every target (or those matching a pattern) one after
//     another to an execution or time budget and prints a table of
//     executions, new interesting inputs and crashes; see its header.
//
//   - TestRecordFuzzSeeds (record_test.go) records real kernel replies as
//     seed corpora: it builds a richly populated throwaway network
//     namespace (links of many kinds, addresses, routes in several tables,
//     neighbours, rules, MPTCP endpoints and connections, TCP metrics),
//     dumps it with the raw netlink layer and writes each reply into the
//     testdata/fuzz/FuzzXxx directory of the target that decodes it, as
//     files named kernel-*. It runs only as root and only when asked:
//
//     NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds -v ./internal/fuzz
//
//     Re-recording replaces the kernel-* files and nothing else.
//
//   - package corpus reads and writes those files; each package's
//     fuzzseed_test.go uses it to check, on every `go test`, that its
//     recorded seeds decode with the target's own decoder.
//
// The package has no non-test code besides this comment.
package fuzz
