package contract

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

// TestUpToDate fails when a constant changed in Go without `go generate`.
func TestUpToDate(t *testing.T) {
	path := filepath.Join("..", "..", "..", filepath.FromSlash(File))
	committed, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := Python()
	if bytes.Equal(got, committed) {
		return
	}
	want, have := strings.Split(string(got), "\n"), strings.Split(string(committed), "\n")
	for i := 0; ; i++ {
		if i >= len(want) || i >= len(have) || want[i] != have[i] {
			t.Fatalf("%s is stale, run `go generate ./core/internal/contract`; line %d:\n committed: %s\n generated: %s",
				File, i+1, at(have, i), at(want, i))
		}
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of file)"
}

// TestKindsNamed checks that every Kind from 0 to the last has a Python name, and no other.
func TestKindsNamed(t *testing.T) {
	n := 0
	for k := abi.Kind(0); k.Valid(); k++ {
		if kindNames[k] == "" {
			t.Errorf("kind %d (%v) has no Python name", k, k)
		}
		n++
	}
	if len(kindNames) != n {
		t.Errorf("%d Python kind names for %d kinds", len(kindNames), n)
	}
	seen := map[string]bool{}
	for _, name := range kindNames {
		if seen[name] {
			t.Errorf("Python kind name %s twice", name)
		}
		seen[name] = true
	}
}

// TestPythonLines checks the generated file's header and line width.
func TestPythonLines(t *testing.T) {
	lines := strings.Split(string(Python()), "\n")
	if !strings.HasPrefix(lines[0], "# Code generated ") || !strings.HasSuffix(lines[0], "DO NOT EDIT.") {
		t.Errorf("header %q", lines[0])
	}
	for i, l := range lines {
		if len(l) > width {
			t.Errorf("line %d has %d characters: %s", i+1, len(l), l)
		}
	}
}
