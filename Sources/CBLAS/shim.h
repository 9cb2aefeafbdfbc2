#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
// Found through pkg-config's -I (Debian puts cblas.h under openblas-pthread/).
// Also declares openblas_set_num_threads, openblas_get_num_threads, openblas_get_corename, openblas_get_config.
#include <cblas.h>
#endif
