// ViT module: see design.md §2.
