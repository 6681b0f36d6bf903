#include "core/model/cpu_attention.h"

#include "core/common/fast_math.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

// at::parallel_for is OpenMP pragmas inside LibTorch's headers (AT_PARALLEL_OPENMP): compiled
// without -fopenmp it silently runs everything on the calling thread. core/model/CMakeLists.txt
// compiles this file with OpenMP; fail the build rather than lose the parallelism quietly.
#if AT_PARALLEL_OPENMP && !defined(_OPENMP)
#error "cpu_attention.cpp must be compiled with -fopenmp (LibTorch's at::parallel_for is OpenMP)"
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

// Layout. For a (batch b, head h) unit the head's q is a row-major T x D matrix starting at
// qkv + b*T*3C + h*D with row stride 3C; k and v follow at +C and +2C. y's head block is a T x D
// matrix at y + b*T*C + h*D with row stride C, and the gradient of qkv mirrors qkv. P, the softmax
// probabilities saved for backward, is (B, H, T, T) row-major.
//
// Blocking. Query rows go in blocks of kBlock; rows [r0, r1) only see keys [0, r1), so a block's
// scores are an (r1 - r0) x r1 GEMM: about half of the T x T work is never done. Within a block, P
// holds exact zeros at keys (t, r1) of row t. P entries at keys >= r1 are never written or read.
//
// GEMMs. BLAS is column-major; a row-major m x n matrix with row stride ld is, to BLAS, its n x m
// transpose with leading dimension ld, so every call below is written as the transpose of the
// row-major product in the comment above it. LibTorch 1.13 does not export
// at::native::cpublas::gemm, so the Fortran sgemm_/dgemm_ of the BLAS LibTorch itself loaded
// (Debian's alternatives decide which) are looked up at run time. Each call is made from inside
// at::parallel_for's OpenMP region: OpenBLAS's OpenMP build then runs it on the calling thread.
// OpenBLAS's pthread build would instead hand every call to its own threads, which spin against
// the OpenMP ones (measured: ~10x slower on 2 cores); with that build and more than one BLAS thread
// the units run one after another on the calling thread and BLAS supplies the parallelism.

