//go:build windows

package main

import (
	"math"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// cbFrame is the callback frame as laid out by zb_cb_entry on amd64 (offsets in the
// comments; zb_cb_entry reads them from native/zoffsets_amd64.h, checked in arch_amd64.go).
type cbFrame struct {
	slotIndex uint64    //  0  the callback's slot (EAX from its stub, zero-extended)
	args      uint64    //  8  address of the first argument slot (RCX..R9 spilled)
	xmm       [4]uint64 // 16  XMM0-3 on entry
	r1        uint64    // 48  RAX on return
	f         uint64    // 56  XMM0 on return (float32 bits in the low half)
	pop       uint64    // 64  unused on amd64 (the caller pops)
	retFloat  uint64    // 72  unused on amd64 (f always goes to XMM0)
}

type cbFrameView struct{ p *cbFrame }

func cbView(frame uintptr) cbFrameView { return cbFrameView{(*cbFrame)(at(frame))} }

func (v cbFrameView) slot() uintptr { return uintptr(v.p.slotIndex) }

// decodeArgs reads one slot per argument: the first four float arguments from XMM0-3;
// structures of 1, 2, 4 or 8 bytes from their slot, larger ones through the pointer in it.
func (v cbFrameView) decodeArgs(sig *wire.CallbackNew, msg *wire.Callback, ptrs []uintptr) int {
	for i, a := range sig.Args {
		k := abi.Kind(a.Kind)
		raw := *(*uint64)(at(uintptr(v.p.args) + uintptr(8*i)))
		var val uint64
		var mem []byte
		switch {
		case k.IsFloat():
			if i < 4 {
				raw = v.p.xmm[i]
			}
			val = floatBits(k, raw)
		case k == abi.Struct:
			if n := int(a.Size); n == 1 || n == 2 || n == 4 || n == 8 {
				b := (*[8]byte)(unsafe.Pointer(&raw))
				mem = append([]byte(nil), b[:n]...)
			} else if raw != 0 {
				mem, _ = readMem(uintptr(raw), a.Size, false)
			}
		default:
			val = thisABI.Extend(k, raw)
			if a.Deref != wire.DerefNone || a.Size > 0 {
				ptrs[i] = uintptr(val)
				mem = argMem(a, ptrs[i])
			}
		}
		msg.Args = append(msg.Args, val)
		msg.Mem = append(msg.Mem, mem)
	}
	return len(sig.Args)
}

func (v cbFrameView) setResult(k abi.Kind, bits uint64, pop uintptr) {
	v.p.pop = uint64(pop)
	switch k {
	case abi.Float32:
		v.p.f = uint64(math.Float32bits(float32(math.Float64frombits(bits))))
	case abi.Float64:
		v.p.f = bits
	default:
		v.p.r1 = bits
	}
}
