//go:build windows

package main

import (
	"math"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// cbFrameAMD64 is the callback frame as laid out by zb_cb_entry on amd64.
type cbFrameAMD64 struct {
	slotIndex uint64
	args      uint64
	xmm       [4]uint64
	r1        uint64
	f         uint64
	pop       uint64
	retFloat  uint64
}

type cbFrameView struct{ p *cbFrameAMD64 }

func cbView(frame uintptr) cbFrameView { return cbFrameView{(*cbFrameAMD64)(at(frame))} }

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
