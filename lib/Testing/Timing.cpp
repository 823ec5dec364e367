//===- Timing.cpp - Warm-up + median timing -------------------------------===//

#include "convgrad/Testing/Timing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
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

CpuUsage convgrad::runtime::readCpuUsage() {
  CpuUsage usage;
  rusage self;
  usage.self = getrusage(RUSAGE_SELF, &self) == 0
                   ? double(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                         1e-6 * double(self.ru_utime.tv_usec +
                                       self.ru_stime.tv_usec)
                   : NAN;
  // First line of /proc/stat: "cpu  user nice system idle iowait irq softirq
  // steal ...", in clock ticks, summed over all CPUs.
  std::ifstream stat("/proc/stat");
  std::string label;
  unsigned long long ticks[8];
  long ticksPerSecond = sysconf(_SC_CLK_TCK);
  bool ok = (stat >> label) && label == "cpu" && ticksPerSecond > 0;
  for (unsigned long long &t : ticks)
    ok = ok && (stat >> t);
  if (!ok) {
    usage.stolen = usage.busy = NAN;
    return usage;
  }
  double perTick = 1.0 / double(ticksPerSecond);
  usage.stolen = double(ticks[7]) * perTick;
  usage.busy = double(ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]) *
               perTick;
  return usage;
}

double TimingResult::lostCpuPercent(unsigned threads) const {
  double threadSeconds = elapsedSeconds * double(threads);
  if (threadSeconds < 0.1)
    return NAN;
  return 100.0 * (stolenSeconds + otherProcessesSeconds) / threadSeconds;
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
  CpuUsage before = readCpuUsage();
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
  result.elapsedSeconds =
      std::chrono::duration<double>(Clock::now() - start).count();
  CpuUsage after = readCpuUsage();
  result.stolenSeconds = after.stolen - before.stolen;
  // /proc/stat counts whole ticks, so this is only good to a tick per CPU.
  double othersBusy = (after.busy - before.busy) - (after.self - before.self);
  result.otherProcessesSeconds =
      std::isnan(othersBusy) ? NAN : std::max(0.0, othersBusy);
  result.medianMs = median(result.samplesMs);
  result.minMs =
      *std::min_element(result.samplesMs.begin(), result.samplesMs.end());
  result.maxMs =
      *std::max_element(result.samplesMs.begin(), result.samplesMs.end());
  return result;
}
