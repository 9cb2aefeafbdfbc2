// Tests for TUI land here with their issue.
