package prefix

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Where distribution packages put the loaders; variables so tests can point them elsewhere.
var (
	win32Loaders = []string{"/usr/lib/wine/wine", "/usr/lib/i386-linux-gnu/wine/wine"}
	win64Loaders = []string{"/usr/lib/wine/wine64", "/usr/lib/x86_64-linux-gnu/wine/wine64"}
	lookPath     = exec.LookPath
)

// Time limits for the Wine commands run while creating a prefix.
var (
	winebootTimeout   = 120 * time.Second
	wineserverTimeout = 60 * time.Second
	killTimeout       = 10 * time.Second
)

const (
	hint32 = "on Debian/Ubuntu run: dpkg --add-architecture i386 && apt-get update && apt-get install wine32:i386"
	hint64 = "on Debian/Ubuntu run: apt-get install wine wine64"
	// hintNone32 is for arch='win32' when there is no Wine at all.
	hintNone32 = "on Debian/Ubuntu run: dpkg --add-architecture i386 && apt-get update && apt-get install wine wine32:i386"
)

// dllOverrides keep wineboot from offering to install Mono and Gecko (a dialog that would
// hang a headless run); neither is needed by zugbruecke.
var dllOverrides = []string{"mscoree", "mshtml"}

// FindWine returns the loader for arch, or a *WineMissingError saying exactly what to install.
// A non-empty explicit path (config parameter "wine") wins; it must be an executable file. A
// name without a slash is looked up in PATH.
func FindWine(arch, explicit string) (string, error) {
	if err := checkArch(arch); err != nil {
		return "", err
	}
	if explicit != "" {
		return checkExplicit(arch, explicit)
	}
	if arch == "win32" {
		if p := firstExecutable(win32Loaders); p != "" {
			return p, nil
		}
		// A distribution layout with only the 64-bit loader: the "wine" in PATH is then a
		// wrapper that would fall back to wine64, which cannot run a win32 prefix.
		only64 := firstExecutable(win64Loaders) != ""
		if !only64 {
			if p, err := lookPath("wine"); err == nil {
				return p, nil
			}
		}
		if !only64 && !anyWineInPath() {
			return "", &WineMissingError{Arch: arch, Hint: hintNone32, noWine: true}
		}
		return "", &WineMissingError{Arch: arch, Hint: hint32}
	}
	if p := firstExecutable(win64Loaders); p != "" {
		return p, nil
	}
	for _, name := range []string{"wine64", "wine"} {
		if p, err := lookPath(name); err == nil {
			return p, nil
		}
	}
	return "", &WineMissingError{Arch: arch, Hint: hint64, noWine: firstExecutable(win32Loaders) == ""}
}

func checkExplicit(arch, explicit string) (string, error) {
	hint := "fix the parameter 'wine' or leave it empty to detect Wine"
	path := explicit
	if !strings.Contains(explicit, "/") {
		p, err := lookPath(explicit)
		if err != nil {
			return "", &WineMissingError{Arch: arch, Hint: hint, Path: explicit, Err: err}
		}
		path = p
	}
	if err := checkExecutable(path); err != nil {
		return "", &WineMissingError{Arch: arch, Hint: hint, Path: explicit, Err: err}
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return path, nil
}

func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return errors.New("is a directory")
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return errors.New("not executable")
	}
	return nil
}

func firstExecutable(paths []string) string {
	for _, p := range paths {
		if checkExecutable(p) == nil {
			return p
		}
	}
	return ""
}

func anyWineInPath() bool {
	for _, name := range []string{"wine", "wine64"} {
		if _, err := lookPath(name); err == nil {
			return true
		}
	}
	return false
}

// buildEnv returns base plus the variables every process in the prefix needs. WINEPREFIX and
// WINEARCH are always ours; WINEDEBUG is kept when base sets it to something; our
// WINEDLLOVERRIDES entries are put before the base ones, minus the DLLs that base names.
func buildEnv(base []string, arch, dir string) []string {
	debug, overrides := "", ""
	env := make([]string, 0, len(base)+4)
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "WINEPREFIX", "WINEARCH":
			continue
		case "WINEDEBUG":
			debug = v // the last one wins, as in exec
			continue
		case "WINEDLLOVERRIDES":
			overrides = v
			continue
		}
		env = append(env, kv)
	}
	if debug == "" {
		debug = "-all"
	}
	return append(env, "WINEPREFIX="+dir, "WINEARCH="+arch, "WINEDEBUG="+debug,
		"WINEDLLOVERRIDES="+mergeOverrides(overrides))
}

