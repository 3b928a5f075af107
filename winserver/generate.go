//go:build windows

package main

//go:generate sh -c "cd native && GOOS= GOARCH= go run gen.go"
