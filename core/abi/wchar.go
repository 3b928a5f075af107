package abi

import (
	"encoding/binary"
	"unicode/utf16"
)

// Python's ctypes on Linux stores wchar_t as UTF-32; Windows wchar_t is a UTF-16 code unit.
// A wchar_t buffer of n elements travels as n UTF-16 units: characters outside the BMP
// take two units on the Windows side and one element on the Linux side.

// UTF32ToUTF16 converts a little-endian UTF-32 buffer of n elements to n UTF-16 units,
// truncating if surrogate pairs do not fit, as a Windows buffer of that size would.
func UTF32ToUTF16(src []byte) []byte {
	n := len(src) / 4
	out := make([]byte, 0, 2*n)
	for i := 0; i < n && len(out) < 2*n; i++ {
		r := rune(binary.LittleEndian.Uint32(src[4*i:]))
		if r1, r2 := utf16.EncodeRune(r); r1 != '\uFFFD' {
			if len(out)+4 > 2*n {
				break
			}
			out = binary.LittleEndian.AppendUint16(out, uint16(r1))
			out = binary.LittleEndian.AppendUint16(out, uint16(r2))
			continue
		}
		out = binary.LittleEndian.AppendUint16(out, uint16(r))
	}
	for len(out) < 2*n {
		out = append(out, 0)
	}
	return out
}

// AppendUTF16 appends the UTF-16 units of a little-endian UTF-32 string to dst, however
// many there are (characters outside the BMP take two): a NUL-terminated string, unlike a
// buffer, has no size to keep.
func AppendUTF16(dst, src []byte) []byte {
	for i := 0; i+4 <= len(src); i += 4 {
		r := rune(binary.LittleEndian.Uint32(src[i:]))
		if r1, r2 := utf16.EncodeRune(r); r1 != '\uFFFD' {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(r1))
			dst = binary.LittleEndian.AppendUint16(dst, uint16(r2))
			continue
		}
		dst = binary.LittleEndian.AppendUint16(dst, uint16(r))
	}
	return dst
}

// UTF16ToUTF32 writes UTF-16 units back into a UTF-32 buffer, joining surrogate pairs.
// Elements past the decoded text are zeroed.
func UTF16ToUTF32(dst, src []byte) {
	n := len(dst) / 4
	j := 0
	for i := 0; i+1 < len(src) && j < n; i += 2 {
		u := rune(binary.LittleEndian.Uint16(src[i:]))
		if utf16.IsSurrogate(u) && i+3 < len(src) {
			if r := utf16.DecodeRune(u, rune(binary.LittleEndian.Uint16(src[i+2:]))); r != '\uFFFD' {
				binary.LittleEndian.PutUint32(dst[4*j:], uint32(r))
				j++
				i += 2
				continue
			}
		}
		binary.LittleEndian.PutUint32(dst[4*j:], uint32(u))
		j++
	}
	for ; j < n; j++ {
		binary.LittleEndian.PutUint32(dst[4*j:], 0)
	}
}
