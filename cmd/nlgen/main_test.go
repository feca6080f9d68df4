package main

import (
	"os"
	"testing"

	"github.com/nlkit/nlkit/internal/kerneltest"
)

func TestMain(m *testing.M) { os.Exit(kerneltest.Main(m)) }
