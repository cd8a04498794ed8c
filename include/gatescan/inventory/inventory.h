// inventory.h — `gatescan inventory`: every container image of the input,
// counted per registry, per repository, per exact image and per workload
// (SPEC §6, issue 15 item 7).
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
//   - workloads: an object's workload is its top owner as the scan's
//     findings name it (audit/owner.h, step 1), lifted through the owner
//     edges of the input (non-Pod objects with a controller) at the end, as
//     baselines lift them (audit/finding.h LiftOwner). A workload breaks when
//     one of its containers is blocked; "what breaks" lists those workloads
//     and the namespaces holding them.
//   - --suggest (suggest.h): the fewest registry or repository prefixes that
//     admit at least a share of all containers, under the run's --match mode.
//
// Outputs: kText (aligned tables), kJson (one document), kCsv (RFC 4180,
// formula cells neutralised; one row per repository by default, or per
// registry, image or (workload, image) with CsvLevel) and kHtml (one
// self-contained page: inline CSS and SVG, no script, no external resource;
// it states its inputs, InventoryInputs, so a forwarded page is unambiguous).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gatescan/policy/policy.h"
#include "gatescan/report/report.h"

namespace gatescan {

enum class InventoryFormat { kText, kJson, kCsv, kHtml };

// Parses "text", "json", "csv", "html"; false when unknown.
bool ParseInventoryFormat(std::string_view name, InventoryFormat* out);

// -o csv rows: one per registry, repository (the default), exact image, or
// (workload, image) pair.
enum class CsvLevel { kRegistry, kRepository, kImage, kWorkload };
// Parses "registry", "repository", "image", "workload"; false when unknown.
bool ParseCsvLevel(std::string_view name, CsvLevel* out);

// Parses a --suggest share: "99%", "99", "99.5%" (0 < share <= 100, at most
// four decimals) into parts per million; false when it is not one.
bool ParseSuggestShare(std::string_view text, uint32_t* ppm);

// What the run was given, stated by the JSON and HTML reports: the inputs
// and policy files as typed, the --allow entries, the filters, the match
// mode, gatescan's version and the run's date (UTC, RFC 3339).
struct InventoryInputs {
  std::vector<std::string> files;
  std::vector<std::string> policies;
  std::vector<std::string> allow;
  std::vector<std::string> namespaces;
  std::vector<std::string> excluded_namespaces;
  std::string selector;
  bool expand = false;
  std::string version;
  std::string date;
};

struct InventoryOptions {
  InventoryFormat format = InventoryFormat::kText;
  CsvLevel csv_level = CsvLevel::kRepository;
  MatchMode match = MatchMode::kGatekeeper;  // what --suggest's prefixes must admit under
  uint32_t suggest_ppm = 0;                  // --suggest share in ppm; 0: no suggestion
  InventoryInputs inputs;
};

// `policy` is null when no constraint was given (no what-if view); otherwise
// it must outlive the collector.
std::unique_ptr<Collector> MakeInventoryCollector(const InventoryOptions& options,
                                                  const Policy* policy);
std::unique_ptr<Collector> MakeInventoryCollector(InventoryFormat format, const Policy* policy);

}  // namespace gatescan
