/* Native code of the win32 server, assembled by gen.go into zthunk_386.go and copied into
 * executable memory at start. Position independent; gen.go exports the .globl labels.
 *
 * The Go frames (callFrame in winserver/thunk.go, cbFrame in winserver/callback_386.go)
 * are read through the offsets gen.go computes from their declarations: callFrame_fn,
 * cbFrame__size and so on, in zoffsets_386.h.
 */
#include "zoffsets_386.h"

    .intel_syntax noprefix
    .text
    .globl _zb_blob
_zb_blob:

/* void __cdecl zb_call(callFrame *f)
 *
 * Entry:   [ESP] return address, [ESP+4] f.
 * Pops:    nothing (cdecl); the caller (syscall.SyscallN) removes f.
 * Result:  none in registers: everything goes into *f (r1, r2, f, popped, exc...).
 * Keeps:   EBX, ESI, EDI, EBP.
 *
 * Pushes f->nwords 32-bit words (word 0 lowest, the first argument), calls f->fn, stores
 * EAX, EDX, the bytes the callee popped (stdcall callees pop, cdecl ones do not) and, if
 * f->retFloat, ST(0) as a double. The stack pointer is restored from EBP whoever cleaned
 * up. EBX, ESI, EDI, EBP preserved. The caller (SyscallN) restores ESP after us too.
 *
 * The call runs inside an SEH registration (FS:[0] chain) whose handler is
 * zb_call_handler: an exception the routine does not handle itself is recorded in the
 * frame and execution resumes at zb_call_recover, which unlinks the registration and
 * returns normally. Registration record at [ebp-24]: next, handler, f.
 */
    .p2align 4
    .globl _zb_call
_zb_call:
    push ebp
    mov ebp, esp
    push ebx
    push esi
    push edi
    mov ebx, [ebp + 8]                  /* f */
    push ebx                            /* [ebp-16] f, for the handler */
    call 1f
1:  pop eax
    add eax, offset _zb_call_handler - 1b
    push eax                            /* [ebp-20] handler */
    push dword ptr fs:[0]               /* [ebp-24] next */
    mov fs:[0], esp
    mov ecx, [ebx + callFrame_nwords]
    mov esi, [ebx + callFrame_words]
    mov eax, ecx
    shl eax, 2
    sub esp, eax
    mov edi, esp                        /* ESP at the call; callee-saved */
2:  test ecx, ecx
    jz 3f
    dec ecx
    mov eax, [esi + ecx*4]
    mov [edi + ecx*4], eax
    jmp 2b
3:  mov eax, [ebx + callFrame_lastErr]
    mov fs:[0x34], eax                  /* TEB LastErrorValue = f->lastErr */
    call dword ptr [ebx + callFrame_fn]
    mov [ebx + callFrame_r1], eax
    mov [ebx + callFrame_r2], edx
    mov ecx, esp
    sub ecx, edi
    mov [ebx + callFrame_popped], ecx
    cmp dword ptr [ebx + callFrame_retFloat], 0
    je .Lout
    fstp qword ptr [ebx + callFrame_f]
.Lout:
    mov eax, [ebp - 24]
    mov fs:[0], eax                     /* unlink the registration */
    lea esp, [ebp - 12]
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
/* zb_call_recover: not a function; zb_call_handler resumes execution here after an
 * exception, with ESP = the registration record and EBP = zb_call's frame. Resets the
 * x87 stack the routine may have left loaded, keeping its control word, and leaves
 * zb_call as it would have returned. */
    .globl _zb_call_recover
_zb_call_recover:
    fnclex
    emms
    mov ebx, [ebp - 16]
    jmp .Lout

/* EXCEPTION_DISPOSITION __cdecl zb_call_handler(EXCEPTION_RECORD *rec, void *frame,
 *                                               CONTEXT *ctx, void *dc)
 *
 * Entry:   [ESP+4] rec, [ESP+8] frame, [ESP+12] ctx, [ESP+16] dc (called by Windows'
 *          exception dispatcher through the SEH registration zb_call links).
 * Pops:    nothing (cdecl).
 * Result:  EAX: ExceptionContinueExecution (0) or ExceptionContinueSearch (1).
 * Keeps:   EBX, ESI, EDI, EBP.
 *
 * frame is the registration record (zb_call's EBP - 24). Unless unwinding, records the
 * exception in the callFrame and points the context at zb_call_recover with ESP = frame
 * and EBP = frame + 24: ExceptionContinueExecution (0); otherwise ContinueSearch (1).
 */
    .p2align 4
    .globl _zb_call_handler