namespace temper {
namespace {

constexpr int64_t kBlock = 64;

// ---------------------------------------------------------------------------------------------
// BLAS

template <typename T>
using FortranGemm = void (*)(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                             const T* alpha, const T* a, const int* lda, const T* b, const int* ldb, const T* beta,
                             T* c, const int* ldc);

template <typename T>
FortranGemm<T> blasGemm() {
  static const FortranGemm<T> fn = [] {
    const char* name = std::is_same_v<T, float> ? "sgemm_" : "dgemm_";
    auto found = reinterpret_cast<FortranGemm<T>>(dlsym(RTLD_DEFAULT, name));
    TORCH_CHECK(found != nullptr, "causal attention: the loaded BLAS exports no ", name);
    return found;
  }();
  return fn;
}

/// Whether BLAS calls made from OpenMP worker threads stay on those threads: false only for
/// OpenBLAS's pthread build (openblas_get_parallel() == 1) set to more than one thread.
bool blasCallsStayOnCallingThread() {
  using IntFn = int (*)();
  static const auto get_parallel = reinterpret_cast<IntFn>(dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
  static const auto get_threads = reinterpret_cast<IntFn>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  if (get_parallel == nullptr || get_threads == nullptr) return true;  // not OpenBLAS
  return get_parallel() != 1 || get_threads() <= 1;
}

/// at::parallel_for over the (batch, head) units, one unit per task, or all of them on this thread
/// when BLAS would thread each call itself.
template <typename F>
void forEachUnit(int64_t units, const F& fn) {
  at::parallel_for(0, units, blasCallsStayOnCallingThread() ? 1 : units, fn);
}

/// Column-major C (m x n) = alpha op(A) op(B) + beta C, as BLAS defines it.
template <typename T>
void gemm(FortranGemm<T> fn, char transa, char transb, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
          int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
  const int ilda = static_cast<int>(lda), ildb = static_cast<int>(ldb), ildc = static_cast<int>(ldc);
  fn(&transa, &transb, &im, &in, &ik, &alpha, a, &ilda, b, &ildb, &beta, c, &ildc);
}

// ---------------------------------------------------------------------------------------------
// Softmax rows. float: 8-wide GCC vector code, compiled twice (AVX2+FMA and the baseline ISA) and
// picked at run time, with a Cephes-style exp (inputs are <= 0 after the max is subtracted).
// double (the gradient tests): plain loops and std::exp.

// The 32-byte vector helpers are always inlined; GCC still warns about their (unused) ABI for the
// baseline ISA, at the end of the file, so the warning is off for the whole file.
#pragma GCC diagnostic ignored "-Wpsabi"

using V8 = float __attribute__((vector_size(32)));
using I8 = int32_t __attribute__((vector_size(32)));

#define TEMPER_INLINE inline __attribute__((always_inline))

TEMPER_INLINE V8 load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}
TEMPER_INLINE void store8(float* p, V8 v) { std::memcpy(p, &v, sizeof(v)); }
TEMPER_INLINE V8 splat8(float x) { return V8{x, x, x, x, x, x, x, x}; }

constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kExpMin = -87.0f;  // exp(-87) is still a normal float
constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f, kP3 = 4.1665795894e-2f,
                kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;

/// exp(x) for x <= 0 (NaN stays NaN; below -87 the result is exp(-87), below float precision of any
/// row sum that also holds exp(0) = 1).
TEMPER_INLINE V8 expNonPositive8(V8 x) {
  x = x < splat8(kExpMin) ? splat8(kExpMin) : x;
  const I8 n = __builtin_convertvector(x * kLog2e - 0.5f, I8);  // round(x log2 e), truncating toward 0
  const V8 nf = __builtin_convertvector(n, V8);
  const V8 r = (x - nf * kLn2Hi) - nf * kLn2Lo;
  V8 p = splat8(kP0);
  p = p * r + kP1;
  p = p * r + kP2;
  p = p * r + kP3;
  p = p * r + kP4;
  p = p * r + kP5;
  p = p * (r * r) + r + 1.0f;
  const I8 bits = (n + 127) << 23;
  return p * (V8)bits;  // GCC vector cast: reinterprets the bits
}

// The scalar tail uses the project's shared exp (same expansion, rounding to nearest).
TEMPER_INLINE float expNonPositive(float x) { return kernels::fastExp(x); }

TEMPER_INLINE float horizontalSum(V8 v) {
  float s = 0.0f;
  for (int i = 0; i < 8; ++i) s += v[i];
  return s;
}

TEMPER_INLINE float horizontalMax(V8 v) {
  float m = v[0];
  for (int i = 1; i < 8; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

/// Rows i = 0..rows-1 of s (row stride ld) hold scores at keys [0, first_len + i); each becomes its
/// softmax, and keys [first_len + i, width) are set to 0.
TEMPER_INLINE void softmaxRowsBody(float* s, int64_t ld, int64_t rows, int64_t first_len, int64_t width) {
  for (int64_t i = 0; i < rows; ++i) {
    float* row = s + i * ld;
    const int64_t len = first_len + i;
    int64_t j = 0;
    float m = -std::numeric_limits<float>::infinity();
    if (len >= 8) {
      V8 vm = load8(row);
      for (j = 8; j + 8 <= len; j += 8) {
        const V8 x = load8(row + j);
        vm = x > vm ? x : vm;
      }
      m = horizontalMax(vm);
    }
    for (; j < len; ++j) m = row[j] > m ? row[j] : m;

    V8 vsum = splat8(0.0f);
    for (j = 0; j + 8 <= len; j += 8) {
      const V8 e = expNonPositive8(load8(row + j) - m);
      store8(row + j, e);
      vsum += e;
    }
    float sum = horizontalSum(vsum);
    for (; j < len; ++j) {
      const float e = expNonPositive(row[j] - m);
      row[j] = e;
      sum += e;
    }
    const float inv = 1.0f / sum;
    const V8 vinv = splat8(inv);
    for (j = 0; j + 8 <= len; j += 8) store8(row + j, load8(row + j) * vinv);
    for (; j < len; ++j) row[j] *= inv;
    for (j = len; j < width; ++j) row[j] = 0.0f;
  }
}

/// Softmax backward in place: rows of d hold dP on entry and dS = P (dP - rowsum(dP P)) on exit,
/// over keys [0, first_len + i); keys up to width are set to 0.
TEMPER_INLINE void softmaxBackwardRowsBody(const float* p, int64_t ldp, float* d, int64_t ldd, int64_t rows,
                                           int64_t first_len, int64_t width) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* prow = p + i * ldp;
    float* drow = d + i * ldd;
    const int64_t len = first_len + i;
    V8 vdot = splat8(0.0f);
    int64_t j = 0;
    for (; j + 8 <= len; j += 8) vdot += load8(prow + j) * load8(drow + j);
    float dot = horizontalSum(vdot);
    for (; j < len; ++j) dot += prow[j] * drow[j];
    const V8 vdotv = splat8(dot);
    for (j = 0; j + 8 <= len; j += 8) store8(drow + j, load8(prow + j) * (load8(drow + j) - vdotv));
    for (; j < len; ++j) drow[j] = prow[j] * (drow[j] - dot);
    for (j = len; j < width; ++j) drow[j] = 0.0f;
  }
}

__attribute__((target("avx2,fma"))) void softmaxRowsAvx2(float* s, int64_t ld, int64_t rows, int64_t first_len,
                                                         int64_t width) {
  softmaxRowsBody(s, ld, rows, first_len, width);
}
void softmaxRowsBaseline(float* s, int64_t ld, int64_t rows, int64_t first_len, int64_t width) {
  softmaxRowsBody(s, ld, rows, first_len, width);
}
__attribute__((target("avx2,fma"))) void softmaxBackwardRowsAvx2(const float* p, int64_t ldp, float* d, int64_t ldd,
                                                                 int64_t rows, int64_t first_len, int64_t width) {
  softmaxBackwardRowsBody(p, ldp, d, ldd, rows, first_len, width);
}
void softmaxBackwardRowsBaseline(const float* p, int64_t ldp, float* d, int64_t ldd, int64_t rows, int64_t first_len,
                                 int64_t width) {
  softmaxBackwardRowsBody(p, ldp, d, ldd, rows, first_len, width);
}

bool hasAvx2Fma() {
  static const bool yes = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return yes;
}

void softmaxRows(float* s, int64_t ld, int64_t rows, int64_t first_len, int64_t width) {
  if (hasAvx2Fma()) {
    softmaxRowsAvx2(s, ld, rows, first_len, width);
  } else {
    softmaxRowsBaseline(s, ld, rows, first_len, width);
  }
}

void softmaxBackwardRows(const float* p, int64_t ldp, float* d, int64_t ldd, int64_t rows, int64_t first_len,
                         int64_t width) {
  if (hasAvx2Fma()) {
    softmaxBackwardRowsAvx2(p, ldp, d, ldd, rows, first_len, width);
  } else {
    softmaxBackwardRowsBaseline(p, ldp, d, ldd, rows, first_len, width);
  }
}

void softmaxRows(double* s, int64_t ld, int64_t rows, int64_t first_len, int64_t width) {
  for (int64_t i = 0; i < rows; ++i) {
    double* row = s + i * ld;
    const int64_t len = first_len + i;
    double m = -std::numeric_limits<double>::infinity();
    for (int64_t j = 0; j < len; ++j) m = std::max(m, row[j]);
    double sum = 0.0;
    for (int64_t j = 0; j < len; ++j) sum += (row[j] = std::exp(row[j] - m));
    for (int64_t j = 0; j < len; ++j) row[j] /= sum;
    for (int64_t j = len; j < width; ++j) row[j] = 0.0;
  }
}

void softmaxBackwardRows(const double* p, int64_t ldp, double* d, int64_t ldd, int64_t rows, int64_t first_len,
                         int64_t width) {
  for (int64_t i = 0; i < rows; ++i) {
    const double* prow = p + i * ldp;
    double* drow = d + i * ldd;
    const int64_t len = first_len + i;
    double dot = 0.0;
    for (int64_t j = 0; j < len; ++j) dot += prow[j] * drow[j];
    for (int64_t j = 0; j < len; ++j) drow[j] = prow[j] * (drow[j] - dot);
    for (int64_t j = len; j < width; ++j) drow[j] = 0.0;
  }
}

// ---------------------------------------------------------------------------------------------
// Kernels

struct Shape {
  int64_t batch, steps, heads, head_dim;
  int64_t channels() const { return heads * head_dim; }
};

template <typename T>
void attentionForward(const T* qkv, T* y, T* probs, const Shape& s) {
  const int64_t steps = s.steps, d = s.head_dim, c = s.channels(), ld = 3 * c;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(d)));
  const auto fn = blasGemm<T>();
  forEachUnit(s.batch * s.heads, [&](int64_t begin, int64_t end) {
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t b = unit / s.heads, h = unit % s.heads;
      const T* q = qkv + b * steps * ld + h * d;
      const T* k = q + c;
      const T* v = q + 2 * c;
      T* out = y + b * steps * c + h * d;
      T* p = probs + unit * steps * steps;
      for (int64_t r0 = 0; r0 < steps; r0 += kBlock) {
        const int64_t r1 = std::min(r0 + kBlock, steps), nr = r1 - r0;
        T* pb = p + r0 * steps;
        // S[r0:r1, 0:r1] = scale Q[r0:r1] K[0:r1]^T
        gemm<T>(fn, 'T', 'N', r1, nr, d, scale, k, ld, q + r0 * ld, ld, T(0), pb, steps);
        softmaxRows(pb, steps, nr, r0 + 1, r1);
        // Y[r0:r1] = P[r0:r1, 0:r1] V[0:r1]
        gemm<T>(fn, 'N', 'N', d, nr, r1, T(1), v, ld, pb, steps, T(0), out + r0 * c, c);
      }
    }
  });
}

