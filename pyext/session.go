package main

/*
#include "shim.h"
*/
import "C"

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/config"
	"github.com/zugbruecke/zugbruecke/core/prefix"
	"github.com/zugbruecke/zugbruecke/core/session"
)

// environ decodes the Python process's current environment, passed as a JSON list of
// "KEY=VALUE": the Go runtime's copy is the one from when the extension was loaded, and
// Python code changes os.environ later (ZUGBRUECKE_* variables, variables for the server).
func environ(p *C.char, n C.int) ([]string, error) {
	var env []string
	if err := json.Unmarshal([]byte(goString(p, n)), &env); err != nil {
		return nil, fmt.Errorf("zugbruecke: environment: %w", err)
	}
	return env, nil
}

func getenv(env []string, key string) string {
	for _, kv := range env {
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return kv[len(key)+1:]
		}
	}
	return ""
}

//export zbResolveConfig
func zbResolveConfig(p *C.char, n C.int, penv *C.char, nenv C.int) *C.PyObject {
	var kwargs map[string]any
	if err := json.Unmarshal([]byte(goString(p, n)), &kwargs); err != nil {
		return raise(session.ErrorConfig, 0, "zugbruecke: configuration arguments: "+err.Error())
	}
	env, err := environ(penv, nenv)
	if err != nil {
		return raiseErr(err)
	}
	cwd, _ := os.Getwd()
	home := getenv(env, "HOME")
	r, err := config.Resolve(config.Inputs{Kwargs: kwargs, Environ: env, Cwd: cwd, Home: home})
	if err != nil {
		return raiseErr(err)
	}
	warnings := append([]string{}, r.Warnings...)
	out, err := json.Marshal(map[string]any{"config": r.Config.Map(), "sources": r.Sources, "warnings": warnings,
		"notices": append([]string{}, r.Notices...)})
	if err != nil {
		return raiseErr(err)
	}
	return pyString(string(out))
}

