// Tests for E2E land here with their issue.
