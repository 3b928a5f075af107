package layout_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/layout"
)

// linSize is the size (and alignment) of each kind in Linux x86-64 ctypes.
var linSize = map[abi.Kind]int{
	abi.Bool: 1, abi.Int8: 1, abi.Uint8: 1, abi.Int16: 2, abi.Uint16: 2, abi.Int32: 4,
	abi.Uint32: 4, abi.Int64: 8, abi.Uint64: 8, abi.Float32: 4, abi.Float64: 8,
	abi.Pointer: 8, abi.Char: 1, abi.WChar: 4, abi.CharP: 8, abi.WCharP: 8,
}

// builder registers types as the Python side would, with Linux (GCC-like) offsets.
type builder struct {
	t *testing.T
	r *layout.Registry
}

func newBuilder(t *testing.T) *builder { return &builder{t: t, r: &layout.Registry{}} }

func (b *builder) add(d *layout.Desc) int {
	b.t.Helper()
	id, err := b.r.Add(d)
	if err != nil {
		b.t.Fatalf("Add(%+v): %v", d, err)
	}
	return id
}

func (b *builder) scalar(k abi.Kind) int {
	n := linSize[k]
	return b.add(&layout.Desc{Class: "simple", Kind: int(k), Size: n, Align: n})
}

func (b *builder) ptr(elem int) int {
	return b.add(&layout.Desc{Class: "pointer", Kind: int(abi.Pointer), Elem: elem, Size: 8, Align: 8})
}

func (b *builder) array(elem, n int) int {
	e := b.r.Get(elem)
	return b.add(&layout.Desc{Class: "array", Elem: elem, Len: n, Size: e.LinuxSize * n, Align: e.LinuxAlign})
}

// fl is a member: type id and bitfield width (0: a whole member).
type fl struct {
	typ, bits int
}

func alignUp(n, a int) int { return (n + a - 1) / a * a }

// record lays out a structure or union as Linux ctypes does for same-type bitfield runs
// (a bitfield never straddles a unit of its type; with _pack_ a new unit starts at the
// next byte) and registers it.
func (b *builder) record(class string, pack int, fields ...fl) int {
	d := &layout.Desc{Class: class, Pack: pack, Align: 1}
	bitpos := 0
	size := 0
	runOff, runSize, runUsed := 0, 0, 0
	for i, f := range fields {
		ft := b.r.Get(f.typ)
		a := ft.LinuxAlign
		if pack > 0 && a > pack {
			a = pack
		}
		if a > d.Align {
			d.Align = a
		}
		fd := layout.FieldDesc{Name: string(rune('a' + i)), Type: f.typ, Bits: f.bits}
		switch {
		case class == "union":
			if ft.LinuxSize > size {
				size = ft.LinuxSize
			}
		case f.bits > 0:
			unit := 8 * ft.LinuxSize
			if pack > 0 {
				// Packed: a run continues while the declared size matches and the bits
				// fit; a new unit starts at the next byte.
				if runSize == ft.LinuxSize && runUsed+f.bits <= unit {
					fd.Offset, fd.Bit = runOff, runUsed
				} else {
					bitpos = alignUp(bitpos, 8)
					runOff, runSize, runUsed = bitpos/8, ft.LinuxSize, 0
					fd.Offset, fd.Bit = runOff, 0
				}
				runUsed += f.bits
			} else {
				if bitpos/unit != (bitpos+f.bits-1)/unit {
					bitpos = alignUp(bitpos, unit)
				}
				fd.Offset = bitpos / unit * ft.LinuxSize
				fd.Bit = bitpos - 8*fd.Offset
			}
			bitpos += f.bits
		default:
			runSize = 0
			fd.Offset = alignUp(alignUp(bitpos, 8)/8, a)
			bitpos = 8 * (fd.Offset + ft.LinuxSize)
		}
		d.Fields = append(d.Fields, fd)
	}
	if class != "union" {
		size = alignUp(bitpos, 8) / 8
	}
	d.Size = alignUp(size, d.Align)
	return b.add(d)
}

