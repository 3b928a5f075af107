package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"testing"
)

const (
	cwd      = "/work/proj"
	home     = "/home/u"
	cwdFile  = cwd + "/.zugbruecke.json"
	homeFile = home + "/.zugbruecke.json"
	zFile    = "/cfg/custom.json"
)

// fakeFS maps path -> content; a key ending in "/" marks a folder, content "!perm" fails to read.
type fakeFS map[string]string

func (f fakeFS) read(path string) ([]byte, error) {
	s, ok := f[path]
	if !ok {
		return nil, fs.ErrNotExist
	}
	if s == "!perm" {
		return nil, fs.ErrPermission
	}
	return []byte(s), nil
}

func (f fakeFS) isDir(path string) bool { _, ok := f[path+"/"]; return ok }

// inputs builds Inputs that never touch the real file system.
func inputs(kw map[string]any, env []string, files fakeFS) Inputs {
	if files == nil {
		files = fakeFS{}
	}
	return Inputs{Kwargs: kw, Environ: env, Cwd: cwd, Home: home, ReadFile: files.read, IsDir: files.isDir}
}

func mustResolve(t *testing.T, in Inputs) Resolved {
	t.Helper()
	res, err := Resolve(in)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	return res
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDefaults(t *testing.T) {
	want := Config{Arch: "win32", Stdout: true, Stderr: true, TimeoutStart: 30, TimeoutStop: 10, Transport: "shm"}
	if got := Defaults(); got != want {
		t.Fatalf("Defaults() = %+v, want %+v", got, want)
	}
	res := mustResolve(t, inputs(nil, []string{"PATH=/bin", "ZUGBRUECKE_NOPE=1"}, nil))
	if res.Config != want || len(res.Warnings) != 0 {
		t.Fatalf("Resolve() = %+v, warnings %q", res.Config, res.Warnings)
	}
	for _, n := range Names() {
		if res.Sources[n] != "default" {
			t.Errorf("Sources[%s] = %q, want default", n, res.Sources[n])
		}
	}
}

func TestNames(t *testing.T) {
	want := []string{"arch", "dir", "id", "log_level", "log_write", "stderr", "stdout",
		"timeout_start", "timeout_stop", "transport", "wine"}
	if got := Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Names() = %q, want %q", got, want)
	}
	Names()[0] = "changed"
	if Names()[0] != "arch" {
		t.Fatal("Names() exposes internal state")
	}
}

// sample is a non-default value of each parameter: as a typed value and as an environment string.
var sample = map[string]struct {
	value any
	env   string
}{
	"arch":          {"win64", "win64"},
	"log_level":     {7, "7"},
	"log_write":     {true, "yes"},
	"stdout":        {false, "0"},
	"stderr":        {false, "no"},
	"timeout_start": {12.5, "12.5"},
	"timeout_stop":  {2.0, "2"},
	"id":            {"abc", "abc"},
	"dir":           {"/data/zb", "/data/zb"},
	"wine":          {"/opt/wine/bin/wine", "/opt/wine/bin/wine"},
	"transport":     {"pipe", "pipe"},
}

// source describes one configuration source and how to set a parameter through it.
type source struct {
	label string
	apply func(t *testing.T, in *Inputs, files fakeFS, name string, value any, env string)
}

func fileSource(path string) source {
	return source{"file " + path, func(t *testing.T, in *Inputs, files fakeFS, name string, value any, _ string) {
		files[path] = jsonOf(t, map[string]any{name: value})
	}}
}

// sources lists every source, highest priority first.
var sources = []source{
	{"environment", func(t *testing.T, in *Inputs, _ fakeFS, name string, _ any, env string) {
		in.Environ = append(in.Environ, envName(name)+"="+env)
	}},
	{"argument", func(t *testing.T, in *Inputs, _ fakeFS, name string, value any, _ string) {
		if in.Kwargs == nil {
			in.Kwargs = map[string]any{}
		}
		in.Kwargs[name] = value
	}},
	fileSource(zFile),
	fileSource(cwdFile),
	fileSource(homeFile),
	fileSource("/etc/zugbruecke.json"),
}

func wantLabel(s source, name string) string {
	if s.label == "environment" {
		return "environment " + envName(name)
	}
	return s.label
}

func TestEachSourceAlone(t *testing.T) {
	for _, s := range sources {
		for _, name := range Names() {
			t.Run(s.label+"/"+name, func(t *testing.T) {
				files := fakeFS{}
				in := inputs(nil, []string{"ZUGBRUECKE=" + zFile}, files)
				s.apply(t, &in, files, name, sample[name].value, sample[name].env)
				res := mustResolve(t, in)
				if s.label == "file "+cwdFile && (name == "wine" || name == "dir") {
					// Ignored there (TestCwdFileCannotChooseWineOrDir).
					if res.Sources[name] != SourceDefault || len(res.Notices) != 1 {
						t.Errorf("%s from %s: source %q, notices %q", name, cwdFile, res.Sources[name], res.Notices)
					}
					return
				}
				if got := res.Config.Map()[name]; got != sample[name].value {
					t.Errorf("%s = %#v, want %#v", name, got, sample[name].value)
				}
				if got, want := res.Sources[name], wantLabel(s, name); got != want {
					t.Errorf("Sources[%s] = %q, want %q", name, got, want)
				}
			})
		}
	}
}

func TestPrecedence(t *testing.T) {
	for i, hi := range sources {
		for j := i + 1; j < len(sources); j++ {
			lo := sources[j]
			t.Run(hi.label+" over "+lo.label, func(t *testing.T) {
				files := fakeFS{}
				in := inputs(nil, []string{"ZUGBRUECKE=" + zFile}, files)
				lo.apply(t, &in, files, "log_level", j+1, fmt.Sprint(j+1))
				hi.apply(t, &in, files, "log_level", i+1, fmt.Sprint(i+1))
				res := mustResolve(t, in)
				if res.Config.LogLevel != i+1 || res.Sources["log_level"] != wantLabel(hi, "log_level") {
					t.Errorf("log_level = %d from %q, want %d from %q",
						res.Config.LogLevel, res.Sources["log_level"], i+1, wantLabel(hi, "log_level"))
				}
			})
		}
	}
}

func TestFilesMergePerKey(t *testing.T) {
	files := fakeFS{
		cwdFile:                `{"arch": "win64"}`,
		homeFile:               `{"arch": "win32", "log_level": 3}`,
		"/etc/zugbruecke.json": `{"log_level": 9, "stdout": false}`,
	}
	res := mustResolve(t, inputs(map[string]any{"stderr": false}, nil, files))
	want := Defaults()
	want.Arch, want.LogLevel, want.Stdout, want.Stderr = "win64", 3, false, false
	if res.Config != want {
		t.Fatalf("Config = %+v, want %+v", res.Config, want)
	}
	wantSrc := map[string]string{}
	for _, n := range Names() {
		wantSrc[n] = "default"
	}
	wantSrc["arch"], wantSrc["log_level"] = "file "+cwdFile, "file "+homeFile
	wantSrc["stdout"], wantSrc["stderr"] = "file /etc/zugbruecke.json", "argument"
	if !reflect.DeepEqual(res.Sources, wantSrc) {
		t.Fatalf("Sources = %v, want %v", res.Sources, wantSrc)
	}
}

func TestZugbrueckeVariable(t *testing.T) {
	tests := []struct {
		name, env string
		files     fakeFS
		wantSrc   string
	}{
		{"file", zFile, fakeFS{zFile: `{"arch":"win64"}`}, "file " + zFile},
		{"folder", "/cfg", fakeFS{"/cfg/": "", "/cfg/.zugbruecke.json": `{"arch":"win64"}`}, "file /cfg/.zugbruecke.json"},
		{"folder with slash", "/cfg/", fakeFS{"/cfg/": "", "/cfg/.zugbruecke.json": `{"arch":"win64"}`}, "file /cfg/.zugbruecke.json"},
		{"relative", "sub/z.json", fakeFS{cwd + "/sub/z.json": `{"arch":"win64"}`}, "file " + cwd + "/sub/z.json"},
		{"same as cwd file", cwd, fakeFS{cwd + "/": "", cwdFile: `{"arch":"win64"}`}, "file " + cwdFile},
		{"missing file skipped", "/nope.json", fakeFS{homeFile: `{"arch":"win64"}`}, "file " + homeFile},
		{"empty ignored", "", fakeFS{homeFile: `{"arch":"win64"}`}, "file " + homeFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := mustResolve(t, inputs(nil, []string{"ZUGBRUECKE=" + tt.env}, tt.files))
			if res.Config.Arch != "win64" || res.Sources["arch"] != tt.wantSrc {
				t.Fatalf("arch = %q from %q, want win64 from %q", res.Config.Arch, res.Sources["arch"], tt.wantSrc)
			}
		})
	}
}

