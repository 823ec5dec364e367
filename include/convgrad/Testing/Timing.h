//===- Timing.h - Warm-up + median timing -----------------------*- C++ -*-===//
//
// No MLIR dependency.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TESTING_TIMING_H
#define CONVGRAD_TESTING_TIMING_H

#include <functional>
#include <vector>

namespace convgrad {
namespace runtime {

struct TimingOptions {
  /// Untimed calls first (page faults, caches, thread pools spinning up).
  unsigned warmup = 3;
  /// Timed calls; each is timed alone with a steady clock.
  unsigned reps = 10;
  /// Keep warming up until this much time has passed (0 = exactly `warmup`
  /// calls), so short kernels also reach a steady state.
  double minWarmupSeconds = 0;
};

struct TimingResult {
  double medianMs = 0, minMs = 0, maxMs = 0;
  /// Every timed call, in milliseconds, in call order.
  std::vector<double> samplesMs;
  /// Wall time of the warm-up and timed calls together.
  double elapsedSeconds = 0;
  /// CPU time lost by this process during those calls (see CpuUsage):
  /// taken by the hypervisor (steal) or used by other processes of this
  /// machine; NAN where the OS does not report it.
  double stolenSeconds = 0, otherProcessesSeconds = 0;

  /// The CPU time lost (stolenSeconds + otherProcessesSeconds) as a % of
  /// what `threads` threads had in elapsedSeconds; NAN if unknown or if the
  /// calls took less than 0.1 thread-seconds (the OS counts CPU time in
  /// ticks of 10 ms, too coarse to judge a shorter span).
  double lostCpuPercent(unsigned threads) const;
};

/// Calls `fn` `warmup` times (at least `minWarmupSeconds`), then `reps` times
/// timing each call; returns the median (mean of the two middle samples for
/// an even count), minimum and maximum.
TimingResult timeFunction(const std::function<void()> &fn,
                          const TimingOptions &options = {});

/// CPU time in seconds since boot, summed over all CPUs (Linux /proc/stat and
/// getrusage; NAN fields where they are not reported). On a shared machine
/// this is how a disturbed measurement shows: a 2-thread kernel whose second
/// virtual CPU the hypervisor gives to another guest, or which shares a CPU
/// with another process, runs at 1-thread speed, and `stolen` or the busy
/// time of other processes grows by what it lost.
struct CpuUsage {
  /// Time a virtual CPU was ready to run but its hypervisor ran something
  /// else ("steal").
  double stolen = 0;
  /// Time the CPUs ran anything (user, nice, system, interrupts).
  double busy = 0;
  /// Time this process ran (user and system).
  double self = 0;
};
CpuUsage readCpuUsage();

/// Makes glibc's malloc keep freed memory for reuse: blocks up to 32 MiB
/// come from the heap instead of fresh mmap()s, and the heap is not trimmed.
/// Compiled kernels malloc their temporaries (padded, transposed and
/// zero-inserted tensors) on every call; with glibc's defaults every call
/// then page-faults and zeroes those pages again, which costs as much as the
/// arithmetic on small layers. A program that calls kernels repeatedly (a
/// training loop, a benchmark) wants them reused, as oneDNN reuses its
/// scratchpad. Returns false if glibc refused a setting (or this is not
/// glibc).
bool retainFreedHeapMemory();

/// Median of `values` (0 for an empty vector).
double median(std::vector<double> values);
/// Geometric mean of the positive entries (0 if there are none).
double geomean(const std::vector<double> &values);

} // namespace runtime
} // namespace convgrad

#endif // CONVGRAD_TESTING_TIMING_H
