//go:build windows

package main

import (
	"fmt"
	"syscall"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/transport"
)

// mapShm maps the client's shared memory file, which Wine shows at a Z: path: the same
// pages as the client's mmap.
func mapShm(path string) (*transport.Area, error) {
	p, err := syscall.UTF16PtrFromString(path)
	if err != nil {
		return nil, err
	}
	h, err := syscall.CreateFile(p, syscall.GENERIC_READ|syscall.GENERIC_WRITE,
		syscall.FILE_SHARE_READ|syscall.FILE_SHARE_WRITE, nil, syscall.OPEN_EXISTING, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("zb-server: opening %s: %w", path, err)
	}
	defer syscall.CloseHandle(h)
	var info syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(h, &info); err != nil || info.FileSizeLow == 0 {
		return nil, fmt.Errorf("zb-server: size of %s: %v", path, err)
	}
	size := info.FileSizeLow
	m, err := syscall.CreateFileMapping(h, nil, syscall.PAGE_READWRITE, 0, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("zb-server: mapping %s: %w", path, err)
	}
	defer syscall.CloseHandle(m)
	addr, err := syscall.MapViewOfFile(m, syscall.FILE_MAP_READ|syscall.FILE_MAP_WRITE, 0, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("zb-server: mapping %s: %w", path, err)
	}
	return transport.Attach(unsafe.Slice((*byte)(at(addr)), size))
}
