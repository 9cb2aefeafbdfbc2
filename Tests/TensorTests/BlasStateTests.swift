import Testing

/// Suites that touch global BLAS state (the OpenBLAS thread count, which `Attention` pins to 1 inside its
/// parallel region, and the naive-fallback flag) are nested here so they never run at the same time.
@Suite(.serialized) enum BlasStateTests {}