func (b *builder) strct(fields ...fl) int         { return b.record("struct", 0, fields...) }
func (b *builder) packed(p int, fields ...fl) int { return b.record("struct", p, fields...) }
func (b *builder) union(fields ...fl) int         { return b.record("union", 0, fields...) }

// s is a whole member of kind k.
func (b *builder) s(k abi.Kind) fl { return fl{typ: b.scalar(k)} }

// bf is a bitfield of kind k.
func (b *builder) bf(k abi.Kind, bits int) fl { return fl{typ: b.scalar(k), bits: bits} }

type want struct {
	size, align int
	offs, bits  []int // bits nil: all 0
}

func TestMSVCLayouts(t *testing.T) {
	cases := []struct {
		name     string
		build    func(b *builder) int
		w32, w64 want
	}{
		{"char_int", func(b *builder) int { return b.strct(b.s(abi.Char), b.s(abi.Int32)) },
			want{8, 4, []int{0, 4}, nil}, want{8, 4, []int{0, 4}, nil}},
		// double and long long are 8-aligned inside MSVC structures on win32 too.
		{"char_double", func(b *builder) int { return b.strct(b.s(abi.Char), b.s(abi.Float64)) },
			want{16, 8, []int{0, 8}, nil}, want{16, 8, []int{0, 8}, nil}},
		{"char_longlong", func(b *builder) int { return b.strct(b.s(abi.Int8), b.s(abi.Uint64)) },
			want{16, 8, []int{0, 8}, nil}, want{16, 8, []int{0, 8}, nil}},
		{"double_char_tail", func(b *builder) int { return b.strct(b.s(abi.Float64), b.s(abi.Char)) },
			want{16, 8, []int{0, 8}, nil}, want{16, 8, []int{0, 8}, nil}},
		{"short_char_short", func(b *builder) int { return b.strct(b.s(abi.Int16), b.s(abi.Char), b.s(abi.Uint16)) },
			want{6, 2, []int{0, 2, 4}, nil}, want{6, 2, []int{0, 2, 4}, nil}},
		{"float_double_float", func(b *builder) int {
			return b.strct(b.s(abi.Float32), b.s(abi.Float64), b.s(abi.Float32))
		}, want{24, 8, []int{0, 8, 16}, nil}, want{24, 8, []int{0, 8, 16}, nil}},
		{"char_voidp", func(b *builder) int { return b.strct(b.s(abi.Char), b.s(abi.Pointer)) },
			want{8, 4, []int{0, 4}, nil}, want{16, 8, []int{0, 8}, nil}},
		{"char_typed_ptr", func(b *builder) int { return b.strct(b.s(abi.Char), fl{typ: b.ptr(b.scalar(abi.Int32))}) },
			want{8, 4, []int{0, 4}, nil}, want{16, 8, []int{0, 8}, nil}},
		{"strings", func(b *builder) int { return b.strct(b.s(abi.CharP), b.s(abi.WCharP), b.s(abi.Char)) },
			want{12, 4, []int{0, 4, 8}, nil}, want{24, 8, []int{0, 8, 16}, nil}},
		{"wchar_scalar", func(b *builder) int { return b.strct(b.s(abi.Char), b.s(abi.WChar), b.s(abi.Char)) },
			want{6, 2, []int{0, 2, 4}, nil}, want{6, 2, []int{0, 2, 4}, nil}},
		{"wchar_array", func(b *builder) int {
			return b.strct(b.s(abi.Char), fl{typ: b.array(b.scalar(abi.WChar), 3)}, b.s(abi.Int32))
		}, want{12, 4, []int{0, 2, 8}, nil}, want{12, 4, []int{0, 2, 8}, nil}},
		{"pack1", func(b *builder) int {
			return b.packed(1, b.s(abi.Char), b.s(abi.Int32), b.s(abi.Int16), b.s(abi.Float64))
		}, want{15, 1, []int{0, 1, 5, 7}, nil}, want{15, 1, []int{0, 1, 5, 7}, nil}},
		{"pack2", func(b *builder) int {
			return b.packed(2, b.s(abi.Char), b.s(abi.Int32), b.s(abi.Float64), b.s(abi.Char))
		}, want{16, 2, []int{0, 2, 6, 14}, nil}, want{16, 2, []int{0, 2, 6, 14}, nil}},
		{"pack4_double", func(b *builder) int {
			return b.packed(4, b.s(abi.Char), b.s(abi.Float64), b.s(abi.Int64))
		}, want{20, 4, []int{0, 4, 12}, nil}, want{20, 4, []int{0, 4, 12}, nil}},
		{"pack2_pointer", func(b *builder) int { return b.packed(2, b.s(abi.Char), b.s(abi.Pointer)) },
			want{6, 2, []int{0, 2}, nil}, want{10, 2, []int{0, 2}, nil}},
		{"pack16_no_effect", func(b *builder) int { return b.packed(16, b.s(abi.Char), b.s(abi.Float64)) },
			want{16, 8, []int{0, 8}, nil}, want{16, 8, []int{0, 8}, nil}},
		{"union_int_float_bytes", func(b *builder) int {
			return b.union(b.s(abi.Int32), b.s(abi.Float32), fl{typ: b.array(b.scalar(abi.Uint8), 4)})
		}, want{4, 4, []int{0, 0, 0}, nil}, want{4, 4, []int{0, 0, 0}, nil}},
		{"union_char_double_shorts", func(b *builder) int {
			return b.union(b.s(abi.Char), b.s(abi.Float64), fl{typ: b.array(b.scalar(abi.Int16), 3)})
		}, want{8, 8, []int{0, 0, 0}, nil}, want{8, 8, []int{0, 0, 0}, nil}},
		{"union_chars5_int", func(b *builder) int {
			return b.union(fl{typ: b.array(b.scalar(abi.Char), 5)}, b.s(abi.Int32))
		}, want{8, 4, []int{0, 0}, nil}, want{8, 4, []int{0, 0}, nil}},
		{"union_pointer_int", func(b *builder) int { return b.union(b.s(abi.Pointer), b.s(abi.Int32)) },
			want{4, 4, []int{0, 0}, nil}, want{8, 8, []int{0, 0}, nil}},
		{"union_wchar_array_shorts", func(b *builder) int {
			return b.union(fl{typ: b.array(b.scalar(abi.WChar), 3)}, fl{typ: b.array(b.scalar(abi.Uint16), 3)})
		}, want{6, 2, []int{0, 0}, nil}, want{6, 2, []int{0, 0}, nil}},
		{"union_pack1", func(b *builder) int { return b.record("union", 1, b.s(abi.Char), b.s(abi.Int32)) },
			want{4, 1, []int{0, 0}, nil}, want{4, 1, []int{0, 0}, nil}},
		{"array_of_structs", func(b *builder) int {
			inner := b.strct(b.s(abi.Char), b.s(abi.Int32))
			return b.strct(b.s(abi.Char), fl{typ: b.array(inner, 3)}, b.s(abi.Char))
		}, want{32, 4, []int{0, 4, 28}, nil}, want{32, 4, []int{0, 4, 28}, nil}},
		{"nested_double", func(b *builder) int {
			inner := b.strct(b.s(abi.Char), b.s(abi.Float64))
			return b.strct(b.s(abi.Char), fl{typ: inner}, b.s(abi.Char))
		}, want{32, 8, []int{0, 8, 24}, nil}, want{32, 8, []int{0, 8, 24}, nil}},
		{"nested_pointer", func(b *builder) int {
			inner := b.strct(b.s(abi.Char), b.s(abi.Pointer))
			return b.strct(b.s(abi.Int16), fl{typ: inner}, b.s(abi.Char))
		}, want{16, 4, []int{0, 4, 12}, nil}, want{32, 8, []int{0, 8, 24}, nil}},
		{"packed_inside_unpacked", func(b *builder) int {
			inner := b.packed(1, b.s(abi.Char), b.s(abi.Int32))
			return b.strct(b.s(abi.Char), fl{typ: inner}, b.s(abi.Int32))
		}, want{12, 4, []int{0, 1, 8}, nil}, want{12, 4, []int{0, 1, 8}, nil}},
		{"union_inside_struct", func(b *builder) int {
			u := b.union(b.s(abi.Char), b.s(abi.Float64))
			return b.strct(b.s(abi.Int32), fl{typ: u}, b.s(abi.Int16))
		}, want{24, 8, []int{0, 8, 16}, nil}, want{24, 8, []int{0, 8, 16}, nil}},
		{"array_2d", func(b *builder) int {
			return b.strct(b.s(abi.Char), fl{typ: b.array(b.array(b.scalar(abi.Int32), 2), 2)}, b.s(abi.Char))
		}, want{24, 4, []int{0, 4, 20}, nil}, want{24, 4, []int{0, 4, 20}, nil}},
		{"pointer_array", func(b *builder) int { return b.strct(b.s(abi.Char), fl{typ: b.array(b.scalar(abi.Pointer), 3)}) },
			want{16, 4, []int{0, 4}, nil}, want{32, 8, []int{0, 8}, nil}},
		{"empty", func(b *builder) int { return b.strct() },
			want{0, 1, []int{}, nil}, want{0, 1, []int{}, nil}},
		// Bitfields, MS rules: same-size declared types share a unit while the bits fit.
		{"bits_same_size", func(b *builder) int {
			return b.strct(b.bf(abi.Uint32, 3), b.bf(abi.Uint32, 7), b.bf(abi.Int32, 5), b.bf(abi.Uint8, 2))
		}, want{8, 4, []int{0, 0, 0, 4}, []int{0, 3, 10, 0}}, want{8, 4, []int{0, 0, 0, 4}, []int{0, 3, 10, 0}}},
		{"bits_exact_fill", func(b *builder) int {
			return b.strct(b.bf(abi.Uint32, 3), b.bf(abi.Uint32, 7), b.bf(abi.Int32, 5), b.bf(abi.Uint32, 17), b.bf(abi.Uint32, 1))
		}, want{8, 4, []int{0, 0, 0, 0, 4}, []int{0, 3, 10, 15, 0}}, want{8, 4, []int{0, 0, 0, 0, 4}, []int{0, 3, 10, 15, 0}}},
		{"bits_overflow", func(b *builder) int { return b.strct(b.bf(abi.Int32, 20), b.bf(abi.Int32, 20)) },
			want{8, 4, []int{0, 4}, []int{0, 0}}, want{8, 4, []int{0, 4}, []int{0, 0}}},
		{"bits_mixed_sizes", func(b *builder) int {
			return b.strct(b.bf(abi.Uint8, 4), b.bf(abi.Int32, 4), b.bf(abi.Uint8, 4))
		}, want{12, 4, []int{0, 4, 8}, []int{0, 0, 0}}, want{12, 4, []int{0, 4, 8}, []int{0, 0, 0}}},
		{"bits_short_run", func(b *builder) int {
			return b.strct(b.bf(abi.Uint16, 4), b.bf(abi.Int16, 9), b.bf(abi.Uint16, 5), b.s(abi.Char))
		}, want{6, 2, []int{0, 0, 2, 4}, []int{0, 4, 0, 0}}, want{6, 2, []int{0, 0, 2, 4}, []int{0, 4, 0, 0}}},
		{"bits_char_run", func(b *builder) int {
			return b.strct(b.bf(abi.Uint8, 3), b.bf(abi.Uint8, 5), b.bf(abi.Int8, 4), b.bf(abi.Uint8, 6))
		}, want{3, 1, []int{0, 0, 1, 2}, []int{0, 3, 0, 0}}, want{3, 1, []int{0, 0, 1, 2}, []int{0, 3, 0, 0}}},
		{"bits_longlong_int", func(b *builder) int { return b.strct(b.bf(abi.Int64, 1), b.bf(abi.Int32, 1)) },
			want{16, 8, []int{0, 8}, []int{0, 0}}, want{16, 8, []int{0, 8}, []int{0, 0}}},
		{"bits_longlong_run", func(b *builder) int {
			return b.strct(b.bf(abi.Uint64, 40), b.bf(abi.Int64, 30), b.bf(abi.Uint64, 10))
		}, want{16, 8, []int{0, 8, 8}, []int{0, 0, 30}}, want{16, 8, []int{0, 8, 8}, []int{0, 0, 30}}},
		{"bits_then_member", func(b *builder) int {
			return b.strct(b.bf(abi.Int32, 3), b.s(abi.Char), b.bf(abi.Uint32, 31), b.s(abi.Float64))
		}, want{24, 8, []int{0, 4, 8, 16}, []int{0, 0, 0, 0}}, want{24, 8, []int{0, 4, 8, 16}, []int{0, 0, 0, 0}}},
		{"bits_pack1", func(b *builder) int {
			return b.packed(1, b.s(abi.Char), b.bf(abi.Uint32, 5), b.bf(abi.Uint32, 30))
		}, want{9, 1, []int{0, 1, 5}, []int{0, 0, 0}}, want{9, 1, []int{0, 1, 5}, []int{0, 0, 0}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := newBuilder(t)
			typ := b.r.Get(c.build(b))
			for _, arch := range []struct {
				a *abi.Arch
				w want
			}{{abi.Win32, c.w32}, {abi.Win64, c.w64}} {
				l := typ.Layout(arch.a)
				if l.Size != arch.w.size || l.Align != arch.w.align {
					t.Errorf("%s: size %d align %d, want %d %d", arch.a.Name, l.Size, l.Align, arch.w.size, arch.w.align)
				}
				if len(l.Offsets) != len(arch.w.offs) || len(arch.w.offs) > 0 && !reflect.DeepEqual(l.Offsets, arch.w.offs) {
					t.Errorf("%s: offsets %v, want %v", arch.a.Name, l.Offsets, arch.w.offs)
				}
				wantBits := arch.w.bits
				if wantBits == nil {
					wantBits = make([]int, len(arch.w.offs))
				}
				if len(l.BitOffsets) != len(wantBits) || len(wantBits) > 0 && !reflect.DeepEqual(l.BitOffsets, wantBits) {
					t.Errorf("%s: bit offsets %v, want %v", arch.a.Name, l.BitOffsets, wantBits)
				}
			}
		})
	}
}