template <typename T>
void attentionBackward(const T* qkv, const T* probs, const T* grad_y, T* grad_qkv, const Shape& s) {
  const int64_t steps = s.steps, d = s.head_dim, c = s.channels(), ld = 3 * c;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(d)));
  const auto fn = blasGemm<T>();
  const int64_t blocks = (steps + kBlock - 1) / kBlock;
  forEachUnit(s.batch * s.heads, [&](int64_t begin, int64_t end) {
    std::vector<T> scratch(static_cast<size_t>(std::min(kBlock, steps) * steps));
    T* ds = scratch.data();  // dP, then dS, of one row block (row stride steps)
    for (int64_t unit = begin; unit < end; ++unit) {
      const int64_t b = unit / s.heads, h = unit % s.heads;
      const T* q = qkv + b * steps * ld + h * d;
      const T* k = q + c;
      const T* v = q + 2 * c;
      const T* go = grad_y + b * steps * c + h * d;
      T* dq = grad_qkv + b * steps * ld + h * d;
      T* dk = dq + c;
      T* dv = dq + 2 * c;
      const T* p = probs + unit * steps * steps;
      // Last block first: it covers every key, so it initialises dK and dV (beta 0) and the
      // earlier, shorter blocks accumulate into them.
      for (int64_t blk = blocks - 1; blk >= 0; --blk) {
        const int64_t r0 = blk * kBlock, r1 = std::min(r0 + kBlock, steps), nr = r1 - r0;
        const T beta = blk == blocks - 1 ? T(0) : T(1);
        const T* pb = p + r0 * steps;
        // dV[0:r1] += P[r0:r1, 0:r1]^T dO[r0:r1]
        gemm<T>(fn, 'N', 'T', d, r1, nr, T(1), go + r0 * c, c, pb, steps, beta, dv, ld);
        // dP[r0:r1, 0:r1] = dO[r0:r1] V[0:r1]^T
        gemm<T>(fn, 'T', 'N', r1, nr, d, T(1), v, ld, go + r0 * c, c, T(0), ds, steps);
        softmaxBackwardRows(pb, steps, ds, steps, nr, r0 + 1, r1);
        // dQ[r0:r1] = scale dS K[0:r1]
        gemm<T>(fn, 'N', 'N', d, nr, r1, scale, k, ld, ds, steps, T(0), dq + r0 * ld, ld);
        // dK[0:r1] += scale dS^T Q[r0:r1]
        gemm<T>(fn, 'N', 'T', d, r1, nr, scale, q + r0 * ld, ld, ds, steps, beta, dk, ld);
      }
    }
  });
}

