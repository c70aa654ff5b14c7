// Numbers as text: the one module every report, message and output file
// of the library formats a double with. Each function is one rule; the
// rules differ only where a reader of that output needs them to, and each
// output keeps its rule so that it stays byte for byte what it was.
//
// Common to every rule for people (format_exact, format_digits,
// format_short): never "nan" and never "-0". A value that does not exist
// is "n/a", infinities are "inf" and "-inf", and -0 is "0" (a sign on a
// zero tells a reader nothing and looks like an error).
#pragma once

#include <optional>
#include <string>

namespace mlec::report {

// Shortest text that reads back as the same double ("0.1", "2",
// "1e-300"): for values a program reads back (JSON, simulated CSV cells).
std::string format_exact(double x);

// `digits` significant digits, like R's print ("0.1234568", "-2.772589"):
// the tables of the text reports (7 for estimates, 8 for log-likelihoods,
// 4 for p-values and weights, 3 for norms and condition numbers).
std::string format_digits(double x, int digits);

// For messages and labels: up to 6 significant digits ("0.25", "1e+10"),
// also the bounds ("> 0", "(0, 1)") and limits ("-> 0") of parameters.
inline std::string format_short(double x) { return format_digits(x, 6); }

// JSON (RFC 8259 has no NaN or infinity): format_exact for a finite
// value, null for one that does not exist (NaN, an infinity, absent).
std::string json_number(double x);
std::string json_number(const std::optional<double>& x);

// A cell of predict's CSV: format_exact for a finite value, NA (what R
// and pandas read as missing) for one that does not exist.
std::string csv_number(double x);

// Fixed and scientific notation with a given number of decimals, exactly
// as printf's %.*f and %.*e (the caller passes finite values and decides
// the sign of zero): SVG coordinates and axis tick labels, where every
// label of an axis needs the same number of decimals.
std::string format_fixed(double x, int decimals);
std::string format_scientific(double x, int decimals);

}  // namespace mlec::report
