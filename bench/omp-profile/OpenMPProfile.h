//===- OpenMPProfile.h - Sequential regions of kernels ----------*- C++ -*-===//
//
// The C interface of convgrad-omp-profile, an OMPT tool (OpenMP 5 tools
// interface) that LLVM's libomp loads through OMP_TOOL_LIBRARIES. Between
// convgrad_omp_profile_begin() and convgrad_omp_profile_end() it measures,
// on the thread that makes the calls, how much wall time is spent outside
// parallel regions (the kernel's sequential code: setup, and whatever pad,
// transpose or fill was left outside an scf.forall), the longest such
// stretch, and how long threads wait at the barriers that end parallel
// regions (load imbalance). convgrad-bench --profile-parallel prints it.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_BENCH_OPENMPPROFILE_H
#define CONVGRAD_BENCH_OPENMPPROFILE_H

#ifdef __cplusplus
extern "C" {
#endif

/// Totals over the calls between begin and end, in seconds.
typedef struct ConvGradOmpProfile {
  double wallSeconds;       ///< begin to end
  double sequentialSeconds; ///< outside every parallel region
  double longestSequentialSeconds; ///< the longest stretch outside them
  double barrierWaitSeconds; ///< summed over threads, in parallel regions
  long long parallelRegions;
  int toolActive; ///< 0: libomp did not load the tool (nothing measured)
} ConvGradOmpProfile;

/// Starts a measurement (resets the totals) on the calling thread.
void convgrad_omp_profile_begin(void);
/// Ends it and returns the totals.
ConvGradOmpProfile convgrad_omp_profile_end(void);

typedef void (*ConvGradOmpProfileBeginFn)(void);
typedef ConvGradOmpProfile (*ConvGradOmpProfileEndFn)(void);

#ifdef __cplusplus
}
#endif

#endif // CONVGRAD_BENCH_OPENMPPROFILE_H
