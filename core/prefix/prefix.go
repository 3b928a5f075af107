// Package prefix finds Wine and manages the Wine prefixes (one per arch) that zugbruecke runs
// its Windows server in: created on first use with wineboot, guarded by a file lock so that
// concurrent processes create a prefix once, and fitted with a bcryptprimitives.dll stand-in
// where Wine lacks one (Go >= 1.22 Windows programs need it).
package prefix

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Options configure Ensure.
type Options struct {
	Arch     string           // "win32" or "win64"
	Root     string           // data folder; the prefix lives in Root/"prefix-"+Arch (Root is created with mode 0700)
	Wine     string           // optional explicit loader path (config parameter "wine"); "" = detect
	PRNG32   string           // path of the shipped 32-bit bcryptprimitives.dll
	PRNG64   string           // path of the shipped 64-bit bcryptprimitives.dll ("" allowed for win32)
	Progress func(msg string) // called once per step while creating; nil = silent
	Environ  []string         // base environment (os.Environ() if nil)
}

// Prefix is a ready Wine prefix and what is needed to run programs in it.
type Prefix struct {
	Arch   string
	Dir    string   // the WINEPREFIX
	Loader string   // the wine loader binary to exec, e.g. /usr/lib/wine/wine64
	Env    []string // full environment for processes in this prefix
}

// readyMarker is written into the prefix folder as the last step of creating it.
const readyMarker = ".zugbruecke-ready"

// creator makes the prefix folder p.Dir ready for use (it does not exist when called).
type creator func(p *Prefix, logPath string, progress func(string)) error

// Ensure returns a ready prefix for opts.Arch, creating it on first use.
func Ensure(opts Options) (*Prefix, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	loader, err := FindWine(opts.Arch, opts.Wine)
	if err != nil {
		return nil, err
	}
	return ensure(opts, loader, createWithWine)
}

func checkOptions(opts Options) error {
	if err := checkArch(opts.Arch); err != nil {
		return err
	}
	switch {
	case opts.Root == "":
		return &ConfigError{Param: "root", Reason: "the data folder for Wine prefixes is not set"}
	case opts.PRNG32 == "":
		return &ConfigError{Param: "prng32", Reason: "the path of the 32-bit " + prngName + " is not set"}
	case opts.Arch == "win64" && opts.PRNG64 == "":
		return &ConfigError{Param: "prng64", Reason: "the path of the 64-bit " + prngName + " is not set"}
	}
	return nil
}

// ensure is Ensure with the loader found and the creation step injected.
func ensure(opts Options, loader string, create creator) (*Prefix, error) {
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, &ConfigError{Param: "root", Value: opts.Root, Reason: err.Error()}
	}
	base := opts.Environ
	if base == nil {
		base = os.Environ()
	}
	dir := filepath.Join(root, "prefix-"+opts.Arch)
	p := &Prefix{Arch: opts.Arch, Dir: dir, Loader: loader, Env: buildEnv(base, opts.Arch, dir)}
	fail := func(op string, err error) (*Prefix, error) {
		return nil, &PrefixError{Arch: p.Arch, Dir: p.Dir, Op: op, Err: err}
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fail("creating the data folder", err)
	}

	unlock, err := lock(dir+".lock", func() {
		if !exists(filepath.Join(dir, readyMarker)) {
			progress(fmt.Sprintf("zugbruecke: waiting for another process creating the Wine prefix for %s in %s", p.Arch, dir))
		}
	})
	if err != nil {
		return fail("locking "+dir+".lock", err)
	}
	defer unlock()

	marker := filepath.Join(dir, readyMarker)
	_, err = os.Stat(marker)
	if err == nil {
		if _, err := installPRNG(dir, p.Arch, opts.PRNG32, opts.PRNG64); err != nil {
			return fail("installing "+prngName, err)
		}
		return p, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fail("checking the prefix", err)
	}

	start := time.Now()
	secs := map[string]int{"win32": 10, "win64": 15}[p.Arch]
	progress(fmt.Sprintf("zugbruecke: creating Wine prefix for %s in %s, this takes about %d s", p.Arch, dir, secs))
	if exists(dir) { // left over by a failed or interrupted creation
		progress("zugbruecke: removing a half-created prefix")
		killServer(p)
		if err := os.RemoveAll(dir); err != nil {
			return fail("removing the half-created prefix", err)
		}
	}
	if err := create(p, dir+".log", progress); err != nil {
		return nil, err
	}
	progress("zugbruecke: installing " + prngName)
	if _, err := installPRNG(dir, p.Arch, opts.PRNG32, opts.PRNG64); err != nil {
		return fail("installing "+prngName, err)
	}
	content := fmt.Sprintf("arch=%s\nloader=%s\ncreated=%s\n", p.Arch, loader, time.Now().UTC().Format(time.RFC3339))
	if err := writeAtomic(marker, []byte(content)); err != nil {
		return fail("writing "+readyMarker, err)
	}
	progress(fmt.Sprintf("zugbruecke: done in %.1f s", time.Since(start).Seconds()))
	return p, nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
