//===- Timing.cpp - Warm-up + median timing -------------------------------===//

#include "convgrad/Testing/Timing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

using namespace convgrad::runtime;

bool convgrad::runtime::retainFreedHeapMemory() {
#if defined(__GLIBC__)
  // 32 MiB is the largest mmap threshold glibc accepts on 64-bit targets.
  bool ok = mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1;
  ok &= mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1;
  return ok;
#else
  return false;
#endif
}

double convgrad::runtime::median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double convgrad::runtime::geomean(const std::vector<double> &values) {
  double logSum = 0;
  size_t n = 0;
  for (double v : values)
    if (v > 0 && std::isfinite(v)) {
      logSum += std::log(v);
      ++n;
    }
  return n ? std::exp(logSum / double(n)) : 0;
}

TimingResult convgrad::runtime::timeFunction(const std::function<void()> &fn,
                                             const TimingOptions &options) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  for (unsigned i = 0;; ++i) {
    double elapsed =
        std::chrono::duration<double>(Clock::now() - start).count();
    if (i >= options.warmup && elapsed >= options.minWarmupSeconds)
      break;
    fn();
  }
  TimingResult result;
  unsigned reps = std::max(1u, options.reps);
  result.samplesMs.reserve(reps);
  for (unsigned i = 0; i < reps; ++i) {
    auto t0 = Clock::now();
    fn();
    auto t1 = Clock::now();
    result.samplesMs.push_back(
        std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  result.medianMs = median(result.samplesMs);
  result.minMs =
      *std::min_element(result.samplesMs.begin(), result.samplesMs.end());
  result.maxMs =
      *std::max_element(result.samplesMs.begin(), result.samplesMs.end());
  return result;
}
