// Tests for ViT land here with their issue.