func TestScalarsAndArrays(t *testing.T) {
	cases := []struct {
		k                    abi.Kind
		size32, align32, s64 int
	}{
		{abi.Char, 1, 1, 1}, {abi.Int16, 2, 2, 2}, {abi.Int32, 4, 4, 4}, {abi.Float64, 8, 8, 8},
		{abi.Int64, 8, 8, 8}, {abi.WChar, 2, 2, 2}, {abi.Pointer, 4, 4, 8}, {abi.CharP, 4, 4, 8},
	}
	for _, c := range cases {
		b := newBuilder(t)
		id := b.scalar(c.k)
		typ := b.r.Get(id)
		if l := typ.Layout(abi.Win32); l.Size != c.size32 || l.Align != c.align32 {
			t.Errorf("win32 %v: %d/%d, want %d/%d", c.k, l.Size, l.Align, c.size32, c.align32)
		}
		if l := typ.Layout(abi.Win64); l.Size != c.s64 || l.Align != c.s64 {
			t.Errorf("win64 %v: %d/%d, want %d/%d", c.k, l.Size, l.Align, c.s64, c.s64)
		}
		arr := b.r.Get(b.array(id, 5))
		for _, a := range abi.Arches {
			if l := arr.Layout(a); l.Size != 5*typ.Layout(a).Size || l.Align != typ.Layout(a).Align {
				t.Errorf("%s %v[5]: %d/%d", a.Name, c.k, l.Size, l.Align)
			}
		}
	}
}

