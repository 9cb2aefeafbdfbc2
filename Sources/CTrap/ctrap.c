// Trap containment (see include/ctrap.h). Everything the handler touches is async-signal-safe: a
// thread-local pointer (initial-exec TLS, set before any fault can happen on that thread), C11 atomics,
// write(2), sigaction(2), raise(3) and pause(2).
#define _GNU_SOURCE
#include "ctrap.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ctrap_cell {
    void *context;
    _Atomic int signal;           // published last (release), read first (acquire)
    _Atomic int code;
    _Atomic uintptr_t address;
};

static const int contained[] = {SIGILL, SIGTRAP, SIGFPE, SIGBUS};
enum { ncontained = sizeof contained / sizeof contained[0] };
static struct sigaction previous[ncontained];
static _Atomic int installed;
static int wake = -1;
static _Thread_local ctrap_cell *current __attribute__((tls_model("initial-exec")));
static _Thread_local stack_t own_stack __attribute__((tls_model("initial-exec")));
static _Thread_local stack_t old_stack __attribute__((tls_model("initial-exec")));

static int slot_of(int sig) {
    for (int i = 0; i < ncontained; i++) if (contained[i] == sig) return i;
    return -1;
}

// Not a trainer fault: put the previous action back and let the signal reach it. A synchronous fault
// (si_code > 0) re-executes its faulting instruction on return and faults again into the previous handler
// with the real siginfo, so the Swift backtracer and core dumps see the true crash site. x86 int3 leaves the
// PC past the instruction, and kill(2)/raise(3) signals do not recur, so those are raised again (pending
// until this handler returns).
static void pass_on(int sig, siginfo_t *info) {
    int saved = errno;
    int i = slot_of(sig);
    if (i >= 0) sigaction(sig, &previous[i], NULL);
    int resend = info->si_code <= 0;
#if defined(__x86_64__) || defined(__i386__)
    if (sig == SIGTRAP) resend = 1;
#endif
    if (resend) raise(sig);
    errno = saved;
}

static void on_fault(int sig, siginfo_t *info, void *uc) {
    (void)uc;
    ctrap_cell *cell = current;
    if (cell == NULL || info->si_code <= 0) { pass_on(sig, info); return; }
    atomic_store_explicit(&cell->code, info->si_code, memory_order_relaxed);
    atomic_store_explicit(&cell->address, (uintptr_t)info->si_addr, memory_order_relaxed);
    atomic_store_explicit(&cell->signal, sig, memory_order_release);
    if (wake >= 0) {
        uintptr_t p = (uintptr_t)cell;
        ssize_t n = write(wake, &p, sizeof p);   // ≤ PIPE_BUF: atomic; a full pipe drops it (the cell still says so)
        (void)n;
    }
    // Park: this thread never returns to the code that trapped. Other signals may still run their handlers
    // here (on this thread's alternate stack) and come back to pause().
    for (;;) pause();
}

int ctrap_install(int *wake_read_fd) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&installed, &expected, 1)) return EALREADY;
    int fds[2];
    // The write end is nonblocking: the handler must never wait.
    if (pipe2(fds, O_CLOEXEC) != 0) { int e = errno; atomic_store(&installed, 0); return e; }
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    wake = fds[1];
    *wake_read_fd = fds[0];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < ncontained; i++) sigaddset(&sa.sa_mask, contained[i]);
    for (int i = 0; i < ncontained; i++) {
        if (sigaction(contained[i], &sa, &previous[i]) != 0) {
            int e = errno;
            for (int j = 0; j < i; j++) sigaction(contained[j], &previous[j], NULL);
            wake = -1; close(fds[0]); close(fds[1]);
            atomic_store(&installed, 0);
            return e;
        }
    }
    return 0;
}

int ctrap_installed(void) { return atomic_load(&installed); }

ctrap_cell *ctrap_cell_new(void *context) {
    ctrap_cell *c = calloc(1, sizeof *c);
    if (c) c->context = context;
    return c;
}

void ctrap_cell_free(ctrap_cell *cell) { free(cell); }
void *ctrap_cell_context(const ctrap_cell *cell) { return cell->context; }
void ctrap_cell_set_context(ctrap_cell *cell, void *context) { cell->context = context; }
int ctrap_cell_signal(const ctrap_cell *cell) { return atomic_load_explicit(&((ctrap_cell *)cell)->signal, memory_order_acquire); }
int ctrap_cell_code(const ctrap_cell *cell) { return atomic_load_explicit(&((ctrap_cell *)cell)->code, memory_order_relaxed); }
uintptr_t ctrap_cell_address(const ctrap_cell *cell) { return atomic_load_explicit(&((ctrap_cell *)cell)->address, memory_order_relaxed); }

// The alternate stack lets the handler run even when the trap came with the thread's stack nearly used up,
// and keeps the trapped frames intact below it for a debugger.
static size_t alt_size(void) {
    long need = sysconf(_SC_SIGSTKSZ);   // larger than the old constant on CPUs with AVX-512 state
    return need > 64 * 1024 ? (size_t)need : 64 * 1024;
}

int ctrap_enter(ctrap_cell *cell) {
    if (current != NULL) return EBUSY;
    size_t size = alt_size();
    void *mem = malloc(size);
    if (mem == NULL) return ENOMEM;
    stack_t ss = {.ss_sp = mem, .ss_size = size, .ss_flags = 0};
    if (sigaltstack(&ss, &old_stack) != 0) { int e = errno; free(mem); return e; }
    own_stack = ss;
    current = cell;
    return 0;
}

void ctrap_leave(void) {
    if (current == NULL) return;
    current = NULL;
    // Restore whatever stack the thread had (none for a new thread), then free ours.
    if (old_stack.ss_flags & SS_DISABLE || old_stack.ss_sp == NULL) {
        stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
    } else {
        sigaltstack(&old_stack, NULL);
    }
    free(own_stack.ss_sp);
    own_stack.ss_sp = NULL;
}

ctrap_cell *ctrap_current(void) { return current; }
