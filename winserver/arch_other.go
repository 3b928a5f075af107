//go:build windows && !386 && !amd64

package main

// The server runs DLLs of the two x86 Windows ABIs only: arch_386.go and arch_amd64.go
// (with callback_<arch>.go, win_amd64.go and the generated zthunk_<arch>.go,
// zoffsets_windows_<arch>.go) hold what differs between them. Building for another
// GOARCH stops here, with this name as the first error.
var _ = zbServerBuildsFor386AndAMD64Only