func TestPlanOps(t *testing.T) {
	b := newBuilder(t)
	// struct { char c; void *p; wchar_t w[4]; int i; }
	id := b.strct(b.s(abi.Char), b.s(abi.Pointer), fl{typ: b.array(b.scalar(abi.WChar), 4)}, b.s(abi.Int32))
	typ := b.r.Get(id)
	for _, c := range []struct {
		a           *abi.Arch
		ptrWin, wsW int
	}{{abi.Win32, 4, 8}, {abi.Win64, 8, 16}} {
		var kinds []layout.OpKind
		var ptr, ws *layout.Op
		plan := typ.Layout(c.a).Plan
		for i := range plan {
			kinds = append(kinds, plan[i].Kind)
			switch plan[i].Kind {
			case layout.OpPointer:
				ptr = &plan[i]
			case layout.OpWString:
				ws = &plan[i]
			}
		}
		if ptr == nil || ptr.Lin != 8 || ptr.Win != c.ptrWin || ptr.Type == nil {
			t.Fatalf("%s: pointer op %+v in %v", c.a.Name, ptr, kinds)
		}
		if ws == nil || ws.Lin != 16 || ws.Win != c.wsW || ws.N != 4 {
			t.Fatalf("%s: wstring op %+v in %v", c.a.Name, ws, kinds)
		}
	}
}

