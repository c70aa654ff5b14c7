// Every named built-in function of the model language, one line each, in
// the order of the table (runtime/functions.cpp), which "did you mean"
// suggestions walk. From this list come the accessors op_<name>() (declared
// in runtime/functions.hpp, each defined in the function's file under
// runtime/functions/) and the table itself. inv_logit is sigmoid under a
// second name; pow also serves the operator ^.
#pragma once

// One line a name, so that adding one is one line:
// clang-format off
#define MLEC_FUNCTIONS(X) \
    X(exp) \
    X(log) \
    X(log1p) \
    X(log1m) \
    X(expm1) \
    X(sqrt) \
    X(abs) \
    X(pow) \
    X(sigmoid) \
    X(inv_logit) \
    X(logit) \
    X(tanh) \
    X(lgamma) \
    X(probit) \
    X(Phi) \
    X(log_Phi) \
    X(digamma) \
    X(sin) \
    X(cos) \
    X(tan) \
    X(asin) \
    X(acos) \
    X(atan) \
    X(atan2) \
    X(sinh) \
    X(cosh) \
    X(erf) \
    X(erfc) \
    X(log_sum_exp) \
    X(log1m_exp) \
    X(log_diff_exp) \
    X(sum) \
    X(min) \
    X(max) \
    X(ifelse)
// clang-format on