// dataDir is the folder holding the Wine prefixes, and what chose it: the configuration,
// XDG_DATA_HOME, or the default under HOME (or the temporary folder without HOME).
func dataDir(c *config.Config, env []string) (dir, source string) {
	if c.Dir != "" {
		return c.Dir, "configuration"
	}
	if x := getenv(env, "XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "zugbruecke"), "XDG_DATA_HOME"
	}
	if home := getenv(env, "HOME"); home != "" {
		return filepath.Join(home, ".local", "share", "zugbruecke"), "default"
	}
	return filepath.Join(os.TempDir(), fmt.Sprintf("zugbruecke-%d", os.Getuid())), "default (no HOME)"
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// start prepares the prefix and starts the server; it runs without the GIL.
func start(c *config.Config, bin string, env []string, ev *events) (*session.Session, error) {
	root, _ := dataDir(c, env)
	p, err := prefix.Ensure(prefix.Options{
		Arch:    c.Arch,
		Root:    root,
		Wine:    c.Wine,
		Environ: env,
		PRNG32:  filepath.Join(bin, "bcryptprimitives-win32.dll"),
		PRNG64:  filepath.Join(bin, "bcryptprimitives-win64.dll"),
		Progress: func(msg string) {
			ev.emit("prefix", msg)
		},
	})
	if err != nil {
		return nil, err
	}
	opts := session.Options{
		Arch:         c.Arch,
		Loader:       p.Loader,
		Env:          p.Env,
		Server:       filepath.Join(bin, "zb-server-"+c.Arch+".exe"),
		TimeoutStart: seconds(c.TimeoutStart),
		TimeoutStop:  seconds(c.TimeoutStop),
		Transport:    c.Transport,
	}
	if c.Stdout {
		opts.Stdout = os.Stdout
	}
	if c.Stderr {
		opts.Stderr = os.Stderr
	}
	return session.Start(opts)
}

// configArg decodes a configuration Python passes as JSON (the "config" of
// resolve_config) over the defaults; false with the exception set.
func configArg(p *C.char, n C.int) (config.Config, bool) {
	var values map[string]any
	if err := json.Unmarshal([]byte(goString(p, n)), &values); err != nil {
		raise(session.ErrorConfig, 0, "zugbruecke: configuration: "+err.Error())
		return config.Config{}, false
	}
	c := config.Defaults()
	for k, v := range values {
		if err := config.Set(&c, k, v); err != nil {
			raiseErr(err)
			return config.Config{}, false
		}
	}
	return c, true
}

//export zbStart
func zbStart(cfg *C.char, ncfg C.int, bin *C.char, nbin C.int, penv *C.char, nenv C.int,
	evfn *C.PyObject) *C.PyObject {
	c, ok := configArg(cfg, ncfg)
	if !ok {
		return nil
	}
	env, err := environ(penv, nenv)
	if err != nil {
		return raiseErr(err)
	}
	dir := goString(bin, nbin)
	ev := newEvents(evfn)
	var s *session.Session
	withoutGIL(func() { s, err = start(&c, dir, env, ev) })
	if err != nil {
		ev.release()
		return raiseErr(err)
	}
	return C.PyLong_FromUnsignedLongLong(C.ulonglong(register(s, ev)))
}

// wineInfo is what a session of each arch would use, for the zugbruecke command
// (zugbruecke/_cli.py), which creates no session to find out.
type wineInfo struct {
	DataDir       string              `json:"data_dir"`        // absolute
	DataDirSource string              `json:"data_dir_source"` // see dataDir
	Archs         map[string]wineArch `json:"archs"`
}

type wineArch struct {
	Loader *string `json:"loader"` // the Wine loader prefix.FindWine picks; nil: none
	Why    string  `json:"why,omitempty"`
	Fix    string  `json:"fix,omitempty"`
	Prefix string  `json:"prefix"` // the WINEPREFIX (prefix.Ensure's Root/"prefix-"+arch)
}

//export zbWineInfo
func zbWineInfo(cfg *C.char, ncfg C.int, penv *C.char, nenv C.int) *C.PyObject {
	c, ok := configArg(cfg, ncfg)
	if !ok {
		return nil
	}
	env, err := environ(penv, nenv)
	if err != nil {
		return raiseErr(err)
	}
	info := wineInfo{Archs: map[string]wineArch{}}
	info.DataDir, info.DataDirSource = dataDir(&c, env)
	if abs, err := filepath.Abs(info.DataDir); err == nil {
		info.DataDir = abs
	}
	for _, a := range []*abi.Arch{abi.Win32, abi.Win64} {
		w := wineArch{Prefix: filepath.Join(info.DataDir, "prefix-"+a.Name)}
		loader, err := prefix.FindWine(a.Name, c.Wine)
		var wm *prefix.WineMissingError
		switch {
		case err == nil:
			w.Loader = &loader
		case errors.As(err, &wm):
			// The message without the package's name and the hint, which is the fix.
			w.Why = strings.TrimPrefix(strings.TrimSuffix(wm.Error(), "; "+wm.Hint), "zugbruecke: ")
			w.Fix = wm.Hint
		default:
			w.Why = err.Error()
		}
		info.Archs[a.Name] = w
	}
	out, err := json.Marshal(info)
	if err != nil {
		return raiseErr(err)
	}
	return pyString(string(out))
}

//export zbStop
func zbStop(h C.ulonglong) *C.PyObject {
	if s := unregister(h); s != nil {
		withoutGIL(func() { s.Close() })
		s.events.release()
	}
	return C.zb_none()
}

//export zbReleaseThread
func zbReleaseThread(h C.ulonglong, tid C.longlong) *C.PyObject {
	if s := lookup(h); s != nil {
		if c, ok := s.chans.LoadAndDelete(int(tid)); ok {
			// In the background: Python runs this from a finalizer as its thread ends.
			go c.(*session.Chan).End()
		}
	}
	return C.zb_none()
}

//export zbAlive
func zbAlive(h C.ulonglong) *C.PyObject {
	s := lookup(h)
	return C.zb_bool(C.int(b2i(s != nil && s.Alive())))
}

//export zbPids
func zbPids(h C.ulonglong) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	return C.zb_result(C.PyLong_FromLong(C.long(s.PID)), C.ulong(s.WinPID))
}

//export zbLoad
func zbLoad(h C.ulonglong, name *C.char, n C.int) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	nm := goString(name, n)
	var lib uint64
	var err error
	withoutGIL(func() { lib, err = s.ch().Load(nm) })
	if err != nil {
		return raiseErr(err)
	}
	return C.PyLong_FromUnsignedLongLong(C.ulonglong(lib))
}

//export zbFree
func zbFree(h, lib C.ulonglong) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	var err error
	withoutGIL(func() { err = s.ch().Free(uint64(lib)) })
	if err != nil {
		return raiseErr(err)
	}
	return C.zb_none()
}

//export zbSym
func zbSym(h, lib C.ulonglong, name *C.char, n C.int, ordinal C.uint) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	nm := goString(name, n)
	var addr uint64
	var err error
	withoutGIL(func() { addr, err = s.ch().Sym(uint64(lib), nm, uint32(ordinal)) })
	if err != nil {
		return raiseErr(err)
	}
	return C.PyLong_FromUnsignedLongLong(C.ulonglong(addr))
}

//export zbRead
func zbRead(h, addr C.ulonglong, size C.uint, wide C.int) *C.PyObject {
	s := sessionArg(h)
	if s == nil {
		return nil
	}
	var b []byte
	var err error
	withoutGIL(func() { b, err = s.ch().ReadMem(uint64(addr), uint32(size), wide != 0) })
	if err != nil {
		return raiseErr(err)
	}
	return pyBytes(b)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
