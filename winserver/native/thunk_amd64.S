/* Native code of the win64 server, assembled by gen.go into zthunk_amd64.go and copied
 * into executable memory at start. Position independent; the offsets gen.go exports are
 * the labels declared .globl.
 *
 * The Go frames (callFrame in winserver/thunk.go, cbFrame in winserver/callback_amd64.go)
 * are read through the offsets gen.go computes from their declarations: callFrame_fn,
 * cbFrame__size and so on, in zoffsets_amd64.h.
 */
#include "zoffsets_amd64.h"

    .intel_syntax noprefix
    .text
    .globl zb_blob
zb_blob:

/* void zb_call(callFrame *f)                        Microsoft x64
 *
 * Entry:   RCX f; [RSP] return address, [RSP+8..39] the caller's shadow space.
 * Pops:    nothing (the x64 convention: the caller owns its argument area).
 * Result:  none in registers: everything goes into *f (r1, f, exc...).
 * Keeps:   RBX, RSI, RDI, R12, RBP (and R13-R15, XMM6-15, which it does not touch).
 *
 * Reserves max(nwords, 4) slots (16-byte aligned), copies the words there, loads slots
 * 0-3 into RCX/RDX/R8/R9 and also XMM0-XMM3 (an argument in the first four positions is
 * found whether the callee reads it as integer or float; this also covers varargs), and
 * calls f->fn. Slots 0-3 are the callee's shadow space, slot 4 on the stack arguments.
 * Stores RAX and XMM0. RBX, RSI, RDI, R12, RBP preserved; the thunk owns the stack.
 *
 * A Windows exception the routine does not handle itself reaches zb_call_handler
 * through the unwind information below (registered with RtlAddFunctionTable); it records
 * the exception in the frame and resumes at zb_call_recover, which returns normally.
 * [rbp] holds f for the handler.
 */
    .p2align 4
    .globl zb_call
zb_call:
    push rbp
.Lc1:
    push rbx
.Lc2:
    push rsi
.Lc3:
    push rdi
.Lc4:
    push r12
.Lc6:
    sub rsp, 16
.Lc10:
    mov rbp, rsp
.Lc13:
    mov [rbp], rcx
    mov rbx, rcx
    mov rcx, [rbx + callFrame_nwords]
    mov rsi, [rbx + callFrame_words]
    mov rax, rcx
    cmp rax, 4
    jae 1f
    mov eax, 4
1:  add rax, 1
    and rax, -2
    shl rax, 3
    sub rsp, rax
    xor edx, edx
2:  cmp rdx, rcx
    jae 3f
    mov r8, [rsi + rdx*8]
    mov [rsp + rdx*8], r8
    inc rdx
    jmp 2b
3:  mov r11, qword ptr gs:[0x30]        /* TEB */
    mov r10d, [rbx + callFrame_lastErr]
    mov [r11 + 0x68], r10d              /* LastErrorValue = f->lastErr */
    mov rcx, [rsp]
    mov rdx, [rsp + 8]
    mov r8, [rsp + 16]
    mov r9, [rsp + 24]
    movq xmm0, rcx
    movq xmm1, rdx
    movq xmm2, r8
    movq xmm3, r9
    call qword ptr [rbx + callFrame_fn]
    mov [rbx + callFrame_r1], rax
    movq [rbx + callFrame_f], xmm0
    mov qword ptr [rbx + callFrame_popped], 0
.Lc_out:
    mov rsp, rbp
    add rsp, 16
    pop r12
    pop rdi
    pop rsi
    pop rbx
    pop rbp
    ret
/* zb_call_recover: not a function; zb_call_handler resumes execution here after an
 * exception, with RSP = RBP = zb_call's frame and the exception recorded in *f. Leaves
 * zb_call as it would have returned. */
    .globl zb_call_recover
zb_call_recover:
    mov rbx, [rbp]
    jmp .Lc_out
.Lc_end:

/* EXCEPTION_DISPOSITION zb_call_handler(EXCEPTION_RECORD *rec, ULONG64 frame,
 *                                       CONTEXT *ctx, DISPATCHER_CONTEXT *dc)
 *
 * Entry:   RCX rec, RDX frame, R8 ctx, R9 dc (called by Windows' exception dispatcher,
 *          which finds it in zb_call's unwind information below).
 * Pops:    nothing (Microsoft x64).
 * Result:  EAX: ExceptionContinueExecution (0) or ExceptionContinueSearch (1).
 * Keeps:   every non-volatile register (it uses RAX, R10 and the argument registers).
 *
 * frame is zb_call's RBP. Unless unwinding, copies code, address and the first two
 * parameters into the callFrame and points the context at zb_call_recover with RSP and
 * RBP set to the frame: ExceptionContinueExecution (0). Otherwise ContinueSearch (1).
 */
    .p2align 4
    .globl zb_call_handler
