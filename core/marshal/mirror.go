package marshal

import "sync"

// MirrorTable records Python-side copies of DLL memory (what `.contents` of a pointer a
// routine returned shows): Linux address -> server address, with the Windows bytes last
// seen there. Passing such a copy back to the DLL writes it through to the DLL's memory.
//
// A pointer member the Linux copy cannot represent (it points into the DLL) reads as NULL
// in Python; while it stays NULL, the DLL's own value is written back, not NULL.
type MirrorTable struct {
	mu sync.RWMutex
	m  map[uintptr]*mirror
}

type mirror struct {
	srv  uint64
	snap []byte
}

// Add records that Linux memory lin mirrors server memory srv whose bytes are snap.
func (t *MirrorTable) Add(lin uintptr, srv uint64, snap []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[uintptr]*mirror{}
	}
	t.m[lin] = &mirror{srv: srv, snap: append([]byte(nil), snap...)}
}

// Drop forgets lin (the Python object is gone).
func (t *MirrorTable) Drop(lin uintptr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.m, lin)
}

// Lookup returns the server address lin mirrors.
func (t *MirrorTable) Lookup(lin uintptr) (uint64, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if m, ok := t.m[lin]; ok {
		return m.srv, true
	}
	return 0, false
}

// Snapshot returns the Windows bytes last seen at lin's server memory.
func (t *MirrorTable) Snapshot(lin uintptr) []byte {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if m, ok := t.m[lin]; ok {
		return m.snap
	}
	return nil
}

// Update stores the Windows bytes seen after a call.
func (t *MirrorTable) Update(lin uintptr, snap []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m, ok := t.m[lin]; ok {
		m.snap = append(m.snap[:0], snap...)
	}
}
