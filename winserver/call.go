//go:build windows

package main

import (
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
//
// run does these in order; each stage is a method below whose comment names its number.
// Pointer-sized reads and writes (getPtr, putPtr) are in arch_<arch>.go.
type callContext struct {
	busy  bool
	frame *callFrame
	words []uintptr
	arena []byte
	mem   [][]byte // each region's memory: in the arena, or DLL memory for fixed regions
	call  wire.Call
	reply wire.CallReply
}

const regionAlign = 16

func alignUp(n int) int { return (n + regionAlign - 1) &^ (regionAlign - 1) }

// run carries out a Call frame and returns its reply, which stays valid until the
// context's next call.
func (c *callContext) run(f wire.Frame) (*wire.CallReply, error) {
	if err := f.Decode(&c.call); err != nil {
		return nil, err
	}
	if err := c.placeRegions(); err != nil {
		return nil, err
	}
	c.loadWords()
	if err := c.applyPatches(); err != nil {
		return nil, err
	}
	lastError := c.callRoutine()
	return c.buildReply(lastError)
}

// placeRegions (stage 2) copies each region into the arena, 16-byte aligned, or, for a
// fixed region (DLL memory), in place after checking that it is writable.
func (c *callContext) placeRegions() error {
	regions := c.call.Regions
	total := 0
	for _, r := range regions {
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
	if cap(c.mem) < len(regions) {
		c.mem = make([][]byte, len(regions))
	}
	mem := c.mem[:len(regions)]
	off := 0
	for i, r := range regions {
		if r.Flags&wire.RegionFixed != 0 {
			if !writable(uintptr(r.Addr), uintptr(len(r.Data))) {
				return fmt.Errorf("region %d: DLL memory at %#x is not writable", i, r.Addr)
			}
			mem[i] = unsafe.Slice((*byte)(at(uintptr(r.Addr))), len(r.Data))
		} else {
			mem[i] = arena[off : off+len(r.Data) : off+len(r.Data)]
			off += alignUp(len(r.Data))
		}
		copy(mem[i], r.Data)
	}
	c.mem = mem
	return nil
}

// regionAddr is where region i sits in server memory.
func (c *callContext) regionAddr(i int) uintptr {
	if r := &c.call.Regions[i]; r.Flags&wire.RegionFixed != 0 {
		return uintptr(r.Addr)
	}
	return uintptr(unsafe.Pointer(unsafe.SliceData(c.mem[i])))
}

// loadWords (stage 3, first half) copies the argument words, as packed by the client,
// into the context's word buffer.
func (c *callContext) loadWords() {
	n := len(c.call.Words)
	if cap(c.words) < n {
		c.words = make([]uintptr, n)
	}
	c.words = c.words[:n]
	for i, w := range c.call.Words {
		c.words[i] = uintptr(w)
	}
}

// applyPatches (stage 3) writes region addresses into argument words (PatchWord), the
// pointer stored in a region into a word (PatchWordLoad: a structure passed through a
// pointer slot), or addresses into other regions (pointer members). Bounds are compared
// as uint64: int(uint32) is negative on 386 from 2 GiB.
func (c *callContext) applyPatches() error {
	regions, mem, words := c.call.Regions, c.mem, c.words
	for _, p := range c.call.Patches {
		if uint64(p.Region) >= uint64(len(regions)) || uint64(p.Offset) > uint64(len(regions[p.Region].Data)) {
			return fmt.Errorf("patch names region %d offset %d out of range", p.Region, p.Offset)
		}
		value := c.regionAddr(int(p.Region)) + uintptr(p.Offset)
		switch p.Target {
		case wire.PatchWord, wire.PatchWordLoad:
			if uint64(p.Pos) >= uint64(len(words)) {
				return fmt.Errorf("patch names word %d of %d", p.Pos, len(words))
			}
			if p.Target == wire.PatchWordLoad {
				src := mem[p.Region]
				if uint64(p.Offset)+ptrSize > uint64(len(src)) {
					return fmt.Errorf("word load at %d outside region %d", p.Offset, p.Region)
				}
				value = getPtr(src[p.Offset:])
			}
			words[p.Pos] = value
			continue
		}
		if uint64(p.Target) >= uint64(len(regions)) || uint64(p.Pos)+ptrSize > uint64(len(regions[p.Target].Data)) {
			return fmt.Errorf("patch names region %d position %d out of range", p.Target, p.Pos)
		}
		putPtr(mem[p.Target][p.Pos:], value)
	}
	return nil
}

// callRoutine (stage 4) fills the callFrame and runs the routine through the arch's call
// thunk; the thunk leaves the results and any Windows exception in the frame. It returns
// the thread's LastError after the call.
func (c *callContext) callRoutine() uint32 {
	if c.frame == nil {
		c.frame = new(callFrame)
	}
	call := &c.call
	*c.frame = callFrame{fn: uintptr(call.Fn), retFloat: uintptr(call.Ret), lastErr: uintptr(call.LastError)}
	return invoke(c.frame, c.words)
}

// buildReply (stage 5) fills the context's reply: results, exception, the out regions
// (aliasing their memory) and every region's address; a string result is read if asked.
func (c *callContext) buildReply(lastError uint32) (*wire.CallReply, error) {
	fr, call, rep := c.frame, &c.call, &c.reply
	*rep = wire.CallReply{
		Int:       intResult(fr),
		Float:     fr.f,
		LastError: lastError,
		Popped:    int32(fr.popped),
		Exception: uint32(fr.exc),
		ExcInfo:   [3]uint64{uint64(fr.excAddr), uint64(fr.excInfo[0]), uint64(fr.excInfo[1])},
		Out:       rep.Out[:0],
		Bases:     rep.Bases[:0],
	}
	for i, r := range call.Regions {
		if r.Flags&wire.RegionOut != 0 {
			rep.Out = append(rep.Out, c.mem[i])
		}
		rep.Bases = append(rep.Bases, uint64(c.regionAddr(i)))
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
