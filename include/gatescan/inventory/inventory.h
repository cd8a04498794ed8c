// inventory.h — `gatescan inventory`: every container image of the input,
// counted per registry, per repository and per exact image (SPEC §6).
//
// The inventory is a Collector (report.h) of every object that passes the
// filters, clean or not. In the parallel stage Collect() parses each
// container's image (distribution/reference,
// ParseNormalizedNamed) and appends one compact binary record per object to
// the batch's chunk: its namespace, and per container the list, the registry,
// the repository or the parser's error, and whether a constraint flagged it.
// Consume() decodes the records serially, in input order, and aggregates;
// Finish() writes the report in one of four formats (one file per writer). Memory grows with the
// number of distinct images and namespaces, not with the dump.
//
// Counting rules:
//   - containers: every ContainerRef (containers, initContainers,
//     ephemeralContainers); objects and namespaces are distinct counts of the
//     objects and (non-empty) metadata.namespace values holding at least one
//     such container. An object without a namespace counts in no namespace.
//     With --expand a workload's pod template containers count as its own
//     (blocked by the violations implied through them).
//   - an image that does not parse, or that is not a string, is an invalid
//     reference: it is listed with the parser's error (or "image is not a
//     string") and belongs to no registry or repository.
//   - what-if (only when a Policy is given): a container is blocked when one
//     of the object's violations (after every constraint's spec.match) names
//     its list, name and image; an object breaks when it has a blocked
//     container; a namespace breaks when one of its objects does. Match errors
//     block nothing. Every enforcement action counts: the question is what the
//     candidate allowlist flags.
//   - error records (malformed JSON ...) are counted and listed, never
//     aggregated.
//
// Outputs: kText (aligned tables), kJson (one document), kCsv (one row per
// repository, RFC 4180, formula cells neutralised) and kHtml (one
// self-contained page: inline CSS and SVG, no script, no external resource).
#pragma once

#include <memory>
#include <string_view>

#include "gatescan/policy/policy.h"
#include "gatescan/report/report.h"

namespace gatescan {

enum class InventoryFormat { kText, kJson, kCsv, kHtml };

// Parses "text", "json", "csv", "html"; false when unknown.
bool ParseInventoryFormat(std::string_view name, InventoryFormat* out);

// `policy` is null when no constraint was given (no what-if view); otherwise
// it must outlive the collector.
std::unique_ptr<Collector> MakeInventoryCollector(InventoryFormat format, const Policy* policy);

}  // namespace gatescan
