/* Native code of the win32 server, assembled by gen.go into zthunk_386.go and copied into
 * executable memory at start. Position independent; gen.go exports the .globl labels.
 *
 * callFrame (winserver/thunk.go), byte offsets on 386:
 *   fn 0, nwords 4, words 8, retFloat 12, r1 16, r2 20, f 24, popped 32,
 *   exc 36, excAddr 40, excInfo0 44, excInfo1 48, lastError 52
 */
    .intel_syntax noprefix
    .text
    .globl _zb_blob
_zb_blob:

/* void __stdcall-free zb_call(callFrame *f)     f at [esp+4]; returns like cdecl
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
    mov ecx, [ebx + 4]                  /* nwords */
    mov esi, [ebx + 8]                  /* words */
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
3:  mov eax, [ebx + 52]
    mov fs:[0x34], eax                  /* TEB LastErrorValue = f->lastError */
    call dword ptr [ebx]
    mov [ebx + 16], eax
    mov [ebx + 20], edx
    mov ecx, esp
    sub ecx, edi
    mov [ebx + 32], ecx                 /* popped */
    cmp dword ptr [ebx + 12], 0
    je .Lout
    fstp qword ptr [ebx + 24]
.Lout:
    mov eax, [ebp - 24]
    mov fs:[0], eax                     /* unlink the registration */
    lea esp, [ebp - 12]
    pop edi
    pop esi
    pop ebx
    pop ebp
    ret
    .globl _zb_call_recover
_zb_call_recover:
    /* ESP = registration, EBP = our frame (set by the handler). Reset the x87 stack the
     * routine may have left loaded, keeping its control word. */
    fnclex
    emms
    mov ebx, [ebp - 16]
    jmp .Lout

/* EXCEPTION_DISPOSITION __cdecl zb_call_handler(EXCEPTION_RECORD *rec, void *frame,
 *                                               CONTEXT *ctx, void *dc)
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
    mov [eax + 36], esi                 /* exc */
    mov esi, [ecx + 12]
    mov [eax + 40], esi                 /* excAddr */
    mov esi, [ecx + 20]
    mov [eax + 44], esi                 /* ExceptionInformation[0] */
    mov esi, [ecx + 24]
    mov [eax + 48], esi                 /* ExceptionInformation[1] */
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

/* Callback entry, reached from a per-callback stub `mov eax, slot; jmp zb_cb_entry`
 * (winserver/callback.go writes the stubs). On entry [ESP] is the return address and
 * the arguments follow it.
 *
 * Builds a cbFrame, passes it to the Go dispatcher (a stdcall syscall.NewCallback whose
 * address is at zb_cb_dispatch), then returns EAX:EDX = r1:r2, loads f into ST(0) when
 * retFloat is set, and removes cbFrame.pop argument bytes from the caller's stack
 * (stdcall callbacks; 0 for cdecl) by moving the return address up before RET.
 *
 * cbFrame at [EBP-36], 386 offsets: slot 0, args 4, r1 8, r2 12, f 16, pop 24, retFloat 28.
 */
    .p2align 4
    .globl _zb_cb_entry
_zb_cb_entry:
    push ebp
    mov ebp, esp
    push ebx                            /* [ebp-4] */
    sub esp, 32                         /* cbFrame at [ebp-36] */
    mov [esp], eax                      /* slot */
    lea ecx, [ebp + 8]
    mov [esp + 4], ecx                  /* args */
    mov ecx, esp
    push ecx                            /* the dispatcher's one (stdcall) argument */
    call 1f
1:  pop ebx
    mov ebx, [ebx + _zb_cb_dispatch - 1b]
    call ebx
    lea ecx, [ebp - 36]
    mov eax, [ecx + 8]
    mov edx, [ecx + 12]
    cmp dword ptr [ecx + 28], 0
    je 2f
    fld qword ptr [ecx + 16]
2:  mov ecx, [ecx + 24]                 /* bytes to pop */
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
