//go:build windows

package main

import "github.com/zugbruecke/zugbruecke/core/abi"

const arch = "win64"

var thisABI = abi.Win64

// intResult is RAX.
func intResult(fr *callFrame) uint64 { return uint64(fr.r1) }
