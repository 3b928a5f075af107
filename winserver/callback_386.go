//go:build windows

package main

import (
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// cbFrame is the callback frame as laid out by zb_cb_entry on 386 (offsets in the
// comments; zb_cb_entry reads them from native/zoffsets_386.h, checked in arch_386.go).
type cbFrame struct {
	slotIndex uint32 //  0  the callback's slot (EAX from its stub)
	args      uint32 //  4  address of the first argument word
	r1, r2    uint32 //  8, 12  EAX, EDX on return
	f         uint64 // 16  float result (double bits), for ST(0)
	pop       uint32 // 24  argument bytes to remove on return (stdcall)
	retFloat  uint32 // 28  non-zero: load f into ST(0)
}

type cbFrameView struct{ p *cbFrame }

func cbView(frame uintptr) cbFrameView { return cbFrameView{(*cbFrame)(at(frame))} }

func (v cbFrameView) slot() uintptr { return uintptr(v.p.slotIndex) }

// decodeArgs walks the stack words: 8-byte values take two words, structures by value
// as many words as they need.
func (v cbFrameView) decodeArgs(sig *wire.CallbackNew, msg *wire.Callback, ptrs []uintptr) int {
	word := func(i int) uint32 { return *(*uint32)(at(uintptr(v.p.args) + uintptr(4*i))) }
	w := 0
	for i, a := range sig.Args {
		k := abi.Kind(a.Kind)
		var val uint64
		var mem []byte
		switch {
		case k == abi.Struct:
			n := (int(a.Size) + 3) / 4
			mem = append([]byte(nil), unsafe.Slice((*byte)(at(uintptr(v.p.args)+uintptr(4*w))), int(a.Size))...)
			w += n
		case thisABI.Size(k) == 8:
			val = uint64(word(w)) | uint64(word(w+1))<<32
			w += 2
		default:
			val = uint64(word(w))
			w++
		}
		switch {
		case k.IsFloat():
			val = floatBits(k, val)
		case k != abi.Struct:
			val = thisABI.Extend(k, val)
			if a.Deref != wire.DerefNone || a.Size > 0 {
				ptrs[i] = uintptr(val)
				mem = argMem(a, ptrs[i])
			}
		}
		msg.Args = append(msg.Args, val)
		msg.Mem = append(msg.Mem, mem)
	}
	return w
}

func (v cbFrameView) setResult(k abi.Kind, bits uint64, pop uintptr) {
	v.p.pop = uint32(pop)
	v.p.retFloat = 0
	if k.IsFloat() {
		v.p.retFloat = 1
		v.p.f = bits
		return
	}
	v.p.r1 = uint32(bits)
	v.p.r2 = uint32(bits >> 32)
}