// roundTrip: struct { char c; wchar_t w; int a:3; int b:9; double d; wchar_t ws[4];
// short s; struct { char x; double y; } in; short m[2][2]; unsigned long long q; }
func TestPlanRoundTrip(t *testing.T) {
	b := newBuilder(t)
	inner := b.strct(b.s(abi.Char), b.s(abi.Float64))
	id := b.strct(b.s(abi.Char), b.s(abi.WChar), b.bf(abi.Int32, 3), b.bf(abi.Int32, 9), b.s(abi.Float64),
		fl{typ: b.array(b.scalar(abi.WChar), 4)}, b.s(abi.Int16), fl{typ: inner},
		fl{typ: b.array(b.array(b.scalar(abi.Int16), 2), 2)}, b.s(abi.Uint64))
	typ := b.r.Get(id)
	d := descOf(b, id)
	lin := make([]byte, typ.LinuxSize)
	f := d.Fields
	lin[f[0].Offset] = 'Z'
	binary.LittleEndian.PutUint32(lin[f[1].Offset:], 0xE9) // é
	unit := uint32(5)<<f[2].Bit | uint32(0x1A5)<<f[3].Bit  // a = -3 (0b101), b = -91 (0x1A5 in 9 bits)
	binary.LittleEndian.PutUint32(lin[f[2].Offset:], unit)
	binary.LittleEndian.PutUint64(lin[f[4].Offset:], math.Float64bits(-2.5e300))
	for i, r := range []rune{'a', 0x1F600, 'b', 0} {
		binary.LittleEndian.PutUint32(lin[f[5].Offset+4*i:], uint32(r))
	}
	binary.LittleEndian.PutUint16(lin[f[6].Offset:], 0xBEEF)
	lin[f[7].Offset] = 0x7F
	binary.LittleEndian.PutUint64(lin[f[7].Offset+8:], math.Float64bits(1.0/3))
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint16(lin[f[8].Offset+2*i:], uint16(0x1111*(i+1)))
	}
	binary.LittleEndian.PutUint64(lin[f[9].Offset:], 0xF00DFACE12345678)

	for _, a := range abi.Arches {
		l := typ.Layout(a)
		if l.Size != 64 || l.Align != 8 {
			t.Fatalf("%s: size %d align %d, want 64 8", a.Name, l.Size, l.Align)
		}
		// c@0 w@2 bits@4 d@8 ws@16 s@24 in@32 m@48 q@56
		if want := []int{0, 2, 4, 4, 8, 16, 24, 32, 48, 56}; !reflect.DeepEqual(l.Offsets, want) {
			t.Fatalf("%s: offsets %v, want %v", a.Name, l.Offsets, want)
		}
		win := make([]byte, l.Size)
		fail := func(op *layout.Op) error { t.Fatalf("pointer op in a plan without pointers"); return nil }
		if err := layout.ToWin(l.Plan, lin, win, fail); err != nil {
			t.Fatal(err)
		}
		want := make([]byte, 64)
		want[0] = 'Z'
		binary.LittleEndian.PutUint16(want[2:], 0xE9)
		binary.LittleEndian.PutUint32(want[4:], 5|0x1A5<<3)
		binary.LittleEndian.PutUint64(want[8:], math.Float64bits(-2.5e300))
		for i, u := range []uint16{'a', 0xD83D, 0xDE00, 'b'} {
			binary.LittleEndian.PutUint16(want[16+2*i:], u)
		}
		binary.LittleEndian.PutUint16(want[24:], 0xBEEF)
		want[32] = 0x7F
		binary.LittleEndian.PutUint64(want[40:], math.Float64bits(1.0/3))
		for i := 0; i < 4; i++ {
			binary.LittleEndian.PutUint16(want[48+2*i:], uint16(0x1111*(i+1)))
		}
		binary.LittleEndian.PutUint64(want[56:], 0xF00DFACE12345678)
		if !bytes.Equal(win, want) {
			t.Fatalf("%s: windows bytes\n got %x\nwant %x", a.Name, win, want)
		}
		back := make([]byte, typ.LinuxSize)
		if err := layout.ToLinux(l.Plan, win, back, fail); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back, lin) {
			t.Fatalf("%s: round trip\n got %x\nwant %x", a.Name, back, lin)
		}
	}
}

