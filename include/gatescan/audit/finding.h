// finding.h — a finding's identity, stable across rollouts and reorderings,
// and the files that carry findings between runs (baselines, ndjson outputs).
//
// A finding is (constraint kind, constraint name, namespace, owner kind,
// owner name, container type, container name, image, message): the owner is
// the workload (owner.h), so a pod's random suffix, its ReplicaSet's
// pod-template-hash, the input order and the thread count do not take part;
// the message is taken without Gatekeeper's "[Implied by <template>] "
// prefix, so with --expand the finding implied by a Deployment and the same
// finding on its live Pods are one finding. Plain values; FindingSet is not
// synchronised (one owner at a time).
//
// Owners across objects: a violation line names the owner its own object
// proves (owner.h) — it is written before later objects are seen. Every
// object that is not a Pod and has a controller carries an owner edge
// (namespace, kind, name) -> (owner kind, owner name); ndjson writes it as an
// "owner" record where the object is, the baseline writer keeps the edges of
// its scan (bounded by the number of workload objects, not by pods). Readers
// lift each finding's owner through the edges once a file is read, so a
// StatefulSet owned by an operator's custom resource present in the input
// is attributed to that resource in baselines and diffs.
//
// Files (README, "Baselines and diffs"): a baseline is JSON lines, a header
// {"type":"baseline","format":"gatescan-baseline","version":1,...}, then one
// {"type":"finding", <key fields>, "count":N} per finding in key order, then
// the "owner" records. The reader also takes `gatescan -o ndjson` output (its
// "violation" and "owner" records, and with --group-by its "group" records,
// each counting `replicas` findings); anything else is an error naming the
// file and line.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "gatescan/common/status.h"
#include "gatescan/evaluate/evaluate.h"
#include "gatescan/extract/extract.h"
#include "gatescan/policy/policy.h"

namespace gatescan {

inline constexpr int kBaselineVersion = 1;
inline constexpr std::string_view kBaselineFormat = "gatescan-baseline";

// The key's fields, in order; also the JSON keys of baseline and diff records.
inline constexpr std::array<std::string_view, 9> kFindingFields = {
    "constraint_kind", "constraint", "namespace", "owner_kind", "owner_name",
    "container_type",  "container",  "image",     "message"};

using FindingKey = std::array<std::string, kFindingFields.size()>;
// Distinct findings and how many violations each stands for (replicas).
using FindingSet = std::map<FindingKey, uint64_t>;

// (namespace, kind, name) -> (owner kind, owner name).
using OwnerEdgeKey = std::array<std::string, 3>;
using OwnerEdges = std::map<OwnerEdgeKey, std::pair<std::string, std::string>>;

// Whether the object carries an owner edge (a controller, and not a Pod).
bool HasOwnerEdge(const ObjectRecord& object);
// {"type":"owner","namespace":..,"kind":..,"name":..,"owner_kind":..,"owner_name":..}\n
void AppendOwnerRecord(std::string_view ns, std::string_view kind, std::string_view name,
                       std::string_view owner_kind, std::string_view owner_name, std::string* out);
// Moves the key's owner up through `edges` to the top (at most 32 steps, so
// a cycle in a hand-made input ends).
void LiftOwner(const OwnerEdges& edges, FindingKey* key);
// Every key lifted, counts of keys that meet added.
FindingSet LiftAll(const FindingSet& set, const OwnerEdges& edges);

// The message as the finding knows it: without leading "[Implied by X] ".
std::string_view MessageWithoutImpliedPrefix(std::string_view message);

FindingKey MakeFindingKey(const Constraint& constraint, const ObjectRecord& object,
                          std::span<const Label> labels, const Violation& violation);

// Appends the key's fields as `"name":"value"` pairs, comma-separated, no braces.
void AppendFindingFields(const FindingKey& key, std::string* out);

// A compact, unambiguous byte form (length-prefixed fields), for passing keys
// from the parallel stage to the serial one inside a chunk.
void AppendEncodedKey(const FindingKey& key, std::string* out);
// Decodes one key at *pos and advances; false when the bytes are not one.
bool DecodeKey(std::string_view bytes, size_t* pos, FindingKey* key);

// Reads a baseline or an ndjson output into *set (counts added). A file that
// is neither — not JSON lines, a foreign JSON, a newer baseline version, an
// ndjson without owner fields — is an error naming the file and line.
// The findings come out lifted through the file's owner records, which are
// also added to *edges when it is not null.
Status ReadFindings(const std::string& path, FindingSet* set, OwnerEdges* edges = nullptr);

// The baseline file's bytes for `set` (header first, keys in order).
std::string FormatBaseline(const FindingSet& set, const OwnerEdges& edges, std::string_view created,
                           std::string_view gatescan_version);

}  // namespace gatescan
