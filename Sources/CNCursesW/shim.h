#ifndef CNCURSESW_SHIM_H
#define CNCURSESW_SHIM_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/ncurses.h>
// Macros and globals that Swift 6 cannot import (docs/platform.md §5).
static inline attr_t swc_a_bold(void) { return A_BOLD; }
static inline attr_t swc_a_dim(void) { return A_DIM; }
static inline attr_t swc_a_reverse(void) { return A_REVERSE; }
static inline attr_t swc_a_underline(void) { return A_UNDERLINE; }
static inline WINDOW *swc_stdscr(void) { return stdscr; }
static inline int swc_colors(void) { return COLORS; }
static inline int swc_color_pairs(void) { return COLOR_PAIRS; }
static inline mmask_t swc_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t swc_button1_pressed(void) { return BUTTON1_PRESSED; }
static inline mmask_t swc_button1_clicked(void) { return BUTTON1_CLICKED; }
static inline mmask_t swc_button4_pressed(void) { return BUTTON4_PRESSED; }
static inline mmask_t swc_button5_pressed(void) { return BUTTON5_PRESSED; }
static inline int swc_mvadd_cell(WINDOW *w, int y, int x, wchar_t ch, attr_t attrs, int pair) {
    cchar_t cc; wchar_t wc[2] = { ch, 0 };
    if (setcchar(&cc, wc, attrs, (short)0, &pair) != OK) return ERR;
    return mvwadd_wch(w, y, x, &cc);
}
static inline mmask_t swc_button1_released(void) { return BUTTON1_RELEASED; }
// newterm on the process's own stdio (the stdio globals are not usable from Swift 6); NULL on failure,
// where initscr would exit the process.
static inline SCREEN *swc_newterm(const char *type) { return newterm(type, stdout, stdin); }
static inline const char *swc_codeset(void) { return nl_langinfo(CODESET); }
// Whether the terminal can move the cursor (TERM=dumb cannot, so a full-screen UI is impossible there).
static inline int swc_can_address(void) { char *c = tigetstr("cup"); return c != NULL && c != (char *)-1; }
#include <sys/ioctl.h>
#include <unistd.h>
// The terminal's real size from the kernel (rows, cols); 0 when stdout is not a terminal.
static inline int swc_real_size(int *rows, int *cols) {
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_row == 0 || ws.ws_col == 0) return 0;
    *rows = ws.ws_row; *cols = ws.ws_col;
    return 1;
}
#endif
