/* tools/asan-pools.c: an LD_PRELOAD library for make test-asan and
 * make soak ASAN=1 that gives every apr_palloc() allocation a malloc()
 * block of its own, freed when its pool is cleared or destroyed.
 *
 * Why: APR carves pool allocations out of large blocks, so a read one byte
 * past a pool string lands in the next allocation and AddressSanitizer
 * sees nothing; almost everything mod_cors reads (header values, directive
 * arguments, its own copies) is pool memory.  With this library each
 * allocation has ASan redzones around it, as with APR's --enable-pool-debug,
 * which Debian's libapr1 is not built with.  apr_pcalloc() is a macro over
 * apr_palloc(), and libapr's own calls (apr_pstrdup, apr_array_push, ...)
 * go through its PLT, so they are all covered.  apr_psprintf() and bucket
 * memory use the pool's blocks directly and stay as they were.
 *
 * The blocks of a pool are freed by a cleanup registered with the pool's
 * first allocation, so it runs after every cleanup registered later: a
 * cleanup may still read the pool's memory, as with plain APR.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apr_pools.h"

typedef struct asan_block {
    struct asan_block *next;
    void *mem;
} asan_block;

/* The blocks of one pool.  It and its list are malloc() memory linked
 * from asan_pools: LeakSanitizer does not scan APR's pool memory (the
 * allocator mmap()s it), so a block pointed to only from there would be
 * reported as a leak while its pool lives. */
typedef struct asan_pool {
    struct asan_pool *prev, *next;
    asan_block *blocks;
} asan_pool;

static asan_pool asan_pools = { &asan_pools, &asan_pools, NULL };
static pthread_mutex_t asan_pools_lock = PTHREAD_MUTEX_INITIALIZER;

static const char asan_pool_key[] = "mod_cors test: asan-pools";

static void *(*real_palloc)(apr_pool_t *pool, apr_size_t size);

/* Set while the shim itself calls into APR (the user data hash, the
 * cleanup record): those allocations take plain pool memory. */
static __thread int in_shim;

static void *asan_malloc(size_t size)
{
    /* malloc(0) may return NULL; APR's callers expect a pointer */
    void *mem = malloc(size ? size : 1);

    if (!mem) {
        abort();
    }
    return mem;
}

static apr_status_t asan_free_blocks(void *data)
{
    asan_pool *ap = data;
    asan_block *b, *next;

    pthread_mutex_lock(&asan_pools_lock);
    ap->prev->next = ap->next;
    ap->next->prev = ap->prev;
    pthread_mutex_unlock(&asan_pools_lock);
    for (b = ap->blocks; b; b = next) {
        next = b->next;
        free(b->mem);
        free(b);
    }
    free(ap);
    return APR_SUCCESS;
}

APR_DECLARE(void *) apr_palloc(apr_pool_t *pool, apr_size_t size)
{
    asan_pool *ap = NULL;
    asan_block *b;

    if (!real_palloc) {
        real_palloc = (void *(*)(apr_pool_t *, apr_size_t))
                      dlsym(RTLD_NEXT, "apr_palloc");
        if (!real_palloc) {
            fprintf(stderr, "asan-pools: apr_palloc not found\n");
            abort();
        }
    }
    if (in_shim) {
        return real_palloc(pool, size);
    }
    in_shim = 1;
    apr_pool_userdata_get((void **)&ap, asan_pool_key, pool);
    if (!ap) {
        ap = asan_malloc(sizeof(*ap));
        ap->blocks = NULL;
        pthread_mutex_lock(&asan_pools_lock);
        ap->next = asan_pools.next;
        ap->prev = &asan_pools;
        ap->next->prev = ap;
        asan_pools.next = ap;
        pthread_mutex_unlock(&asan_pools_lock);
        apr_pool_userdata_setn(ap, asan_pool_key, NULL, pool);
        apr_pool_cleanup_register(pool, ap, asan_free_blocks,
                                  apr_pool_cleanup_null);
    }
    b = asan_malloc(sizeof(*b));
    b->mem = asan_malloc(size);
    b->next = ap->blocks;
    ap->blocks = b;
    in_shim = 0;
    return b->mem;
}

/* The exported function (callers normally get apr_pools.h's macro) */
#undef apr_pcalloc
APR_DECLARE(void *) apr_pcalloc(apr_pool_t *pool, apr_size_t size)
{
    void *mem = apr_palloc(pool, size);

    memset(mem, 0, size);
    return mem;
}
