#include "core/common/cpu_features.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TEMPER_X86 1
#endif

namespace temper {
namespace {

#ifdef TEMPER_X86
struct Regs {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
};

Regs cpuid(unsigned leaf, unsigned subleaf) {
  Regs r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

bool bit(unsigned value, int n) { return ((value >> n) & 1u) != 0; }

// XCR0: which register states the OS saves on a context switch. Without them the instructions fault.
unsigned long long xcr0() {
  unsigned lo = 0, hi = 0;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

std::string brandString() {
  unsigned max_ext = __get_cpuid_max(0x80000000u, nullptr);
  if (max_ext < 0x80000004u) return "";
  char brand[49] = {};
  for (unsigned i = 0; i < 3; ++i) {
    Regs r = cpuid(0x80000002u + i, 0);
    std::memcpy(brand + 16 * i, &r, 16);
  }
  std::string s(brand);
  const auto first = s.find_first_not_of(' ');
  const auto last = s.find_last_not_of(' ');
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}
#endif

}  // namespace

std::vector<std::string> CpuFeatures::names() const {
  std::vector<std::string> out;
  auto add = [&](bool on, const char* name) {
    if (on) out.emplace_back(name);
  };
  add(sse3, "sse3");
  add(ssse3, "ssse3");
  add(sse4_2, "sse4_2");
  add(avx, "avx");
  add(fma, "fma");
  add(avx2, "avx2");
  add(avx512f, "avx512f");
  add(avx512bw, "avx512bw");
  add(avx512vl, "avx512vl");
  add(avx512dq, "avx512dq");
  add(avx512cd, "avx512cd");
  add(avx512_bf16, "avx512_bf16");
  add(amx_tile, "amx_tile");
  add(amx_bf16, "amx_bf16");
  return out;
}

Json CpuFeatures::toJson() const {
  return Json{
      {"vendor", vendor}, {"model_name", model_name}, {"family", family}, {"model", model}, {"features", names()}};
}

CpuFeatures detectCpuFeatures() {
  CpuFeatures f;
#ifdef TEMPER_X86
  const unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf == 0) return f;
  Regs v = cpuid(0, 0);
  char vendor[13] = {};
  std::memcpy(vendor, &v.ebx, 4);
  std::memcpy(vendor + 4, &v.edx, 4);
  std::memcpy(vendor + 8, &v.ecx, 4);
  f.vendor = vendor;
  f.model_name = brandString();

  Regs l1 = cpuid(1, 0);
  const unsigned base_family = (l1.eax >> 8) & 0xf, base_model = (l1.eax >> 4) & 0xf;
  f.family = static_cast<int>(base_family == 0xf ? base_family + ((l1.eax >> 20) & 0xff) : base_family);
  f.model = static_cast<int>((base_family == 0x6 || base_family == 0xf) ? (((l1.eax >> 16) & 0xf) << 4) + base_model
                                                                        : base_model);
  f.sse3 = bit(l1.ecx, 0);
  f.ssse3 = bit(l1.ecx, 9);
  f.sse4_2 = bit(l1.ecx, 20);
  const bool osxsave = bit(l1.ecx, 27);
  const unsigned long long xcr = osxsave ? xcr0() : 0;
  const bool os_ymm = (xcr & 0x6) == 0x6;              // SSE and AVX state
  const bool os_zmm = os_ymm && (xcr & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
  const bool os_tiles = (xcr & 0x60000) == 0x60000;    // XTILECFG, XTILEDATA
  f.avx = os_ymm && bit(l1.ecx, 28);
  f.fma = f.avx && bit(l1.ecx, 12);
  if (max_leaf >= 7) {
    Regs l7 = cpuid(7, 0);
    f.avx2 = f.avx && bit(l7.ebx, 5);
    f.avx512f = os_zmm && bit(l7.ebx, 16);
    f.avx512dq = f.avx512f && bit(l7.ebx, 17);
    f.avx512cd = f.avx512f && bit(l7.ebx, 28);
    f.avx512bw = f.avx512f && bit(l7.ebx, 30);
    f.avx512vl = f.avx512f && bit(l7.ebx, 31);
    f.amx_bf16 = os_tiles && bit(l7.edx, 22);
    f.amx_tile = os_tiles && bit(l7.edx, 24);
    if (l7.eax >= 1) f.avx512_bf16 = f.avx512f && bit(cpuid(7, 1).eax, 5);
  }
#endif
  return f;
}

const CpuFeatures& cpuFeatures() {
  static const CpuFeatures features = detectCpuFeatures();
  return features;
}

}  // namespace temper
