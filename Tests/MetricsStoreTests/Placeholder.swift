// Tests for MetricsStore land here with their issue.
