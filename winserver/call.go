//go:build windows

package main

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// A call, server side:
//
//  1. The Call frame is decoded into callContext.call (regions alias the frame buffer).
//  2. Regions are copied into one 16-byte-aligned arena owned by the context, so they
//     outlive the frame buffer and never sit on a goroutine stack.
//  3. Patches write region addresses into the argument words or into other regions.
//  4. The words go to the arch's thunk through invoke; the thunk fills the callFrame
//     with EAX/EDX or RAX, ST(0) or XMM0 and the bytes popped.
//  5. Regions flagged out are copied into the reply; a string result is read if asked.
type callContext struct {
	busy  bool
	frame *callFrame
	words []uintptr
	arena []byte
	call  wire.Call
	reply wire.CallReply
}

const regionAlign = 16

func alignUp(n int) int { return (n + regionAlign - 1) &^ (regionAlign - 1) }

func (c *callContext) run(f wire.Frame) (*wire.CallReply, error) {
	if c.frame == nil {
		c.frame = new(callFrame)
	}
	if err := f.Decode(&c.call); err != nil {
		return nil, err
	}
	call := &c.call

	// Regions into the arena; fixed regions are DLL memory and written in place.
	total := 0
	for _, r := range call.Regions {
		if r.Flags&wire.RegionFixed == 0 {
			total += alignUp(len(r.Data))
		}
	}
	if cap(c.arena) < total+regionAlign {
		c.arena = make([]byte, total+regionAlign)
	}
	arena := c.arena[:cap(c.arena)]
	skip := int(-uintptr(unsafe.Pointer(&arena[0])) & (regionAlign - 1))
	arena = arena[skip:]
	mem := make([][]byte, len(call.Regions))
	off := 0
	for i, r := range call.Regions {
		if r.Flags&wire.RegionFixed != 0 {
			if !writable(uintptr(r.Addr), uintptr(len(r.Data))) {
				return nil, fmt.Errorf("region %d: DLL memory at %#x is not writable", i, r.Addr)
			}
			mem[i] = unsafe.Slice((*byte)(at(uintptr(r.Addr))), len(r.Data))
		} else {
			mem[i] = arena[off : off+len(r.Data) : off+len(r.Data)]
			off += alignUp(len(r.Data))
		}
		copy(mem[i], r.Data)
	}
	addr := func(i int) uintptr {
		if call.Regions[i].Flags&wire.RegionFixed != 0 {
			return uintptr(call.Regions[i].Addr)
		}
		return uintptr(unsafe.Pointer(unsafe.SliceData(mem[i])))
	}

	// Words.
	if cap(c.words) < len(call.Words) {
		c.words = make([]uintptr, len(call.Words))
	}
	words := c.words[:len(call.Words)]
	for i, w := range call.Words {
		words[i] = uintptr(w)
	}

	// Patches (bounds compared as uint64: int(uint32) is negative on 386 from 2 GiB).
	for _, p := range call.Patches {
		if uint64(p.Region) >= uint64(len(call.Regions)) || uint64(p.Offset) > uint64(len(call.Regions[p.Region].Data)) {
			return nil, fmt.Errorf("patch names region %d offset %d out of range", p.Region, p.Offset)
		}
		value := addr(int(p.Region)) + uintptr(p.Offset)
		switch p.Target {
		case wire.PatchWord, wire.PatchWordLoad:
			if uint64(p.Pos) >= uint64(len(words)) {
				return nil, fmt.Errorf("patch names word %d of %d", p.Pos, len(words))
			}
			if p.Target == wire.PatchWordLoad {
				src := mem[p.Region]
				if uint64(p.Offset)+uint64(thisABI.PtrSize) > uint64(len(src)) {
					return nil, fmt.Errorf("word load at %d outside region %d", p.Offset, p.Region)
				}
				value = uintptr(getPtr(src[p.Offset:]))
			}
			words[p.Pos] = value
			continue
		}
		if uint64(p.Target) >= uint64(len(call.Regions)) || uint64(p.Pos)+uint64(thisABI.PtrSize) > uint64(len(call.Regions[p.Target].Data)) {
			return nil, fmt.Errorf("patch names region %d position %d out of range", p.Target, p.Pos)
		}
		dst := mem[p.Target][p.Pos:]
		if thisABI.PtrSize == 8 {
			binary.LittleEndian.PutUint64(dst, uint64(value))
		} else {
			binary.LittleEndian.PutUint32(dst, uint32(value))
		}
	}

	fr := c.frame
	*fr = callFrame{fn: uintptr(call.Fn), retFloat: uintptr(call.Ret), lastErr: uintptr(call.LastError)}
	lastError := invoke(fr, words)

	rep := &c.reply
	*rep = wire.CallReply{
		Int:       intResult(fr),
		Float:     fr.f,
		LastError: lastError,
		Popped:    int32(fr.popped),
		Exception: uint32(fr.exc),
		ExcInfo:   [3]uint64{uint64(fr.excAddr), uint64(fr.excInfo[0]), uint64(fr.excInfo[1])},
		Out:       rep.Out[:0],
		Bases:     rep.Bases,
	}
	rep.Bases = rep.Bases[:0]
	for i, r := range call.Regions {
		if r.Flags&wire.RegionOut != 0 {
			rep.Out = append(rep.Out, mem[i])
		}
		rep.Bases = append(rep.Bases, uint64(addr(i)))
	}
	if call.Deref != wire.DerefNone && fr.r1 != 0 && fr.exc == 0 {
		data, ok := readMem(fr.r1, 0, call.Deref == wire.DerefWStr)
		if !ok {
			return nil, fmt.Errorf("cannot read the string at %#x the routine returned", fr.r1)
		}
		rep.RetData = data
	}
	return rep, nil
}

func getPtr(b []byte) uint64 {
	if thisABI.PtrSize == 8 {
		return binary.LittleEndian.Uint64(b)
	}
	return uint64(binary.LittleEndian.Uint32(b))
}

// at views a server address as a pointer (the address comes from the DLL, not from Go).
func at(addr uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&addr)) }

// readMem copies size bytes at addr, or the NUL-terminated (wide: 16-bit NUL) string there
// when size is 0, checking page by page that the memory is readable.
func readMem(addr uintptr, size uint32, wide bool) ([]byte, bool) {
	const page = 4096
	if size > 0 {
		if !readable(addr, uintptr(size)) {
			return nil, false
		}
		return append([]byte(nil), unsafe.Slice((*byte)(at(addr)), size)...), true
	}
	unit := uintptr(1)
	if wide {
		unit = 2
	}
	out := []byte{}
	for p := addr; ; {
		end := (p | (page - 1)) + 1
		if !readable(p, end-p) {
			return nil, false
		}
		chunk := unsafe.Slice((*byte)(at(p)), end-p)
		for i := 0; i+int(unit) <= len(chunk); i += int(unit) {
			if chunk[i] == 0 && (unit == 1 || chunk[i+1] == 0) {
				return append(out, chunk[:i]...), true
			}
		}
		// A wide character may straddle the page end: keep whole units only.
		whole := len(chunk) - len(chunk)%int(unit)
		out = append(out, chunk[:whole]...)
		p += uintptr(whole)
		if len(out) > 1<<28 {
			return nil, false
		}
	}
}
