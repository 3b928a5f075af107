package prefix

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const (
	prngName = "bcryptprimitives.dll"
	// prngRecord, in the prefix folder, lists the SHA-256 of every DLL we ever installed, one
	// "<hex> <path relative to the prefix>" a line: a file with a listed hash is our own copy
	// and may be replaced; any other file (a real DLL, a Wine placeholder) is left alone.
	prngRecord = ".zugbruecke-prng"
)

type prngTarget struct {
	rel string // path relative to the prefix, slash-separated
	src string // the shipped DLL
}

// prngTargets lists where the shipped DLLs go: a win32 prefix has only 32-bit system32; a
// win64 prefix has 64-bit system32 and 32-bit syswow64.
func prngTargets(arch, prng32, prng64 string) []prngTarget {
	const sys32, wow64 = "drive_c/windows/system32/", "drive_c/windows/syswow64/"
	if arch == "win32" {
		return []prngTarget{{sys32 + prngName, prng32}}
	}
	return []prngTarget{{sys32 + prngName, prng64}, {wow64 + prngName, prng32}}
}

// installPRNG puts the shipped DLLs into the prefix at dir where no file is, or where the
// file is our own older copy. It reports whether it wrote anything.
func installPRNG(dir, arch, prng32, prng64 string) (bool, error) {
	rec, err := readRecord(dir)
	if err != nil {
		return false, err
	}
	changed := false
	for _, t := range prngTargets(arch, prng32, prng64) {
		want, err := os.ReadFile(t.src)
		if err != nil {
			return changed, fmt.Errorf("reading the shipped DLL: %w", err)
		}
		wantSum := sum(want)
		dst := filepath.Join(dir, filepath.FromSlash(t.rel))
		cur, err := os.ReadFile(dst)
		switch {
		case err == nil && bytes.Equal(cur, want):
			if !rec.has(t.rel, wantSum) { // ours by content; remember it for later updates
				rec.add(t.rel, wantSum)
				if err := rec.write(dir); err != nil {
					return changed, err
				}
			}
			continue
		case err == nil && (isPlaceholder(cur) || !rec.has(t.rel, sum(cur))):
			continue // not ours: a real DLL or a Wine placeholder
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return changed, err
		}
		// Absent, or our own older copy. Record first, so a crash in between leaves a file
		// that is still known as ours.
		if !rec.has(t.rel, wantSum) {
			rec.add(t.rel, wantSum)
			if err := rec.write(dir); err != nil {
				return changed, err
			}
		}
		if err := writeAtomic(dst, want); err != nil {
			return changed, err
		}
		changed = true
	}
	return changed, nil
}

// isPlaceholder tells whether data is one of Wine's placeholder DLLs (the files Wine puts into
// system32 for its builtin DLLs). Such a file is never ours, whatever the record says.
func isPlaceholder(data []byte) bool {
	return bytes.Contains(data, []byte("Wine placeholder DLL"))
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// record is the parsed prngRecord: relative path -> set of hashes.
type record map[string]map[string]bool

func (r record) has(rel, h string) bool { return r[rel][h] }

func (r record) add(rel, h string) {
	if r[rel] == nil {
		r[rel] = map[string]bool{}
	}
	r[rel][h] = true
}

func readRecord(dir string) (record, error) {
	r := record{}
	f, err := os.Open(filepath.Join(dir, prngRecord))
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if h, rel, ok := strings.Cut(strings.TrimSpace(sc.Text()), " "); ok {
			r.add(strings.TrimSpace(rel), h)
		}
	}
	return r, sc.Err()
}

func (r record) write(dir string) error {
	var lines []string
	for rel, hs := range r {
		for h := range hs {
			lines = append(lines, h+" "+rel+"\n")
		}
	}
	sort.Strings(lines)
	return writeAtomic(filepath.Join(dir, prngRecord), []byte(strings.Join(lines, "")))
}

// writeAtomic replaces path with data (mode 0644) through a temporary file and a rename.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
