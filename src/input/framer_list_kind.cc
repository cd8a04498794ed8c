// framer_list_kind.cc — which top-level objects are Lists. Only a "kind"
// ending in "List" (kubectl's "List" included) makes an object's items the
// objects to review (as Gatekeeper reviews them); any other object is one
// span, whatever keys it has. "kind" may come after "items" (kubectl sorts
// keys): see Framer::Impl::pending_list for how items are then held, and the
// bound on that.
#include <string>

#include "framer_impl.h"

namespace gatescan {

void Framer::Impl::CloseObject(uint64_t close_end) {
  // No kind (or only kinds read before): whatever the items were, the object
  // is not a List.
  if (obj_kind == ObjKind::kUnknown && (pending_list || assumed_list)) {
    ResolveKind(ObjKind::kNotList);
  }
  if (obj_is_list) {
    list.header_complete = true;
    batch->lists[ListSlot()] = list;
  } else if (obj_retained) {
    uint64_t length = close_end - obj_start;
    if (length > options.max_object_bytes) {
      Error(obj_start, obj_index,
            "object of " + std::to_string(length) + " bytes exceeds --max-object-bytes (" +
                std::to_string(options.max_object_bytes) + ")");
    } else {
      batch->spans.push_back({static_cast<uint32_t>(obj_start - base),
                              static_cast<uint32_t>(length), obj_start, obj_index, -1});
    }
  } else {
    Error(obj_start, obj_index,
          "object exceeds --max-object-bytes (" + std::to_string(options.max_object_bytes) + ")");
  }
  obj_retained = false;
  mode = Mode::kTopValue;
}

// At an "items" key of an object still in the running to be a List.
void Framer::Impl::StartItems() {
  if (obj_kind != ObjKind::kUnknown) {
    obj_retained = false;  // a List: its items are the objects
    return;
  }
  if (pending_list || assumed_list) return;  // a second "items" key
  if (!obj_retained) {
    assumed_list = true;  // already too large to be kept
    return;
  }
  pending_list = true;
  pending_first_span = batch->spans.size();
  pending_first_list = batch->lists.size();
  pending_first_structural = batch->structurals.size();
  pending_error_slots.clear();
}

// The object's "kind" was read (or found not to be a string).
void Framer::Impl::ResolveKind(ObjKind kind) {
  const ObjKind before = obj_kind;
  obj_kind = kind;
  if (pending_list) {
    pending_list = false;
    if (kind == ObjKind::kList) {
      obj_retained = false;
    } else {
      DropPendingItems();
    }
  } else if (assumed_list && kind != ObjKind::kList) {
    assumed_list = false;
    Error(obj_start, obj_index, NotAListMessage());
  } else if (before != ObjKind::kUnknown && before != kind && items_seen) {
    // Go keeps the last of duplicate keys; the items were already framed (or
    // skipped) by the first.
    Error(obj_start, obj_index,
          "\"kind\" given twice, once as a List and once not: items not reviewed as either");
    obj_retained = false;
    obj_is_list = true;
  }
}

std::string Framer::Impl::NotAListMessage() const {
  return std::string("object ") +
         (obj_kind == ObjKind::kNotList && !list.kind.empty() ? "of kind \"" + list.kind + "\""
                                                              : "without a List kind") +
         " has an items array and exceeded " + std::to_string(options.max_pending_kind_bytes) +
         " bytes before its kind was read: its items were reviewed as a List's, the object "
         "itself was not";
}

// The pending items were an ordinary value of an object that is not a List:
// they and the errors about them are forgotten, and the object is kept whole.
void Framer::Impl::DropPendingItems() {
  batch->spans.resize(pending_first_span);
  batch->structurals.set_size(pending_first_structural);
  if (list_slot >= 0 && static_cast<size_t>(list_slot) >= pending_first_list) {
    batch->lists.resize(pending_first_list);
    list_slot = -1;
  }
  for (auto slot = pending_error_slots.rbegin(); slot != pending_error_slots.rend(); ++slot) {
    batch->errors.erase(batch->errors.begin() + static_cast<std::ptrdiff_t>(*slot));
  }
  pending_error_slots.clear();
  obj_is_list = false;
}

}  // namespace gatescan