// descOf rebuilds the Linux field offsets of a registered structure from its Type.
func descOf(b *builder, id int) *layout.Desc {
	typ := b.r.Get(id)
	d := &layout.Desc{}
	for _, f := range typ.Fields {
		d.Fields = append(d.Fields, layout.FieldDesc{Name: f.Name, Offset: f.LinuxOff, Bit: f.LinuxBit, Bits: f.Bits})
	}
	return d
}

// A bitfield keeps other bits of its Windows unit and sign-extends nothing it should not.
func TestBitfieldPlanPreservesNeighbours(t *testing.T) {
	b := newBuilder(t)
	id := b.strct(b.bf(abi.Uint16, 4), b.bf(abi.Int16, 9), b.bf(abi.Uint16, 5))
	typ := b.r.Get(id)
	for _, a := range abi.Arches {
		l := typ.Layout(a)
		for v := 0; v < 1<<9; v += 37 {
			lin := make([]byte, typ.LinuxSize)
			binary.LittleEndian.PutUint16(lin[0:], uint16(0xF|v<<4))
			binary.LittleEndian.PutUint16(lin[2:], 0x15)
			win := make([]byte, l.Size)
			if err := layout.ToWin(l.Plan, lin, win, nil); err != nil {
				t.Fatal(err)
			}
			if got := binary.LittleEndian.Uint16(win); got != uint16(0xF|v<<4) {
				t.Fatalf("%s v=%d: unit 0 %#x", a.Name, v, got)
			}
			if got := binary.LittleEndian.Uint16(win[2:]); got != 0x15 {
				t.Fatalf("%s v=%d: unit 1 %#x", a.Name, v, got)
			}
			back := make([]byte, typ.LinuxSize)
			if err := layout.ToLinux(l.Plan, win, back, nil); err != nil || !bytes.Equal(back, lin) {
				t.Fatalf("%s v=%d: back %x, want %x (%v)", a.Name, v, back, lin, err)
			}
		}
	}
}

