package wire

// Call asks the server to call the routine at Fn.
//
// Words is the argument area exactly as the callee expects it, built by core/abi: on win32
// the 32-bit stack words pushed right to left (values in the low 32 bits of each entry);
// on win64 the 64-bit slots, of which the first four also go to RCX/RDX/R8/R9 and
// XMM0-XMM3. Regions is memory the call points into (strings, buffers, structures): the
// server places each region in its own memory and applies Patches, which write a region's
// server address (plus an offset) into a word or into another region. Regions flagged
// RegionOut are sent back in the reply, in order.
type Call struct {
	Fn    uint64
	Conv  uint8 // abi.Conv: cdecl, stdcall (win32); win64 has one convention
	Ret   uint8 // abi.RetClass: where the result is: integer registers, x87/XMM0
	Deref uint8 // DerefNone, or read the string the result points to into RetData
	// LastError is the thread's Windows LastError when the routine starts.
	LastError uint32
	Words     []uint64
	Regions   []Region
	Patches   []Patch
}

// Deref values: what the server reads at the address a routine returned.
const (
	DerefNone uint8 = iota
	DerefCStr       // NUL-terminated char string
	DerefWStr       // NUL-terminated UTF-16 string (bytes, without the terminator)
)

// Region flags.
const (
	RegionOut   uint8 = 1 << iota // send the region back after the call
	RegionFixed                   // the region is server memory at Addr (DLL memory Python mirrors)
)

// Region is memory placed in the server for the duration of one call, or, with
// RegionFixed, written to server memory at Addr before the call (and read back after).
type Region struct {
	Flags uint8
	Addr  uint64
	Data  []byte
}

// Patch targets besides a region index.
const (
	// PatchWord: Pos indexes Words; the word receives the region's address plus Offset.
	PatchWord = ^uint32(0)
	// PatchWordLoad: Pos indexes Words; the word receives the pointer-sized value stored in
	// the region at Offset (structures passed by value in registers or stack words).
	PatchWordLoad = ^uint32(1)
)

// Patch writes the server address of Regions[Region] plus Offset at a word or inside a
// region (pointer-sized for the server's arch), or loads a word from a region. Patches
// apply in order, so loads placed after the patches of their region see final bytes.
type Patch struct {
	Target uint32
	Pos    uint32
	Region uint32
	Offset uint32
}

func (m *Call) Encode(w *Writer) {
	w.U64(m.Fn)
	w.U8(m.Conv)
	w.U8(m.Ret)
	w.U8(m.Deref)
	w.U32(m.LastError)
	w.U32(uint32(len(m.Words)))
	for _, v := range m.Words {
		w.U64(v)
	}
	w.U32(uint32(len(m.Regions)))
	for i := range m.Regions {
		w.U8(m.Regions[i].Flags)
		w.U64(m.Regions[i].Addr)
		w.Bytes(m.Regions[i].Data)
	}
	w.U32(uint32(len(m.Patches)))
	for _, p := range m.Patches {
		w.U32(p.Target)
		w.U32(p.Pos)
		w.U32(p.Region)
		w.U32(p.Offset)
	}
}

func (m *Call) Decode(r *Reader) {
	m.Fn = r.U64()
	m.Conv = r.U8()
	m.Ret = r.U8()
	m.Deref = r.U8()
	m.LastError = r.U32()
	m.Words = make([]uint64, r.Count(8))
	for i := range m.Words {
		m.Words[i] = r.U64()
	}
	m.Regions = make([]Region, r.Count(13))
	for i := range m.Regions {
		m.Regions[i].Flags = r.U8()
		m.Regions[i].Addr = r.U64()
		m.Regions[i].Data = r.Bytes()
	}
	m.Patches = make([]Patch, r.Count(16))
	for i := range m.Patches {
		m.Patches[i] = Patch{r.U32(), r.U32(), r.U32(), r.U32()}
	}
}

// CallReply is the outcome of a Call.
//
// Int holds EAX (low) and EDX (high) on win32, RAX on win64. Float holds ST(0) as a float64
// on win32 and the raw bits of XMM0 on win64, when the call's RetClass asked for them.
// Popped is the number of argument bytes the callee removed from the stack (win32), for
// diagnostics: CPython 3.11's ctypes no longer turns a mismatch into an error.
// Exception is a Windows exception code caught inside the call (0: none), with the
// faulting address and access information in ExcInfo.
type CallReply struct {
	Int       uint64
	Float     uint64
	LastError uint32
	Popped    int32
	Exception uint32
	ExcInfo   [3]uint64
	Out       [][]byte
	Bases     []uint64 // server address of every region, in order
	RetData   []byte   // the string the result points to (Call.Deref), nil for NULL
}

func (m *CallReply) Encode(w *Writer) {
	w.U64(m.Int)
	w.U64(m.Float)
	w.U32(m.LastError)
	w.I32(m.Popped)
	w.U32(m.Exception)
	for _, v := range m.ExcInfo {
		w.U64(v)
	}
	w.U32(uint32(len(m.Out)))
	for _, b := range m.Out {
		w.Bytes(b)
	}
	w.U32(uint32(len(m.Bases)))
	for _, v := range m.Bases {
		w.U64(v)
	}
	w.U8(b2u(m.RetData != nil))
	w.Bytes(m.RetData)
}

func (m *CallReply) Decode(r *Reader) {
	m.Int = r.U64()
	m.Float = r.U64()
	m.LastError = r.U32()
	m.Popped = r.I32()
	m.Exception = r.U32()
	for i := range m.ExcInfo {
		m.ExcInfo[i] = r.U64()
	}
	m.Out = make([][]byte, r.Count(4))
	for i := range m.Out {
		m.Out[i] = r.Bytes()
	}
	m.Bases = make([]uint64, r.Count(8))
	for i := range m.Bases {
		m.Bases[i] = r.U64()
	}
	present := r.U8() != 0
	m.RetData = r.Bytes()
	if present && m.RetData == nil {
		m.RetData = []byte{}
	} else if !present {
		m.RetData = nil
	}
}
