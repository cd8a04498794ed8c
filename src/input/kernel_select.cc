// kernel_select.cc — the one place a kernel is chosen: GATESCAN_KERNEL if
// set, else the widest kernel the CPU runs. Read once, on first use.
#include <cstdlib>
#include <string>

#include "kernel_bits.h"

namespace gatescan {
namespace {

struct Entry {
  ScanKernel kernel;
  bool (*cpu_ok)();
};

#ifdef GATESCAN_X86_KERNELS
bool HasSse2() { return true; }  // part of x86-64
bool HasAvx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("pclmul") &&
         __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi");
}
// BW and VBMI2, as simdjson's icelake kernel: the CPUs with BW alone
// (Skylake-X, Cascade Lake) run the AVX2 kernel, as simdjson runs haswell there.
bool HasAvx512() {
  __builtin_cpu_init();
  return HasAvx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vbmi2");
}
#endif
bool Always() { return true; }

// Narrowest first. The generic and SSE2 kernels leave stage 1 to simdjson's
// own implementation (as SSE2 did before the kernels had a seam): a byte loop
// or a 16-byte one of ours is slower than simdjson's, which has NEON too.
const Entry kEntries[] = {
    {{"generic", kernels::ScanGeneric, nullptr}, Always},
#ifdef GATESCAN_X86_KERNELS
    {{"sse2", kernels::ScanSse2, nullptr}, HasSse2},
    {{"avx2", kernels::ScanAvx2, kernels::IndexAvx2}, HasAvx2},
    {{"avx512", kernels::ScanAvx512, kernels::IndexAvx512}, HasAvx512},
#endif
};

struct Choice {
  const ScanKernel* kernel = nullptr;
  std::string error;
};

Choice Choose() {
  Choice choice;
  const char* wanted = std::getenv("GATESCAN_KERNEL");
  if (wanted != nullptr && *wanted != '\0') {
    bool cpu_ok = false;
    const ScanKernel* kernel = FindKernel(wanted, &cpu_ok);
    if (kernel != nullptr && cpu_ok) {
      choice.kernel = kernel;
      return choice;
    }
    std::string names;
    if (kernel == nullptr) {
      for (const Entry& e : kEntries)
        names += std::string(names.empty() ? "" : ", ") + e.kernel.name;
    } else {
      for (const ScanKernel* k : SupportedKernels()) {
        names += std::string(names.empty() ? "" : ", ") + k->name;
      }
    }
    choice.error = std::string("GATESCAN_KERNEL=") + wanted + ": " +
                   (kernel == nullptr ? "no such kernel in this build (it has: "
                                      : "this CPU cannot run that kernel (it runs: ") +
                   names + ")";
    choice.kernel = &kEntries[0].kernel;
    return choice;
  }
  for (const Entry& e : kEntries) {
    if (e.cpu_ok()) choice.kernel = &e.kernel;
  }
  return choice;
}

const Choice& TheChoice() {
  static const Choice kChoice = Choose();
  return kChoice;
}

}  // namespace

const ScanKernel& ActiveKernel() { return *TheChoice().kernel; }

const std::string& KernelOverrideError() { return TheChoice().error; }

IndexFn ReferenceIndex() { return kernels::IndexGeneric; }

std::vector<const ScanKernel*> SupportedKernels() {
  std::vector<const ScanKernel*> out;
  for (const Entry& e : kEntries) {
    if (e.cpu_ok()) out.push_back(&e.kernel);
  }
  return out;
}

const ScanKernel* FindKernel(std::string_view name, bool* cpu_ok) {
  for (const Entry& e : kEntries) {
    if (name == e.kernel.name) {
      *cpu_ok = e.cpu_ok();
      return &e.kernel;
    }
  }
  *cpu_ok = false;
  return nullptr;
}

}  // namespace gatescan
