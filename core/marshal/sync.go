package marshal

// Memory synchronisation (memsync): memory that only raw pointers reach, described by
// the user's directives (the package zugbruecke/_memsync evaluates them on the Python side).
//
// A directive whose pointer is an argument itself becomes a Checked region: count values
// read from Linux memory through Mem, so that a wrong count is an error instead of a
// crash. A directive whose pointer is a member (of a structure, an array element, the
// pointee of a pointer argument) becomes a Sync keyed by the Linux address of the member:
// when the encoder meets that member in memory that travels, the Sync decides what its
// pointee is (Count values of Type, or bytes Python prepared, such as a UTF-16 string)
// instead of the pointer rules, and after the call it reports where the member points in
// the DLL, so that Python can adopt memory the DLL allocated.

import (
	"encoding/binary"
	"fmt"

	"github.com/zugbruecke/zugbruecke/core/abi"
	"github.com/zugbruecke/zugbruecke/core/layout"
	"github.com/zugbruecke/zugbruecke/core/wire"
)

// MaxSync bounds the bytes one directive may describe.
const MaxSync = 1 << 30

// maxSyncDepth bounds how deep synced pointees nest (a cycle of directives over a cycle
// of pointers would not end otherwise).
const maxSyncDepth = 32

// What a Sync reports in the first word of Report.
const (
	SyncUnreached uint64 = iota // the member was not in memory that travelled
	SyncReached                 // encoded; nothing came back for it (a structure by value)
	SyncInPlace                 // after the call it pointed at its region: the pointee came back
	SyncMoved                   // the DLL stored another address: the second word (0 for NULL)
)

// Sync describes the pointee of one pointer member.
type Sync struct {
	Type  *layout.Type // element type (with Data nil)
	Count int          // elements at the pointer, read from Linux memory and written back
	// Data, if not nil, travels instead of Linux memory (Windows bytes Python prepared,
	// e.g. a UTF-16 string) and receives the region's bytes after the call.
	Data []byte
	// Report, if 16 bytes, receives the state and the member's value in the DLL.
	Report []byte
}

func (s *Sync) report(state, value uint64) {
	if len(s.Report) >= 16 {
		binary.LittleEndian.PutUint64(s.Report, state)
		binary.LittleEndian.PutUint64(s.Report[8:], value)
	}
}

// syncBytes is a region made from Sync.Data, copied back after the call; lin is the
// Linux pointer it stands for.
type syncBytes struct {
	region int
	sync   *Sync
	lin    uintptr
}

// Checked adds count values of type t at Linux address addr as a region that comes back
// after the call, like Typed, but reads and writes the memory through Mem: the count comes
// from a memsync directive, and one that is wrong must be an error, not a crash.
func (e *Encoder) Checked(t *layout.Type, addr uintptr, count int) (int, error) {
	if count < 0 || t.LinuxSize > 0 && count > MaxSync/t.LinuxSize {
		return 0, fmt.Errorf("marshal: memsync: %d elements of %d bytes is too much", count, t.LinuxSize)
	}
	data := make([]byte, t.LinuxSize*count)
	if err := e.Mem.Read(addr, data); err != nil {
		return 0, fmt.Errorf("marshal: memsync: %d bytes at %#x cannot be read: %w", len(data), addr, err)
	}
	return e.region(t, data, addr, count, nil, 0, true)
}

// How pyext reads the memory of a typed argument: the fourth item of the tuple Python
// lowers it to (zugbruecke/_routine.py, zugbruecke/_memsync).
const (
	// MemoryDirect: Python vouches for the memory (it belongs to a ctypes object):
	// read and written in place.
	MemoryDirect = 0
	// MemoryChecked: a memsync count: read through Mem (Checked); memory that cannot be
	// read is an error.
	MemoryChecked = 1
	// MemoryUnverified: Python cannot vouch for the memory (a pointer made from a
	// number, an object made by from_address): read through Mem (Unverified); memory
	// that cannot be read is passed to the DLL as its address, as ctypes on Windows
	// passes any pointer, and the DLL's access violation becomes OSError.
	MemoryUnverified = 2
)

// Unverified adds count values of type t at Linux address addr as Checked does (byValue:
// as Value does), but memory that cannot be read is no error: ok is false and nothing is
// added, and the caller passes the address on as it is.
func (e *Encoder) Unverified(t *layout.Type, addr uintptr, count int, byValue bool) (region int, ok bool, err error) {
	if count < 0 || t.LinuxSize > 0 && count > MaxSync/t.LinuxSize {
		return 0, false, fmt.Errorf("marshal: %d elements of %d bytes is too much", count, t.LinuxSize)
	}
	data := make([]byte, t.LinuxSize*count)
	if e.Mem.Read(addr, data) != nil {
		return 0, false, nil
	}
	region, err = e.region(t, data, addr, count, nil, 0, !byValue)
	return region, err == nil, err
}

// member encodes the pointer member op of the value at Linux address base: through the
// Sync that names its location, else by the pointer rules.
func (e *Encoder) member(op *layout.Op, base uintptr, linV, winV []byte, region, off, depth int, keepNull bool) (ptrRef, error) {
	if s := e.Syncs[base+uintptr(op.Lin)]; s != nil {
		return e.synced(s, op, linV, winV, region, off, depth, keepNull)
	}
	return e.pointer(op, linV, winV, region, off, depth, keepNull)
}

