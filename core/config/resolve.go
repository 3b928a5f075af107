package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	envPrefix = "ZUGBRUECKE_"          // prefix of the per-parameter environment variables
	envFile   = "ZUGBRUECKE"           // environment variable naming a configuration file or folder
	fileName  = ".zugbruecke.json"     // configuration file looked for in folders
	etcFile   = "/etc/zugbruecke.json" // system-wide configuration file
)

// assignment is one validated value of a parameter from one source.
type assignment struct {
	name   string
	value  any
	source string
}

// Resolve merges the session configuration from its sources; highest priority first:
//
//  1. environment variables ZUGBRUECKE_<NAME> (e.g. ZUGBRUECKE_LOG_LEVEL=10); other
//     variables starting with ZUGBRUECKE_ are ignored;
//  2. keyword arguments (Inputs.Kwargs);
//  3. JSON files holding an object of parameter -> value, higher overriding lower per key:
//     the file named by $ZUGBRUECKE (or .zugbruecke.json inside it if it is a folder),
//     <Cwd>/.zugbruecke.json, <Home>/.zugbruecke.json, /etc/zugbruecke.json;
//  4. Defaults.
//
// Every value given is validated, even one a higher source overrides; the first error in
// priority order is returned. Deprecated keys ("pythonversion", "copy_modules") from any
// source are ignored with a warning. Missing files are skipped silently.
func Resolve(in Inputs) (Resolved, error) {
	env := environ(in.Environ)
	var layers [][]assignment // highest priority first
	var warnings []string

	layer, warn, err := fromEnviron(env)
	if err != nil {
		return Resolved{}, err
	}
	layers, warnings = append(layers, layer), append(warnings, warn...)

	layer, warn, err = fromMap(in.Kwargs, SourceArgument)
	if err != nil {
		return Resolved{}, err
	}
	layers, warnings = append(layers, layer), append(warnings, warn...)

	var notices []string
	for _, path := range configFiles(in, env) {
		m, err := readConfigFile(in, path)
		if err != nil {
			return Resolved{}, err
		}
		if m == nil {
			continue
		}
		if untrusted(in, env, path) {
			m, notices = withoutUnsafe(m, path, notices)
		}
		layer, warn, err = fromMap(m, "file "+path)
		if err != nil {
			return Resolved{}, err
		}
		layers, warnings = append(layers, layer), append(warnings, warn...)
	}

	res := Resolved{Config: Defaults(), Sources: make(map[string]string, len(params)), Warnings: warnings,
		Notices: notices}
	for _, name := range names {
		res.Sources[name] = SourceDefault
	}
	for i := len(layers) - 1; i >= 0; i-- {
		for _, a := range layers[i] {
			params[a.name].set(&res.Config, a.value)
			res.Sources[a.name] = a.source
		}
	}
	return res, nil
}

// environ turns "KEY=VALUE" entries into a map; the first entry of a key wins, like os.Getenv.
func environ(entries []string) map[string]string {
	env := make(map[string]string)
	for _, e := range entries {
		key, value, ok := strings.Cut(e, "=")
		if !ok {
			continue
		}
		if _, seen := env[key]; !seen {
			env[key] = value
		}
	}
	return env
}

// fromEnviron collects the parameters set by ZUGBRUECKE_<NAME> variables.
func fromEnviron(env map[string]string) ([]assignment, []string, error) {
	var layer []assignment
	for _, name := range names {
		key := envName(name)
		raw, ok := env[key]
		if !ok {
			continue
		}
		v, err := convertEnv(name, raw, "environment "+key)
		if err != nil {
			return nil, nil, err
		}
		layer = append(layer, assignment{name, v, "environment " + key})
	}
	var warnings []string
	for _, name := range sortedKeys(deprecated) {
		if key := envName(name); hasKey(env, key) {
			warnings = append(warnings, deprecationWarning(name, "environment "+key))
		}
	}
	return layer, warnings, nil
}

