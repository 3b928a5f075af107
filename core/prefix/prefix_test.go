package prefix

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// writeExe writes an executable shell script.
func writeExe(t *testing.T, path, body string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fakeSearch points the loader search at nothing but the given lists and PATH entries.
func fakeSearch(t *testing.T, l32, l64 []string, path map[string]string) {
	t.Helper()
	o32, o64, olp := win32Loaders, win64Loaders, lookPath
	t.Cleanup(func() { win32Loaders, win64Loaders, lookPath = o32, o64, olp })
	win32Loaders, win64Loaders = l32, l64
	lookPath = func(name string) (string, error) {
		if p, ok := path[name]; ok {
			return p, nil
		}
		return "", exec.ErrNotFound
	}
}

func TestFindWineExplicit(t *testing.T) {
	dir := t.TempDir()
	exe := writeExe(t, filepath.Join(dir, "mywine"), "exit 0")
	got, err := FindWine("win64", exe)
	if err != nil || got != exe {
		t.Fatalf("explicit executable: got %q, %v", got, err)
	}
	plain := filepath.Join(dir, "plain")
	writeFile(t, plain, []byte("x"))
	cases := map[string]string{
		"missing":        filepath.Join(dir, "nope"),
		"not executable": plain,
		"directory":      dir,
	}
	for name, path := range cases {
		_, err := FindWine("win32", path)
		var we *WineMissingError
		if !errors.As(err, &we) || we.Path != path || we.Arch != "win32" {
			t.Fatalf("%s: want *WineMissingError for %s, got %#v", name, path, err)
		}
		if !strings.HasPrefix(err.Error(), "zugbruecke: ") || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: message %q", name, err)
		}
	}
	if _, err := FindWine("win32", filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing explicit loader does not wrap fs.ErrNotExist: %v", err)
	}
	if _, err := FindWine("win16", ""); err == nil || !strings.HasPrefix(err.Error(), "zugbruecke: invalid arch='win16'") {
		t.Errorf("bad arch: %v", err)
	}
}