func (e *Encoder) synced(s *Sync, op *layout.Op, linV, winV []byte, region, off, depth int, keepNull bool) (ptrRef, error) {
	p := ptrRef{win: off + op.Win, lin: op.Lin, nested: -1, sync: s}
	s.report(SyncReached, 0)
	v := uintptr(binary.LittleEndian.Uint64(linV[op.Lin:]))
	switch {
	case v == 0 && keepNull:
		// A mirror's NULL member: the DLL's own value stays (and is reported).
	case v == 0:
		e.putPtr(winV[op.Win:], 0)
	case depth >= maxSyncDepth:
		return p, fmt.Errorf("marshal: memsync: pointees nested more than %d levels deep (a cycle?)", maxSyncDepth)
	case s.Data != nil:
		n := len(e.Call.Regions)
		e.Call.Regions = append(e.Call.Regions, wire.Region{Flags: wire.RegionOut, Data: s.Data})
		e.syncData = append(e.syncData, syncBytes{region: n, sync: s, lin: v})
		e.patch(region, p.win, n)
		p.nested = n
	default:
		if s.Type == nil || s.Count < 0 || s.Type.LinuxSize > 0 && s.Count > MaxSync/s.Type.LinuxSize {
			return p, fmt.Errorf("marshal: memsync: bad description of the memory at %#x", v)
		}
		data := make([]byte, s.Type.LinuxSize*s.Count)
		if err := e.Mem.Read(v, data); err != nil {
			return p, fmt.Errorf("marshal: memsync: %d bytes at %#x cannot be read: %w", len(data), v, err)
		}
		n, err := e.region(s.Type, data, v, s.Count, nil, depth+1, true)
		if err != nil {
			return p, err
		}
		e.patch(region, p.win, n)
		p.nested = n
	}
	return p, nil
}

// settleSync decodes a synced member whose value in the DLL is srv after the call, into
// the Linux pointer at lin: still its region, another region of the call (a DLL that
// sorted an array of structures permutes their pointers; the Linux pointer follows), or
// memory of the DLL's own, which the Sync reports for Python to adopt.
func (e *Encoder) settleSync(p *ptrRef, srv uint64, rep *wire.CallReply, lin []byte) {
	if p.nested >= 0 && p.nested < len(rep.Bases) && srv == rep.Bases[p.nested] {
		p.sync.report(SyncInPlace, srv)
		return
	}
	if addr, ok := e.relocate(srv, rep); ok {
		binary.LittleEndian.PutUint64(lin, uint64(addr))
		p.sync.report(SyncInPlace, srv)
		return
	}
	p.sync.report(SyncMoved, srv)
}

// relocate finds the Linux address of server address srv when it lies on an element of
// a region that came back to Linux memory (or starts one made from Sync.Data).
func (e *Encoder) relocate(srv uint64, rep *wire.CallReply) (uintptr, bool) {
	if srv == 0 {
		return 0, false
	}
	for _, sb := range e.syncData {
		if srv == rep.Bases[sb.region] {
			return sb.lin, true
		}
	}
	for i := range e.refs {
		r := &e.refs[i]
		base := rep.Bases[r.region]
		size := uint64(r.winSz * r.count)
		if r.addr == 0 || srv < base || srv-base >= size && srv != base {
			continue
		}
		off := srv - base
		switch {
		case off == 0:
			return r.addr, true
		case r.plain:
			return r.addr + uintptr(off), true
		case r.winSz > 0 && off%uint64(r.winSz) == 0:
			return r.addr + uintptr(off/uint64(r.winSz))*uintptr(r.linSz), true
		}
	}
	return 0, false
}

// decodeSyncData copies the regions made from Sync.Data back into it.
func (e *Encoder) decodeSyncData(rep *wire.CallReply, outIndex []int) {
	for _, sb := range e.syncData {
		copy(sb.sync.Data, rep.Out[outIndex[sb.region]])
	}
}

// plain reports whether values of t are the same bytes on both sides, so count of them
// translate as one copy.
func plain(l *layout.Layout, t *layout.Type) bool {
	return l.Size == t.LinuxSize && len(l.Plan) == 1 && l.Plan[0].Kind == layout.OpCopy &&
		l.Plan[0].Lin == 0 && l.Plan[0].Win == 0 && l.Plan[0].N == l.Size
}

// MirrorN decodes count values of type t from Windows bytes win (read from DLL memory)
// into Linux memory lin, as Mirror does for one.
func MirrorN(a *abi.Arch, t *layout.Type, win, lin []byte, count int) error {
	l := t.Layout(a)
	if count < 0 || len(win) < l.Size*count || len(lin) < t.LinuxSize*count {
		return fmt.Errorf("marshal: mirror of %d/%d bytes for %d x %d/%d", len(win), len(lin), count, l.Size, t.LinuxSize)
	}
	if plain(l, t) {
		copy(lin, win[:l.Size*count])
		return nil
	}
	for i := 0; i < count; i++ {
		if err := Mirror(a, t, win[i*l.Size:], lin[i*t.LinuxSize:]); err != nil {
			return err
		}
	}
	return nil
}
