// The properties a fuzz target asserts about what it decoded or parsed. When one fails it
// prints what failed and aborts: libFuzzer reports that as a crash and keeps the input, and a
// corpus replay fails on it.
//   FUZZ_CHECK(condition)
//   FUZZ_CHECK_OK(result)   a Result<T> that must be ok; prints its status if not
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace assent::fuzz {

[[noreturn]] inline void PropertyFailed(const char* file, int line, const char* what,
                                        const std::string& detail) {
  std::fprintf(stderr, "%s:%d: property failed: %s %s\n", file, line, what, detail.c_str());
  std::abort();
}

}  // namespace assent::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? void() : assent::fuzz::PropertyFailed(__FILE__, __LINE__, #condition, ""))

#define FUZZ_CHECK_OK(result)                                                     \
  ((result).ok() ? void()                                                         \
                 : assent::fuzz::PropertyFailed(__FILE__, __LINE__, #result " is ok", \
                                                (result).status().ToString()))
