//go:build windows

package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"sync"
	"syscall"
	"unsafe"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// Callbacks, server side:
//
//  1. CallbackNew takes a free slot: a 16-byte native stub `mov eax, slot; jmp
//     zb_cb_entry` in a block of executable memory. Its address is the C function
//     pointer the DLL gets. Slots are reused after CallbackFree, so a program can create
//     and drop any number of callbacks; only live ones hold a slot.
//  2. The DLL calls the stub; zb_cb_entry (native/thunk_<arch>.S) gathers the argument
//     area and float registers into a cbFrame and calls dispatch, the one Go function
//     made with syscall.NewCallback (no float arguments are needed there).
//  3. dispatch decodes the arguments by the slot's signature, reads the memory they
//     point to, sends a Callback frame on the channel of the current thread (a new
//     asynchronous channel for threads the DLL created) and processes that channel's
//     frames until the CallbackReply comes: calls made by the Python callback run here,
//     nested, on the same thread.
//  4. The reply's memory is written back, the result stored in the cbFrame, and the stub
//     returns it in EAX:EDX / RAX, ST(0) or XMM0, popping stdcall arguments on win32.

// cbFrame (callback_<arch>.go) is shared with zb_cb_entry, which reads it through the
// generated native/zoffsets_<arch>.h; offsets 386 / amd64:
//
//	slotIndex 0 /  0
//	args      4 /  8   address of the first argument word / slot
//	xmm       - / 16   XMM0-3 on entry (amd64)
//	r1, r2    8 / 48   (r2 at 12 on 386; unused on amd64)
//	f        16 / 56   float result (double bits; float32 bits in the low half on amd64)
//	pop      24 / 64   argument bytes the entry removes on return (386 stdcall)
//	retFloat 28 / 72   non-zero: load f into ST(0) (386)

const (
	stubSize     = 16
	stubsInBlock = 4096
)

type cbSlot struct {
	addr uintptr
	sig  *wire.CallbackNew
}

type callbackTable struct {
	mu     sync.Mutex
	s      *server
	slots  []cbSlot
	free   []int
	byAddr map[uintptr]int
	entry  uintptr
}

var callbacks callbackTable

func (t *callbackTable) init(s *server) {
	t.s = s
	t.byAddr = map[uintptr]int{}
	t.entry = nativeBase + offCbEntry
	fn := syscall.NewCallback(dispatch)
	*(*uintptr)(at(nativeBase + offCbDispatch)) = fn
}

// alloc returns the entry point of a new callback with signature sig.
func (t *callbackTable) alloc(sig *wire.CallbackNew) (uintptr, error) {
	for _, a := range sig.Args {
		if !abi.Kind(a.Kind).Valid() || abi.Kind(a.Kind) == abi.Void {
			return 0, fmt.Errorf("zb-server: callback argument of kind %d", a.Kind)
		}
	}
	if !abi.Kind(sig.Ret).Valid() || abi.Kind(sig.Ret) == abi.Struct {
		return 0, fmt.Errorf("zb-server: callback result of kind %d", sig.Ret)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.free) == 0 {
		if err := t.grow(); err != nil {
			return 0, err
		}
	}
	i := t.free[len(t.free)-1]
	t.free = t.free[:len(t.free)-1]
	t.slots[i].sig = sig
	t.byAddr[t.slots[i].addr] = i
	return t.slots[i].addr, nil
}