zb_call_handler:
    test dword ptr [rcx + 4], 6         /* EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND */
    jnz 1f
    mov rax, [rdx]                      /* callFrame */
    mov r10d, [rcx]
    mov [rax + callFrame_exc], r10      /* ExceptionCode */
    mov r10, [rcx + 16]
    mov [rax + callFrame_excAddr], r10  /* ExceptionAddress */
    mov r10, [rcx + 32]
    mov [rax + callFrame_excInfo], r10  /* ExceptionInformation[0] */
    mov r10, [rcx + 40]
    mov [rax + callFrame_excInfo + 8], r10 /* ExceptionInformation[1] */
    mov [r8 + 0x98], rdx                /* ctx->Rsp */
    mov [r8 + 0xA0], rdx                /* ctx->Rbp */
    lea r10, [rip + zb_call_recover]
    mov [r8 + 0xF8], r10                /* ctx->Rip */
    xor eax, eax
    ret
1:  mov eax, 1
    ret

/* zb_cb_entry: the C function a callback is, for every signature.   Microsoft x64
 *
 * Entry:   EAX slot number (from the per-callback stub `mov eax, slot; jmp zb_cb_entry`
 *          that winserver/callback.go writes); arguments 0-3 in RCX/RDX/R8/R9 and
 *          XMM0-XMM3, the rest at [RSP+40] and up, above the caller's shadow space.
 * Pops:    nothing (the x64 convention).
 * Result:  RAX = cbFrame.r1 and XMM0 = cbFrame.f (the caller reads the one its
 *          signature returns).
 * Keeps:   every non-volatile register (RBP itself; the Go dispatcher the others).
 *
 * Spills RCX..R9 into the shadow space, so [RBP+16] is an array of every argument slot,
 * and keeps XMM0-3 in the cbFrame, which it hands to the Go dispatcher (one
 * syscall.NewCallback, address stored at zb_cb_dispatch). The cbFrame sits at
 * [RSP + SHADOW], above the dispatcher's shadow space.
 */
#define SHADOW 32
    .p2align 4
    .globl zb_cb_entry
zb_cb_entry:
    mov [rsp + 8], rcx
    mov [rsp + 16], rdx
    mov [rsp + 24], r8
    mov [rsp + 32], r9
    push rbp
    mov rbp, rsp
    sub rsp, SHADOW + cbFrame__size     /* RSP stays 16-aligned */
    mov [rsp + SHADOW + cbFrame_slotIndex], rax /* EAX, zero-extended */
    lea r10, [rbp + 16]
    mov [rsp + SHADOW + cbFrame_args], r10
    movq [rsp + SHADOW + cbFrame_xmm], xmm0
    movq [rsp + SHADOW + cbFrame_xmm + 8], xmm1
    movq [rsp + SHADOW + cbFrame_xmm + 16], xmm2
    movq [rsp + SHADOW + cbFrame_xmm + 24], xmm3
    lea rcx, [rsp + SHADOW]             /* the cbFrame, the dispatcher's argument */
    call qword ptr [rip + zb_cb_dispatch]
    mov rax, [rsp + SHADOW + cbFrame_r1]
    movq xmm0, [rsp + SHADOW + cbFrame_f]
    mov rsp, rbp
    pop rbp
    ret

    .p2align 3
    .globl zb_cb_dispatch
zb_cb_dispatch:                         /* written at load: the Go dispatcher */
    .quad 0

/* Unwind data for zb_call, for RtlAddFunctionTable(zb_functions, 1, blob base). */
    .p2align 2
    .globl zb_unwind_call
zb_unwind_call:
    .byte 0x09                          /* version 1, UNW_FLAG_EHANDLER */
    .byte .Lc13 - zb_call               /* size of prolog */
    .byte 7                             /* count of unwind codes */
    .byte 0x05                          /* frame register RBP, offset 0 */
    .byte .Lc13 - zb_call, 0x03         /* UWOP_SET_FPREG */
    .byte .Lc10 - zb_call, 0x12         /* UWOP_ALLOC_SMALL 16 */
    .byte .Lc6 - zb_call, 0xC0          /* UWOP_PUSH_NONVOL r12 */
    .byte .Lc4 - zb_call, 0x70          /* UWOP_PUSH_NONVOL rdi */
    .byte .Lc3 - zb_call, 0x60          /* UWOP_PUSH_NONVOL rsi */
    .byte .Lc2 - zb_call, 0x30          /* UWOP_PUSH_NONVOL rbx */
    .byte .Lc1 - zb_call, 0x50          /* UWOP_PUSH_NONVOL rbp */
    .byte 0, 0                          /* pad to an even number of codes */
    .long zb_call_handler - zb_blob     /* exception handler RVA */

    .p2align 2
    .globl zb_functions
zb_functions:                           /* RUNTIME_FUNCTION[] */
    .long zb_call - zb_blob, .Lc_end - zb_blob, zb_unwind_call - zb_blob
    .globl zb_functions_end
zb_functions_end:
