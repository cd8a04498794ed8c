// json_error.h — what can be wrong with one object's JSON, and its message.
//
// The extractor's own error values, so that only simdjson_seam.cc speaks
// simdjson's error codes. Each value is one message the user sees; the seam
// maps simdjson's codes onto them (several codes share a message). Zero is
// success, so `if (JsonError e = ...) return e;` reads as it did with
// simdjson. Private to src/extract; plain values, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace gatescan::extract_internal {

enum JsonError : uint8_t {
  kJsonOk = 0,
  kJsonEmpty,            // no token at all
  kJsonNotObject,        // a valid value that is not an object
  kJsonUnclosedString,   // stage 1
  kJsonInvalidUtf8,      // stage 1
  kJsonControlInString,  // stage 1
  kJsonBadEscape,        // a string escape JSON does not have
  kJsonBadNumber,        // number grammar, or out of float64's range
  kJsonBadLiteral,       // true / false / null misspelt
  kJsonUnbalanced,       // truncated, or brackets that do not pair up
  kJsonUnexpectedToken,  // a token the grammar does not allow there
  kJsonTooDeep,          // more than 10000 levels (1024 in a rendered value)
  kJsonWrongType,        // (internal stop signal; never reaches a record)
  kJsonTrailingContent,  // tokens after the root object
  kJsonCapacity,         // too large for the indexer
  kJsonOutOfMemory,
  kJsonOther,  // a simdjson code the seam does not name
};

// The message of an error record; `e` must not be kJsonOk.
std::string_view JsonErrorText(JsonError e);

}  // namespace gatescan::extract_internal