_zb_call_handler:
    mov ecx, [esp + 4]                  /* rec */
    test dword ptr [ecx + 4], 6         /* EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND */
    jnz 1f
    mov edx, [esp + 8]                  /* registration */
    mov eax, [edx + 8]                  /* f */
    push esi
    mov esi, [ecx]
    mov [eax + callFrame_exc], esi      /* ExceptionCode */
    mov esi, [ecx + 12]
    mov [eax + callFrame_excAddr], esi  /* ExceptionAddress */
    mov esi, [ecx + 20]
    mov [eax + callFrame_excInfo], esi  /* ExceptionInformation[0] */
    mov esi, [ecx + 24]
    mov [eax + callFrame_excInfo + 4], esi /* ExceptionInformation[1] */
    pop esi
    mov ecx, [esp + 12]                 /* ctx */
    mov [ecx + 0xC4], edx               /* ctx->Esp = registration */
    lea eax, [edx + 24]
    mov [ecx + 0xB4], eax               /* ctx->Ebp */
    call 2f
2:  pop eax
    add eax, offset _zb_call_recover - 2b
    mov [ecx + 0xB8], eax               /* ctx->Eip */
    xor eax, eax
    ret
1:  mov eax, 1
    ret

/* zb_cb_entry: the C function a callback is, for every signature.
 *
 * Entry:   EAX slot number (from the per-callback stub `mov eax, slot; jmp zb_cb_entry`
 *          that winserver/callback.go writes); [ESP] return address, [ESP+4] the
 *          arguments as the DLL pushed them.
 * Pops:    cbFrame.pop bytes of arguments (stdcall callbacks; 0 for cdecl).
 * Result:  EAX:EDX = cbFrame.r1:r2, or ST(0) = cbFrame.f when cbFrame.retFloat.
 * Keeps:   EBX, ESI, EDI, EBP (the Go dispatcher keeps ESI, EDI).
 *
 * Builds a cbFrame, passes it to the Go dispatcher (a stdcall syscall.NewCallback whose
 * address is at zb_cb_dispatch), then returns EAX:EDX = r1:r2, loads f into ST(0) when
 * retFloat is set, and removes cbFrame.pop argument bytes from the caller's stack
 * (stdcall callbacks; 0 for cdecl) by moving the return address up before RET.
 * The cbFrame sits below the saved EBX: at [EBP - 4 - cbFrame__size], ESP after the sub.
 */
    .p2align 4
    .globl _zb_cb_entry
_zb_cb_entry:
    push ebp
    mov ebp, esp
    push ebx                            /* [ebp-4] */
    sub esp, cbFrame__size              /* cbFrame at [esp] */
    mov [esp + cbFrame_slotIndex], eax
    lea ecx, [ebp + 8]
    mov [esp + cbFrame_args], ecx
    mov ecx, esp
    push ecx                            /* the dispatcher's one (stdcall) argument */
    call 1f
1:  pop ebx
    mov ebx, [ebx + _zb_cb_dispatch - 1b]
    call ebx
    lea ecx, [ebp - 4 - cbFrame__size]  /* the cbFrame */
    mov eax, [ecx + cbFrame_r1]
    mov edx, [ecx + cbFrame_r2]
    cmp dword ptr [ecx + cbFrame_retFloat], 0
    je 2f
    fld qword ptr [ecx + cbFrame_f]
2:  mov ecx, [ecx + cbFrame_pop]        /* bytes to pop */
    mov ebx, [ebp + 4]                  /* return address ... */
    mov [ebp + 4 + ecx], ebx            /* ... moved above the popped arguments */
    lea ecx, [ebp + 4 + ecx]
    mov ebx, [ebp - 4]
    mov ebp, [ebp]
    mov esp, ecx
    ret

    .p2align 2
    .globl _zb_cb_dispatch
_zb_cb_dispatch:                        /* written at load: the Go dispatcher */
    .long 0
