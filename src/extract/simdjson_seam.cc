// simdjson_seam.cc — every use of simdjson's internals, in one file.
//
// Written against simdjson 3.0.x (Debian 12 ships 3.0.1). On an upgrade,
// re-check before moving the version check below:
//  - dom_parser_implementation::parse_string(src, dst): upstream changed its
//    signature after 3.0 (a third `allow_replacement` argument); Unescape's
//    contract (nullptr on a lone surrogate, whole SIMD blocks written) must
//    still hold, or UnescapeLikeGo's fallback stops being reached.
//  - stage1(buf, len, stage1_mode::regular), structural_indexes and
//    n_structural_indexes: the positions must still end with len, len, 0
//    (TokenCursor reads idx[n] as the end of the last token), and the
//    framer's own stage 1 (input/) must still produce exactly this form.
//  - create_dom_parser_implementation / set_capacity and their error codes.
//  - builtin::numberparsing::parse_double: which literals it refuses (Go's
//    grammar, float64 range) and the codes it returns for them.
//  - SIMDJSON_PADDING against kParsePadding (checked below).
#include "simdjson_seam.h"

#include <simdjson.h>

#include "gatescan/common/padding.h"

namespace gatescan::extract_internal {

static_assert(simdjson::SIMDJSON_VERSION_MAJOR == 3 && simdjson::SIMDJSON_VERSION_MINOR == 0,
              "simdjson_seam.cc was written against simdjson 3.0.x: re-check the internals "
              "listed at the top of this file, then update this check");
static_assert(kParsePadding >= simdjson::SIMDJSON_PADDING,
              "kParsePadding must cover simdjson's padding");

namespace {

JsonError FromSimdjson(simdjson::error_code e) {
  switch (e) {
    case simdjson::SUCCESS:
      return kJsonOk;
    case simdjson::UNCLOSED_STRING:
      return kJsonUnclosedString;
    case simdjson::UTF8_ERROR:
      return kJsonInvalidUtf8;
    case simdjson::UNESCAPED_CHARS:
      return kJsonControlInString;
    case simdjson::STRING_ERROR:
      return kJsonBadEscape;
    case simdjson::NUMBER_ERROR:
    case simdjson::NUMBER_OUT_OF_RANGE:
      return kJsonBadNumber;
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return kJsonBadLiteral;
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return kJsonUnbalanced;
    case simdjson::TAPE_ERROR:
      return kJsonUnexpectedToken;
    case simdjson::DEPTH_ERROR:
      return kJsonTooDeep;
    case simdjson::EMPTY:
      return kJsonEmpty;
    case simdjson::INCORRECT_TYPE:
      return kJsonWrongType;
    case simdjson::TRAILING_CONTENT:
      return kJsonTrailingContent;
    case simdjson::CAPACITY:
      return kJsonCapacity;
    case simdjson::MEMALLOC:
      return kJsonOutOfMemory;
    default:
      return kJsonOther;
  }
}

}  // namespace

struct JsonIndexer::Impl {
  std::unique_ptr<simdjson::internal::dom_parser_implementation> parser;
};

JsonIndexer::JsonIndexer() = default;
JsonIndexer::~JsonIndexer() = default;

JsonError JsonIndexer::Reserve(size_t capacity, size_t max_depth) {
  simdjson::error_code e;
  if (impl_ == nullptr) {
    auto impl = std::make_unique<Impl>();
    e = simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, max_depth,
                                                                                impl->parser);
    if (!e) impl_ = std::move(impl);
  } else {
    e = impl_->parser->set_capacity(capacity);
    if (e) impl_.reset();
  }
  return FromSimdjson(e);
}

JsonError JsonIndexer::Index(const uint8_t* buf, size_t len) {
  return FromSimdjson(impl_->parser->stage1(buf, len, simdjson::stage1_mode::regular));
}

const uint32_t* JsonIndexer::positions() const { return impl_->parser->structural_indexes.get(); }

uint32_t JsonIndexer::count() const { return impl_->parser->n_structural_indexes; }

uint8_t* JsonIndexer::Unescape(const uint8_t* src, uint8_t* dst) const {
  return impl_->parser->parse_string(src, dst);
}

JsonError ParseJsonDouble(const uint8_t* start, double* out) {
  return FromSimdjson(simdjson::builtin::numberparsing::parse_double(start).get(*out));
}

bool IsValidUtf8(const char* data, size_t size) { return simdjson::validate_utf8(data, size); }

}  // namespace gatescan::extract_internal