Shape shapeOf(const torch::Tensor& qkv, int64_t heads) {
  TORCH_CHECK(causalAttentionCpuSupports(qkv), "causal attention: expected a 3-D float32/float64 CPU tensor, got ",
              qkv.sizes(), " ", qkv.scalar_type(), " on ", qkv.device());
  TORCH_CHECK(heads > 0 && qkv.size(2) % (3 * heads) == 0, "causal attention: last dimension ", qkv.size(2),
              " is not 3 x heads (", heads, ") x head_dim");
  const Shape shape{qkv.size(0), qkv.size(1), heads, qkv.size(2) / (3 * heads)};
  TORCH_CHECK(3 * shape.channels() <= std::numeric_limits<int>::max() && shape.steps <= std::numeric_limits<int>::max(),
              "causal attention: shape too large for BLAS's 32-bit sizes");
  return shape;
}

class CausalAttentionFunction : public torch::autograd::Function<CausalAttentionFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, int64_t heads) {
    const Shape shape = shapeOf(input, heads);
    auto qkv = input.contiguous();
    auto y = torch::empty({shape.batch, shape.steps, shape.channels()}, qkv.options());
    auto probs = torch::empty({shape.batch, shape.heads, shape.steps, shape.steps}, qkv.options());
    if (qkv.numel() > 0) {
      AT_DISPATCH_FLOATING_TYPES(qkv.scalar_type(), "causal_attention_forward", [&] {
        attentionForward<scalar_t>(qkv.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), probs.data_ptr<scalar_t>(), shape);
      });
    }
    ctx->save_for_backward({qkv, probs});
    ctx->saved_data["heads"] = heads;
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    TORCH_CHECK(!torch::GradMode::is_enabled(),
                "causal attention: the CPU kernel has no double backward (create_graph=true)");
    auto saved = ctx->get_saved_variables();
    const auto& qkv = saved[0];
    const auto& probs = saved[1];
    const Shape shape = shapeOf(qkv, ctx->saved_data["heads"].toInt());
    auto grad_y = grad_outputs[0].contiguous();
    auto grad_qkv = torch::empty_like(qkv, at::MemoryFormat::Contiguous);
    if (qkv.numel() > 0) {
      AT_DISPATCH_FLOATING_TYPES(qkv.scalar_type(), "causal_attention_backward", [&] {
        attentionBackward<scalar_t>(qkv.data_ptr<scalar_t>(), probs.data_ptr<scalar_t>(), grad_y.data_ptr<scalar_t>(),
                                    grad_qkv.data_ptr<scalar_t>(), shape);
      });
    }
    return {grad_qkv, torch::Tensor()};
  }
};

}  // namespace

bool causalAttentionCpuSupports(const torch::Tensor& qkv) {
  return qkv.defined() && qkv.device().is_cpu() && qkv.dim() == 3 &&
         (qkv.scalar_type() == torch::kFloat || qkv.scalar_type() == torch::kDouble);
}

torch::Tensor causalAttentionCpu(const torch::Tensor& qkv, int64_t heads) {
  return CausalAttentionFunction::apply(qkv, heads);
}

}  // namespace temper
