//===- HostTensor.h - Host buffers for JIT-compiled kernels ----*- C++ -*-===//
//
// Dense row-major host tensors in the element types convgrad supports (f16,
// bf16, f32, f64), with the scalar conversions they need and the memref
// descriptors the `_mlir_ciface_*` entry points of compiled kernels take.
//
// This header has no MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TESTING_HOSTTENSOR_H
#define CONVGRAD_TESTING_HOSTTENSOR_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace convgrad {
namespace runtime {

enum class ElemKind { F16, BF16, F32, F64 };

/// "f16", "bf16", "f32", "f64" -> the kind; anything else -> std::nullopt.
std::optional<ElemKind> parseElemKind(const std::string &name);
/// The inverse of parseElemKind.
const char *elemKindName(ElemKind kind);
/// Bytes per element (2, 2, 4, 8).
size_t elemBytes(ElemKind kind);
/// Unit roundoff of the element type (2^-11, 2^-8, 2^-24, 2^-53).
double unitRoundoff(ElemKind kind);
/// Unit roundoff of the accumulator: f32 for f16/bf16/f32, f64 for f64.
double accumulatorRoundoff(ElemKind kind);

/// Scalar conversions (round to nearest even for floatToBF16).
uint16_t floatToBF16(float f);
float bf16ToFloat(uint16_t h);
float f16ToFloat(uint16_t h);
/// Exact only for values representable in f16 (it truncates the mantissa).
uint16_t floatToF16Exact(float f);
/// `v` rounded once to the element type (round to nearest even; f64: `v`).
/// For an f16/bf16 kernel whose f32 accumulation is exact, this is the one
/// rounding its result may differ from the exact sum by.
double roundToElemKind(ElemKind kind, double v);

/// f32 -> bf16 with round-to-nearest-even (NaN -> quiet NaN), returned as the
/// bf16 bit pattern in the low 16 bits of the return register, i.e. with the
/// ABI of compiler-rt's `__truncsfbf2`. x86 without AVX512-BF16 calls that
/// builtin to round bf16 values; GCC's libgcc lacks it, so the JIT registers
/// this one under that name (see registerRuntimeSymbols in Jit.h).
extern "C" __bf16 convgrad_runtime_truncsfbf2(float f);

/// A memref descriptor {allocated, aligned, offset, sizes[R], strides[R]}:
/// every field is 8 bytes, so it is an int64 array. `_mlir_ciface_` entry
/// points take a pointer to it per memref argument.
using MemRefDescriptor = std::vector<int64_t>;

/// A dense row-major tensor in a kernel element type. The storage is 64-byte
/// aligned (cache lines, AVX-512 vectors).
class HostTensor {
public:
  HostTensor(ElemKind kind, std::vector<int64_t> shape);
  HostTensor(HostTensor &&) = default;
  HostTensor &operator=(HostTensor &&) = default;

  ElemKind kind() const { return kind_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  size_t size() const { return numElements_; }
  size_t sizeInBytes() const { return numElements_ * elemBytes(kind_); }
  void *data() { return storage_.get(); }
  const void *data() const { return storage_.get(); }

  /// Element i (row-major linear index) as a double.
  double get(size_t i) const;
  /// Stores `v` rounded to the element type (round to nearest even).
  void set(size_t i, double v);

  /// Uniform values k/1024, k in [-1024, 1024]: exact in f16, f32 and f64,
  /// rounded once in bf16.
  void randomize(std::mt19937_64 &rng);
  /// Uniform values k / 2^fractionBits, k an integer in [-maxNumerator,
  /// maxNumerator] (a dyadic grid: see exactGrid in Check.h). Exact in the
  /// element type when maxNumerator fits its significand.
  void randomizeDyadic(std::mt19937_64 &rng, int64_t maxNumerator,
                       int fractionBits);
  /// All bits set (NaN in every float type): elements a kernel does not
  /// write stand out.
  void fillNaN();
  void fillZero();

  /// Every element as a double (the reference works in doubles).
  std::vector<double> values() const;

  /// The memref descriptor of this buffer (identity layout, offset 0). It
  /// points into this tensor: keep the tensor alive while it is used.
  MemRefDescriptor descriptor();

private:
  struct FreeDeleter {
    void operator()(uint8_t *p) const;
  };
  ElemKind kind_;
  std::vector<int64_t> shape_;
  size_t numElements_;
  std::unique_ptr<uint8_t, FreeDeleter> storage_;
};

} // namespace runtime
} // namespace convgrad

#endif // CONVGRAD_TESTING_HOSTTENSOR_H
