//go:build windows

#include "textflag.h"

// void zbcall(callFrame *f)    (Microsoft x64: f in RCX)
//
// Native code, entered from syscall.SyscallN on the system stack. Reserves
// max(nwords, 4) slots (16-byte aligned) below the saved registers, copies the words there,
// loads slots 0-3 into both RCX/RDX/R8/R9 and XMM0-XMM3 (so an argument in any of the
// first four positions is found whether the callee reads it as integer or float, which
// also covers varargs), and calls f->fn. Slots 0-3 double as the callee's shadow space;
// slot 4 onwards are the stack arguments. Stores RAX and XMM0. RBX, RSI, RDI and RBP are
// preserved; the caller (this thunk) owns and restores the stack.
TEXT zbcall<>(SB), NOSPLIT|NOFRAME, $0
	PUSHQ BP
	MOVQ  SP, BP
	PUSHQ BX
	PUSHQ SI
	PUSHQ DI
	PUSHQ R12            // 5 pushes after the return address: SP is 16-byte aligned
	MOVQ  CX, BX         // BX = frame
	MOVQ  8(BX), CX      // CX = nwords
	MOVQ  16(BX), SI     // SI = words
	MOVQ  CX, AX
	CMPQ  AX, $4
	JGE   sized
	MOVQ  $4, AX
sized:
	ADDQ  $1, AX
	ANDQ  $~1, AX
	SHLQ  $3, AX
	SUBQ  AX, SP
	XORQ  DX, DX
copy:
	CMPQ  DX, CX
	JGE   copied
	MOVQ  (SI)(DX*8), R8
	MOVQ  R8, (SP)(DX*8)
	INCQ  DX
	JMP   copy
copied:
	MOVQ  0(SP), CX
	MOVQ  8(SP), DX
	MOVQ  16(SP), R8
	MOVQ  24(SP), R9
	MOVQ  CX, X0
	MOVQ  DX, X1
	MOVQ  R8, X2
	MOVQ  R9, X3
	MOVQ  0(BX), AX
	CALL  AX
	MOVQ  AX, 32(BX)
	MOVQ  X0, 48(BX)
	MOVQ  $0, 56(BX)
	LEAQ  -32(BP), SP
	POPQ  R12
	POPQ  DI
	POPQ  SI
	POPQ  BX
	POPQ  BP
	RET

GLOBL ·callThunk(SB), NOPTR, $8
DATA ·callThunk(SB)/8, $zbcall<>(SB)
