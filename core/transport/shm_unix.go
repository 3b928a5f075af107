//go:build linux

package transport

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// ShmFile is the client's side of a shared memory area: a file in a folder only the user
// can read (/dev/shm or $XDG_RUNTIME_DIR), mapped into memory. Remove it once the server
// has mapped it too; the mapping stays.
type ShmFile struct {
	Path string
	Area *Area
	mem  []byte
}

// CreateShm makes and maps a new area in dir ("" for /dev/shm).
func CreateShm(dir string, l Layout) (*ShmFile, error) {
	if dir == "" {
		dir = "/dev/shm"
	}
	var rnd [12]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, fmt.Sprintf("zugbruecke-%d-%s", os.Getuid(), hex.EncodeToString(rnd[:])))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("transport: shared memory file: %w", err)
	}
	defer f.Close()
	if err := f.Truncate(int64(l.Size())); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("transport: shared memory file: %w", err)
	}
	mem, err := syscall.Mmap(int(f.Fd()), 0, l.Size(), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("transport: mapping shared memory: %w", err)
	}
	a, err := Init(mem, l)
	if err != nil {
		syscall.Munmap(mem)
		os.Remove(path)
		return nil, err
	}
	return &ShmFile{Path: path, Area: a, mem: mem}, nil
}

// Unlink removes the file; the mapping stays valid.
func (s *ShmFile) Unlink() { os.Remove(s.Path) }

// Close unmaps the area and removes the file if still there.
func (s *ShmFile) Close() error {
	s.Unlink()
	if s.mem == nil {
		return nil
	}
	err := syscall.Munmap(s.mem)
	s.mem = nil
	return err
}
