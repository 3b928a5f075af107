package wire

// Callbacks: a native entry point in the server that a DLL calls like any C function
// pointer; each invocation becomes a Callback frame to the client on the channel of the
// thread the DLL called from, answered by a CallbackReply. While the client runs the
// Python function it may send further requests on the same channel; the server runs them
// on the same thread, nested, before the reply arrives.

// CallbackArg describes one argument of a callback signature.
type CallbackArg struct {
	Kind  uint8  // abi.Kind
	Deref uint8  // DerefNone, DerefCStr, DerefWStr: send the string the argument points to
	Size  uint32 // bytes the argument points to that travel to Python and back (0: none);
	//             for abi.Struct arguments passed by value, the structure's size
}

// CallbackNew creates a native entry point; the reply is a Handle with its address.
type CallbackNew struct {
	Conv uint8 // abi.Conv
	Ret  uint8 // abi.Kind of the result
	Args []CallbackArg
}

func (m *CallbackNew) Encode(w *Writer) {
	w.U8(m.Conv)
	w.U8(m.Ret)
	w.U32(uint32(len(m.Args)))
	for _, a := range m.Args {
		w.U8(a.Kind)
		w.U8(a.Deref)
		w.U32(a.Size)
	}
}

func (m *CallbackNew) Decode(r *Reader) {
	m.Conv = r.U8()
	m.Ret = r.U8()
	m.Args = make([]CallbackArg, r.Count(6))
	for i := range m.Args {
		m.Args[i] = CallbackArg{Kind: r.U8(), Deref: r.U8(), Size: r.U32()}
	}
}

// CallbackFree releases the entry point at Addr; the slot is reused later.
type CallbackFree struct {
	Addr uint64
}

func (m *CallbackFree) Encode(w *Writer) { w.U64(m.Addr) }
func (m *CallbackFree) Decode(r *Reader) { m.Addr = r.U64() }

// Callback is one invocation: the entry point, the argument values as integers (float
// arguments as float64 bits), and for each argument the memory it points to (empty when
// none travels) or the string it points to.
type Callback struct {
	Addr uint64
	Args []uint64
	Mem  [][]byte
}

func (m *Callback) Encode(w *Writer) {
	w.U64(m.Addr)
	w.U32(uint32(len(m.Args)))
	for _, v := range m.Args {
		w.U64(v)
	}
	w.U32(uint32(len(m.Mem)))
	for _, b := range m.Mem {
		w.Bytes(b)
	}
}

func (m *Callback) Decode(r *Reader) {
	m.Addr = r.U64()
	m.Args = make([]uint64, r.Count(8))
	for i := range m.Args {
		m.Args[i] = r.U64()
	}
	m.Mem = make([][]byte, r.Count(4))
	for i := range m.Mem {
		m.Mem[i] = r.Bytes()
	}
}

// CallbackReply is the result of a callback (float results as float64 bits) and the
// memory its arguments point to, as Python left it (same shape as Callback.Mem; an empty
// entry writes nothing).
type CallbackReply struct {
	Result uint64
	Mem    [][]byte
}

func (m *CallbackReply) Encode(w *Writer) {
	w.U64(m.Result)
	w.U32(uint32(len(m.Mem)))
	for _, b := range m.Mem {
		w.Bytes(b)
	}
}

func (m *CallbackReply) Decode(r *Reader) {
	m.Result = r.U64()
	m.Mem = make([][]byte, r.Count(4))
	for i := range m.Mem {
		m.Mem[i] = r.Bytes()
	}
}
