package session

import (
	"errors"
	"fmt"
)

// ErrorKind names a class of failure for the Python package: pyext hands it, with a code
// and a message, to the package's error factory (zugbruecke/_session.py), which raises
// what ctypes would. zugbruecke/_zcontract.py declares the same names (go generate
// ./core/internal/contract).
type ErrorKind string

// Error kinds.
const (
	ErrorLoad       ErrorKind = "load"       // *LoadError; the code is the Windows error
	ErrorSymbol     ErrorKind = "symbol"     // *SymbolError; the code is the Windows error
	ErrorArgument   ErrorKind = "argument"   // a bad call argument; the code is its 1-based position
	ErrorException  ErrorKind = "exception"  // *ExceptionError; the code is the exception code
	ErrorType       ErrorKind = "type"       // a type that cannot be described or used
	ErrorWine       ErrorKind = "wine"       // no usable Wine (core/prefix.WineMissingError)
	ErrorConfig     ErrorKind = "config"     // a bad configuration (core/config errors)
	ErrorTerminated ErrorKind = "terminated" // ErrTerminated
	ErrorStart      ErrorKind = "start"      // *StartError
	ErrorServer     ErrorKind = "server"     // *ServerError
	ErrorOther      ErrorKind = "error"      // anything else
)

// ErrorKinds lists every ErrorKind.
var ErrorKinds = []ErrorKind{ErrorLoad, ErrorSymbol, ErrorArgument, ErrorException, ErrorType,
	ErrorWine, ErrorConfig, ErrorTerminated, ErrorStart, ErrorServer, ErrorOther}

// ErrTerminated is returned by requests on a session that was terminated.
var ErrTerminated = errors.New("zugbruecke: session terminated")

// ErrInterrupted is returned by a request the caller gave up while the server was still
// working on it (Session.Interrupted said so, for example on Ctrl-C). The channel is
// abandoned: its server thread may still be busy, so the caller needs a new one.
var ErrInterrupted = errors.New("zugbruecke: interrupted")

// LoadError is a DLL that did not load; Code is the Windows error.
type LoadError struct {
	Name string
	Code uint32
	Msg  string
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("zugbruecke: could not load %s: [WinError %d] %s", e.Name, e.Code, e.Msg)
}

// SymbolError is an export that was not found.
type SymbolError struct {
	Name string
	Code uint32
	Msg  string
}

func (e *SymbolError) Error() string {
	return fmt.Sprintf("zugbruecke: function %s not found: %s", e.Name, e.Msg)
}

// ServerError is a request the server refused or a server that is gone.
type ServerError struct {
	Op  string
	Msg string
	Err error
}

func (e *ServerError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("zugbruecke: %s: %s: %v", e.Op, e.Msg, e.Err)
	}
	return fmt.Sprintf("zugbruecke: %s: %s", e.Op, e.Msg)
}

func (e *ServerError) Unwrap() error { return e.Err }

// StartError is a server that did not start or did not complete the handshake.
type StartError struct {
	Msg    string
	Err    error
	Exited bool // the process ended before the handshake
}

func (e *StartError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("zugbruecke: server did not start: %s: %v", e.Msg, e.Err)
	}
	return "zugbruecke: server did not start: " + e.Msg
}

func (e *StartError) Unwrap() error { return e.Err }