// fromMap collects the parameters of a keyword-argument map or a decoded JSON file.
func fromMap(m map[string]any, source string) ([]assignment, []string, error) {
	var layer []assignment
	var warnings []string
	for _, key := range sortedKeys(m) {
		if deprecated[key] {
			warnings = append(warnings, deprecationWarning(key, source))
			continue
		}
		v, err := convert(key, m[key], source)
		if err != nil {
			return nil, nil, err
		}
		layer = append(layer, assignment{key, v, source})
	}
	return layer, warnings, nil
}

// configFiles lists the configuration files to read, highest priority first, without repeats.
func configFiles(in Inputs, env map[string]string) []string {
	var candidates []string
	if z := namedFile(in, env); z != "" {
		candidates = append(candidates, z)
	}
	if in.Cwd != "" {
		candidates = append(candidates, filepath.Join(in.Cwd, fileName))
	}
	if in.Home != "" {
		candidates = append(candidates, filepath.Join(in.Home, fileName))
	}
	candidates = append(candidates, etcFile)

	var paths []string
	seen := make(map[string]bool)
	for _, p := range candidates {
		if !seen[p] {
			seen[p] = true
			paths = append(paths, p)
		}
	}
	return paths
}

// unsafeInCwd are the parameters that choose what runs (wine) and where data goes (dir):
// a configuration file in the current folder cannot set them, so that running a script
// in a folder someone else controls does not run a program of theirs.
var unsafeInCwd = []string{"dir", "wine"}

// untrusted reports whether path is only the current folder's configuration file (not
// also the user's own file, or the one $ZUGBRUECKE names).
func untrusted(in Inputs, env map[string]string, path string) bool {
	if in.Cwd == "" || path != filepath.Join(in.Cwd, fileName) {
		return false
	}
	if in.Home != "" && path == filepath.Join(in.Home, fileName) {
		return false
	}
	return path != namedFile(in, env)
}

// withoutUnsafe returns m without the keys of unsafeInCwd, adding a notice for each.
func withoutUnsafe(m map[string]any, path string, notices []string) (map[string]any, []string) {
	var kept map[string]any
	for _, key := range unsafeInCwd {
		if _, ok := m[key]; !ok {
			continue
		}
		if kept == nil {
			kept = make(map[string]any, len(m))
			for k, v := range m {
				kept[k] = v
			}
		}
		delete(kept, key)
		notices = append(notices, fmt.Sprintf("zugbruecke: parameter %q in %s is ignored: a configuration "+
			"file in the current folder cannot choose the program that runs or the data folder; set it as an "+
			"argument, in ZUGBRUECKE_%s, in ~/%s or in %s", key, path, strings.ToUpper(key), fileName, etcFile))
	}
	if kept == nil {
		return m, notices
	}
	return kept, notices
}

// namedFile is the file $ZUGBRUECKE names (.zugbruecke.json inside it if it is a
// folder), or "".
func namedFile(in Inputs, env map[string]string) string {
	z := env[envFile]
	if z == "" {
		return ""
	}
	if !filepath.IsAbs(z) && in.Cwd != "" {
		z = filepath.Join(in.Cwd, z)
	}
	z = filepath.Clean(z)
	if isDir(in, z) {
		z = filepath.Join(z, fileName)
	}
	return z
}

// readConfigFile reads and decodes one file; it returns nil, nil if the file does not exist.
func readConfigFile(in Inputs, path string) (map[string]any, error) {
	read := in.ReadFile
	if read == nil {
		read = os.ReadFile
	}
	data, err := read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, &FileError{Path: path, Err: fmt.Errorf("invalid JSON: %w", err)}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &FileError{Path: path, Err: errors.New("not a JSON object")}
	}
	return m, nil
}

// isDir reports whether path is a folder, through in.IsDir if set.
func isDir(in Inputs, path string) bool {
	if in.IsDir != nil {
		return in.IsDir(path)
	}
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

// hasKey reports whether m holds key.
func hasKey(m map[string]string, key string) bool {
	_, ok := m[key]
	return ok
}
