// MLEC_ASSERT_PRECONDITION(cond): a helper's documented precondition
// (log_beta needs a, b > 0; polygamma_diff x > 0, a >= 0, ...), checked in
// the sanitizer and fuzz builds and compiled out everywhere else, so the hot
// loops cost nothing in Release.
//
// The distributions call their scalar helpers only for rows whose
// arguments lie in the domain (detail::row_in_domain); everything
// else gets -inf from finish_rows without ever reaching them. A helper
// called outside its precondition computes garbage that is usually thrown
// away, but sometimes is undefined behaviour (a huge negative a converted to
// int in polygamma_diff), and the sanitizers see only the latter. This
// check sees both: the build defines MLEC_CHECK_PRECONDITIONS under
// -DMLEC_SANITIZE=ON and -DMLEC_FUZZ=ON (CMakeLists.txt).
//
// A failure is a bug in the library, as a sanitizer report is, and ends
// the program the way one does: a message with the stack on stderr, then
// abort (libFuzzer and CTest count that as a crash).
#pragma once

#ifdef MLEC_CHECK_PRECONDITIONS

#include <cstdio>
#include <cstdlib>

#include <sanitizer/common_interface_defs.h>

namespace mlec::rt {

[[noreturn]] inline void precondition_failed(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: precondition failed: %s\n", file, line, condition);
    __sanitizer_print_stack_trace();
    std::abort();
}

}  // namespace mlec::rt

#define MLEC_ASSERT_PRECONDITION(cond) \
    ((cond) ? static_cast<void>(0) : ::mlec::rt::precondition_failed(#cond, __FILE__, __LINE__))

#else

#define MLEC_ASSERT_PRECONDITION(cond) static_cast<void>(0)

#endif
