#define _GNU_SOURCE
#include "MallocCounter.h"

#if defined(__linux__) && defined(__GLIBC__)
#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void *__libc_valloc(size_t);

static _Atomic int counting;
static _Atomic int64_t allocations;
// Whether this thread's allocations count.
static __thread int thread_tracked;

static int tracked(void) { return thread_tracked; }

static void count(void) {
    if (counting && tracked()) allocations++;
}

int kinglet_malloc_counting_supported(void) { return 1; }
void kinglet_malloc_track_current_thread(int on) { thread_tracked = on != 0; }
void kinglet_malloc_start(void) { allocations = 0; counting = 1; }
int64_t kinglet_malloc_stop(void) { counting = 0; return allocations; }

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *valloc(size_t size) { count(); return __libc_valloc(size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    count();
    void *p = __libc_memalign(alignment, size);
    if (p == NULL) return ENOMEM;
    *out = p;
    return 0;
}

#else

int kinglet_malloc_counting_supported(void) { return 0; }
void kinglet_malloc_track_current_thread(int on) { (void)on; }
void kinglet_malloc_start(void) {}
int64_t kinglet_malloc_stop(void) { return 0; }

#endif
