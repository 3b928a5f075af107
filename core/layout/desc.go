package layout

import (
	"fmt"
	"sync"

	"github.com/zugbruecke/zugbruecke/core/abi"
)

// Desc describes a ctypes type as the Python side sends it (JSON). Elem and field types
// name types registered before, by id.
type Desc struct {
	Class  string      `json:"class"` // Class.String(): "simple", "array", "struct", "union", "pointer"
	Kind   int         `json:"kind"`  // abi.Kind for simple and pointer types
	Elem   int         `json:"elem"`  // array element or pointee id; -1 for an untyped pointer
	Len    int         `json:"len"`
	Pack   int         `json:"pack"`
	Size   int         `json:"size"`  // Linux sizeof
	Align  int         `json:"align"` // Linux alignment
	Fields []FieldDesc `json:"fields"`
}

// FieldDesc is a member as Linux ctypes laid it out (CField.offset and .size).
type FieldDesc struct {
	Name   string `json:"name"`
	Type   int    `json:"type"`
	Bits   int    `json:"bits"`
	Offset int    `json:"offset"`
	Bit    int    `json:"bit"`
	Anon   bool   `json:"anon"`
}

// classes maps the tags of Desc.Class to classes.
var classes = func() map[string]Class {
	m := map[string]Class{}
	for c := Class(0); c.Valid(); c++ {
		m[c.String()] = c
	}
	return m
}()

// Registry holds registered types by id.
type Registry struct {
	mu    sync.RWMutex
	types []*Type
}

// Get returns the type with id, or nil.
func (r *Registry) Get(id int) *Type {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if id < 0 || id >= len(r.types) {
		return nil
	}
	return r.types[id]
}

// Add checks d against the types it refers to and registers it, returning its id.
// A description that does not fit together (offsets outside the Linux size, unknown
// ids, bad kinds) is an error: it must never lead to reading outside an object.
func (r *Registry) Add(d *Desc) (int, error) {
	t, err := r.build(d)
	if err != nil {
		return -1, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.types = append(r.types, t)
	return len(r.types) - 1, nil
}

func (r *Registry) build(d *Desc) (*Type, error) {
	c, ok := classes[d.Class]
	if !ok {
		return nil, fmt.Errorf("layout: unknown type class %q", d.Class)
	}
	if d.Size < 0 || d.Align < 0 || d.Len < 0 || d.Pack < 0 {
		return nil, fmt.Errorf("layout: negative size, alignment, length or pack")
	}
	t := &Type{Class: c, Kind: abi.Kind(d.Kind), Len: d.Len, Pack: d.Pack, LinuxSize: d.Size, LinuxAlign: d.Align}
	switch c {
	case Simple:
		if !t.Kind.Valid() || t.Kind == abi.Void || t.Kind >= abi.CharP && t.Kind != abi.CharP && t.Kind != abi.WCharP {
			return nil, fmt.Errorf("layout: bad simple kind %v", t.Kind)
		}
		if t.Kind == abi.CharP || t.Kind == abi.WCharP || t.Kind == abi.Pointer {
			t.Class = Pointer // c_char_p, c_wchar_p and c_void_p are pointers in a layout
		}
		if d.Size != 1 && d.Size != 2 && d.Size != 4 && d.Size != 8 {
			return nil, fmt.Errorf("layout: simple type of %d bytes", d.Size)
		}
	case Pointer:
		t.Kind = abi.Pointer
		if d.Elem >= 0 {
			if t.Elem = r.Get(d.Elem); t.Elem == nil {
				return nil, fmt.Errorf("layout: pointer to unknown type %d", d.Elem)
			}
		}
		if d.Size != 8 {
			return nil, fmt.Errorf("layout: pointer of %d bytes", d.Size)
		}
	case Array:
		if t.Elem = r.Get(d.Elem); t.Elem == nil {
			return nil, fmt.Errorf("layout: array of unknown type %d", d.Elem)
		}
		if t.Elem.LinuxSize*d.Len != d.Size {
			return nil, fmt.Errorf("layout: array of %d x %d bytes cannot be %d bytes", d.Len, t.Elem.LinuxSize, d.Size)
		}
	case Struct, Union:
		for _, fd := range d.Fields {
			ft := r.Get(fd.Type)
			if ft == nil {
				return nil, fmt.Errorf("layout: field %q has unknown type %d", fd.Name, fd.Type)
			}
			if fd.Offset < 0 || fd.Offset+ft.LinuxSize > d.Size {
				return nil, fmt.Errorf("layout: field %q at %d+%d lies outside %d bytes", fd.Name, fd.Offset, ft.LinuxSize, d.Size)
			}
			// Bit+Bits may exceed the unit: CPython before 3.13 places some bitfields of mixed
			// types that way; the plan leaves such a member out (Python cannot hold it).
			if fd.Bits != 0 && (ft.Class != Simple || fd.Bits < 0 || fd.Bit < 0 || fd.Bit >= 64 ||
				fd.Bits > 8*abi.Win64.Size(ft.Kind)) {
				return nil, fmt.Errorf("layout: bad bitfield %q (%d bits at bit %d)", fd.Name, fd.Bits, fd.Bit)
			}
			t.Fields = append(t.Fields, Field{Name: fd.Name, Type: ft, Bits: fd.Bits, LinuxOff: fd.Offset,
				LinuxBit: fd.Bit, Anonymous: fd.Anon})
		}
	}
	return t, nil
}

// Bind sets the pointee of pointer type ptr, registered untyped while the pointee (a
// structure pointing to itself) was still being described.
func (r *Registry) Bind(ptr, elem int) error {
	p, e := r.Get(ptr), r.Get(elem)
	if p == nil || e == nil || p.Class != Pointer || p.Elem != nil {
		return fmt.Errorf("layout: cannot bind pointer %d to %d", ptr, elem)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	p.Elem = e
	return nil
}