func TestFindWineDetect(t *testing.T) {
	dir := t.TempDir()
	w32 := writeExe(t, filepath.Join(dir, "wine"), "exit 0")
	w64 := writeExe(t, filepath.Join(dir, "wine64"), "exit 0")
	none := []string{filepath.Join(dir, "absent")}
	check := func(name, arch, want, wantErr string) {
		t.Helper()
		got, err := FindWine(arch, "")
		if wantErr != "" {
			var we *WineMissingError
			if !errors.As(err, &we) || err.Error() != wantErr {
				t.Errorf("%s: got %q, %v; want error %q", name, got, err, wantErr)
			}
			return
		}
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
	fakeSearch(t, []string{none[0], w32}, []string{w64}, nil)
	check("win32 package loader", "win32", w32, "")
	check("win64 package loader", "win64", w64, "")

	fakeSearch(t, none, []string{w64}, map[string]string{"wine": "/usr/bin/wine"})
	check("64-bit only layout", "win32", "", "zugbruecke: 32-bit Wine is missing (needed for arch='win32'); "+
		"on Debian/Ubuntu run: dpkg --add-architecture i386 && apt-get update && apt-get install wine32:i386")

	fakeSearch(t, none, none, map[string]string{"wine": "/opt/wine/bin/wine", "wine64": "/opt/wine/bin/wine64"})
	check("win32 from PATH", "win32", "/opt/wine/bin/wine", "")
	check("win64 from PATH", "win64", "/opt/wine/bin/wine64", "")

	fakeSearch(t, none, none, map[string]string{"wine": "/opt/wine/bin/wine"})
	check("win64 falls back to wine", "win64", "/opt/wine/bin/wine", "")

	fakeSearch(t, []string{w32}, none, nil)
	check("32-bit only", "win64", "", "zugbruecke: 64-bit Wine is missing (needed for arch='win64'); "+
		"on Debian/Ubuntu run: apt-get install wine wine64")

	fakeSearch(t, none, none, nil)
	check("no Wine, win64", "win64", "", "zugbruecke: Wine is not installed; on Debian/Ubuntu run: apt-get install wine wine64")
	check("no Wine, win32", "win32", "", "zugbruecke: Wine is not installed; "+
		"on Debian/Ubuntu run: dpkg --add-architecture i386 && apt-get update && apt-get install wine wine32:i386")
}

func TestBuildEnv(t *testing.T) {
	get := func(env []string, key string) (string, int) {
		n := 0
		for _, kv := range env {
			if strings.HasPrefix(kv, key+"=") {
				n++
			}
		}
		return getenv(env, key), n
	}
	env := buildEnv([]string{"HOME=/h", "WINEPREFIX=/old", "WINEARCH=win64", "WINEDEBUG="}, "win32", "/d/prefix-win32")
	for key, want := range map[string]string{"HOME": "/h", "WINEPREFIX": "/d/prefix-win32", "WINEARCH": "win32",
		"WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="} {
		if got, n := get(env, key); got != want || n != 1 {
			t.Errorf("%s = %q (%d times), want %q once", key, got, n, want)
		}
	}
	env = buildEnv([]string{"WINEDEBUG=+loaddll", "WINEDLLOVERRIDES=d3d9=n,b"}, "win64", "/p")
	if got, _ := get(env, "WINEDEBUG"); got != "+loaddll" {
		t.Errorf("WINEDEBUG from the base env not kept: %q", got)
	}
	if got, _ := get(env, "WINEDLLOVERRIDES"); got != "mscoree,mshtml=;d3d9=n,b" {
		t.Errorf("merged WINEDLLOVERRIDES = %q", got)
	}
	for user, want := range map[string]string{
		"":                       "mscoree,mshtml=",
		"  ":                     "mscoree,mshtml=",
		"MSHTML=b;":              "mscoree=;MSHTML=b",
		"mscoree.dll,mshtml=n":   "mscoree.dll,mshtml=n",
		`c:\x\mscoree=n;ole32=b`: `mshtml=;c:\x\mscoree=n;ole32=b`,
	} {
		if got := mergeOverrides(user); got != want {
			t.Errorf("mergeOverrides(%q) = %q, want %q", user, got, want)
		}
	}
	base := []string{"A=1", "WINEARCH=x"}
	buildEnv(base, "win32", "/p")
	if base[1] != "WINEARCH=x" {
		t.Error("buildEnv changed its input")
	}
}

// prngFixture is a fake win64 prefix and shipped DLLs.
type prngFixture struct {
	dir, src32, src64, dst32, dst64 string
}

func newPRNGFixture(t *testing.T) prngFixture {
	base := t.TempDir()
	f := prngFixture{
		dir:   filepath.Join(base, "prefix-win64"),
		src32: filepath.Join(base, "ship", "x86", prngName),
		src64: filepath.Join(base, "ship", "x64", prngName),
	}
	f.dst64 = filepath.Join(f.dir, "drive_c", "windows", "system32", prngName)
	f.dst32 = filepath.Join(f.dir, "drive_c", "windows", "syswow64", prngName)
	writeFile(t, f.src32, []byte("MZ ours 32 v1"))
	writeFile(t, f.src64, []byte("MZ ours 64 v1"))
	writeFile(t, filepath.Join(f.dir, "drive_c", "windows", "system32", "kernel32.dll"), []byte("MZ"))
	writeFile(t, filepath.Join(f.dir, "drive_c", "windows", "syswow64", "kernel32.dll"), []byte("MZ"))
	return f
}

func (f prngFixture) install(t *testing.T) bool {
	t.Helper()
	changed, err := installPRNG(f.dir, "win64", f.src32, f.src64)
	if err != nil {
		t.Fatal(err)
	}
	return changed
}

func TestInstallPRNG(t *testing.T) {
	t.Run("absent is copied", func(t *testing.T) {
		f := newPRNGFixture(t)
		if !f.install(t) {
			t.Error("nothing installed")
		}
		if got := string(readFile(t, f.dst64)); got != "MZ ours 64 v1" {
			t.Errorf("system32: %q", got)
		}
		if got := string(readFile(t, f.dst32)); got != "MZ ours 32 v1" {
			t.Errorf("syswow64: %q", got)
		}
		if f.install(t) {
			t.Error("second install changed something")
		}
	})
	t.Run("win32 prefix gets the 32-bit DLL", func(t *testing.T) {
		f := newPRNGFixture(t)
		if _, err := installPRNG(f.dir, "win32", f.src32, ""); err != nil {
			t.Fatal(err)
		}
		if got := string(readFile(t, f.dst64)); got != "MZ ours 32 v1" {
			t.Errorf("system32: %q", got)
		}
	})
	t.Run("foreign files are untouched", func(t *testing.T) {
		f := newPRNGFixture(t)
		real := []byte("MZ a real bcryptprimitives")
		placeholder := []byte("MZ\x00\x00Wine placeholder DLL\x00")
		writeFile(t, f.dst64, real)
		writeFile(t, f.dst32, placeholder)
		if f.install(t) {
			t.Error("install reported a change")
		}
		if !bytes.Equal(readFile(t, f.dst64), real) || !bytes.Equal(readFile(t, f.dst32), placeholder) {
			t.Error("a foreign DLL was overwritten")
		}
		writeFile(t, f.src64, []byte("MZ ours 64 v2"))
		f.install(t)
		if !bytes.Equal(readFile(t, f.dst64), real) {
			t.Error("a foreign DLL was overwritten after an update")
		}
	})
	t.Run("our old copy is replaced", func(t *testing.T) {
		f := newPRNGFixture(t)
		f.install(t)
		writeFile(t, f.src64, []byte("MZ ours 64 v2"))
		writeFile(t, f.src32, []byte("MZ ours 32 v2"))
		if !f.install(t) {
			t.Error("no change reported")
		}
		if got := string(readFile(t, f.dst64)); got != "MZ ours 64 v2" {
			t.Errorf("system32 after update: %q", got)
		}
		if got := string(readFile(t, f.dst32)); got != "MZ ours 32 v2" {
			t.Errorf("syswow64 after update: %q", got)
		}
		writeFile(t, f.src64, []byte("MZ ours 64 v3")) // v1 and v2 stay known as ours
		f.install(t)
		if got := string(readFile(t, f.dst64)); got != "MZ ours 64 v3" {
			t.Errorf("system32 after second update: %q", got)
		}
	})
	t.Run("copy identical to the shipped one counts as ours", func(t *testing.T) {
		f := newPRNGFixture(t)
		writeFile(t, f.dst64, []byte("MZ ours 64 v1")) // e.g. installed before the record existed
		f.install(t)
		writeFile(t, f.src64, []byte("MZ ours 64 v2"))
		f.install(t)
		if got := string(readFile(t, f.dst64)); got != "MZ ours 64 v2" {
			t.Errorf("system32: %q", got)
		}
	})
	t.Run("missing shipped DLL", func(t *testing.T) {
		f := newPRNGFixture(t)
		if _, err := installPRNG(f.dir, "win64", f.src32, f.src64+".nope"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("got %v", err)
		}
	})
}

// fakeWine makes a loader directory with a wineserver that does nothing and returns the loader.
func fakeWine(t *testing.T, loaderBody string) string {
	dir := t.TempDir()
	writeExe(t, filepath.Join(dir, "wineserver"), "exit 0")
	return writeExe(t, filepath.Join(dir, "wine"), loaderBody)
}

func testOptions(t *testing.T, progress func(string)) Options {
	ship := t.TempDir()
	writeFile(t, filepath.Join(ship, "32.dll"), []byte("MZ 32"))
	return Options{Arch: "win32", Root: filepath.Join(t.TempDir(), "data"), PRNG32: filepath.Join(ship, "32.dll"),
		Progress: progress, Environ: []string{"PATH=/usr/bin:/bin"}}
}

func TestEnsureLock(t *testing.T) {
	loader := fakeWine(t, "exit 0")
	opts := testOptions(t, nil)
	var runs atomic.Int32
	create := func(p *Prefix, logPath string, progress func(string)) error {
		runs.Add(1)
		time.Sleep(300 * time.Millisecond)
		return os.MkdirAll(filepath.Join(p.Dir, "drive_c", "windows", "system32"), 0o755)
	}
	var wg sync.WaitGroup
	got := make([]*Prefix, 2)
	errs := make([]error, 2)
	for i := range got {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			got[i], errs[i] = ensure(opts, loader, create)
		}(i)
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("ensure %d: %v", i, errs[i])
		}
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("create ran %d times", n)
	}
	dir := filepath.Join(opts.Root, "prefix-win32")
	if got[0].Dir != dir || got[1].Dir != dir || got[0].Loader != loader {
		t.Errorf("prefixes: %+v %+v", got[0], got[1])
	}
	if getenv(got[0].Env, "WINEPREFIX") != dir || getenv(got[0].Env, "WINEARCH") != "win32" {
		t.Errorf("env: %v", got[0].Env)
	}
	if fi, err := os.Stat(opts.Root); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("root: %v %v", fi, err)
	}
	readFile(t, filepath.Join(dir, readyMarker))
	dll := filepath.Join(dir, "drive_c", "windows", "system32", prngName)
	if string(readFile(t, dll)) != "MZ 32" {
		t.Error("DLL not installed")
	}

	// Ready: no creation, but a lost DLL comes back.
	os.Remove(dll)
	if _, err := ensure(opts, loader, create); err != nil || runs.Load() != 1 {
		t.Fatalf("ensure of a ready prefix: %v, %d runs", err, runs.Load())
	}
	readFile(t, dll)

	// Half-created (no marker): removed and created again.
	os.Remove(filepath.Join(dir, readyMarker))
	writeFile(t, filepath.Join(dir, "junk"), []byte("x"))
	if _, err := ensure(opts, loader, create); err != nil || runs.Load() != 2 {
		t.Fatalf("re-create: %v, %d runs", err, runs.Load())
	}
	if exists(filepath.Join(dir, "junk")) {
		t.Error("half-created prefix not removed")
	}
}

