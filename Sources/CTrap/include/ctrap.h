#ifndef CTRAP_H
#define CTRAP_H
// Trap containment for trainer threads (docs/architecture.md §5): a Swift runtime trap (ud2 → SIGILL, brk → SIGTRAP) or a
// SIGFPE/SIGBUS on a thread that has entered a cell parks that thread forever instead of killing the process.
// The same signals on any other thread, or sent by kill(2), go on to the previous handler (the Swift
// backtracer) or the default action, exactly as before. See ctrap.c for the why of each step.
#include <stdint.h>

typedef struct ctrap_cell ctrap_cell;

/// Installs the handlers for SIGILL, SIGTRAP, SIGFPE and SIGBUS once per process, and a pipe: each trap
/// writes the trapped cell's address (sizeof(void *) bytes) to it; `*wake_read_fd` receives its read end.
/// Returns 0, or an errno value (nothing is installed then). Call once.
int ctrap_install(int *wake_read_fd);
int ctrap_installed(void);

/// A cell names one run's threads. `context` is the caller's, handed back unchanged. Cells are freed by
/// `ctrap_cell_free`, which the caller must not call while a thread is inside or parked in the cell.
ctrap_cell *ctrap_cell_new(void *context);
void ctrap_cell_free(ctrap_cell *cell);
void *ctrap_cell_context(const ctrap_cell *cell);
void ctrap_cell_set_context(ctrap_cell *cell, void *context);
/// The signal that parked a thread of this cell (0 = none), its si_code, and si_addr (the faulting PC for SIGILL).
int ctrap_cell_signal(const ctrap_cell *cell);
int ctrap_cell_code(const ctrap_cell *cell);
uintptr_t ctrap_cell_address(const ctrap_cell *cell);

/// The calling thread enters `cell` (and gets its own alternate signal stack) until `ctrap_leave`.
/// Returns 0, or an errno value (the thread is then not contained). Not nestable.
int ctrap_enter(ctrap_cell *cell);
void ctrap_leave(void);
/// The cell the calling thread is in, or NULL (so a thread it starts can enter the same one).
ctrap_cell *ctrap_current(void);
#endif
