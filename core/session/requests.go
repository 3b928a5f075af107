package session

import (
	"fmt"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// request runs one exchange and decodes the reply into rep, turning Error frames into
// errors via onErr.
func (ch *Chan) request(op string, t wire.Type, m wire.Msg, want wire.Type, rep wire.Msg,
	onErr func(*wire.Error) error) error {
	s := ch.s
	f, err := ch.exchange(op, t, m)
	if err != nil {
		return err
	}
	switch f.Type {
	case want:
		if err := f.Decode(rep); err != nil {
			return s.fail(op, err)
		}
		return nil
	case wire.TError:
		var e wire.Error
		if err := f.Decode(&e); err != nil {
			return s.fail(op, err)
		}
		if onErr != nil && e.Kind != wire.ErrRequest {
			return onErr(&e)
		}
		return &ServerError{Op: op, Msg: e.Msg}
	default:
		return s.fail(op, fmt.Errorf("unexpected %v frame", f.Type))
	}
}

// Load loads a DLL by name or Windows path and returns its module handle.
func (ch *Chan) Load(name string) (uint64, error) {
	var h wire.Handle
	err := ch.request("load", wire.TLoad, &wire.Load{Name: name}, wire.THandle, &h,
		func(e *wire.Error) error { return &LoadError{Name: name, Code: e.Code, Msg: e.Msg} })
	return h.Value, err
}

// Sym resolves an export by name, or by ordinal when name is "".
func (ch *Chan) Sym(lib uint64, name string, ordinal uint32) (uint64, error) {
	var h wire.Handle
	label := name
	if name == "" {
		label = fmt.Sprintf("ordinal %d", ordinal)
	}
	err := ch.request("symbol", wire.TSym, &wire.Sym{Lib: lib, Name: name, Ordinal: ordinal}, wire.THandle, &h,
		func(e *wire.Error) error { return &SymbolError{Name: label, Code: e.Code, Msg: e.Msg} })
	return h.Value, err
}

// Free unloads a DLL.
func (ch *Chan) Free(lib uint64) error {
	var h wire.Handle
	return ch.request("free", wire.TFree, &wire.Free{Lib: lib}, wire.THandle, &h,
		func(e *wire.Error) error { return &LoadError{Name: fmt.Sprintf("%#x", lib), Code: e.Code, Msg: e.Msg} })
}

// ReadMem reads size bytes at a server address, or a NUL-terminated string when size is 0.
func (ch *Chan) ReadMem(addr uint64, size uint32, wide bool) ([]byte, error) {
	var b wire.Blob
	err := ch.request("read memory", wire.TReadMem, &wire.ReadMem{Addr: addr, Size: size, Wide: wide},
		wire.TBlob, &b, func(e *wire.Error) error { return &ServerError{Op: "read memory", Msg: e.Msg} })
	return append([]byte(nil), b.Data...), err
}

// NewCallback creates a native entry point in the server for a callback signature.
func (ch *Chan) NewCallback(sig *wire.CallbackNew) (uint64, error) {
	var h wire.Handle
	err := ch.request("callback", wire.TCallbackNew, sig, wire.THandle, &h,
		func(e *wire.Error) error { return &ServerError{Op: "callback", Msg: e.Msg} })
	return h.Value, err
}

// FreeCallback releases an entry point.
func (ch *Chan) FreeCallback(addr uint64) error {
	var h wire.Handle
	return ch.request("callback", wire.TCallbackFree, &wire.CallbackFree{Addr: addr}, wire.THandle, &h, nil)
}
