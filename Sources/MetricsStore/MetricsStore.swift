// MetricsStore module: see design.md §2.
