package prefix

import (
	"fmt"
	"strings"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

// WineMissingError reports that no usable Wine loader was found for an arch, or that the
// explicitly configured one (parameter "wine") is not usable. Hint says what to do.
type WineMissingError struct {
	Arch string // "win32" or "win64"
	Hint string // what to install or change, e.g. "on Debian/Ubuntu run: apt-get install wine wine64"
	Path string // the configured loader that is not usable; "" when detection found nothing
	Err  error  // cause for a configured loader (stat error or "not executable"); nil otherwise

	noWine bool // detection found no Wine of either bitness
}

func (e *WineMissingError) Error() string {
	switch {
	case e.Path != "":
		return fmt.Sprintf("zugbruecke: the Wine loader wine='%s' (arch='%s') is not usable: %v; %s",
			e.Path, e.Arch, e.Err, e.Hint)
	case e.noWine:
		return "zugbruecke: Wine is not installed; " + e.Hint
	case e.Arch == "win32":
		return "zugbruecke: 32-bit Wine is missing (needed for arch='win32'); " + e.Hint
	default:
		return fmt.Sprintf("zugbruecke: 64-bit Wine is missing (needed for arch='%s'); %s", e.Arch, e.Hint)
	}
}

func (e *WineMissingError) Unwrap() error { return e.Err }

// ConfigError reports an invalid value in Options.
type ConfigError struct {
	Param  string // "arch", "root", "prng32", "prng64"
	Value  string
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("zugbruecke: invalid %s='%s': %s", e.Param, e.Value, e.Reason)
}

// checkArch returns a *ConfigError unless arch names a row of core/abi.Arches.
func checkArch(arch string) error {
	if _, err := abi.ByName(arch); err != nil {
		return &ConfigError{Param: "arch", Value: arch, Reason: abi.ArchReason()}
	}
	return nil
}

// PrefixError reports a failed step while locking, checking, creating or updating a prefix.
type PrefixError struct {
	Arch   string
	Dir    string // the WINEPREFIX
	Op     string // the step, e.g. "running wineboot", "installing bcryptprimitives.dll"
	Output string // last lines of the output of the failed Wine command, if any
	Log    string // file holding the whole output of the failed Wine command, if kept
	Err    error
}

func (e *PrefixError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "zugbruecke: Wine prefix for %s in %s: %s failed: %v", e.Arch, e.Dir, e.Op, e.Err)
	if e.Output != "" {
		b.WriteString("; last output:\n")
		for _, line := range strings.Split(strings.TrimRight(e.Output, "\n"), "\n") {
			b.WriteString("    " + line + "\n")
		}
		if e.Log != "" {
			b.WriteString("  (whole output in " + e.Log + ")")
		}
	} else if e.Log != "" {
		b.WriteString(" (output in " + e.Log + ")")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (e *PrefixError) Unwrap() error { return e.Err }
