// TUI module: see design.md §2.
