#!/usr/bin/env bash
# Installs what zugbruecke needs from the system on Debian/Ubuntu: Wine for both arches
# (wine, wine64, wine32:i386), the mingw-w64 C compilers, and Go when missing or too old.
# Safe to run twice; returns at once when everything is present. Every command is echoed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
go_min=1.22
packages=(wine wine64 wine32:i386 gcc-mingw-w64-i686 gcc-mingw-w64-x86-64)

say() { echo "setup-system: $*"; }
run() { echo "+ $*"; "$@"; }

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

go_ok() {
    command -v go >/dev/null 2>&1 || return 1
    local v
    v=$(go env GOVERSION 2>/dev/null | sed 's/^go//') || return 1
    [ "$(printf '%s\n%s\n' "$go_min" "$v" | sort -V | head -n1)" = "$go_min" ]
}

missing=()
for p in "${packages[@]}"; do have_pkg "$p" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ] && go_ok; then
    say "Wine (win32 and win64), mingw-w64 and Go $(go env GOVERSION) are present."
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
    say "cannot install system packages here (needs root on Debian/Ubuntu). Please install:"
    say "  dpkg --add-architecture i386 && apt-get update"
    say "  apt-get install ${packages[*]}"
    go_ok || say "  Go >= $go_min (https://go.dev/doc/install)"
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
    say "installing: ${missing[*]}"
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        run dpkg --add-architecture i386
    fi
    # An index that fails to download (the i386 security index on some mirrors) is not fatal:
    # the version skew it causes is handled below.
    run apt-get update || say "apt-get update reported errors; going on with the indexes it has"
    if apt-get install -s -y --no-install-recommends "${packages[@]}" >/dev/null 2>&1; then
        run apt-get install -y --no-install-recommends "${packages[@]}"
    else
        say "amd64 and i386 indexes disagree on some library versions; pinning them to versions both offer"
        mapfile -t pins < <(python3 "$here/apt_pins.py" "${packages[@]}")
        say "pins: ${pins[*]}"
        run apt-get install -y --no-install-recommends --allow-downgrades "${packages[@]}" "${pins[@]}"
    fi
fi

if ! go_ok; then
    say "Go >= $go_min is missing; installing it"
    command -v go >/dev/null 2>&1 || run apt-get install -y --no-install-recommends golang-go ca-certificates
    # The Go module proxy serves whole toolchains as the module golang.org/toolchain.
    tc=v0.0.1-go1.24.9.linux-$(dpkg --print-architecture)
    dir=$(cd /tmp && GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json "golang.org/toolchain@$tc" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
    run ln -sf "$dir/bin/go" /usr/local/bin/go
    run ln -sf "$dir/bin/gofmt" /usr/local/bin/gofmt
    hash -r
fi
say "done: $(wine --version 2>/dev/null), $(go env GOVERSION)"