func TestUnknownKey(t *testing.T) {
	tests := []struct {
		name    string
		kw      map[string]any
		files   fakeFS
		wantSrc string
	}{
		{"argument", map[string]any{"archh": "win64"}, nil, "argument"},
		{"home file", nil, fakeFS{homeFile: `{"archh": "win64"}`}, "file " + homeFile},
		{"etc file", nil, fakeFS{"/etc/zugbruecke.json": `{"archh": 1}`}, "file /etc/zugbruecke.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(inputs(tt.kw, nil, tt.files))
			var uk *UnknownKeyError
			if !errors.As(err, &uk) || uk.Key != "archh" || uk.Source != tt.wantSrc {
				t.Fatalf("err = %#v, want UnknownKeyError archh from %s", err, tt.wantSrc)
			}
			want := `zugbruecke: unknown configuration parameter "archh" (` + tt.wantSrc + ")"
			if err.Error() != want {
				t.Fatalf("message %q, want %q", err.Error(), want)
			}
		})
	}
	if _, err := Resolve(inputs(nil, []string{"ZUGBRUECKE_ARCHH=1", "ZUGBRUECKE_=x"}, nil)); err != nil {
		t.Fatalf("unknown ZUGBRUECKE_ variable: %v", err)
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		key    string
		value  any    // keyword argument, or nil if env is used
		env    string // environment value
		reason string
	}{
		{"arch", 64, "", "must be a string"},
		{"arch", "win16", "", `must be one of "win32", "win64"`},
		{"arch", nil, "WIN64", `must be one of "win32", "win64"`},
		{"log_level", -1.0, "", "must not be negative"},
		{"log_level", 1.5, "", "must be an integer"},
		{"log_level", "3", "", "must be an integer"},
		{"log_level", true, "", "must be an integer"},
		{"log_level", nil, "abc", "must be an integer"},
		{"log_level", nil, "-2", "must not be negative"},
		{"log_write", "true", "", "must be a boolean"},
		{"stdout", 1.0, "", "must be a boolean"},
		{"stderr", nil, "maybe", "must be one of true, false, 1, 0, yes, no"},
		{"timeout_start", 0.0, "", "must be greater than zero"},
		{"timeout_start", "5", "", "must be a finite number"},
		{"timeout_start", nil, "soon", "must be a number"},
		{"timeout_stop", -1, "", "must be greater than zero"},
		{"timeout_stop", nil, "Inf", "must be a finite number"},
		{"id", 5.0, "", "must be a string"},
		{"dir", true, "", "must be a string"},
		{"wine", []any{"wine"}, "", "must be a string"},
		{"transport", "udp", "", `must be one of "shm", "pipe"`},
		{"transport", nil, "tcp", `must be one of "shm", "pipe"`},
	}
	for _, tt := range tests {
		raw, src := tt.value, "argument"
		in := inputs(map[string]any{tt.key: tt.value}, nil, nil)
		if tt.value == nil {
			raw, src = tt.env, "environment "+envName(tt.key)
			in = inputs(nil, []string{envName(tt.key) + "=" + tt.env}, nil)
		}
		t.Run(fmt.Sprintf("%s=%v", tt.key, raw), func(t *testing.T) {
			_, err := Resolve(in)
			var ve *ValueError
			if !errors.As(err, &ve) || ve.Key != tt.key || ve.Source != src || ve.Reason != tt.reason {
				t.Fatalf("err = %v, want ValueError %s from %s: %s", err, tt.key, src, tt.reason)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "zugbruecke: ") || !strings.Contains(msg, `"`+tt.key+`"`) ||
				!strings.Contains(msg, show(raw)) || !strings.HasSuffix(msg, tt.reason) {
				t.Fatalf("message %q lacks key, value or reason", msg)
			}
		})
	}
	t.Run("file", func(t *testing.T) {
		_, err := Resolve(inputs(nil, nil, fakeFS{cwdFile: `{"log_level": -3}`}))
		var ve *ValueError
		if !errors.As(err, &ve) || ve.Source != "file "+cwdFile {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("overridden value still checked", func(t *testing.T) {
		_, err := Resolve(inputs(map[string]any{"arch": "x"}, []string{"ZUGBRUECKE_ARCH=win64"}, nil))
		var ve *ValueError
		if !errors.As(err, &ve) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestFileErrors(t *testing.T) {
	tests := []struct {
		name, content string
		is            any // pointer target for errors.As, or an error for errors.Is
	}{
		{"syntax", `{"arch": `, new(*json.SyntaxError)},
		{"type", `["arch"]`, nil},
		{"null", `null`, nil},
		{"permission", "!perm", fs.ErrPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(inputs(nil, nil, fakeFS{homeFile: tt.content}))
			var fe *FileError
			if !errors.As(err, &fe) || fe.Path != homeFile || !strings.HasPrefix(err.Error(), "zugbruecke: ") ||
				!strings.Contains(err.Error(), homeFile) {
				t.Fatalf("err = %v, want FileError naming %s", err, homeFile)
			}
			if target, ok := tt.is.(error); ok && !errors.Is(err, target) {
				t.Fatalf("err = %v does not wrap %v", err, target)
			} else if tt.is != nil && !ok && !errors.As(err, tt.is) {
				t.Fatalf("err = %v does not wrap %T", err, tt.is)
			}
		})
	}
}

func TestDeprecatedKeysWarn(t *testing.T) {
	files := fakeFS{cwdFile: `{"copy_modules": true, "arch": "win64"}`}
	env := []string{"ZUGBRUECKE_PYTHONVERSION=3.7"}
	res := mustResolve(t, inputs(map[string]any{"pythonversion": "3.7.4"}, env, files))
	want := []string{
		`zugbruecke: parameter "pythonversion" of older releases has no meaning here and is ignored (environment ZUGBRUECKE_PYTHONVERSION)`,
		`zugbruecke: parameter "pythonversion" of older releases has no meaning here and is ignored (argument)`,
		`zugbruecke: parameter "copy_modules" of older releases has no meaning here and is ignored (file ` + cwdFile + `)`,
	}
	if !reflect.DeepEqual(res.Warnings, want) {
		t.Fatalf("Warnings = %q, want %q", res.Warnings, want)
	}
	if res.Config.Arch != "win64" || len(res.Sources) != len(Names()) {
		t.Fatalf("Config = %+v, Sources = %v", res.Config, res.Sources)
	}
}

func TestSet(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  func(*Config)
		err   any // nil, new(*ValueError) or new(*UnknownKeyError)
	}{
		{"arch", "win64", func(c *Config) { c.Arch = "win64" }, nil},
		{"log_level", 4.0, func(c *Config) { c.LogLevel = 4 }, nil},
		{"log_level", 5, func(c *Config) { c.LogLevel = 5 }, nil},
		{"timeout_stop", 3, func(c *Config) { c.TimeoutStop = 3 }, nil},
		{"stdout", false, func(c *Config) { c.Stdout = false }, nil},
		{"pythonversion", "3.7", func(*Config) {}, nil},
		{"arch", "arm64", nil, new(*ValueError)},
		{"log_level", -1, nil, new(*ValueError)},
		{"stderr", "false", nil, new(*ValueError)},
		{"timeout_start", 0.0, nil, new(*ValueError)},
		{"transport", "udp", nil, new(*ValueError)},
		{"bogus", 1, nil, new(*UnknownKeyError)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s=%v", tt.name, tt.value), func(t *testing.T) {
			c, want := Defaults(), Defaults()
			if tt.want != nil {
				tt.want(&want)
			}
			err := Set(&c, tt.name, tt.value)
			if (err == nil) != (tt.err == nil) || (err != nil && !errors.As(err, tt.err)) {
				t.Fatalf("Set error = %v, want %T", err, tt.err)
			}
			if c != want {
				t.Fatalf("Config = %+v, want %+v", c, want)
			}
		})
	}
}

func TestMapRoundTrip(t *testing.T) {
	c := Config{Arch: "win64", LogLevel: 3, LogWrite: true, TimeoutStart: 1.5, TimeoutStop: 4,
		ID: "s1", Dir: "/d", Wine: "/w", Transport: "pipe"}
	m := c.Map()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, Names()) {
		t.Fatalf("Map keys = %q, want %q", keys, Names())
	}
	var viaJSON map[string]any
	if err := json.Unmarshal([]byte(jsonOf(t, m)), &viaJSON); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]map[string]any{"direct": m, "json": viaJSON} {
		got := Defaults()
		for k, v := range src {
			if err := Set(&got, k, v); err != nil {
				t.Fatalf("%s: Set(%s, %v): %v", name, k, v, err)
			}
		}
		if got != c {
			t.Fatalf("%s: round trip = %+v, want %+v", name, got, c)
		}
	}
	res := mustResolve(t, inputs(viaJSON, nil, nil))
	if res.Config != c {
		t.Fatalf("Resolve(Map) = %+v, want %+v", res.Config, c)
	}
}

