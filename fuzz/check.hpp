#pragma once
// FUZZ_CHECK(condition): a property of the code under test that the fuzzer
// found broken. It names the condition and aborts, which libFuzzer reports as
// a crash with the input that caused it.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                          \
  do {                                                                                                 \
    if (!(condition)) {                                                                                \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #condition);          \
      std::abort();                                                                                    \
    }                                                                                                  \
  } while (0)
