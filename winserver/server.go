//go:build windows

package main

import (
	"fmt"

	"github.com/zugbruecke/zugbruecke/core/wire"
)

// server answers requests. Each request is answered on the channel it came on.
type server struct {
	out *frameWriter
}

func newServer(out *frameWriter) *server { return &server{out: out} }

func (s *server) fail(ch uint32, kind, code uint32, format string, args ...any) {
	s.out.send(wire.TError, ch, &wire.Error{Kind: kind, Code: code, Msg: fmt.Sprintf(format, args...)})
}

func (s *server) handle(ch *channel, f wire.Frame) {
	switch f.Type {
	case wire.TLoad:
		var m wire.Load
		if err := f.Decode(&m); err != nil {
			s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: %v", err)
			return
		}
		h, err := loadLibrary(m.Name)
		if err != nil {
			code := errorCode(err)
			s.fail(f.Channel, wire.ErrLoad, code, "%s", formatMessage(code))
			return
		}
		s.out.send(wire.THandle, f.Channel, &wire.Handle{Value: uint64(h)})
	case wire.TSym:
		var m wire.Sym
		if err := f.Decode(&m); err != nil {
			s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: %v", err)
			return
		}
		a, err := getProcAddress(uintptr(m.Lib), m.Name, m.Ordinal)
		if err != nil {
			code := errorCode(err)
			s.fail(f.Channel, wire.ErrSym, code, "%s", formatMessage(code))
			return
		}
		s.out.send(wire.THandle, f.Channel, &wire.Handle{Value: uint64(a)})
	case wire.TFree:
		var m wire.Free
		if err := f.Decode(&m); err != nil {
			s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: %v", err)
			return
		}
		if err := freeLibrary(uintptr(m.Lib)); err != nil {
			code := errorCode(err)
			s.fail(f.Channel, wire.ErrOther, code, "%s", formatMessage(code))
			return
		}
		s.out.send(wire.THandle, f.Channel, &wire.Handle{})
	case wire.TReadMem:
		var m wire.ReadMem
		if err := f.Decode(&m); err != nil {
			s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: %v", err)
			return
		}
		data, ok := readMem(uintptr(m.Addr), m.Size, m.Wide)
		if !ok {
			s.fail(f.Channel, wire.ErrOther, errorNoAccess,
				"zb-server: cannot read memory at %#x", m.Addr)
			return
		}
		s.out.send(wire.TBlob, f.Channel, &wire.Blob{Data: data})
	case wire.TCall:
		ctx := ch.enter()
		rep, err := ctx.run(f)
		if err != nil {
			ctx.busy = false
			s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: %v", err)
			return
		}
		s.out.send(wire.TCallReply, f.Channel, rep)
		ctx.busy = false
		if rep.Exception == excStackOverflow {
			ch.overflowed = true
		}
	case wire.TCallbackNew:
		var m wire.CallbackNew
		if err := f.Decode(&m); err != nil {
			s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: %v", err)
			return
		}
		addr, err := callbacks.alloc(&m)
		if err != nil {
			s.fail(f.Channel, wire.ErrOther, 0, "%v", err)
			return
		}
		s.out.send(wire.THandle, f.Channel, &wire.Handle{Value: uint64(addr)})
	case wire.TCallbackFree:
		var m wire.CallbackFree
		if err := f.Decode(&m); err != nil {
			s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: %v", err)
			return
		}
		callbacks.release(uintptr(m.Addr))
		s.out.send(wire.THandle, f.Channel, &wire.Handle{})
	default:
		s.fail(f.Channel, wire.ErrRequest, 0, "zb-server: unexpected %v frame", f.Type)
	}
}