func TestArrayOfStructsPlan(t *testing.T) {
	b := newBuilder(t)
	inner := b.strct(b.s(abi.Char), b.s(abi.WChar)) // Linux 8, Windows 4
	id := b.array(inner, 3)
	typ := b.r.Get(id)
	lin := []byte{'a', 0, 0, 0, 0x41, 0x04, 0, 0, 'b', 0, 0, 0, 0x42, 0, 0, 0, 'c', 0, 0, 0, 0xFF, 0xFF, 0, 0}
	for _, a := range abi.Arches {
		l := typ.Layout(a)
		win := make([]byte, l.Size)
		if err := layout.ToWin(l.Plan, lin, win, nil); err != nil {
			t.Fatal(err)
		}
		if want := []byte{'a', 0, 0x41, 0x04, 'b', 0, 0x42, 0, 'c', 0, 0xFF, 0xFF}; !bytes.Equal(win, want) {
			t.Fatalf("%s: %x, want %x", a.Name, win, want)
		}
		back := make([]byte, len(lin))
		if err := layout.ToLinux(l.Plan, win, back, nil); err != nil || !bytes.Equal(back, lin) {
			t.Fatalf("%s: back %x (%v)", a.Name, back, err)
		}
	}
}

func TestSelfReferenceBind(t *testing.T) {
	b := newBuilder(t)
	p := b.ptr(-1)
	node := b.strct(b.s(abi.Int32), fl{typ: p})
	if err := b.r.Bind(p, node); err != nil {
		t.Fatal(err)
	}
	if b.r.Get(p).Elem != b.r.Get(node) {
		t.Fatal("pointer not bound to the node type")
	}
	if err := b.r.Bind(p, node); err == nil {
		t.Fatal("binding a bound pointer twice succeeded")
	}
	if err := b.r.Bind(node, node); err == nil {
		t.Fatal("binding a structure as a pointer succeeded")
	}
	if l := b.r.Get(node).Layout(abi.Win32); l.Size != 8 || l.Offsets[1] != 4 {
		t.Fatalf("win32 node: %+v", l)
	}
	if l := b.r.Get(node).Layout(abi.Win64); l.Size != 16 || l.Offsets[1] != 8 {
		t.Fatalf("win64 node: %+v", l)
	}
}

