//===- OpenMPProfile.cpp - An OMPT tool timing sequential regions ---------===//
//
// See OpenMPProfile.h. The tool registers three callbacks: parallel_begin
// and parallel_end run on the thread that forks the region (the caller of
// the kernel), so the stretches between them are the kernel's sequential
// code; sync_region_wait runs on every thread of a region while it waits at
// a barrier. Only steady_clock reads and relaxed atomics happen in the
// callbacks, so the tool adds well under a microsecond per region.
//
//===----------------------------------------------------------------------===//

#include "OpenMPProfile.h"

#include <omp-tools.h>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace {

double now() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct State {
  std::atomic<bool> active{false};
  bool toolActive = false;
  // Written by the thread that calls the kernel (begin/end and the
  // parallel_begin/end callbacks, which run on the encountering thread).
  double begin = 0, sequentialStart = 0, sequential = 0, longest = 0;
  long long regions = 0;
  int depth = 0; // nested regions count as one
  // Written by every thread at barriers.
  std::atomic<long long> waitNanos{0};
  /// When the last region ended (parallel_end): a worker that waits at a
  /// region's closing barrier is released only by the next fork, so its
  /// wait is counted up to here.
  std::atomic<double> lastRegionEnd{0};
  std::atomic<double> measurementStart{0};
};
State state;
thread_local double waitStart = 0;

void closeSequential(double t) {
  double stretch = t - state.sequentialStart;
  state.sequential += stretch;
  state.longest = std::max(state.longest, stretch);
}

void onParallelBegin(ompt_data_t *, const ompt_frame_t *, ompt_data_t *,
                     unsigned, int, const void *) {
  if (!state.active.load(std::memory_order_relaxed) || state.depth++ > 0)
    return;
  closeSequential(now());
  ++state.regions;
}

void onParallelEnd(ompt_data_t *, ompt_data_t *, int, const void *) {
  if (!state.active.load(std::memory_order_relaxed) || --state.depth > 0)
    return;
  state.sequentialStart = now();
  state.lastRegionEnd.store(state.sequentialStart, std::memory_order_relaxed);
}

void onSyncRegionWait(ompt_sync_region_t, ompt_scope_endpoint_t endpoint,
                      ompt_data_t *, ompt_data_t *, const void *) {
  if (endpoint == ompt_scope_begin) {
    waitStart = now();
    return;
  }
  double start = waitStart;
  waitStart = 0;
  // Only waits that began inside the measurement (a worker's wait may have
  // begun before it, in a region of an earlier call).
  if (!state.active.load(std::memory_order_relaxed) ||
      start < state.measurementStart.load(std::memory_order_relaxed))
    return;
  double end = now();
  double regionEnd = state.lastRegionEnd.load(std::memory_order_relaxed);
  if (regionEnd > start)
    end = std::min(end, regionEnd);
  state.waitNanos.fetch_add((long long)((end - start) * 1e9),
                            std::memory_order_relaxed);
}

int initialize(ompt_function_lookup_t lookup, int, ompt_data_t *) {
  auto setCallback =
      reinterpret_cast<ompt_set_callback_t>(lookup("ompt_set_callback"));
  if (!setCallback)
    return 0;
  setCallback(ompt_callback_parallel_begin,
              reinterpret_cast<ompt_callback_t>(&onParallelBegin));
  setCallback(ompt_callback_parallel_end,
              reinterpret_cast<ompt_callback_t>(&onParallelEnd));
  setCallback(ompt_callback_sync_region_wait,
              reinterpret_cast<ompt_callback_t>(&onSyncRegionWait));
  state.toolActive = true;
  return 1; // keep the tool
}

void finalize(ompt_data_t *) {}

} // namespace

extern "C" {

ompt_start_tool_result_t *ompt_start_tool(unsigned, const char *) {
  static ompt_start_tool_result_t result = {&initialize, &finalize, {0}};
  return &result;
}

void convgrad_omp_profile_begin(void) {
  state.sequential = state.longest = 0;
  state.regions = 0;
  state.depth = 0;
  state.waitNanos.store(0, std::memory_order_relaxed);
  state.lastRegionEnd.store(0, std::memory_order_relaxed);
  state.begin = state.sequentialStart = now();
  state.measurementStart.store(state.begin, std::memory_order_relaxed);
  state.active.store(true, std::memory_order_relaxed);
}

ConvGradOmpProfile convgrad_omp_profile_end(void) {
  double end = now();
  state.active.store(false, std::memory_order_relaxed);
  if (state.depth == 0)
    closeSequential(end);
  ConvGradOmpProfile p;
  p.wallSeconds = end - state.begin;
  p.sequentialSeconds = state.sequential;
  p.longestSequentialSeconds = state.longest;
  p.barrierWaitSeconds =
      double(state.waitNanos.load(std::memory_order_relaxed)) * 1e-9;
  p.parallelRegions = state.regions;
  p.toolActive = state.toolActive ? 1 : 0;
  return p;
}

} // extern "C"
