// UTF-8 in CSV text, for messages only: columns counted in characters, and
// cells quoted so that a terminal shows what they hold. Parsing never looks
// at the encoding (fields split at ASCII bytes), so none of this is on the
// hot path.
#pragma once

#include <string>
#include <string_view>

namespace mlec::data {

// The byte order mark some editors write at the start of a UTF-8 file.
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// How many characters of a bad field a message quotes: enough to recognise
// it, short enough to keep the message on one line.
inline constexpr int quoted_field_limit = 30;

// Columns are counted in code points: every byte that is not a UTF-8
// continuation byte (10xxxxxx) starts a character.
int code_points(const char* begin, const char* end);

// The length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
// forms, no surrogates, at most U+10FFFF), or 0 when there is none.
int utf8_sequence(const char* p, const char* end);

// The first `limit` characters of [begin, end), with "..." when cut. Bytes
// that would garble a terminal (control characters, bytes that are not
// UTF-8) are written as \xHH, so a message always says what the cell holds.
std::string excerpt(const char* begin, const char* end, int limit = quoted_field_limit);

}  // namespace mlec::data
