/* The calling thread's Linux thread id, cached per thread: a system call per Python
 * call costs more than the rest of the lookup that needs it. */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <unistd.h>

static __thread long cached_tid;

long zb_gettid(void)
{
    if (cached_tid == 0)
        cached_tid = syscall(SYS_gettid);
    return cached_tid;
}
