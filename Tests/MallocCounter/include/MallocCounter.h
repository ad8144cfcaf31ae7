// Counts heap allocations, for tests that must show a loop allocates nothing.
//
// On Linux the test binary defines malloc, calloc, realloc, posix_memalign, aligned_alloc,
// memalign and valloc itself, forwarding each to glibc's implementation (__libc_*), so every
// allocation in the process passes through here. An allocation is counted while counting is on
// and it happens on a thread that called `kinglet_malloc_track_current_thread(1)`. Elsewhere the functions
// report `kinglet_malloc_counting_supported() == 0`.
//
// Only threads that opted in count, so tests running in parallel do not disturb each other.
#ifndef KINGLET_MALLOC_COUNTER_H
#define KINGLET_MALLOC_COUNTER_H

#include <stdint.h>

int kinglet_malloc_counting_supported(void);
void kinglet_malloc_track_current_thread(int tracked);
/// Starts counting from zero.
void kinglet_malloc_start(void);
/// Stops counting and returns the number of allocations counted since `kinglet_malloc_start`.
int64_t kinglet_malloc_stop(void);

#endif