func TestBadDescriptions(t *testing.T) {
	r := &layout.Registry{}
	i32, err := r.Add(&layout.Desc{Class: "simple", Kind: int(abi.Int32), Size: 4, Align: 4})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		d    layout.Desc
		msg  string
	}{
		{"class", layout.Desc{Class: "enum"}, "unknown type class"},
		{"negative", layout.Desc{Class: "struct", Size: -1}, "negative"},
		{"void", layout.Desc{Class: "simple", Kind: int(abi.Void), Size: 1}, "bad simple kind"},
		{"simple size", layout.Desc{Class: "simple", Kind: int(abi.Int32), Size: 3}, "simple type of 3 bytes"},
		{"pointer size", layout.Desc{Class: "pointer", Elem: -1, Size: 4}, "pointer of 4 bytes"},
		{"pointer elem", layout.Desc{Class: "pointer", Elem: 99, Size: 8}, "unknown type 99"},
		{"array elem", layout.Desc{Class: "array", Elem: 42, Len: 1, Size: 4}, "unknown type 42"},
		{"array size", layout.Desc{Class: "array", Elem: i32, Len: 3, Size: 8}, "cannot be 8 bytes"},
		{"field type", layout.Desc{Class: "struct", Size: 4, Fields: []layout.FieldDesc{{Name: "x", Type: 7}}}, "unknown type 7"},
		{"field outside", layout.Desc{Class: "struct", Size: 4, Fields: []layout.FieldDesc{{Name: "x", Type: i32, Offset: 2}}}, "outside"},
		{"bits wide", layout.Desc{Class: "struct", Size: 4, Fields: []layout.FieldDesc{{Name: "x", Type: i32, Bits: 33}}}, "bad bitfield"},
		{"bit pos", layout.Desc{Class: "struct", Size: 4, Fields: []layout.FieldDesc{{Name: "x", Type: i32, Bits: 3, Bit: 64}}}, "bad bitfield"},
	}
	for _, c := range cases {
		d := c.d
		if _, err := r.Add(&d); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.msg)
		}
	}
	if r.Get(-1) != nil || r.Get(1) != nil {
		t.Error("Get of an unregistered id returned a type")
	}
}
