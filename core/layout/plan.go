package layout

import (
	"encoding/binary"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

// OpKind is one kind of translation step.
type OpKind uint8

const (
	OpCopy    OpKind = iota // N bytes, identical on both sides
	OpScalar                // an integer whose size differs (LinSize <-> WinSize), e.g. c_wchar
	OpBits                  // a bitfield: Bits bits at LinBit of the unit at Lin, WinBit of the unit at Win
	OpPointer               // a pointer (Type is the pointer type); the marshaller decides its value
	OpWString               // N wchar_t: UTF-32 on Linux, UTF-16 units on Windows
)

// Op is one step of a Plan. Lin and Win are byte offsets from the value's start.
type Op struct {
	Kind             OpKind
	Lin, Win         int
	N                int
	LinSize, WinSize int
	LinBit, WinBit   int
	Bits             int
	Signed           bool
	Type             *Type
}

func appendShifted(dst, src []Op, lin, win int) []Op {
	for _, op := range src {
		op.Lin += lin
		op.Win += win
		dst = append(dst, op)
	}
	return dst
}

// merge joins byte copies that are adjacent on both sides.
func merge(ops []Op) []Op {
	out := ops[:0:0]
	for _, op := range ops {
		if n := len(out); n > 0 && op.Kind == OpCopy && out[n-1].Kind == OpCopy &&
			out[n-1].Lin+out[n-1].N == op.Lin && out[n-1].Win+out[n-1].N == op.Win {
			out[n-1].N += op.N
			continue
		}
		out = append(out, op)
	}
	return out
}

func getUint(b []byte, size int) uint64 {
	switch size {
	case 1:
		return uint64(b[0])
	case 2:
		return uint64(binary.LittleEndian.Uint16(b))
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	case 8:
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func putUint(b []byte, size int, v uint64) {
	switch size {
	case 1:
		b[0] = byte(v)
	case 2:
		binary.LittleEndian.PutUint16(b, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(b, uint32(v))
	case 8:
		binary.LittleEndian.PutUint64(b, v)
	}
}

func extend(v uint64, bits int, signed bool) uint64 {
	if bits >= 64 {
		return v
	}
	v &= 1<<bits - 1
	if signed && v&(1<<(bits-1)) != 0 {
		v |= ^uint64(0) << bits
	}
	return v
}

// ToWin translates one value from Linux bytes lin to Windows bytes win. Pointer ops are
// left to ptr (called with the op; it writes the Windows pointer itself).
func ToWin(plan []Op, lin, win []byte, ptr func(op *Op) error) error {
	for i := range plan {
		op := &plan[i]
		switch op.Kind {
		case OpCopy:
			copy(win[op.Win:op.Win+op.N], lin[op.Lin:op.Lin+op.N])
		case OpScalar:
			v := extend(getUint(lin[op.Lin:], op.LinSize), 8*op.LinSize, op.Signed)
			putUint(win[op.Win:], op.WinSize, v)
		case OpBits:
			v := getUint(lin[op.Lin:], op.LinSize) >> op.LinBit
			v &= 1<<op.Bits - 1
			unit := getUint(win[op.Win:], op.WinSize)
			mask := uint64(1<<op.Bits-1) << op.WinBit
			putUint(win[op.Win:], op.WinSize, unit&^mask|v<<op.WinBit)
		case OpWString:
			copy(win[op.Win:op.Win+2*op.N], abi.UTF32ToUTF16(lin[op.Lin:op.Lin+4*op.N]))
		case OpPointer:
			if err := ptr(op); err != nil {
				return err
			}
		}
	}
	return nil
}

// ToLinux translates one value back from Windows bytes win into Linux bytes lin.
func ToLinux(plan []Op, win, lin []byte, ptr func(op *Op) error) error {
	for i := range plan {
		op := &plan[i]
		switch op.Kind {
		case OpCopy:
			copy(lin[op.Lin:op.Lin+op.N], win[op.Win:op.Win+op.N])
		case OpScalar:
			v := extend(getUint(win[op.Win:], op.WinSize), 8*op.WinSize, op.Signed)
			putUint(lin[op.Lin:], op.LinSize, v)
		case OpBits:
			v := getUint(win[op.Win:], op.WinSize) >> op.WinBit
			v &= 1<<op.Bits - 1
			unit := getUint(lin[op.Lin:], op.LinSize)
			mask := uint64(1<<op.Bits-1) << op.LinBit
			putUint(lin[op.Lin:], op.LinSize, unit&^mask|v<<op.LinBit)
		case OpWString:
			abi.UTF16ToUTF32(lin[op.Lin:op.Lin+4*op.N], win[op.Win:op.Win+2*op.N])
		case OpPointer:
			if err := ptr(op); err != nil {
				return err
			}
		}
	}
	return nil
}