// grow adds a block of stubs.
func (t *callbackTable) grow() error {
	size := uintptr(stubSize * stubsInBlock)
	base, err := virtualAlloc(0, size, memCommit|memReserve, pageExecuteReadWrite)
	if err != nil {
		return fmt.Errorf("%w, for callback stubs", err)
	}
	code := unsafe.Slice((*byte)(at(base)), size)
	first := len(t.slots)
	for k := 0; k < stubsInBlock; k++ {
		slot := first + k
		stub := code[k*stubSize : (k+1)*stubSize]
		stub[0] = 0xB8 // mov eax, imm32
		binary.LittleEndian.PutUint32(stub[1:], uint32(slot))
		stub[5] = 0xE9 // jmp rel32
		next := base + uintptr(k*stubSize+10)
		binary.LittleEndian.PutUint32(stub[6:], uint32(int32(int64(t.entry)-int64(next))))
		t.slots = append(t.slots, cbSlot{addr: base + uintptr(k*stubSize)})
	}
	for k := stubsInBlock - 1; k >= 0; k-- {
		t.free = append(t.free, first+k)
	}
	flushInstructionCache(currentProcess, base, size)
	return nil
}

func (t *callbackTable) release(addr uintptr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if i, ok := t.byAddr[addr]; ok {
		delete(t.byAddr, addr)
		t.slots[i].sig = nil
		t.free = append(t.free, i)
	}
}

func (t *callbackTable) signature(slot uintptr) (*wire.CallbackNew, uintptr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if int(slot) >= len(t.slots) {
		return nil, 0
	}
	return t.slots[slot].sig, t.slots[slot].addr
}

// dispatch runs for every callback invocation, on the thread the DLL called from.
func dispatch(frame uintptr) uintptr {
	f := cbView(frame)
	sig, addr := callbacks.signature(f.slot())
	if sig == nil {
		fmt.Fprintln(os.Stderr, "zb-server: a DLL called a callback that was freed")
		f.setResult(abi.Void, 0, 0)
		return 0
	}
	ch := threadChannel()
	msg := &wire.Callback{Addr: uint64(addr)}
	ptrs := make([]uintptr, len(sig.Args))
	words := f.decodeArgs(sig, msg, ptrs)
	s := callbacks.s
	s.out.send(wire.TCallback, ch.id, msg)
	for {
		fr := ch.next()
		if fr.Type != wire.TCallbackReply {
			s.handle(ch, fr)
			continue
		}
		var rep wire.CallbackReply
		if err := fr.Decode(&rep); err != nil {
			fmt.Fprintln(os.Stderr, "zb-server: callback reply:", err)
			rep = wire.CallbackReply{}
		}
		for i, b := range rep.Mem {
			if i < len(ptrs) && ptrs[i] != 0 && len(b) > 0 && int(sig.Args[i].Size) == len(b) && writable(ptrs[i], uintptr(len(b))) {
				copy(unsafe.Slice((*byte)(at(ptrs[i])), len(b)), b)
			}
		}
		f.setResult(abi.Kind(sig.Ret), rep.Result, popBytes(sig, words))
		return 0
	}
}

// threadChannel is the channel of the calling thread; threads the DLL made get one.
func threadChannel() *channel {
	tid := currentThreadID()
	if ch, ok := byThread.Load(tid); ok {
		return ch.(*channel)
	}
	ch := callbacks.s.channelFor(asyncChannel | tid)
	byThread.Store(tid, ch)
	return ch
}

// argMem reads what a callback argument points to (the string, or Size bytes).
func argMem(a wire.CallbackArg, p uintptr) []byte {
	if p == 0 {
		return nil
	}
	if a.Deref != wire.DerefNone {
		b, ok := readMem(p, 0, a.Deref == wire.DerefWStr)
		if !ok {
			return nil
		}
		return b
	}
	if a.Size > 0 {
		b, ok := readMem(p, a.Size, false)
		if !ok {
			return nil
		}
		return b
	}
	return nil
}

// floatBits returns float64 bits for a float argument found as raw bits of its kind.
func floatBits(k abi.Kind, raw uint64) uint64 {
	if k == abi.Float32 {
		return math.Float64bits(float64(math.Float32frombits(uint32(raw))))
	}
	return raw
}

func popBytes(sig *wire.CallbackNew, words int) uintptr {
	if abi.Conv(sig.Conv) == abi.StdCall && thisABI.CalleePops {
		return uintptr(words * thisABI.SlotSize)
	}
	return 0
}
