package abi

import (
	"fmt"
	"math"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// Arg is one argument after the Python side converted it: an integer or float value in
// Bits (float arguments as float64 bits), memory in Data for the pointer-to-memory kinds
// (CharP, WCharP, Buffer, WBuffer), or a region built by core/marshal (Typed, Struct).
// Null passes a NULL pointer.
type Arg struct {
	Kind   Kind
	Bits   uint64
	Data   []byte
	Out    bool // Data comes back after the call (Buffer)
	Null   bool
	Region int // Typed, Struct: index of the region in the call
	Size   int // Struct: Windows size of the structure
}

// StructRet describes a structure result: its Windows size and the region that receives
// it when it comes back through a hidden pointer.
type StructRet struct {
	Size   int
	Region int
}

// Pack appends args to call in the layout the server's thunk for a expects and sets the
// call's convention and result class. Memory arguments become regions with a patch. A
// structure result (sret, may be nil) that does not fit in registers adds the hidden
// pointer as the first argument.
func (a *Arch) Pack(call *wire.Call, conv Conv, ret Kind, args []Arg, sret *StructRet) error {
	call.Conv = uint8(conv)
	call.Ret = uint8(RetClassOf(ret))
	call.Words = call.Words[:0]
	if sret != nil && !a.RegStruct(sret.Size) {
		a.refWord(call, sret.Region)
	}
	for i := range args {
		arg := &args[i]
		switch arg.Kind {
		case Void, kindCount:
			return fmt.Errorf("abi: argument %d has no value kind (%v)", i+1, arg.Kind)
		case Typed:
			a.refWord(call, arg.Region)
		case Struct:
			a.structWords(call, arg)
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

// refWord passes the address of a region.
func (a *Arch) refWord(call *wire.Call, region int) {
	call.Patches = append(call.Patches, wire.Patch{Target: wire.PatchWord,
		Pos: uint32(len(call.Words)), Region: uint32(region)})
	call.Words = append(call.Words, 0)
}

// structWords passes a structure by value: as stack words loaded from its region (win32),
// in one slot when its size allows, or by reference to the region as a copy (win64).
func (a *Arch) structWords(call *wire.Call, arg *Arg) {
	if a.StructSlotSizes != nil && !contains(a.StructSlotSizes, arg.Size) {
		a.refWord(call, arg.Region)
		return
	}
	n := (arg.Size + a.SlotSize - 1) / a.SlotSize
	reg := &call.Regions[arg.Region]
	for len(reg.Data) < n*a.SlotSize {
		reg.Data = append(reg.Data, 0)
	}
	for k := 0; k < n; k++ {
		call.Patches = append(call.Patches, wire.Patch{Target: wire.PatchWordLoad,
			Pos: uint32(len(call.Words)), Region: uint32(arg.Region), Offset: uint32(k * a.SlotSize)})
		call.Words = append(call.Words, 0)
	}
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
