// OpenBLAS (cblas) and LAPACKE, as Debian's libopenblas-dev and liblapacke-dev install them.
// Debian's OpenBLAS has no LAPACKE inside, so the module map links both libraries.
#ifndef CARERATES_CLAPACK_SHIM_H
#define CARERATES_CLAPACK_SHIM_H

#include <cblas.h>
#include <lapacke.h>

// Exported by OpenBLAS builds with DYNAMIC_ARCH (Debian's are): re-run the kernel choice
// after OPENBLAS_CORETYPE has been set, for CPUs that this OpenBLAS does not recognise.
void gotoblas_dynamic_init(void);
void gotoblas_dynamic_quit(void);

#endif
