//go:build windows

#include "textflag.h"

// void zbcall(callFrame *f)
//
// Native code, entered from syscall.SyscallN on the system stack. The frame pointer is at
// 4(SP) on entry. Pushes f->nwords 32-bit words right to left (word 0 ends lowest, as the
// first argument), calls f->fn, and stores EAX, EDX, the bytes the callee popped and, when
// f->retFloat is set, ST(0) as a float64. Works for cdecl and stdcall alike: the stack
// pointer is restored from EBP, whoever cleaned up. EBX, ESI, EDI and EBP are preserved
// as the Windows x86 ABI requires. The thunk itself returns like cdecl and leaves its
// argument on the stack; SyscallN's caller restores the stack pointer either way.
TEXT zbcall<>(SB), NOSPLIT, $0
	PUSHL BP
	MOVL  SP, BP
	PUSHL BX
	PUSHL SI
	PUSHL DI
	MOVL  8(BP), BX      // BX = frame
	MOVL  4(BX), CX      // CX = nwords
	MOVL  8(BX), SI      // SI = words
	MOVL  CX, AX
	SHLL  $2, AX
	SUBL  AX, SP         // room for the words
	MOVL  SP, DI         // DI = stack pointer at the call (callee-saved)
copy:
	TESTL CX, CX
	JZ    copied
	DECL  CX
	MOVL  (SI)(CX*4), AX
	MOVL  AX, (DI)(CX*4)
	JMP   copy
copied:
	MOVL  0(BX), AX
	CALL  AX
	MOVL  AX, 16(BX)
	MOVL  DX, 20(BX)
	MOVL  SP, CX
	SUBL  DI, CX
	MOVL  CX, 32(BX)     // popped = SP after - SP at the call
	MOVL  12(BX), CX
	TESTL CX, CX
	JZ    done
	FMOVDP F0, 24(BX)
done:
	LEAL  -12(BP), SP
	POPL  DI
	POPL  SI
	POPL  BX
	POPL  BP
	RET

GLOBL ·callThunk(SB), NOPTR, $4
DATA ·callThunk(SB)/4, $zbcall<>(SB)
