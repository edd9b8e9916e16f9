// glibc's allocator controls (mallopt), which Swift's Glibc module does not export.
#ifndef CARERATES_CMALLOC_SHIM_H
#define CARERATES_CMALLOC_SHIM_H
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
#endif
