//go:build !linux

package prefix

import (
	"errors"
	"os/exec"
)

// Wine prefixes are managed on Linux only; elsewhere the package builds but Ensure fails.

func lock(path string, waiting func()) (func(), error) {
	return nil, errors.ErrUnsupported
}

func killGroupOnCancel(cmd *exec.Cmd) {}
