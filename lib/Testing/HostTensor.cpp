//===- HostTensor.cpp - Host buffers for JIT-compiled kernels -------------===//

#include "convgrad/Testing/HostTensor.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

using namespace convgrad::runtime;

std::optional<ElemKind> convgrad::runtime::parseElemKind(const std::string &s) {
  if (s == "f16")
    return ElemKind::F16;
  if (s == "bf16")
    return ElemKind::BF16;
  if (s == "f32")
    return ElemKind::F32;
  if (s == "f64")
    return ElemKind::F64;
  return std::nullopt;
}

const char *convgrad::runtime::elemKindName(ElemKind kind) {
  switch (kind) {
  case ElemKind::F16:
    return "f16";
  case ElemKind::BF16:
    return "bf16";
  case ElemKind::F32:
    return "f32";
  case ElemKind::F64:
    return "f64";
  }
  return "?";
}

size_t convgrad::runtime::elemBytes(ElemKind k) {
  return k == ElemKind::F64 ? 8 : k == ElemKind::F32 ? 4 : 2;
}

double convgrad::runtime::unitRoundoff(ElemKind k) {
  switch (k) {
  case ElemKind::F16:
    return std::ldexp(1.0, -11);
  case ElemKind::BF16:
    return std::ldexp(1.0, -8);
  case ElemKind::F32:
    return std::ldexp(1.0, -24);
  case ElemKind::F64:
    return std::ldexp(1.0, -53);
  }
  return 0;
}

double convgrad::runtime::accumulatorRoundoff(ElemKind k) {
  return k == ElemKind::F64 ? std::ldexp(1.0, -53) : std::ldexp(1.0, -24);
}

