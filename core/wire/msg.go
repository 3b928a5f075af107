package wire

import "fmt"

// Version is the protocol version; client and server must agree on it at the handshake.
const Version = 1

// Type is the first byte of a frame body.
type Type uint8

// Frame types. A request from the client is answered by the matching reply or by Error.
const (
	THello         Type = 1 + iota // server -> client, once at start: Hello
	TError                         // reply: Error
	TLoad                          // Load -> Handle
	TSym                           // Sym -> Handle
	TFree                          // Free -> Handle (zero)
	TCall                          // Call -> CallReply
	TQuit                          // Quit (no reply; the server exits)
	THandle                        // reply: Handle
	TCallReply                     // reply: CallReply
	TReadMem                       // ReadMem -> Blob
	TBlob                          // reply: Blob
	TOutput                        // server -> client: Output (DLL writes to stdout)
	TCallbackNew                   // CallbackNew -> Handle (the entry point's address)
	TCallbackFree                  // CallbackFree -> Handle (zero)
	TCallback                      // server -> client: Callback, answered by CallbackReply
	TCallbackReply                 // client -> server: CallbackReply
	TDoorbell                      // either way, no payload: a frame waits in the channel\'s mailbox
	TEndThread                     // Quit (empty) -> Handle (zero); the channel's server thread ends
)

var typeNames = [...]string{"?", "hello", "error", "load", "sym", "free", "call", "quit",
	"handle", "call-reply", "read-mem", "blob", "output", "callback-new", "callback-free",
	"callback", "callback-reply", "doorbell", "end-thread"}

func (t Type) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Msg is a payload that can encode and decode itself.
type Msg interface {
	Encode(w *Writer)
	Decode(r *Reader)
}

// Hello is the server's greeting.
type Hello struct {
	Version uint32
	Arch    string // "win32" or "win64": what the server was built for
	PID     uint32 // Windows process id
}

func (m *Hello) Encode(w *Writer) { w.U32(m.Version); w.String(m.Arch); w.U32(m.PID) }
func (m *Hello) Decode(r *Reader) { m.Version = r.U32(); m.Arch = r.String(); m.PID = r.U32() }

// Error kinds, so the client can raise what ctypes would.
const (
	ErrOther   uint32 = iota // a server-side failure
	ErrLoad                  // LoadLibrary failed (Windows error in Code)
	ErrSym                   // symbol not found
	ErrRequest               // malformed request
)

// Error is a failed request: Kind says which, Code carries a Windows error code if any.
type Error struct {
	Kind uint32
	Code uint32
	Msg  string
}

func (m *Error) Encode(w *Writer) { w.U32(m.Kind); w.U32(m.Code); w.String(m.Msg) }
func (m *Error) Decode(r *Reader) { m.Kind = r.U32(); m.Code = r.U32(); m.Msg = r.String() }
func (m *Error) Error() string    { return m.Msg }

// Load asks the server to load a DLL by name or Windows path.
type Load struct {
	Name string
}

func (m *Load) Encode(w *Writer) { w.String(m.Name) }
func (m *Load) Decode(r *Reader) { m.Name = r.String() }

// Sym looks up an exported routine or variable by name, or by ordinal when Name is empty.
type Sym struct {
	Lib     uint64
	Name    string
	Ordinal uint32
}

func (m *Sym) Encode(w *Writer) { w.U64(m.Lib); w.String(m.Name); w.U32(m.Ordinal) }
func (m *Sym) Decode(r *Reader) { m.Lib = r.U64(); m.Name = r.String(); m.Ordinal = r.U32() }

// Free unloads a DLL.
type Free struct {
	Lib uint64
}

func (m *Free) Encode(w *Writer) { w.U64(m.Lib) }
func (m *Free) Decode(r *Reader) { m.Lib = r.U64() }

// Handle is a reply carrying one server-side value (module handle, address).
type Handle struct {
	Value uint64
}

func (m *Handle) Encode(w *Writer) { w.U64(m.Value) }
func (m *Handle) Decode(r *Reader) { m.Value = r.U64() }

// Quit asks the server to exit (TQuit), or a channel's server thread to end (TEndThread:
// its Python thread has ended; the channel's next frame starts a new one).
type Quit struct{}

func (m *Quit) Encode(w *Writer) {}
func (m *Quit) Decode(r *Reader) {}

// ReadMem reads Size bytes at Addr in the server, or up to the first NUL (Wide: the first
// 16-bit NUL) when Size is 0.
type ReadMem struct {
	Addr uint64
	Size uint32
	Wide bool
}

func (m *ReadMem) Encode(w *Writer) { w.U64(m.Addr); w.U32(m.Size); w.U8(b2u(m.Wide)) }
func (m *ReadMem) Decode(r *Reader) { m.Addr = r.U64(); m.Size = r.U32(); m.Wide = r.U8() != 0 }

// Blob is a reply carrying bytes.
type Blob struct {
	Data []byte
}

func (m *Blob) Encode(w *Writer) { w.Bytes(m.Data) }
func (m *Blob) Decode(r *Reader) { m.Data = r.Bytes() }

// Output is text a DLL wrote to its standard output.
type Output struct {
	Data []byte
}

func (m *Output) Encode(w *Writer) { w.Bytes(m.Data) }
func (m *Output) Decode(r *Reader) { m.Data = r.Bytes() }

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}
