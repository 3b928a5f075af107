package abi

import (
	"fmt"
	"math"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// Arg is one argument after the Python side converted it: an integer or float value in
// Bits (float arguments as float64 bits), or memory in Data for the pointer-to-memory
// kinds (CharP, WCharP, Buffer). Null passes a NULL pointer.
type Arg struct {
	Kind Kind
	Bits uint64
	Data []byte
	Out  bool // Data comes back after the call (Buffer)
	Null bool
}

// Pack appends args to call in the layout the server's thunk for a expects and sets the
// call's convention and result class. Memory arguments become regions with a patch.
func (a *Arch) Pack(call *wire.Call, conv Conv, ret Kind, args []Arg) error {
	call.Conv = uint8(conv)
	call.Ret = uint8(RetClassOf(ret))
	call.Words = call.Words[:0]
	for i := range args {
		arg := &args[i]
		switch arg.Kind {
		case Void, kindCount:
			return fmt.Errorf("abi: argument %d has no value kind (%v)", i+1, arg.Kind)
		case CharP, WCharP, Buffer, WBuffer:
			if arg.Null || arg.Data == nil {
				call.Words = append(call.Words, 0)
				continue
			}
			var flags uint8
			if arg.Out {
				flags = wire.RegionOut
			}
			call.Patches = append(call.Patches, wire.Patch{Target: wire.PatchWord,
				Pos: uint32(len(call.Words)), Region: uint32(len(call.Regions))})
			call.Regions = append(call.Regions, wire.Region{Flags: flags, Data: arg.Data})
			call.Words = append(call.Words, 0)
		case Float32:
			call.Words = append(call.Words, F32(arg.Bits))
		default:
			if !arg.Kind.Valid() {
				return fmt.Errorf("abi: argument %d has unknown kind %d", i+1, arg.Kind)
			}
			bits := arg.Bits
			if arg.Kind != Float64 {
				bits = a.Extend(arg.Kind, bits)
			}
			if a.WideSlots && a.Size(arg.Kind) > a.SlotSize {
				call.Words = append(call.Words, bits&0xffffffff, bits>>32)
			} else {
				call.Words = append(call.Words, bits&a.slotMask())
			}
		}
	}
	return nil
}

func (a *Arch) slotMask() uint64 {
	if a.SlotSize >= 8 {
		return math.MaxUint64
	}
	return uint64(1)<<(a.SlotSize*8) - 1
}

// Result extracts a result of kind k from rep: integer kinds come back sign- or
// zero-extended in the first value, float kinds as float64 bits.
func (a *Arch) Result(k Kind, rep *wire.CallReply) uint64 {
	switch k {
	case Void:
		return 0
	case Float64:
		return rep.Float
	case Float32:
		if a.X87Return {
			return rep.Float
		}
		return math.Float64bits(float64(math.Float32frombits(uint32(rep.Float))))
	default:
		return a.Extend(k, rep.Int)
	}
}
