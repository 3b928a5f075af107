//go:build windows

package main

// The native code and the frame offsets it uses: see native/gen.go. The files are
// Windows-only, so run it as `GOOS=windows go generate ./winserver`.

//go:generate sh -c "cd native && GOOS= GOARCH= go run gen.go"
