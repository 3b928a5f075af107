package session

import (
	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// CallSpec describes one call.
type CallSpec struct {
	Fn    uint64
	Conv  abi.Conv
	Ret   abi.Kind
	Deref uint8 // wire.DerefNone, DerefCStr, DerefWStr
	Args  []abi.Arg
	// LastError is set as the thread's Windows LastError before the routine runs.
	LastError uint32
	SRet      *abi.StructRet // a structure result, or nil
	// Prepare, if set, runs before the arguments are packed: it adds the regions that
	// typed arguments (abi.Typed, abi.Struct) and SRet refer to (core/marshal).
	Prepare func(call *wire.Call) error
}

// Call performs a call. done runs with the reply while the session is still locked: the
// reply (and its Out regions) is only valid inside it. A Windows exception the routine
// left unhandled is returned as *ExceptionError after done has seen the reply.
func (ch *Chan) Call(spec *CallSpec, done func(*wire.CallReply) error) error {
	s := ch.s
	call := &ch.call
	*call = wire.Call{Fn: spec.Fn, Deref: spec.Deref, LastError: spec.LastError, Words: call.Words[:0],
		Regions: call.Regions[:0], Patches: call.Patches[:0]}
	if spec.Prepare != nil {
		if err := spec.Prepare(call); err != nil {
			return err
		}
	}
	if err := s.ABI.Pack(call, spec.Conv, spec.Ret, spec.Args, spec.SRet); err != nil {
		return err
	}
	if err := ch.request("call", wire.TCall, call, wire.TCallReply, &ch.reply, nil); err != nil {
		return err
	}
	if err := done(&ch.reply); err != nil {
		return err
	}
	if rep := &ch.reply; rep.Exception != 0 {
		return &ExceptionError{Code: rep.Exception, Addr: rep.ExcInfo[0],
			Info: [2]uint64{rep.ExcInfo[1], rep.ExcInfo[2]}, PtrSize: s.ABI.PtrSize}
	}
	return nil
}
