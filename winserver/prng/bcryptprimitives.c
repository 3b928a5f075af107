/* A stand-in for bcryptprimitives.dll on Wine releases that lack it (Wine 8.0).
 *
 * Go >= 1.22 programs on Windows load bcryptprimitives.dll from the system folder at start-up
 * and call ProcessPrng for random bytes; without it they die with "fatal error:
 * bcryptprimitives.dll not found". This DLL exports ProcessPrng only and forwards to
 * advapi32's SystemFunction036 (RtlGenRandom), which Wine has. It is installed into a managed
 * prefix's system32/syswow64 only where no real one exists.
 *
 * Build (undecorated stdcall export on win32):
 *   i686-w64-mingw32-gcc   -shared -O2 -s -Wl,--kill-at -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 *   x86_64-w64-mingw32-gcc -shared -O2 -s -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
