// framer.cc — the framer's batch loop: reads into the batch, runs the state
// machine (framer_grammar.cc) over what was read, hands out batches of whole
// objects, carries an object that straddles batches into the next one (only
// its bytes, and its stage-1 positions so far), and reports truncation at the
// end of input. Buffers are in padded_buffer.cc, the kernels behind
// scan_kernel.h; YAML input is handed to the YAML framer (yaml_framer.h).
#include "gatescan/input/framer.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "framer_impl.h"

namespace gatescan {

size_t Framer::Impl::ReadMore() {
  PaddedBuffer& bytes = batch->bytes;
  size_t old = bytes.size();
  bytes.resize(old + options.read_bytes);
  Status error;
  const size_t n = source->Read(bytes.data() + old, options.read_bytes, &error);
  batch->input_bytes += n;
  bytes.resize(old + n);
  if (!error.ok()) {
    Error(end(), 0, error.message());
    read_failed = true;
    return 0;
  }
  return n;
}

void Framer::Impl::Frame() {
  for (bool progressed = true; progressed;) {
    switch (mode) {
      case Mode::kDetect:
        progressed = StepDetect();
        break;
      case Mode::kTopValue:
        progressed = StepTopValue();
        break;
      case Mode::kResync:
        progressed = StepResync();
        break;
      case Mode::kObjKey:
        progressed = StepObjKey();
        break;
      case Mode::kObjColon:
        progressed = StepObjColon();
        break;
      case Mode::kObjValue:
        progressed = StepObjValue();
        break;
      case Mode::kArrElem:
        progressed = StepArrElem();
        break;
      case Mode::kScanItem:
      case Mode::kSkipNested:
        progressed = StepScan();
        break;
      case Mode::kSkipToken:
        progressed = StepSkipToken();
        break;
      case Mode::kDone:
        progressed = false;
        break;
    }
  }
  // Items whose kind is still unknown past the bound are handed out as a
  // List's (see pending_list).
  if (pending_list && end() - obj_start > options.max_pending_kind_bytes) {
    pending_list = false;
    assumed_list = true;
    obj_retained = false;
  }
  // A top-level object that is still a candidate single object but already too
  // large is no longer kept; its end is still found, then reported.
  if (obj_retained && end() - obj_start > options.max_object_bytes) obj_retained = false;
}

// The first byte still needed: the start of a kept object or unfinished token,
// or the scanner's resume point when the bytes are only being skipped.
uint64_t Framer::Impl::KeepFrom() const {
  uint64_t keep = pos;
  if (mode == Mode::kScanItem || mode == Mode::kSkipNested) {
    keep = item_retained ? item_start : scan_resume;
  }
  if (obj_retained) keep = std::min(keep, obj_start);
  return keep;
}

void Framer::Impl::Finish() {
  if (mode == Mode::kSkipToken) mode = skip_then;  // an unterminated string
  // A truncated object's kind is unknown: its items stay, beside the
  // truncation error, as they did before kinds were told apart.
  pending_list = false;
  if (!read_failed) {
    auto truncated = [&](const char* what, uint64_t offset, uint64_t index) {
      Error(offset, index,
            std::string("truncated: unterminated ") + what + " starting at offset " +
                std::to_string(offset));
    };
    switch (mode) {
      case Mode::kScanItem:
        truncated("object", item_start, item_index);
        break;
      case Mode::kSkipNested:
        if (skipping_element) {
          truncated("array", item_start, item_index);
        } else {
          truncated("object", obj_start, obj_index);
        }
        break;
      case Mode::kObjKey:
      case Mode::kObjColon:
      case Mode::kObjValue:
        truncated("object", obj_start, obj_index);
        break;
      case Mode::kArrElem:
        if (top_array) {
          truncated("array", array_start, item_index);
        } else {
          truncated("object", obj_start, obj_index);
        }
        break;
      default:
        break;
    }
  }
  mode = Mode::kDone;
  produced_anything =
      produced_anything || !batch->spans.empty() || !batch->errors.empty() || !batch->lists.empty();
  if (!produced_anything && !read_failed) {
    // An empty dump is far more often a failed `kubectl get` than a clean cluster.
    Error(
        0, 0,
        "no Kubernetes object found: the input is empty or holds no JSON object or YAML document");
  }
}

bool Framer::Impl::Next(FramedBatch* out) {
  if (yaml_framer != nullptr) {
    const bool more = yaml_framer->Next(out);
    out->input = &input;
    return more;
  }
  out->Reset();
  out->input = &input;
  if (mode == Mode::kDone) return false;
  batch = out;
  if (!KernelOverrideError().empty()) {
    // Scanning with another kernel than the one asked for would test, or
    // time, the wrong thing.
    Error(0, 0, KernelOverrideError());
    mode = Mode::kDone;
    batch = nullptr;
    return true;
  }
  list_slot = -1;
  out->bytes.resize(carry.size());
  if (carry.size() > 0) std::memcpy(out->bytes.data(), carry.data(), carry.size());
  base = carry_offset;
  // The positions of an indexed item carried over (maybe none yet) come first.
  uint32_t* carried = out->structurals.Reserve(carry_structurals.size());
  // memcpy from an empty vector's null data() is undefined, even for 0 bytes.
  if (!carry_structurals.empty()) {
    std::memcpy(carried, carry_structurals.data(), carry_structurals.size() * sizeof(uint32_t));
  }
  out->structurals.set_size(carry_structurals.size());
  item_structurals_begin = 0;
  carry_structurals.clear();
  for (;;) {
    if (!eof && ReadMore() == 0) eof = true;
    Frame();
    if (yaml_framer != nullptr) {
      batch = nullptr;
      return Next(out);  // the YAML framer took over
    }
    if (eof) {
      Finish();
      break;
    }
    bool has_output = !out->spans.empty() || !out->errors.empty() || !out->lists.empty();
    if (has_output && out->bytes.size() >= options.batch_bytes && !pending_list) break;
    if (out->spans.empty()) {
      // Nothing refers to the bytes before the keep point: drop them, so that
      // a huge skipped object or a long stretch of garbage needs no memory.
      uint64_t keep = KeepFrom();
      if (keep > base) {
        size_t drop = keep - base;
        size_t rest = out->bytes.size() - drop;
        std::memmove(out->bytes.data(), out->bytes.data() + drop, rest);
        out->bytes.resize(rest);
        base = keep;
      }
    }
  }
  produced_anything =
      produced_anything || !out->spans.empty() || !out->errors.empty() || !out->lists.empty();
  uint64_t keep = mode == Mode::kDone ? end() : KeepFrom();
  carry.resize(end() - keep);
  if (carry.size() > 0) std::memcpy(carry.data(), buf() + (keep - base), carry.size());
  carry_offset = keep;
  // An indexed item that straddles the batches keeps the positions found so
  // far: they are relative to the item's start, which is carried with it.
  if (IndexingItem()) {
    const uint32_t* from = out->structurals.data() + item_structurals_begin;
    const uint32_t* to = out->structurals.data() + out->structurals.size();
    carry_structurals.assign(from, to);
    out->structurals.set_size(item_structurals_begin);
  }
  batch = nullptr;
  // A batch that only consumed input (trailing whitespace) is still returned
  // so that input_bytes adds up to the input size.
  return !out->spans.empty() || !out->errors.empty() || !out->lists.empty() || out->input_bytes > 0;
}

Framer::Framer(const InputSpec& input, std::unique_ptr<ByteSource> source, FramerOptions options)
    : impl_(std::make_unique<Impl>(input, std::move(source), options)) {}

Framer::~Framer() = default;

bool Framer::Next(FramedBatch* batch) { return impl_->Next(batch); }

}  // namespace gatescan