func TestCwdFileCannotChooseWineOrDir(t *testing.T) {
	files := fakeFS{
		cwdFile:  `{"wine": "/tmp/evil/wine", "dir": "/tmp/evil", "arch": "win64"}`,
		homeFile: `{"log_level": 5}`,
	}
	res := mustResolve(t, inputs(nil, nil, files))
	if res.Config.Wine != Defaults().Wine || res.Config.Dir != Defaults().Dir {
		t.Fatalf("wine %q, dir %q came from %s", res.Config.Wine, res.Config.Dir, cwdFile)
	}
	if res.Config.Arch != "win64" || res.Config.LogLevel != 5 {
		t.Fatalf("other keys of the files must still apply: %+v", res.Config)
	}
	if len(res.Notices) != 2 || !strings.Contains(res.Notices[0], `"dir" in `+cwdFile+" is ignored") ||
		!strings.Contains(res.Notices[1], `"wine" in `+cwdFile+" is ignored") {
		t.Fatalf("Notices = %q", res.Notices)
	}
	// The user's own file, the file $ZUGBRUECKE names (even in the current folder), the
	// environment and arguments still can.
	for _, tc := range []struct {
		name  string
		kw    map[string]any
		env   []string
		files fakeFS
		inCwd bool
	}{
		{"home", nil, nil, fakeFS{homeFile: `{"wine": "/opt/wine/bin/wine"}`}, false},
		{"named", nil, []string{"ZUGBRUECKE=" + cwdFile}, fakeFS{cwdFile: `{"wine": "/opt/wine/bin/wine"}`}, true},
		{"environment", nil, []string{"ZUGBRUECKE_WINE=/opt/wine/bin/wine"}, fakeFS{}, false},
		{"argument", map[string]any{"wine": "/opt/wine/bin/wine"}, nil, fakeFS{}, false},
	} {
		res := mustResolve(t, inputs(tc.kw, tc.env, tc.files))
		if res.Config.Wine != "/opt/wine/bin/wine" || len(res.Notices) != 0 {
			t.Fatalf("%s: wine %q, notices %q", tc.name, res.Config.Wine, res.Notices)
		}
	}
	// Home is the current folder: the file is the user's own.
	in := inputs(nil, nil, fakeFS{cwdFile: `{"dir": "/data/zb"}`})
	in.Home = in.Cwd
	res, err := Resolve(in)
	if err != nil || res.Config.Dir != "/data/zb" || len(res.Notices) != 0 {
		t.Fatalf("home = cwd: dir %q, notices %q, err %v", res.Config.Dir, res.Notices, err)
	}
}