namespace {
uint32_t floatBits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float bitsFloat(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// f32 -> f16 with round to nearest even (overflow -> inf).
uint16_t floatToF16Rounded(float f) {
  uint32_t u = floatBits(f);
  uint16_t sign = (u >> 16) & 0x8000;
  float a = std::fabs(f);
  if (std::isnan(f))
    return sign | 0x7e00;
  if (a >= 65520.0f) // rounds to infinity
    return sign | 0x7c00;
  if (a < std::ldexp(1.0f, -14)) { // subnormal or zero: multiples of 2^-24
    float scaled = std::nearbyint(a * std::ldexp(1.0f, 24));
    return sign | uint16_t(scaled);
  }
  int exp;
  float m = std::frexp(a, &exp); // a = m 2^exp, m in [0.5, 1)
  float mant = std::nearbyint(m * 2048.0f); // 11 significant bits
  if (mant == 2048.0f) {
    mant = 1024.0f;
    ++exp;
  }
  int e = exp - 1 + 15;
  if (e >= 31)
    return sign | 0x7c00;
  return sign | uint16_t(e << 10) | (uint16_t(mant) & 0x3ff);
}
} // namespace

uint16_t convgrad::runtime::floatToBF16(float f) {
  uint32_t u = floatBits(f);
  u += 0x7fff + ((u >> 16) & 1); // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}

float convgrad::runtime::bf16ToFloat(uint16_t h) {
  return bitsFloat(uint32_t(h) << 16);
}

float convgrad::runtime::f16ToFloat(uint16_t h) {
  uint32_t sign = uint32_t(h & 0x8000) << 16;
  int exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  if (exp == 0) // zero or subnormal
    return (sign ? -1.0f : 1.0f) * std::ldexp(float(mant), -24);
  if (exp == 31)
    return bitsFloat(sign | 0x7f800000 | (mant << 13));
  return bitsFloat(sign | (uint32_t(exp - 15 + 127) << 23) | (mant << 13));
}

uint16_t convgrad::runtime::floatToF16Exact(float f) {
  if (f == 0.0f)
    return std::signbit(f) ? 0x8000 : 0;
  uint32_t u = floatBits(f);
  uint16_t sign = (u >> 16) & 0x8000;
  int exp = int((u >> 23) & 0xff) - 127 + 15;
  if (exp <= 0) { // subnormal
    float scaled = std::fabs(f) * std::ldexp(1.0f, 24);
    return sign | uint16_t(scaled);
  }
  return sign | uint16_t(exp << 10) | uint16_t((u >> 13) & 0x3ff);
}

double convgrad::runtime::roundToElemKind(ElemKind kind, double v) {
  switch (kind) {
  case ElemKind::F64:
    return v;
  case ElemKind::F32:
    return static_cast<float>(v);
  case ElemKind::F16:
    return f16ToFloat(floatToF16Rounded(static_cast<float>(v)));
  case ElemKind::BF16:
    return bf16ToFloat(floatToBF16(static_cast<float>(v)));
  }
  return v;
}

extern "C" __bf16 convgrad_runtime_truncsfbf2(float f) {
  uint16_t bits = floatToBF16(f);
  if (std::isnan(f))
    bits = 0x7fc0;
  __bf16 result;
  std::memcpy(&result, &bits, 2);
  return result;
}

//===----------------------------------------------------------------------===//
// HostTensor
//===----------------------------------------------------------------------===//

void HostTensor::FreeDeleter::operator()(uint8_t *p) const { std::free(p); }

HostTensor::HostTensor(ElemKind kind, std::vector<int64_t> shape)
    : kind_(kind), shape_(std::move(shape)) {
  numElements_ = 1;
  for (int64_t e : shape_)
    numElements_ *= static_cast<size_t>(e);
  constexpr size_t kAlign = 64;
  size_t bytes = (sizeInBytes() + kAlign - 1) / kAlign * kAlign;
  if (bytes == 0)
    bytes = kAlign;
  storage_.reset(static_cast<uint8_t *>(std::aligned_alloc(kAlign, bytes)));
  if (!storage_)
    std::abort(); // out of memory (built without exceptions)
  std::memset(storage_.get(), 0, bytes);
}

double HostTensor::get(size_t i) const {
  const uint8_t *bytes = storage_.get();
  switch (kind_) {
  case ElemKind::F64: {
    double d;
    std::memcpy(&d, &bytes[i * 8], 8);
    return d;
  }
  case ElemKind::F32: {
    float f;
    std::memcpy(&f, &bytes[i * 4], 4);
    return f;
  }
  case ElemKind::F16:
  case ElemKind::BF16: {
    uint16_t h;
    std::memcpy(&h, &bytes[i * 2], 2);
    return kind_ == ElemKind::F16 ? f16ToFloat(h) : bf16ToFloat(h);
  }
  }
  return 0;
}

void HostTensor::set(size_t i, double v) {
  uint8_t *bytes = storage_.get();
  switch (kind_) {
  case ElemKind::F64:
    std::memcpy(&bytes[i * 8], &v, 8);
    return;
  case ElemKind::F32: {
    float f = static_cast<float>(v);
    std::memcpy(&bytes[i * 4], &f, 4);
    return;
  }
  case ElemKind::F16: {
    uint16_t h = floatToF16Rounded(static_cast<float>(v));
    std::memcpy(&bytes[i * 2], &h, 2);
    return;
  }
  case ElemKind::BF16: {
    uint16_t h = floatToBF16(static_cast<float>(v));
    std::memcpy(&bytes[i * 2], &h, 2);
    return;
  }
  }
}

void HostTensor::randomize(std::mt19937_64 &rng) {
  std::uniform_int_distribution<int> dist(-1024, 1024);
  uint8_t *bytes = storage_.get();
  for (size_t i = 0; i < size(); ++i) {
    float v = float(dist(rng)) / 1024.0f; // exact in f16; bf16 rounds below
    switch (kind_) {
    case ElemKind::F64: {
      double d = v;
      std::memcpy(&bytes[i * 8], &d, 8);
      break;
    }
    case ElemKind::F32:
      std::memcpy(&bytes[i * 4], &v, 4);
      break;
    case ElemKind::F16: {
      uint16_t h = floatToF16Exact(v);
      std::memcpy(&bytes[i * 2], &h, 2);
      break;
    }
    case ElemKind::BF16: {
      uint16_t h = floatToBF16(v);
      std::memcpy(&bytes[i * 2], &h, 2);
      break;
    }
    }
  }
}

void HostTensor::randomizeDyadic(std::mt19937_64 &rng, int64_t maxNumerator,
                                 int fractionBits) {
  std::uniform_int_distribution<int64_t> dist(-maxNumerator, maxNumerator);
  for (size_t i = 0; i < size(); ++i)
    set(i, std::ldexp(double(dist(rng)), -fractionBits));
}

void HostTensor::fillNaN() {
  std::memset(storage_.get(), 0xff, sizeInBytes());
}

void HostTensor::fillZero() { std::memset(storage_.get(), 0, sizeInBytes()); }

std::vector<double> HostTensor::values() const {
  std::vector<double> v(size());
  for (size_t i = 0; i < size(); ++i)
    v[i] = get(i);
  return v;
}

MemRefDescriptor HostTensor::descriptor() {
  MemRefDescriptor d(3 + 2 * shape_.size());
  auto ptr = reinterpret_cast<int64_t>(storage_.get());
  d[0] = d[1] = ptr;
  d[2] = 0;
  int64_t stride = 1;
  for (int64_t i = static_cast<int64_t>(shape_.size()) - 1; i >= 0; --i) {
    d[3 + i] = shape_[i];
    d[3 + shape_.size() + i] = stride;
    stride *= shape_[i];
  }
  return d;
}
