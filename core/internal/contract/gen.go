//go:build ignore

// gen writes zugbruecke/_zcontract.py from the declarations in core/ (see package
// contract). Run it with `go generate ./core/internal/contract`.
package main

import (
	"log"
	"os"
	"path/filepath"

	"github.com/zugbruecke/zugbruecke/core/internal/contract"
)

func main() {
	path := filepath.Join("..", "..", "..", filepath.FromSlash(contract.File))
	if err := os.WriteFile(path, contract.Python(), 0o644); err != nil {
		log.Fatal(err)
	}
}