// mergeOverrides returns our overrides followed by the user's ones (Wine lets later entries win;
// the user's DLLs are also taken out of ours so that each DLL is named once).
func mergeOverrides(user string) string {
	user = strings.Trim(strings.TrimSpace(user), ";")
	named := map[string]bool{}
	for _, entry := range strings.Split(user, ";") {
		names, _, _ := strings.Cut(entry, "=")
		for _, n := range strings.Split(names, ",") {
			n = strings.ToLower(strings.TrimSpace(n))
			if i := strings.LastIndexAny(n, `/\`); i >= 0 {
				n = n[i+1:]
			}
			named[strings.TrimSuffix(n, ".dll")] = true
		}
	}
	var ours []string
	for _, d := range dllOverrides {
		if !named[d] {
			ours = append(ours, d)
		}
	}
	switch {
	case user == "":
		return strings.Join(ours, ",") + "="
	case len(ours) == 0:
		return user
	}
	return strings.Join(ours, ",") + "=;" + user
}

func getenv(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// serverFor returns the wineserver matching p: $WINESERVER from p.Env, the one next to the
// loader (as the loader itself would choose), or the one in PATH.
func serverFor(p *Prefix) (string, error) {
	if s := getenv(p.Env, "WINESERVER"); s != "" && checkExecutable(s) == nil {
		return s, nil
	}
	if s := filepath.Join(filepath.Dir(p.Loader), "wineserver"); checkExecutable(s) == nil {
		return s, nil
	}
	s, err := lookPath("wineserver")
	if err != nil {
		return "", fmt.Errorf("no wineserver next to %s or in PATH: %w", p.Loader, err)
	}
	return s, nil
}

// runLogged runs name args in p's environment, its own process group, output appended to log;
// on timeout the whole group is killed.
func runLogged(p *Prefix, timeout time.Duration, log *os.File, name string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = p.Env
	cmd.Dir = filepath.Dir(p.Dir)
	if log != nil {
		cmd.Stdout, cmd.Stderr = log, log
	}
	killGroupOnCancel(cmd)
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("%s %s killed after %v: %w", filepath.Base(name), strings.Join(args, " "),
			timeout, context.DeadlineExceeded)
	}
	return err
}

// killServer stops every Wine process of p's prefix; errors are ignored (usually none runs).
func killServer(p *Prefix) {
	server, err := serverFor(p)
	if err != nil {
		return
	}
	_ = runLogged(p, killTimeout, nil, server, "-k")
}

// createWithWine runs wineboot in the (absent) prefix directory and waits until its wineserver
// has exited, so the registry is on disk. The output goes to logPath, removed on success.
func createWithWine(p *Prefix, logPath string, progress func(string)) error {
	fail := func(op string, err error) error {
		return &PrefixError{Arch: p.Arch, Dir: p.Dir, Op: op, Err: err}
	}
	server, err := serverFor(p)
	if err != nil {
		return fail("looking for wineserver", err)
	}
	log, err := os.OpenFile(logPath, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fail("creating the log file", err)
	}
	defer log.Close()

	progress("zugbruecke: running wineboot")
	op := "running wineboot"
	err = runLogged(p, winebootTimeout, log, p.Loader, "wineboot", "-i")
	if err == nil {
		progress("zugbruecke: waiting for wineserver to finish")
		op = "waiting for wineserver"
		err = runLogged(p, wineserverTimeout, log, server, "-w")
	}
	if err == nil {
		log.Close()
		os.Remove(logPath)
		return nil
	}
	killServer(p)
	pe := &PrefixError{Arch: p.Arch, Dir: p.Dir, Op: op, Err: err, Output: tail(logPath, 15), Log: logPath}
	if pe.Output == "" {
		os.Remove(logPath)
		pe.Log = ""
	}
	return pe
}

// tail returns the last n non-empty lines of a file (at most its last 64 KiB).
func tail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const max = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		f.Seek(fi.Size()-max, 0)
	}
	buf := new(bytes.Buffer)
	buf.ReadFrom(f)
	var lines []string
	for _, l := range strings.Split(buf.String(), "\n") {
		if l = strings.TrimRight(l, "\r "); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