func TestEnsureCreateFails(t *testing.T) {
	loader := fakeWine(t, "exit 0")
	var msgs []string
	opts := testOptions(t, func(m string) { msgs = append(msgs, m) })
	boom := errors.New("boom")
	_, err := ensure(opts, loader, func(p *Prefix, _ string, _ func(string)) error {
		os.MkdirAll(p.Dir, 0o755)
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	if exists(filepath.Join(opts.Root, "prefix-win32", readyMarker)) {
		t.Error("marker written after a failure")
	}
	if len(msgs) == 0 || !strings.HasPrefix(msgs[0], "zugbruecke: creating Wine prefix for win32 in ") {
		t.Errorf("progress: %q", msgs)
	}
	opts.PRNG32 = ""
	if _, err := ensure(opts, loader, nil); err == nil || !strings.HasPrefix(err.Error(), "zugbruecke: invalid prng32") {
		t.Errorf("missing PRNG32: %v", err)
	}
}

func TestCreateWithWineErrors(t *testing.T) {
	root := t.TempDir()
	p := &Prefix{Arch: "win32", Dir: filepath.Join(root, "prefix-win32")}
	p.Env = buildEnv([]string{"PATH=/usr/bin:/bin"}, p.Arch, p.Dir)
	logPath := p.Dir + ".log"

	p.Loader = fakeWine(t, "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do echo line $i; done\n"+
		"echo 'wine: could not load kernel32.dll' >&2\nexit 3")
	err := createWithWine(p, logPath, func(string) {})
	var pe *PrefixError
	if !errors.As(err, &pe) || pe.Op != "running wineboot" {
		t.Fatalf("got %#v", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "zugbruecke: ") || !strings.Contains(msg, "exit status 3") ||
		!strings.Contains(msg, "could not load kernel32.dll") || strings.Contains(msg, "line 5\n") {
		t.Errorf("message: %s", msg)
	}

	old := winebootTimeout
	winebootTimeout = 300 * time.Millisecond
	defer func() { winebootTimeout = old }()
	p.Loader = fakeWine(t, "sleep 30")
	start := time.Now()
	err = createWithWine(p, logPath, func(string) {})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 10*time.Second {
		t.Errorf("timeout: %v after %v", err, time.Since(start))
	}
}

// TestRealWine creates a win32 prefix with the installed Wine, from two goroutines at once.
func TestRealWine(t *testing.T) {
	if testing.Short() {
		t.Skip("creates a real Wine prefix (about 10 s)")
	}
	if _, err := FindWine("win32", ""); err != nil {
		t.Skip("Wine not installed")
	}
	root := t.TempDir()
	dll := filepath.Join(t.TempDir(), prngName)
	writeFile(t, dll, []byte("MZ dummy bcryptprimitives for the test"))
	var mu sync.Mutex
	var msgs []string
	opts := Options{Arch: "win32", Root: root, PRNG32: dll, Progress: func(m string) {
		mu.Lock()
		msgs = append(msgs, m)
		mu.Unlock()
		t.Log(m)
	}}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	prefixes := make([]*Prefix, 2)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			prefixes[i], errs[i] = Ensure(opts)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Ensure %d: %v", i, err)
		}
	}
	runs := 0
	for _, m := range msgs {
		if m == "zugbruecke: running wineboot" {
			runs++
		}
	}
	if runs != 1 {
		t.Errorf("wineboot ran %d times: %q", runs, msgs)
	}
	p := prefixes[0]
	if p.Dir != filepath.Join(root, "prefix-win32") || prefixes[1].Dir != p.Dir {
		t.Errorf("dirs: %s, %s", p.Dir, prefixes[1].Dir)
	}
	readFile(t, filepath.Join(p.Dir, readyMarker))
	readFile(t, filepath.Join(p.Dir, "system.reg"))
	got := readFile(t, filepath.Join(p.Dir, "drive_c", "windows", "system32", prngName))
	if string(got) != "MZ dummy bcryptprimitives for the test" {
		t.Errorf("system32/%s: %q", prngName, got)
	}
	if exists(p.Dir + ".log") {
		t.Error("wineboot log kept after success")
	}
	n := len(msgs)
	if _, err := Ensure(opts); err != nil || len(msgs) != n {
		t.Errorf("Ensure of the ready prefix: %v, messages %q", err, msgs[n:])
	}
}
