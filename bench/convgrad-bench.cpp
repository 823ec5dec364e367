//===- convgrad-bench.cpp - Time convgrad kernels (and oneDNN's) ----------===//
//
// For every row of the benchmark layer set (bench/shapes.csv), every
// op (dgrad and wgrad by default) and every thread count (1 and 2 by
// default):
//
//   1. builds the convgrad kernel of that op alone (ConvGradRuntime), runs
//      `convgrad-cpu-pipeline{num-threads=T}` and JIT-compiles it, timing
//      both steps;
//   2. runs it once and checks every element against the reference loop
//      nests (lib/Reference) with the exact check: inputs on a dyadic grid
//      derived from the op's reduction length, so the reference is exact
//      and the result must match it bit for bit (see --verify; with
//      --inject-errors, also checks that planted errors are reported);
//   3. times it: warm-up, then the median of --reps calls;
//   4. if built with oneDNN (CONVGRAD_HAVE_DNNL): times oneDNN's primitive
//      for the same op on the same thread count the same way (inputs already
//      reordered to the primitive's preferred layouts; only execute + wait is
//      timed), and checks its result on the same sample.
//
// GFLOP/s use FLOPs = 2*N*F*(C/groups)*OH*OW*KH*KW for fwd/dgrad/wgrad and
// N*F*OH*OW for bgrad; % peak is relative to an AVX-512 FMA loop measured in
// this process on the same thread count.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Reference/ConvReference.h"
#include "convgrad/Testing/Check.h"
#include "convgrad/Testing/HostTensor.h"
#include "convgrad/Testing/Jit.h"
#include "convgrad/Testing/Kernels.h"
#include "convgrad/Testing/Timing.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <immintrin.h>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include <dlfcn.h>

#include "omp-profile/OpenMPProfile.h"

#ifdef CONVGRAD_HAVE_DNNL
#include <dnnl.hpp>
#endif

using namespace convgrad::runtime;
namespace ref = ::convgrad::reference;
namespace cl = llvm::cl;

#ifndef CONVGRAD_BENCH_DEFAULT_SHAPES
#define CONVGRAD_BENCH_DEFAULT_SHAPES "shapes.csv"
#endif
#ifndef CONVGRAD_BENCH_PLOT_SCRIPT
#define CONVGRAD_BENCH_PLOT_SCRIPT "plot.sh"
#endif

static cl::OptionCategory benchCategory("convgrad-bench options");
static cl::opt<std::string> shapesFile(
    "shapes",
    cl::desc("The layer set (CSV: name,N,C,H,W,F,KH,KW,stride,pad,dilation,"
             "groups)"),
    cl::value_desc("file"), cl::init(CONVGRAD_BENCH_DEFAULT_SHAPES), cl::cat(benchCategory));
static cl::list<std::string> inlineShapes(
    "shape",
    cl::desc("Benchmark this row (a shapes.csv line) instead of --shapes; "
             "may be repeated"),
    cl::value_desc("csv-line"), cl::cat(benchCategory));
static cl::list<std::string> rowFilter(
    "rows",
    cl::desc("Only these rows: full names or the part before the first '_' "
             "(e.g. --rows=a,f)"),
    cl::CommaSeparated, cl::cat(benchCategory));
static cl::list<std::string> layoutsOpt(
    "layouts",
    cl::desc("Layouts to time each row in: channels_first (the default: NCHW "
             "data, FCHW filters) and/or channels_last (convgrad's "
             "`layout = channels_last` ops: NHWC data, FHWC filters, what a "
             "compiler that propagates layouts feeds it), e.g. "
             "--layouts=channels_first,channels_last"),
    cl::CommaSeparated, cl::cat(benchCategory));
static cl::list<std::string> opsOpt(
    "ops", cl::desc("Ops to time: fwd, dgrad, wgrad, bgrad (default "
                    "dgrad,wgrad)"),
    cl::CommaSeparated, cl::cat(benchCategory));
// libLLVM already registers an option named "threads"; main() rewrites
// --threads=... to --bench-threads=... before parsing.
static cl::list<unsigned> threadsOpt(
    "bench-threads",
    cl::desc("Thread counts, e.g. 1,2 (default; also accepted as --threads)"),
    cl::CommaSeparated, cl::cat(benchCategory));
static cl::opt<unsigned> reps("reps", cl::desc("Timed calls per measurement"),
                              cl::init(20), cl::cat(benchCategory));
static cl::opt<unsigned> rounds(
    "rounds",
    cl::desc("Measurement rounds per kernel and thread count, convgrad and "
             "oneDNN alternating (cg, oneDNN, cg, oneDNN, ...); each "
             "implementation keeps its fastest round's median. On a shared "
             "host that now and then takes a core away, a disturbed round "
             "then costs neither side (default 1)"),
    cl::init(1), cl::cat(benchCategory));
static cl::opt<unsigned> passes(
    "passes",
    cl::desc("Time the whole table this many times over, each pass giving "
             "every kernel and thread count --rounds rounds; each "
             "implementation keeps its fastest round of all passes. The "
             "rounds of one row are then minutes apart instead of back to "
             "back: a shared host whose memory or caches are slower for a "
             "few minutes (which neither --max-lost nor --core-probe sees) "
             "then costs a row one pass, not all its rounds. Kernels, inputs "
             "and the first pass's verification are kept for the later "
             "passes (default 1)"),
    cl::init(1), cl::cat(benchCategory));
static cl::opt<double> maxLostPct(
    "max-lost",
    cl::desc("A round in which the timed threads lost more than this % of "
             "their CPU time, to the hypervisor (Linux steal time) or to "
             "other processes of this machine, is disturbed: it is kept only "
             "if no undisturbed round of that implementation exists, and up "
             "to max(2, --rounds) extra rounds are run to replace it "
             "(default 5; 100 turns this off)"),
    cl::init(5.0), cl::cat(benchCategory));
static cl::opt<bool> coreProbe(
    "core-probe",
    cl::desc("Before and after each round of more than one thread, run the "
             "FMA loop for a few ms on that many threads; if it runs more "
             "than --max-lost % below threads x the 1-thread peak, the host "
             "withheld or slowed a core (it can do so without reporting "
             "steal time) and the round is disturbed (default on)"),
    cl::init(true), cl::cat(benchCategory));
static cl::opt<unsigned> warmup("warmup",
                                cl::desc("Untimed calls before timing"),
                                cl::init(3), cl::cat(benchCategory));
static cl::opt<unsigned> warmupMs(
    "warmup-ms",
    cl::desc("Keep warming up for at least this long (lets the other "
             "OpenMP runtime's idle workers stop spinning)"),
    cl::init(300), cl::cat(benchCategory));
static cl::opt<std::string> verifyMode(
    "verify",
    cl::desc("exact (default): inputs on a dyadic grid on which every sum is "
             "exact, every element must match the reference bit for bit; "
             "statistical checks with random inputs and a sqrt(n) bound: "
             "sampled: fwd/dgrad on the last image of the batch, wgrad on 8 "
             "filters spread over F (groups=1), bgrad and small ops in full; "
             "full: every element; none"),
    cl::init("exact"), cl::cat(benchCategory));
static cl::opt<bool> injectErrors(
    "inject-errors",
    cl::desc("After the exact check of each op (first thread count), plant "
             "four errors into copies of its correct result (one element 1% "
             "off, one output pixel dropped, two kernel taps swapped, one "
             "block of 16 channels missing) and check that the exact check "
             "reports each; no timing, no oneDNN"),
    cl::init(false), cl::cat(benchCategory));
static cl::opt<std::string> saveDir(
    "save-tensors",
    cl::desc("Write the inputs and convgrad's result of every row, layout and "
             "op (first thread count) to DIR as raw little-endian f32: "
             "<row>.<layout>.<op>.{x,w,dy,result}.f32, so that other "
             "implementations (bench/torch-bench.py) can be checked against "
             "them"),
    cl::value_desc("dir"), cl::cat(benchCategory));
static cl::opt<std::string> allocatorMode(
    "allocator",
    cl::desc("retain (default): glibc malloc keeps freed blocks up to 32 MiB "
             "for reuse, so the kernels' temporaries do not page-fault on "
             "every call (oneDNN reuses its scratchpad likewise); system: "
             "glibc's defaults"),
    cl::init("retain"), cl::cat(benchCategory));
static cl::opt<std::string> temporaries(
    "temporaries",
    cl::desc("workspace (default): kernels compiled with the workspace "
             "calling convention (pipeline option temporaries=workspace): one "
             "buffer per kernel, sized once by <kernel>_workspace_size, so no "
             "timed call allocates (like oneDNN's scratchpad); heap: kernels "
             "malloc and free their temporaries in every call (see "
             "--allocator)"),
    cl::init("workspace"), cl::cat(benchCategory));
static cl::opt<bool> noDnnl("no-dnnl",
                            cl::desc("Do not time oneDNN even if built with "
                                     "it"),
                            cl::init(false), cl::cat(benchCategory));
static cl::opt<std::string> csvFile("csv", cl::desc("Also write a CSV here"),
                                    cl::value_desc("file"), cl::cat(benchCategory));
static cl::opt<std::string> pngFile(
    "png",
    cl::desc("Also plot GFLOP/s per row to this PNG (bench/plot.sh, gnuplot)"),
    cl::value_desc("file"), cl::cat(benchCategory));
static cl::opt<std::string> dumpObjects(
    "dump-objects",
    cl::desc("Write each kernel's machine code to <prefix>.<row>.<layout>."
             "<op>.<threads>.o and print the address it runs at, so that "
             "`perf record -e cpu-clock` samples (no hardware counters "
             "needed) map to its loops: utils/perf-jit-loops.py"),
    cl::value_desc("prefix"), cl::cat(benchCategory));
static cl::opt<unsigned> optLevel("opt-level",
                                  cl::desc("LLVM optimization level (0-3)"),
                                  cl::init(2), cl::cat(benchCategory));
static cl::opt<std::string> pipelineOptions(
    "pipeline-options",
    cl::desc("Extra convgrad-cpu-pipeline options, e.g. 'target-cpu=znver3'"),
    cl::init(""), cl::cat(benchCategory));
static cl::opt<uint64_t> seed("seed", cl::desc("Seed of the inputs"),
                              cl::init(1), cl::cat(benchCategory));
static cl::opt<std::string> peakIsa(
    "peak-isa",
    cl::desc("The FMA loop of the peak: auto (default: the vector width "
             "convgrad compiles for, e.g. AVX2 with "
             "--pipeline-options=target-cpu=znver3), avx2 or avx512"),
    cl::init("auto"), cl::cat(benchCategory));
static cl::opt<bool> profileParallel(
    "profile-parallel",
    cl::desc("After timing a kernel at more than one thread, call it --reps "
             "more times under an OpenMP tool (OMPT, bench/OpenMPProfile.h) "
             "and print how much of each call runs outside parallel regions "
             "(sequential), its longest sequential stretch, and the time "
             "threads wait at barriers (imbalance)"),
    cl::init(false), cl::cat(benchCategory));
static cl::opt<double> peakSeconds(
    "peak-seconds", cl::desc("Time spent measuring the FMA peak per thread "
                             "count"),
    cl::init(0.5), cl::cat(benchCategory));

namespace {

//===----------------------------------------------------------------------===//
// Rows
//===----------------------------------------------------------------------===//

struct Row {
  std::string name;
  ref::ConvConfig conv; ///< with the layout it is timed in
};

const char *layoutName(ref::Layout layout) {
  return layout == ref::Layout::ChannelsLast ? "channels_last"
                                             : "channels_first";
}

/// The table's short form of the data layout.
const char *layoutTag(ref::Layout layout) {
  return layout == ref::Layout::ChannelsLast ? "NHWC" : "NCHW";
}

/// The axis of the (input or output) channels of an activation tensor.
unsigned channelAxis(const ref::ConvConfig &c) {
  return c.layout == ref::Layout::ChannelsLast ? c.rank() + 1 : 1;
}

bool parseRow(const std::string &line, Row &row, std::string &error) {
  llvm::SmallVector<llvm::StringRef> fields;
  llvm::StringRef(line).split(fields, ',');
  if (fields.size() != 12) {
    error = "expected 12 fields (name,N,C,H,W,F,KH,KW,stride,pad,dilation,"
            "groups), got " +
            std::to_string(fields.size());
    return false;
  }
  int64_t v[11];
  for (int i = 0; i < 11; ++i)
    if (fields[i + 1].trim().getAsInteger(10, v[i])) {
      error = "field " + std::to_string(i + 2) + " ('" +
              fields[i + 1].trim().str() + "') is not an integer";
      return false;
    }
  row.name = fields[0].trim().str();
  ref::ConvConfig &c = row.conv;
  c.batch = v[0];
  c.inChannels = v[1];
  c.inputSizes = {v[2], v[3]};
  c.outChannels = v[4];
  c.kernelSizes = {v[5], v[6]};
  c.strides = {v[7], v[7]};
  c.padLow = c.padHigh = {v[8], v[8]};
  c.dilations = {v[9], v[9]};
  c.groups = v[10];
  c.layout = ref::Layout::ChannelsFirst;
  error = c.validate();
  return error.empty();
}

bool rowSelected(const std::string &name) {
  if (rowFilter.empty())
    return true;
  std::string prefix = name.substr(0, name.find('_'));
  for (const std::string &f : rowFilter)
    if (f == name || f == prefix)
      return true;
  return false;
}

double opFlops(const ref::ConvConfig &c, KernelKind kind) {
  std::vector<int64_t> o = c.outputSizes();
  double outSpatial = double(o[0]) * double(o[1]);
  double nfo = double(c.batch) * double(c.outChannels) * outSpatial;
  if (kind == KernelKind::Bgrad)
    return nfo;
  return 2.0 * nfo * double(c.inChannels / c.groups) *
         double(c.kernelSizes[0] * c.kernelSizes[1]);
}

//===----------------------------------------------------------------------===//
// FMA peak
//===----------------------------------------------------------------------===//

/// 16 independent chains of 512-bit FMAs (latency 4 x 2 ports needs >= 8).
__attribute__((target("avx512f"))) double fmaLoopAvx512(uint64_t iters) {
  __m512 a[16];
  for (int j = 0; j < 16; ++j)
    a[j] = _mm512_set1_ps(1.0f + 0.01f * float(j));
  const __m512 m = _mm512_set1_ps(0.99999994f), c = _mm512_set1_ps(1e-7f);
  for (uint64_t i = 0; i < iters; ++i) {
#pragma clang loop unroll(full)
    for (int j = 0; j < 16; ++j)
      a[j] = _mm512_fmadd_ps(a[j], m, c);
    // Keep the chains in registers and the loop from being folded.
    __asm__ volatile("" : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]),
                     "+v"(a[4]), "+v"(a[5]), "+v"(a[6]), "+v"(a[7]));
    __asm__ volatile("" : "+v"(a[8]), "+v"(a[9]), "+v"(a[10]), "+v"(a[11]),
                     "+v"(a[12]), "+v"(a[13]), "+v"(a[14]), "+v"(a[15]));
  }
  float sum = 0;
  for (int j = 0; j < 16; ++j)
    sum += _mm512_reduce_add_ps(a[j]);
  return sum;
}

/// The AVX2 variant for machines without AVX-512.
__attribute__((target("avx2,fma"))) double fmaLoopAvx2(uint64_t iters) {
  __m256 a[12];
  for (int j = 0; j < 12; ++j)
    a[j] = _mm256_set1_ps(1.0f + 0.01f * float(j));
  const __m256 m = _mm256_set1_ps(0.99999994f), c = _mm256_set1_ps(1e-7f);
  for (uint64_t i = 0; i < iters; ++i) {
#pragma clang loop unroll(full)
    for (int j = 0; j < 12; ++j)
      a[j] = _mm256_fmadd_ps(a[j], m, c);
    __asm__ volatile("" : "+x"(a[0]), "+x"(a[1]), "+x"(a[2]), "+x"(a[3]),
                     "+x"(a[4]), "+x"(a[5]));
    __asm__ volatile("" : "+x"(a[6]), "+x"(a[7]), "+x"(a[8]), "+x"(a[9]),
                     "+x"(a[10]), "+x"(a[11]));
  }
  float sum = 0;
  for (int j = 0; j < 12; ++j) {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, a[j]);
    for (float l : lanes)
      sum += l;
  }
  return sum;
}

bool haveAvx512() { return __builtin_cpu_supports("avx512f"); }

/// Best GFLOP/s of `threads` threads each running the FMA loop (512-bit if
/// `avx512`, else 256-bit) for `iters` iterations, over at least 3 trials
/// and about `seconds`.
double measurePeak(unsigned threads, double seconds, bool avx512,
                   uint64_t iters = 4000000) {
  double flopsPerIter = avx512 ? 16 * 16 * 2 : 12 * 8 * 2;
  double best = 0;
  volatile double sink = 0;
  auto start = std::chrono::steady_clock::now();
  for (int trial = 0;; ++trial) {
    std::atomic<unsigned> ready{0};
    std::atomic<bool> go{false};
    std::vector<double> elapsed(threads);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        ++ready;
        while (!go.load())
          ;
        auto t0 = std::chrono::steady_clock::now();
        double r = avx512 ? fmaLoopAvx512(iters) : fmaLoopAvx2(iters);
        elapsed[t] = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - t0)
                         .count();
        sink = sink + r;
      });
    while (ready.load() != threads)
      ;
    go = true;
    for (std::thread &th : pool)
      th.join();
    double slowest = *std::max_element(elapsed.begin(), elapsed.end());
    best = std::max(best, threads * iters * flopsPerIter / slowest / 1e9);
    double total = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start)
                       .count();
    if (trial >= 2 && total >= seconds)
      break;
  }
  return best;
}

std::string cpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      return llvm::StringRef(line).substr(colon + 1).trim().str();
    }
  return "unknown CPU";
}

/// The 1-minute load average (other processes competing for the cores).
std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string first;
  in >> first;
  return first.empty() ? "?" : first;
}

std::string nowString() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M %Z", std::localtime(&t));
  return buf;
}

//===----------------------------------------------------------------------===//
// Inputs and verification
//===----------------------------------------------------------------------===//

/// The tensors of one row (channels-first, f32).
struct RowTensors {
  HostTensor x, w, bias, dy;
  std::vector<double> xv, wv, bv, dyv;
  /// Inputs on `grid` if given, else uniform random k/1024.
  RowTensors(const ref::ConvConfig &c, std::mt19937_64 &rng,
             std::optional<DyadicGrid> grid)
      : x(ElemKind::F32, c.inputShape()), w(ElemKind::F32, c.filterShape()),
        bias(ElemKind::F32, {c.outChannels}),
        dy(ElemKind::F32, c.outputShape()) {
    for (HostTensor *t : {&x, &w, &bias, &dy}) {
      if (grid)
        t->randomizeDyadic(rng, grid->maxNumerator, grid->fractionBits);
      else
        t->randomize(rng);
    }
    xv = x.values();
    wv = w.values();
    bv = bias.values();
    dyv = dy.values();
  }
  void dropReferenceValues() {
    for (std::vector<double> *v : {&xv, &wv, &bv, &dyv})
      std::vector<double>().swap(*v);
  }
  std::vector<int64_t> resultShape(const ref::ConvConfig &c,
                                   KernelKind kind) const {
    switch (kind) {
    case KernelKind::Fwd:
      return c.outputShape();
    case KernelKind::Dgrad:
      return c.inputShape();
    case KernelKind::Wgrad:
      return c.filterShape();
    case KernelKind::Bgrad:
      return {c.outChannels};
    }
    return {};
  }
};

/// The reference values of a sample of one op's result, and where they are.
struct Expected {
  ref::Result result;
  std::vector<size_t> indices; ///< empty = every element
  size_t reductionSize = 0;
  std::string sample; ///< human-readable description
};

/// Sampled (or full) reference of one op. The reference runs the defining
/// sums in double; on the batch-8 rows a full check costs seconds to minutes
/// per op, so by default only a slice is computed:
///  - fwd, dgrad: the last image of the batch (the kernel computes all 8;
///    the reference gets a batch-1 configuration and that image's inputs);
///  - wgrad (groups = 1): 8 filters spread over [0, F) (a configuration with
///    F = 8 and the matching channels of dy);
///  - bgrad, and anything under 50 MFLOP: every element.
Expected computeExpected(const ref::ConvConfig &c, KernelKind kind,
                         const RowTensors &t, bool full) {
  Expected e;
  std::vector<int64_t> o = c.outputSizes();
  int64_t outSpatial = o[0] * o[1];
  int64_t kernelSize = c.kernelSizes[0] * c.kernelSizes[1];
  int64_t cg = c.inChannels / c.groups, fg = c.outChannels / c.groups;
  bool small = opFlops(c, kind) < 5e7;
  switch (kind) {
  case KernelKind::Fwd:
  case KernelKind::Dgrad: {
    e.reductionSize = size_t((kind == KernelKind::Fwd ? cg : fg) * kernelSize);
    if (full || small || c.batch == 1) {
      e.sample = "all";
      e.result = kind == KernelKind::Fwd ? ref::forward(c, t.xv, t.wv, &t.bv)
                                         : ref::backwardData(c, t.dyv, t.wv);
      return e;
    }
    ref::ConvConfig one = c;
    one.batch = 1;
    std::vector<int64_t> last{c.batch - 1};
    if (kind == KernelKind::Fwd) {
      e.result = ref::forward(one, sliceAlongAxis(t.xv, c.inputShape(), 0, last),
                              t.wv, &t.bv);
      e.indices = indicesAlongAxis(c.outputShape(), 0, last);
    } else {
      e.result = ref::backwardData(
          one, sliceAlongAxis(t.dyv, c.outputShape(), 0, last), t.wv);
      e.indices = indicesAlongAxis(c.inputShape(), 0, last);
    }
    e.sample = "image " + std::to_string(c.batch - 1);
    return e;
  }
  case KernelKind::Wgrad: {
    e.reductionSize = size_t(c.batch * outSpatial);
    if (full || small || c.groups != 1 || c.outChannels <= 8) {
      e.sample = "all";
      e.result = ref::backwardFilter(c, t.xv, t.dyv);
      return e;
    }
    std::vector<int64_t> filters;
    for (int64_t i = 0; i < 8; ++i)
      filters.push_back(i * (c.outChannels - 1) / 7);
    ref::ConvConfig sub = c;
    sub.outChannels = 8;
    e.result = ref::backwardFilter(
        sub, t.xv,
        sliceAlongAxis(t.dyv, c.outputShape(), channelAxis(c), filters));
    e.indices = indicesAlongAxis(c.filterShape(), 0, filters);
    e.sample = "8 filters";
    return e;
  }
  case KernelKind::Bgrad:
    e.reductionSize = size_t(c.batch * outSpatial);
    e.sample = "all";
    e.result = ref::backwardBias(c, t.dyv);
    return e;
  }
  return e;
}

/// The number of terms of each result element (fwd counts the bias).
size_t reductionLength(const ref::ConvConfig &c, KernelKind kind) {
  int64_t kernelSize = ref::numElements(c.kernelSizes);
  int64_t outSpatial = ref::numElements(c.outputSizes());
  switch (kind) {
  case KernelKind::Fwd:
    return size_t(c.inChannels / c.groups * kernelSize + 1);
  case KernelKind::Dgrad:
    return size_t(c.outChannels / c.groups * kernelSize);
  case KernelKind::Wgrad:
  case KernelKind::Bgrad:
    return size_t(c.batch * outSpatial);
  }
  return 1;
}

/// Writes `t`'s elements as raw bytes to `path`.
bool writeRaw(const std::string &path, const HostTensor &t,
              std::string &error) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char *>(t.data()),
            std::streamsize(t.sizeInBytes()));
  if (!out)
    error = "cannot write '" + path + "'";
  return bool(out);
}

/// --save-tensors: the inputs of one row and op and convgrad's result.
bool saveTensors(const std::string &dir, const std::string &stem,
                 const RowTensors &t, const HostTensor &result,
                 std::string &error) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
    error = "cannot create '" + dir + "': " + ec.message();
    return false;
  }
  std::string prefix = dir + "/" + stem + ".";
  return writeRaw(prefix + "x.f32", t.x, error) &&
         writeRaw(prefix + "w.f32", t.w, error) &&
         writeRaw(prefix + "dy.f32", t.dy, error) &&
         writeRaw(prefix + "result.f32", result, error);
}

//===----------------------------------------------------------------------===//
// Error injection
//===----------------------------------------------------------------------===//

HostTensor copyOf(const HostTensor &t) {
  HostTensor copy(t.kind(), t.shape());
  std::memcpy(copy.data(), t.data(), t.sizeInBytes());
  return copy;
}

/// Copies of `good`, the correct dgrad or wgrad result of a row, each with
/// one error a broken kernel could make, computed exactly from the inputs:
///  - one element (the largest in magnitude) off by 1%;
///  - the terms of one output pixel (dy[N-1, :, OH/2, OW/2]) dropped;
///  - two kernel taps (the first and the last) swapped, or for a 1x1
///    kernel two filter channels (0 and 1 of every group);
///  - a block of 16 channels (dgrad: of dx, wgrad: filters of dw) left zero.
std::vector<std::pair<std::string, HostTensor>>
plantErrors(const ref::ConvConfig &c, KernelKind kind, const RowTensors &t,
            const HostTensor &good) {
  std::vector<std::pair<std::string, HostTensor>> planted;
  bool dgrad = kind == KernelKind::Dgrad;
  int64_t n = c.batch, ch = c.inChannels, f = c.outChannels;
  int64_t cg = ch / c.groups, fg = f / c.groups;
  int64_t h = c.inputSizes[0], w = c.inputSizes[1];
  int64_t kh = c.kernelSizes[0], kw = c.kernelSizes[1];
  std::vector<int64_t> o = c.outputSizes();
  int64_t oh = o[0], ow = o[1];
  // Element offsets in the row's layout (NCHW/FCHW or NHWC/FHWC).
  bool channelsLast = c.layout == ref::Layout::ChannelsLast;
  auto activationAt = [channelsLast](int64_t ni, int64_t ci, int64_t hi,
                                     int64_t wi, int64_t channels,
                                     int64_t height, int64_t width) {
    return channelsLast
               ? size_t(((ni * height + hi) * width + wi) * channels + ci)
               : size_t(((ni * channels + ci) * height + hi) * width + wi);
  };
  auto xAt = [&](int64_t ni, int64_t ci, int64_t hi, int64_t wi) {
    return activationAt(ni, ci, hi, wi, ch, h, w);
  };
  auto yAt = [&](int64_t ni, int64_t fi, int64_t hi, int64_t wi) {
    return activationAt(ni, fi, hi, wi, f, oh, ow);
  };
  auto wAt = [&](int64_t fi, int64_t ci, int64_t hi, int64_t wi) {
    return channelsLast ? size_t(((fi * kh + hi) * kw + wi) * cg + ci)
                        : size_t(((fi * cg + ci) * kh + hi) * kw + wi);
  };
  auto withValues = [&](const std::vector<double> &values) {
    HostTensor copy(good.kind(), good.shape());
    for (size_t i = 0; i < values.size(); ++i)
      copy.set(i, values[i]);
    return copy;
  };
  // Calls `body(fi, ci, absolute channel, tap h, tap w, input h, input w)`
  // for every term of output pixel (ohi, owi) that reads the input.
  auto forTermsOf = [&](int64_t ohi, int64_t owi, auto body) {
    for (int64_t fi = 0; fi < f; ++fi)
      for (int64_t ci = 0; ci < cg; ++ci)
        for (int64_t khi = 0; khi < kh; ++khi)
          for (int64_t kwi = 0; kwi < kw; ++kwi) {
            int64_t ih = ohi * c.strides[0] + khi * c.dilations[0] - c.padLow[0];
            int64_t iw = owi * c.strides[1] + kwi * c.dilations[1] - c.padLow[1];
            if (ih >= 0 && ih < h && iw >= 0 && iw < w)
              body(fi, ci, fi / fg * cg + ci, khi, kwi, ih, iw);
          }
  };

  {
    HostTensor e = copyOf(good);
    size_t big = 0;
    for (size_t i = 0; i < e.size(); ++i)
      if (std::fabs(e.get(i)) > std::fabs(e.get(big)))
        big = i;
    e.set(big, e.get(big) * 1.01);
    planted.emplace_back("one element 1% off", std::move(e));
  }
  {
    std::vector<double> v = good.values();
    int64_t ni = n - 1, ohi = oh / 2, owi = ow / 2;
    forTermsOf(ohi, owi, [&](int64_t fi, int64_t ci, int64_t cAbs, int64_t khi,
                             int64_t kwi, int64_t ih, int64_t iw) {
      double dyv = t.dyv[yAt(ni, fi, ohi, owi)];
      if (dgrad)
        v[xAt(ni, cAbs, ih, iw)] -= dyv * t.wv[wAt(fi, ci, khi, kwi)];
      else
        v[wAt(fi, ci, khi, kwi)] -= dyv * t.xv[xAt(ni, cAbs, ih, iw)];
    });
    planted.emplace_back("one output pixel dropped", withValues(v));
  }
  if (kh * kw >= 2) {
    std::vector<double> v = good.values();
    int64_t a[2] = {0, 0}, b[2] = {kh - 1, kw - 1};
    if (dgrad) {
      // dx with w[.., a] and w[.., b] exchanged: every term through tap a
      // now uses w[b] and vice versa.
      for (int64_t ni = 0; ni < n; ++ni)
        for (int64_t ohi = 0; ohi < oh; ++ohi)
          for (int64_t owi = 0; owi < ow; ++owi)
            for (int64_t fi = 0; fi < f; ++fi) {
              double dyv = t.dyv[yAt(ni, fi, ohi, owi)];
              for (int64_t ci = 0; ci < cg; ++ci) {
                double wa = t.wv[wAt(fi, ci, a[0], a[1])];
                double wb = t.wv[wAt(fi, ci, b[0], b[1])];
                for (int side = 0; side < 2; ++side) {
                  const int64_t *tap = side ? b : a;
                  int64_t ih = ohi * c.strides[0] + tap[0] * c.dilations[0] -
                               c.padLow[0];
                  int64_t iw = owi * c.strides[1] + tap[1] * c.dilations[1] -
                               c.padLow[1];
                  if (ih >= 0 && ih < h && iw >= 0 && iw < w)
                    v[xAt(ni, fi / fg * cg + ci, ih, iw)] +=
                        dyv * (side ? wa - wb : wb - wa);
                }
              }
            }
    } else {
      for (int64_t fi = 0; fi < f; ++fi)
        for (int64_t ci = 0; ci < cg; ++ci)
          std::swap(v[wAt(fi, ci, a[0], a[1])], v[wAt(fi, ci, b[0], b[1])]);
    }
    planted.emplace_back("two kernel taps swapped", withValues(v));
  } else if (cg >= 2) {
    // 1x1: exchanging filter channels 0 and 1 of every group exchanges
    // those channels of dx, and those of dw.
    std::vector<double> v = good.values();
    if (dgrad) {
      for (int64_t ni = 0; ni < n; ++ni)
        for (int64_t g = 0; g < c.groups; ++g)
          for (int64_t hi = 0; hi < h; ++hi)
            for (int64_t wi = 0; wi < w; ++wi)
              std::swap(v[xAt(ni, g * cg, hi, wi)],
                        v[xAt(ni, g * cg + 1, hi, wi)]);
    } else {
      for (int64_t fi = 0; fi < f; ++fi)
        std::swap(v[wAt(fi, 0, 0, 0)], v[wAt(fi, 1, 0, 0)]);
    }
    planted.emplace_back("two filter channels swapped (1x1 kernel)",
                         withValues(v));
  }
  {
    std::vector<double> v = good.values();
    int64_t channels = dgrad ? ch : f;
    int64_t first = std::min<int64_t>(channels / 2 / 16 * 16, channels - 1);
    int64_t last = std::min<int64_t>(first + 16, channels);
    for (size_t i = 0; i < v.size(); ++i) {
      int64_t channel = !dgrad         ? int64_t(i / size_t(cg * kh * kw))
                        : channelsLast ? int64_t(i % size_t(ch))
                                       : int64_t(i / size_t(h * w)) % ch;
      if (channel >= first && channel < last)
        v[i] = 0;
    }
    planted.emplace_back("a block of 16 channels missing", withValues(v));
  }
  return planted;
}

//===----------------------------------------------------------------------===//
// oneDNN
//===----------------------------------------------------------------------===//

#ifdef CONVGRAD_HAVE_DNNL
/// oneDNN from Debian is built with OpenMP (GNU libgomp): its thread count
/// is the OpenMP runtime's. The symbol is looked up at run time so that it
/// is the runtime libdnnl itself resolved (loaded with it at startup, before
/// the JIT loads LLVM's libomp for convgrad's parallel kernels).
struct OmpControl {
  using SetFn = void (*)(int);
  SetFn set = nullptr;
  std::string library = "not found";
  OmpControl() {
    set = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    Dl_info info;
    if (set && dladdr(reinterpret_cast<void *>(set), &info) && info.dli_fname)
      library = info.dli_fname;
  }
};

/// oneDNN's name of the ISA its kernels may use (what dnnl_impl shows).
const char *dnnlIsaName(dnnl::cpu_isa isa) {
  switch (isa) {
  case dnnl::cpu_isa::sse41:
    return "sse41";
  case dnnl::cpu_isa::avx:
    return "avx";
  case dnnl::cpu_isa::avx2:
    return "avx2";
  case dnnl::cpu_isa::avx2_vnni:
    return "avx2_vnni";
  case dnnl::cpu_isa::avx512_core:
    return "avx512_core";
  case dnnl::cpu_isa::avx512_core_vnni:
    return "avx512_core_vnni";
  case dnnl::cpu_isa::avx512_core_bf16:
    return "avx512_core_bf16";
  case dnnl::cpu_isa::avx512_core_amx:
    return "avx512_core_amx";
  default:
    return "other";
  }
}

struct DnnlResult {
  TimingResult timing;
  std::string impl;
  std::string error;
  bool verified = false;
  std::string verifyMessage;
};

/// Times oneDNN's primitive for `kind` on the row's tensors.
DnnlResult runDnnl(const ref::ConvConfig &c, KernelKind kind, RowTensors &t,
                   const Expected *expected, const TimingOptions &timing) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  DnnlResult r;
  try {
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    std::vector<int64_t> o = c.outputSizes();
    memory::dims src{c.batch, c.inChannels, c.inputSizes[0], c.inputSizes[1]};
    memory::dims dst{c.batch, c.outChannels, o[0], o[1]};
    memory::dims wei =
        c.groups == 1
            ? memory::dims{c.outChannels, c.inChannels, c.kernelSizes[0],
                           c.kernelSizes[1]}
            : memory::dims{c.groups, c.outChannels / c.groups,
                           c.inChannels / c.groups, c.kernelSizes[0],
                           c.kernelSizes[1]};
    // The user memories are in the row's layout; the primitives still choose
    // their own (format_tag::any), reordered to before timing.
    bool last = c.layout == ref::Layout::ChannelsLast;
    tag dataTag = last ? tag::nhwc : tag::nchw;
    tag weiTag = c.groups == 1 ? (last ? tag::ohwi : tag::oihw)
                               : (last ? tag::gohwi : tag::goihw);
    memory::dims bias{c.outChannels};
    memory::dims strides{c.strides[0], c.strides[1]};
    memory::dims dilates{c.dilations[0] - 1, c.dilations[1] - 1};
    memory::dims padL{c.padLow[0], c.padLow[1]};
    memory::dims padR{c.padHigh[0], c.padHigh[1]};
    auto any = [](const memory::dims &d) {
      return memory::desc(d, dt::f32, tag::any);
    };
    // User memories wrap the HostTensors (the op's own layout).
    memory userX({src, dt::f32, dataTag}, eng, t.x.data());
    memory userW({wei, dt::f32, weiTag}, eng, t.w.data());
    memory userB({bias, dt::f32, tag::x}, eng, t.bias.data());
    memory userDY({dst, dt::f32, dataTag}, eng, t.dy.data());

    auto toPreferred = [&](memory &user, const memory::desc &want) {
      if (user.get_desc() == want)
        return user;
      memory m(want, eng);
      reorder(user, m).execute(strm, user, m);
      strm.wait();
      return m;
    };

    std::vector<int64_t> outShape = t.resultShape(c, kind);
    HostTensor out(ElemKind::F32, outShape);
    out.fillNaN();
    memory::desc userOutDesc;
    primitive prim;
    std::unordered_map<int, memory> args;
    memory result;

    convolution_forward::desc fwdDesc(
        prop_kind::forward_training, algorithm::convolution_direct, any(src),
        any(wei), any(bias), any(dst), strides, dilates, padL, padR);
    convolution_forward::primitive_desc fwdPd(fwdDesc, eng);

    switch (kind) {
    case KernelKind::Fwd: {
      prim = convolution_forward(fwdPd);
      result = memory(fwdPd.dst_desc(), eng);
      args = {{DNNL_ARG_SRC, toPreferred(userX, fwdPd.src_desc())},
              {DNNL_ARG_WEIGHTS, toPreferred(userW, fwdPd.weights_desc())},
              {DNNL_ARG_BIAS, toPreferred(userB, fwdPd.bias_desc())},
              {DNNL_ARG_DST, result}};
      userOutDesc = memory::desc(dst, dt::f32, dataTag);
      r.impl = fwdPd.impl_info_str();
      break;
    }
    case KernelKind::Dgrad: {
      convolution_backward_data::desc d(algorithm::convolution_direct,
                                        any(src), any(wei), any(dst), strides,
                                        dilates, padL, padR);
      convolution_backward_data::primitive_desc pd(d, eng, fwdPd);
      prim = convolution_backward_data(pd);
      result = memory(pd.diff_src_desc(), eng);
      args = {{DNNL_ARG_DIFF_DST, toPreferred(userDY, pd.diff_dst_desc())},
              {DNNL_ARG_WEIGHTS, toPreferred(userW, pd.weights_desc())},
              {DNNL_ARG_DIFF_SRC, result}};
      userOutDesc = memory::desc(src, dt::f32, dataTag);
      r.impl = pd.impl_info_str();
      break;
    }
    case KernelKind::Wgrad: {
      convolution_backward_weights::desc d(algorithm::convolution_direct,
                                           any(src), any(wei), any(dst),
                                           strides, dilates, padL, padR);
      convolution_backward_weights::primitive_desc pd(d, eng, fwdPd);
      prim = convolution_backward_weights(pd);
      result = memory(pd.diff_weights_desc(), eng);
      args = {{DNNL_ARG_SRC, toPreferred(userX, pd.src_desc())},
              {DNNL_ARG_DIFF_DST, toPreferred(userDY, pd.diff_dst_desc())},
              {DNNL_ARG_DIFF_WEIGHTS, result}};
      userOutDesc = memory::desc(wei, dt::f32, weiTag);
      r.impl = pd.impl_info_str();
      break;
    }
    case KernelKind::Bgrad: {
      // No bias-only backward primitive: a sum reduction over N, H, W.
      memory::dims biasDims{1, c.outChannels, 1, 1};
      reduction::desc d(algorithm::reduction_sum, userDY.get_desc(),
                        memory::desc(biasDims, dt::f32, tag::any), 0.f, 0.f);
      reduction::primitive_desc pd(d, eng);
      prim = reduction(pd);
      result = memory(pd.dst_desc(), eng);
      args = {{DNNL_ARG_SRC, userDY}, {DNNL_ARG_DST, result}};
      userOutDesc = memory::desc(biasDims, dt::f32, tag::nchw);
      r.impl = pd.impl_info_str();
      break;
    }
    }

    auto call = [&] {
      prim.execute(strm, args);
      strm.wait();
    };
    call();
    memory userOut(userOutDesc, eng, out.data());
    reorder(result, userOut).execute(strm, result, userOut);
    strm.wait();
    if (expected) {
      r.verified = checkResult(kernelKindName(kind), out, expected->result,
                               expected->reductionSize, r.verifyMessage,
                               expected->indices);
    }
    r.timing = timeFunction(call, timing);
  } catch (const dnnl::error &e) {
    r.error = std::string("oneDNN: ") + e.what();
  }
  return r;
}
#endif // CONVGRAD_HAVE_DNNL

//===----------------------------------------------------------------------===//
// Results
//===----------------------------------------------------------------------===//

struct Measurement {
  std::string row;
  KernelKind kind;
  ref::Layout layout = ref::Layout::ChannelsFirst;
  unsigned threads;
  double flops;
  std::string verify = "skip"; ///< ok / FAIL / skip / error
  std::string sample;
  double pipelineSeconds = 0, jitSeconds = 0;
  double cgMs = NAN, cgGflops = NAN, cgPct = NAN;
  double dnnlMs = NAN, dnnlGflops = NAN, dnnlPct = NAN;
  double cgMinMs = NAN, dnnlMinMs = NAN; ///< fastest call (CSV only)
  /// CPU time the kept round's threads lost to the hypervisor or to other
  /// processes, as % of their CPU time, or the core probe's shortfall if
  /// larger (--max-lost, --core-probe).
  double cgLostPct = NAN, dnnlLostPct = NAN;
  unsigned roundsRun = 0, disturbedRounds = 0;
  std::string dnnlVerify = "-", dnnlImpl = "-";
  double ratio = NAN; ///< convgrad time / oneDNN time
  double peak = 0;
  /// --profile-parallel, as % of the call's wall time (NAN: not measured).
  /// The shares are medians over the profiled calls.
  double sequentialPct = NAN, longestSequentialPct = NAN,
         worstLongestSequentialPct = NAN, ///< the worst call's stretch
      barrierWaitPct = NAN;               ///< of the threads' time
  double parallelRegions = NAN; ///< per call
};

/// One implementation's timing fields of a Measurement.
struct TimingFields {
  double &ms, &minMs, &gflops, &pct, &lostPct;
};

/// Whether a round that lost this % of its CPU time counts as disturbed
/// (--max-lost); an unknown loss (NAN) does not.
static bool isDisturbed(double lostPct) {
  return maxLostPct < 100 && lostPct > maxLostPct;
}

/// --core-probe: whether a round had its threads' cores. The host can slow
/// or withhold a virtual CPU without reporting steal time (a 2-thread FMA
/// loop then runs at 1-thread speed for minutes), which the CPU time
/// accounting of --max-lost cannot see; a short FMA loop on as many threads
/// before and after the round can.
struct CoreProbe {
  double singleThreadPeak = 0; ///< GFLOP/s of the FMA loop on one thread
  bool avx512 = false;         ///< which FMA loop

  /// % by which `threads` threads of the FMA loop fall short of `threads`
  /// x the 1-thread peak (0 if they do not, NAN when there is nothing to
  /// probe: one thread, or --max-lost=100).
  double shortfallPct(unsigned threads) const {
    if (!coreProbe || maxLostPct >= 100 || threads < 2 ||
        singleThreadPeak <= 0)
      return NAN;
    // 3 trials of ~1-2 ms: long enough for the OS to place the threads.
    double probe = measurePeak(threads, 0, avx512, /*iters=*/500000);
    return std::max(0.0, 100.0 * (1 - probe / (threads * singleThreadPeak)));
  }

  /// Runs `timeRound` between two probes; returns its result and the larger
  /// shortfall.
  template <typename Fn>
  auto around(unsigned threads, Fn timeRound) const {
    double before = shortfallPct(threads);
    auto result = timeRound();
    return std::make_pair(result,
                          std::fmax(before, shortfallPct(threads)));
  }
};

/// Keeps the better of the round in `fields` and `t`: an undisturbed round
/// over a disturbed one, else the faster (the fastest round's median, see
/// --rounds), with GFLOP/s and % peak from `m`'s FLOPs and peak. The round's
/// loss is the larger of its lost CPU time and the core probe's shortfall
/// (`coreShortfallPct`, NAN if not probed). Returns whether `t` was
/// undisturbed.
static bool keepFastest(const Measurement &m, TimingFields fields,
                        const TimingResult &t, double coreShortfallPct) {
  double lostPct = std::fmax(t.lostCpuPercent(m.threads), coreShortfallPct);
  bool disturbed = isDisturbed(lostPct);
  if (!std::isnan(fields.ms)) {
    bool keptDisturbed = isDisturbed(fields.lostPct);
    bool better = disturbed == keptDisturbed ? t.medianMs < fields.ms
                                             : keptDisturbed;
    if (!better)
      return !disturbed;
  }
  fields.ms = t.medianMs;
  fields.minMs = t.minMs;
  fields.gflops = m.flops / (t.medianMs * 1e-3) / 1e9;
  fields.pct = 100.0 * fields.gflops / m.peak;
  fields.lostPct = lostPct;
  return !disturbed;
}

static bool recordConvgrad(Measurement &m, const TimingResult &t,
                           double coreShortfallPct) {
  return keepFastest(m, {m.cgMs, m.cgMinMs, m.cgGflops, m.cgPct, m.cgLostPct},
                     t, coreShortfallPct);
}

static bool recordDnnl(Measurement &m, const TimingResult &t,
                       double coreShortfallPct) {
  return keepFastest(
      m, {m.dnnlMs, m.dnnlMinMs, m.dnnlGflops, m.dnnlPct, m.dnnlLostPct}, t,
      coreShortfallPct);
}

/// The OMPT tool of --profile-parallel, loaded before libomp so that libomp
/// finds it through OMP_TOOL_LIBRARIES.
struct OmpProfiler {
  ConvGradOmpProfileBeginFn begin = nullptr;
  ConvGradOmpProfileEndFn end = nullptr;

  bool load(std::string &error) {
    const char *path = CONVGRAD_BENCH_OMP_PROFILE_LIB;
    if (!*path) {
      error = "built without the OpenMP profile tool (omp-tools.h missing)";
      return false;
    }
    ::setenv("OMP_TOOL_LIBRARIES", path, /*overwrite=*/1);
    void *handle = ::dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!handle) {
      error = std::string("cannot load ") + path + ": " + ::dlerror();
      return false;
    }
    begin = reinterpret_cast<ConvGradOmpProfileBeginFn>(
        ::dlsym(handle, "convgrad_omp_profile_begin"));
    end = reinterpret_cast<ConvGradOmpProfileEndFn>(
        ::dlsym(handle, "convgrad_omp_profile_end"));
    if (!begin || !end) {
      error = std::string(path) + " lacks the convgrad_omp_profile API";
      return false;
    }
    return true;
  }

  /// libomp starts its tool when it initializes, at its first API call: a
  /// kernel without a parallel region would leave it unstarted.
  static void initializeOpenMP() {
    void *libomp = ::dlopen(defaultOpenMPLibrary().c_str(),
                            RTLD_NOW | RTLD_NOLOAD);
    if (!libomp)
      return;
    if (auto fn = reinterpret_cast<int (*)()>(
            ::dlsym(libomp, "omp_get_max_threads")))
      (void)fn();
    ::dlclose(libomp);
  }

  /// Profiles `calls` calls of `fn` into `m`; false when libomp did not
  /// start the tool. The sequential share and the longest stretch are the
  /// median over the calls: a sequential region of the kernel's code shows
  /// in every call, while one call whose thread the hypervisor or another
  /// process preempted inside a short sequential stretch would otherwise
  /// decide the whole line. The worst call's longest stretch is kept too.
  template <typename Fn>
  bool profile(Fn &&fn, unsigned calls, Measurement &m) {
    initializeOpenMP();
    std::vector<double> sequentialShares, longestShares;
    double wall = 0, wait = 0, regions = 0;
    for (unsigned i = 0; i < calls; ++i) {
      begin();
      fn();
      ConvGradOmpProfile p = end();
      if (!p.toolActive)
        return false;
      wall += p.wallSeconds;
      sequentialShares.push_back(p.sequentialSeconds / p.wallSeconds);
      longestShares.push_back(p.longestSequentialSeconds / p.wallSeconds);
      wait += p.barrierWaitSeconds;
      regions += double(p.parallelRegions);
    }
    m.sequentialPct = 100.0 * median(sequentialShares);
    m.longestSequentialPct = 100.0 * median(longestShares);
    m.worstLongestSequentialPct =
        100.0 * *std::max_element(longestShares.begin(), longestShares.end());
    m.barrierWaitPct = 100.0 * wait / (wall * m.threads);
    m.parallelRegions = regions / calls;
    return true;
  }
};

void printProfile(llvm::raw_ostream &os, const Measurement &m) {
  if (std::isnan(m.sequentialPct))
    return;
  os << llvm::format("# profile %-24s %-5s %-4s %u thr: sequential %5.1f%% "
                     "of a call, longest stretch %5.1f%% (worst call "
                     "%5.1f%%), %4.1f parallel regions, barrier wait "
                     "%5.1f%% of thread time\n",
                     m.row.c_str(), kernelKindName(m.kind), layoutTag(m.layout),
                     m.threads, m.sequentialPct, m.longestSequentialPct,
                     m.worstLongestSequentialPct, m.parallelRegions,
                     m.barrierWaitPct);
}

std::string fmt(double v, const char *format) {
  if (std::isnan(v))
    return "-";
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

void printHeaderLine(llvm::raw_ostream &os) {
  os << llvm::format("%-24s %-5s %-6s %3s %-6s %8s %9s %8s %6s %9s %8s %6s "
                     "%-5s %6s  %s\n",
                     "row", "op", "layout", "thr", "verify", "compile", "cg_ms",
                     "cg_GF/s", "cg_%pk", "dnnl_ms", "dnnl_GF", "dnn_%p",
                     "dnnlv", "ratio", "dnnl_impl");
}

void printRow(llvm::raw_ostream &os, const Measurement &m) {
  os << llvm::format(
      "%-24s %-5s %-6s %3u %-6s %8s %9s %8s %6s %9s %8s %6s %-5s %6s  %s\n",
      m.row.c_str(), kernelKindName(m.kind), layoutTag(m.layout), m.threads,
      m.verify.c_str(), fmt(m.pipelineSeconds + m.jitSeconds, "%.2fs").c_str(),
      fmt(m.cgMs, "%.3f").c_str(), fmt(m.cgGflops, "%.1f").c_str(),
      fmt(m.cgPct, "%.1f%%").c_str(), fmt(m.dnnlMs, "%.3f").c_str(),
      fmt(m.dnnlGflops, "%.1f").c_str(), fmt(m.dnnlPct, "%.1f%%").c_str(),
      m.dnnlVerify.c_str(), fmt(m.ratio, "%.2f").c_str(), m.dnnlImpl.c_str());
  // Say so when even the kept round is disturbed (no undisturbed one came).
  if (isDisturbed(m.cgLostPct) || isDisturbed(m.dnnlLostPct))
    os << llvm::format("%-24s disturbed: CPU time or cores lost %s "
                       "convgrad, %s oneDNN\n", "",
                       fmt(m.cgLostPct, "%.0f%%").c_str(),
                       fmt(m.dnnlLostPct, "%.0f%%").c_str());
  os.flush();
}

/// Two rows of the layer set whose speeds are compared: an odd-size layer and
/// its power-of-two neighbour ("# pair: <row> <neighbour>" in the CSV).
struct SizePair {
  std::string row, neighbour;
  std::string where; ///< file:line, for errors
};

/// For every pair whose rows were both measured: the row's convgrad GFLOP/s
/// as a % of the neighbour's, per op, layout and thread count, then the
/// lowest of them. Issue 14's odd-size target (>= 75%) is judged by
/// bench/pair-bench.py, which times the two rows in alternating rounds.
void printPairs(llvm::raw_ostream &os, const std::vector<Measurement> &all,
                const std::vector<SizePair> &pairs) {
  double lowest = NAN;
  std::string lowestWhat;
  for (const SizePair &pair : pairs)
    for (const Measurement &m : all) {
      if (m.row != pair.row || std::isnan(m.cgGflops))
        continue;
      for (const Measurement &n : all) {
        if (n.row != pair.neighbour || n.kind != m.kind ||
            n.layout != m.layout || n.threads != m.threads ||
            std::isnan(n.cgGflops))
          continue;
        double pct = 100.0 * m.cgGflops / n.cgGflops;
        std::string what = llvm::formatv("{0} {1} {2} {3} thr", m.row,
                                         kernelKindName(m.kind),
                                         layoutTag(m.layout), m.threads);
        os << llvm::format("# pair %s: convgrad %.1f GFLOP/s = %.0f%% of %s "
                           "(%.1f GFLOP/s)\n",
                           what.c_str(), m.cgGflops, pct, n.row.c_str(),
                           n.cgGflops);
        if (std::isnan(lowest) || pct < lowest) {
          lowest = pct;
          lowestWhat = what + " vs " + n.row;
        }
      }
    }
  if (!std::isnan(lowest))
    os << llvm::format("# pairs: lowest %.0f%% (%s); the rows ran at "
                       "different moments: bench/pair-bench.py alternates "
                       "them\n",
                       lowest, lowestWhat.c_str());
}

bool writeCsv(const std::string &path, const std::vector<Measurement> &all,
              std::string &error) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }
  os << "row,op,threads,flops,verify,compile_pipeline_s,compile_jit_s,cg_ms,"
        "cg_gflops,cg_pct_peak,dnnl_ms,dnnl_gflops,dnnl_pct_peak,dnnl_verify,"
        "ratio_cg_over_dnnl,peak_gflops,dnnl_impl,cg_min_ms,dnnl_min_ms,"
        "layout,cg_lost_pct,dnnl_lost_pct,rounds_run,disturbed_rounds\n";
  auto num = [](double v) { return std::isnan(v) ? std::string() : fmt(v, "%.6g"); };
  for (const Measurement &m : all)
    os << m.row << ',' << kernelKindName(m.kind) << ',' << m.threads << ','
       << fmt(m.flops, "%.0f") << ',' << m.verify << ','
       << num(m.pipelineSeconds) << ',' << num(m.jitSeconds) << ','
       << num(m.cgMs) << ',' << num(m.cgGflops) << ',' << num(m.cgPct) << ','
       << num(m.dnnlMs) << ',' << num(m.dnnlGflops) << ',' << num(m.dnnlPct)
       << ',' << m.dnnlVerify << ',' << num(m.ratio) << ',' << num(m.peak)
       << ',' << m.dnnlImpl << ',' << num(m.cgMinMs) << ',' << num(m.dnnlMinMs)
       << ',' << layoutName(m.layout) << ',' << num(m.cgLostPct) << ','
       << num(m.dnnlLostPct) << ',' << m.roundsRun << ','
       << m.disturbedRounds << '\n';
  return true;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  convgrad::runtime::initialize();
  // --threads / -threads (taken by libLLVM) -> --bench-threads.
  std::vector<std::string> argStorage(argv, argv + argc);
  for (size_t i = 1; i < argStorage.size(); ++i) {
    std::string &a = argStorage[i];
    for (const char *spelling : {"--threads", "-threads"})
      if (a == spelling || a.rfind(std::string(spelling) + "=", 0) == 0) {
        a = "--bench-threads" + a.substr(std::strlen(spelling));
        break;
      }
  }
  std::vector<const char *> args;
  for (const std::string &a : argStorage)
    args.push_back(a.c_str());
  cl::HideUnrelatedOptions(benchCategory);
  cl::ParseCommandLineOptions(
      int(args.size()), args.data(),
      "convgrad-bench: time convgrad's JIT-compiled convolution gradients on "
      "the benchmark layer set (and oneDNN's primitives when built with "
      "oneDNN), after checking them against the reference\n");

  // Options.
  std::vector<KernelKind> kinds;
  for (const std::string &s : opsOpt) {
    auto k = parseKernelKind(s);
    if (!k) {
      llvm::errs() << "convgrad-bench: unknown op '" << s
                   << "' (fwd, dgrad, wgrad, bgrad)\n";
      return 2;
    }
    kinds.push_back(*k);
  }
  if (kinds.empty())
    kinds = {KernelKind::Dgrad, KernelKind::Wgrad};
  std::vector<ref::Layout> layouts;
  for (const std::string &s : layoutsOpt) {
    if (s == "channels_first" || s == "channels_last") {
      layouts.push_back(s == "channels_last" ? ref::Layout::ChannelsLast
                                             : ref::Layout::ChannelsFirst);
      continue;
    }
    llvm::errs() << "convgrad-bench: unknown layout '" << s
                 << "' (channels_first, channels_last)\n";
    return 2;
  }
  if (layouts.empty())
    layouts = {ref::Layout::ChannelsFirst};
  OmpProfiler profiler;
  if (profileParallel) {
    std::string error;
    if (!profiler.load(error)) {
      llvm::errs() << "convgrad-bench: --profile-parallel: " << error << "\n";
      return 2;
    }
  }
  std::vector<unsigned> threadCounts(threadsOpt.begin(), threadsOpt.end());
  if (threadCounts.empty())
    threadCounts = {1, 2};
  for (unsigned t : threadCounts)
    if (t == 0) {
      llvm::errs() << "convgrad-bench: --threads entries must be >= 1\n";
      return 2;
    }
  if (allocatorMode != "retain" && allocatorMode != "system") {
    llvm::errs() << "convgrad-bench: --allocator must be retain or system\n";
    return 2;
  }
  bool retained = allocatorMode == "retain" && retainFreedHeapMemory();
  if (temporaries != "workspace" && temporaries != "heap") {
    llvm::errs() << "convgrad-bench: --temporaries must be workspace or heap\n";
    return 2;
  }
  // The CPU pipeline's options: the calling convention, then the user's.
  std::string cpuOptions = "temporaries=" + temporaries;
  if (!pipelineOptions.empty())
    cpuOptions += " " + pipelineOptions;
  if (peakIsa != "auto" && peakIsa != "avx2" && peakIsa != "avx512") {
    llvm::errs() << "convgrad-bench: --peak-isa must be auto, avx2 or avx512\n";
    return 2;
  }
  if (peakIsa == "avx512" && !haveAvx512()) {
    llvm::errs() << "convgrad-bench: --peak-isa=avx512: this CPU has no "
                    "AVX-512\n";
    return 2;
  }
  if (verifyMode != "exact" && verifyMode != "sampled" &&
      verifyMode != "full" && verifyMode != "none") {
    llvm::errs()
        << "convgrad-bench: --verify must be exact, sampled, full or none\n";
    return 2;
  }

  // Rows.
  std::vector<Row> rows;
  // "# pair: <row> <neighbour>" comment lines name the layers whose
  // GFLOP/s are compared (odd sizes against their power-of-two neighbours).
  std::vector<SizePair> pairs;
  std::set<std::string> rowNames;
  auto addLine = [&](const std::string &line, const std::string &where) {
    llvm::StringRef trimmed = llvm::StringRef(line).trim();
    if (trimmed.consume_front("# pair:")) {
      llvm::SmallVector<llvm::StringRef> names;
      trimmed.split(names, ' ', -1, /*KeepEmpty=*/false);
      if (names.size() != 2) {
        llvm::errs() << where << ": expected '# pair: <row> <neighbour row>'\n";
        return false;
      }
      pairs.push_back({names[0].str(), names[1].str(), where});
      return true;
    }
    if (trimmed.empty() || trimmed.starts_with("#"))
      return true;
    Row row;
    std::string error;
    if (!parseRow(trimmed.str(), row, error)) {
      llvm::errs() << where << ": " << error << "\n";
      return false;
    }
    rowNames.insert(row.name);
    // Each layout of a row is timed right after the other.
    if (rowSelected(row.name))
      for (ref::Layout layout : layouts) {
        rows.push_back(row);
        rows.back().conv.layout = layout;
      }
    return true;
  };
  if (!inlineShapes.empty()) {
    for (const std::string &line : inlineShapes)
      if (!addLine(line, "--shape"))
        return 2;
  } else {
    std::ifstream in(shapesFile);
    if (!in) {
      llvm::errs() << "convgrad-bench: cannot open '" << shapesFile << "'\n";
      return 2;
    }
    std::string line;
    for (int lineNo = 1; std::getline(in, line); ++lineNo)
      if (!addLine(line, shapesFile + ":" + std::to_string(lineNo)))
        return 2;
  }
  if (rows.empty()) {
    llvm::errs() << "convgrad-bench: no rows selected\n";
    return 2;
  }
  for (const SizePair &pair : pairs)
    for (const std::string &name : {pair.row, pair.neighbour})
      if (!rowNames.count(name)) {
        llvm::errs() << pair.where << ": '# pair:' names no row '" << name
                     << "'\n";
        return 2;
      }

  bool useDnnl = false;
#ifdef CONVGRAD_HAVE_DNNL
  useDnnl = !noDnnl;
  OmpControl omp;
  if (useDnnl && !omp.set) {
    llvm::errs() << "convgrad-bench: omp_set_num_threads not found; oneDNN's "
                    "thread count cannot be set, skipping oneDNN\n";
    useDnnl = false;
  }
#endif

  llvm::raw_ostream &os = llvm::outs();
  os << "# convgrad-bench on " << cpuModelName() << ", "
     << std::thread::hardware_concurrency() << " hardware threads, "
     << nowString() << ", load average " << loadAverage() << "\n";
  os << "# time = median of " << reps << " calls after " << warmup
     << " warm-up calls and >= " << warmupMs << " ms";
  if (passes > 1)
    os << ", fastest of " << passes << " passes over the table x " << rounds
       << " round" << (rounds == 1 ? "" : "s")
       << " (convgrad and oneDNN alternating)";
  else if (rounds > 1)
    os << ", fastest of " << rounds
       << " rounds (convgrad and oneDNN alternating)";
  if (std::isnan(readCpuUsage().stolen))
    os << "; the OS reports no CPU time accounting, disturbed rounds are "
          "not recognized";
  else if (maxLostPct < 100)
    os << "; a round whose threads lost > " << fmt(maxLostPct, "%g")
       << "% of their CPU time (to the hypervisor or other processes)"
       << (coreProbe ? ", or whose FMA probe before or after ran that much "
                       "below threads x the 1-thread peak,"
                     : "")
       << " is disturbed and run again";
  os << "; f32, layouts";
  for (ref::Layout layout : layouts)
    os << " " << layoutName(layout);
  os << "; verify = " << verifyMode << " (against lib/Reference)\n";
#ifdef CONVGRAD_HAVE_DNNL
  if (useDnnl) {
    dnnl_version_t const *v = dnnl_version();
    os << "# oneDNN " << v->major << "." << v->minor << "." << v->patch
       << " (cpu runtime " << (v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP"
                                                                   : "other")
       << ", threads via omp_set_num_threads from " << omp.library
       << "): format_tag::any, inputs reordered before timing, execute+wait "
          "timed\n";
    os << "# oneDNN ISA: " << dnnlIsaName(dnnl::get_effective_cpu_isa());
    for (const char *var : {"ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA"})
      if (const char *value = std::getenv(var))
        os << ", " << var << "=" << value;
    os << "\n";
  } else {
    os << "# oneDNN: disabled (--no-dnnl)\n";
  }
#else
  os << "# oneDNN: not built in (configure with libdnnl-dev installed)\n";
#endif
  os << "# allocator: "
     << (retained ? "glibc malloc retains freed blocks <= 32 MiB "
                    "(--allocator=retain)"
                  : "glibc defaults (--allocator=system)")
     << "; temporaries: "
     << (temporaries == "workspace"
             ? "one workspace per kernel, allocated before timing "
               "(--temporaries=workspace)"
             : "malloc/free in every call (--temporaries=heap)")
     << "\n";
  // The peak is that of the ISA convgrad compiles for (AVX2 code on an
  // AVX-512 machine is measured against the AVX2 peak).
  bool avx512Peak = haveAvx512();
  {
    JitOptions target;
    target.cpuOptions = cpuOptions;
    target.numThreads = 1;
    os << "# convgrad compiled for: " << describeCPUTarget(target) << "\n";
    std::string error;
    std::optional<mlir::convgrad::cpu::CPUTarget> resolved =
        resolveJitTarget(target, error);
    if (peakIsa == "avx2" || (peakIsa == "auto" && resolved &&
                              resolved->vectorBits < 512))
      avx512Peak = false;
  }
  os << "# ratio = convgrad time / oneDNN time (> 1: convgrad slower)\n";

  // Peak, measured now and again at the end (the machine may be shared):
  // % peak uses the larger of the two.
  std::map<unsigned, double> peak;
  auto printPeak = [&](const char *when) {
    os << "# FMA peak " << when << " (" << (avx512Peak ? "AVX-512" : "AVX2")
       << " FMA loop, best of trials):";
    for (unsigned t : threadCounts) {
      double p = measurePeak(t, peakSeconds, avx512Peak);
      peak[t] = std::max(peak[t], p);
      os << " " << t << " thread" << (t == 1 ? "" : "s") << " "
         << llvm::format("%.1f", p) << " GFLOP/s;";
    }
    os << "\n";
  };
  printPeak("at start");
  CoreProbe probe;
  probe.avx512 = avx512Peak;
  probe.singleThreadPeak =
      peak.count(1) ? peak[1] : measurePeak(1, peakSeconds, avx512Peak);
  os.flush();
  // Progress on stderr as measured; the table goes to stdout at the end,
  // with % peak of the final peak.
  printHeaderLine(llvm::errs());

  std::unique_ptr<mlir::MLIRContext> ctx = createContext();
  TimingOptions timing;
  timing.warmup = warmup;
  timing.reps = reps;
  timing.minWarmupSeconds = warmupMs / 1000.0;

  std::vector<Measurement> all;
  /// What a later pass (--passes) needs to time a kernel again.
  struct TimedKernel {
    size_t measurement; ///< index into `all`
    const ref::ConvConfig *conv;
    KernelKind kind;
    std::shared_ptr<RowTensors> tensors;
    std::shared_ptr<HostTensor> out;
    std::shared_ptr<CompiledModule> compiled;
    KernelCall call;
    bool dnnlTimed;
  };
  std::vector<TimedKernel> timedKernels;
  // One timed round of convgrad between core probes; whether it was
  // undisturbed.
  auto timeConvgradRound = [&](Measurement &m, KernelCall &call) {
    auto [t, shortfall] = probe.around(
        m.threads, [&] { return timeFunction([&] { call(); }, timing); });
    return recordConvgrad(m, t, shortfall);
  };
  // Further rounds of one kernel in this pass, alternating, timing only,
  // until each implementation has --rounds undisturbed ones in the pass
  // (`cleanCg`, `cleanDnnl` so far, of `passRounds`) or the pass's extra
  // rounds are used up.
  auto timeFurtherRounds = [&](Measurement &m, KernelCall &call,
                               const ref::ConvConfig &c, KernelKind kind,
                               RowTensors &tensors, bool dnnlTimed,
                               unsigned cleanCg, unsigned cleanDnnl,
                               unsigned passRounds) {
    unsigned maxPassRounds = rounds + std::max(2u, unsigned(rounds));
    while (passRounds < maxPassRounds &&
           (cleanCg < rounds || (dnnlTimed && cleanDnnl < rounds))) {
      bool disturbed = !timeConvgradRound(m, call);
      cleanCg += !disturbed;
#ifdef CONVGRAD_HAVE_DNNL
      if (dnnlTimed) {
        omp.set(int(m.threads));
        auto [d, shortfall] = probe.around(m.threads, [&] {
          return runDnnl(c, kind, tensors, /*expected=*/nullptr, timing);
        });
        bool dnnlClean = d.error.empty() && recordDnnl(m, d.timing, shortfall);
        cleanDnnl += dnnlClean;
        disturbed |= !dnnlClean;
      }
#else
      (void)c, (void)kind, (void)tensors;
#endif
      ++passRounds;
      ++m.roundsRun;
      m.disturbedRounds += disturbed;
    }
    if (m.cgMs > 0 && m.dnnlMs > 0)
      m.ratio = m.cgMs / m.dnnlMs;
  };
  bool anyFailure = false;
  for (size_t rowIndex = 0; rowIndex < rows.size(); ++rowIndex) {
    const Row &row = rows[rowIndex];
    const ref::ConvConfig &c = row.conv;
    std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ULL + rowIndex);
    for (KernelKind kind : kinds) {
      // Exact: inputs on the grid of this op's reduction length, every
      // element checked (no grid fits reductions over 2^24 terms: then the
      // statistical check of every element).
      bool exact = verifyMode == "exact";
      std::optional<DyadicGrid> grid;
      if (exact)
        grid = exactGrid(ElemKind::F32, reductionLength(c, kind));
      // Shared with timedKernels for the later passes.
      auto tensorsKept = std::make_shared<RowTensors>(c, rng, grid);
      RowTensors &tensors = *tensorsKept;
      std::optional<Expected> expected;
      if (verifyMode != "none")
        expected = computeExpected(c, kind, tensors,
                                   exact || verifyMode == "full");
      auto outKept = std::make_shared<HostTensor>(ElemKind::F32,
                                                  tensors.resultShape(c, kind));
      HostTensor &out = *outKept;
      std::vector<HostTensor *> args;
      switch (kind) {
      case KernelKind::Fwd:
        args = {&tensors.x, &tensors.w, &tensors.bias, &out};
        break;
      case KernelKind::Dgrad:
        args = {&tensors.dy, &tensors.w, &out};
        break;
      case KernelKind::Wgrad:
        args = {&tensors.x, &tensors.dy, &out};
        break;
      case KernelKind::Bgrad:
        args = {&tensors.dy, &out};
        break;
      }
      for (unsigned threads : threadCounts) {
        Measurement m;
        m.row = row.name;
        m.kind = kind;
        m.layout = c.layout;
        m.threads = threads;
        m.flops = opFlops(c, kind);
        m.peak = peak[threads];
        // Undisturbed rounds of each implementation (--max-lost).
        unsigned cleanCg = 0, cleanDnnl = 0;
        bool dnnlTimed = false;

        // convgrad: compile this op alone.
        mlir::OwningOpRef<mlir::ModuleOp> module =
            mlir::ModuleOp::create(mlir::UnknownLoc::get(ctx.get()));
        addKernels(*module, c, ElemKind::F32, /*dynamicBatch=*/false, "",
                   maskOf(kind));
        JitOptions jit;
        jit.cpuOptions = cpuOptions;
        jit.numThreads = threads;
        jit.optLevel = optLevel;
        if (!dumpObjects.empty())
          jit.dumpObject = dumpObjects + "." + row.name + "." +
                           layoutTag(c.layout) + "." + kernelKindName(kind) +
                           "." + std::to_string(threads) + ".o";
        if (threads != 1)
          jit.sharedLibs.push_back(defaultOpenMPLibrary());
        std::string error;
        std::shared_ptr<CompiledModule> compiled =
            CompiledModule::compile(*module, jit, error);
        KernelCall call;
        if (compiled) {
          m.pipelineSeconds = compiled->stats().pipelineSeconds;
          m.jitSeconds = compiled->stats().jitSeconds;
          call = compiled->prepare(kernelKindName(kind), args, error);
        }
        if (!call) {
          m.verify = "error";
          llvm::errs() << "convgrad-bench: " << row.name << " "
                       << kernelKindName(kind) << " " << threads
                       << " threads: " << error << "\n";
          anyFailure = true;
        } else {
          out.fillNaN();
          call();
          if (expected) {
            std::string message;
            if (grid ? checkExact(kernelKindName(kind), out,
                                  expected->result.value, message,
                                  expected->indices)
                     : checkResult(kernelKindName(kind), out,
                                   expected->result, expected->reductionSize,
                                   message, expected->indices)) {
              m.verify = "ok";
            } else {
              m.verify = "FAIL";
              anyFailure = true;
              llvm::errs() << "convgrad-bench: " << row.name << " "
                           << kernelKindName(kind) << " " << threads
                           << " threads: " << message << "\n";
            }
            m.sample = grid ? "exact" : expected->sample;
          }
          if (!saveDir.empty() && threads == threadCounts.front()) {
            std::string error;
            if (!saveTensors(saveDir,
                             row.name + "." + layoutName(c.layout) + "." +
                                 kernelKindName(kind),
                             tensors, out, error)) {
              llvm::errs() << "convgrad-bench: " << error << "\n";
              return 2;
            }
          }
          if (injectErrors) {
            if (threads == threadCounts.front() && grid &&
                m.verify == "ok" &&
                (kind == KernelKind::Dgrad || kind == KernelKind::Wgrad)) {
              for (auto &[what, bad] : plantErrors(c, kind, tensors, out)) {
                std::string message;
                bool caught = !checkExact(kernelKindName(kind), bad,
                                          expected->result.value, message);
                anyFailure |= !caught;
                os << "inject " << row.name << " " << kernelKindName(kind)
                   << ": " << what << ": "
                   << (caught ? "caught (" + message + ")" : "MISSED")
                   << "\n";
              }
            }
            printRow(llvm::errs(), m);
            all.push_back(m);
            continue;
          }
          cleanCg += timeConvgradRound(m, call);
          if (profileParallel && threads > 1 &&
              !profiler.profile([&] { call(); }, reps, m))
            llvm::errs() << "convgrad-bench: libomp did not start the "
                            "OpenMP profile tool; no profile\n";
        }

#ifdef CONVGRAD_HAVE_DNNL
        if (useDnnl) {
          omp.set(int(threads));
          auto [d, shortfall] = probe.around(threads, [&] {
            return runDnnl(c, kind, tensors, expected ? &*expected : nullptr,
                           timing);
          });
          if (!d.error.empty()) {
            m.dnnlVerify = "error";
            llvm::errs() << "convgrad-bench: " << row.name << " "
                         << kernelKindName(kind) << ": " << d.error << "\n";
          } else {
            m.dnnlImpl = d.impl;
            m.dnnlVerify = !expected ? "skip" : d.verified ? "ok" : "FAIL";
            if (expected && !d.verified)
              llvm::errs() << "convgrad-bench: " << row.name << " "
                           << kernelKindName(kind) << " oneDNN "
                           << d.verifyMessage << "\n";
            cleanDnnl += recordDnnl(m, d.timing, shortfall);
            dnnlTimed = true;
          }
        }
#endif
        if (m.verify != "error") {
          m.roundsRun = 1;
          m.disturbedRounds = !cleanCg || (dnnlTimed && !cleanDnnl);
        }
        if (m.verify != "error")
          timeFurtherRounds(m, call, c, kind, tensors, dnnlTimed, cleanCg,
                            cleanDnnl, /*passRounds=*/1);
        printRow(llvm::errs(), m);
        all.push_back(m);
        if (passes > 1 && m.verify != "error")
          timedKernels.push_back({all.size() - 1, &c, kind, tensorsKept,
                                  outKept, compiled, std::move(call),
                                  dnnlTimed});
      }
      // The later passes time the kernels on the same inputs; the values
      // in double were for the reference only.
      tensors.dropReferenceValues();
    }
  }
  for (unsigned pass = 2; pass <= passes; ++pass) {
    llvm::errs() << "# pass " << pass << " of " << passes << "\n";
    for (TimedKernel &k : timedKernels) {
      Measurement &m = all[k.measurement];
      timeFurtherRounds(m, k.call, *k.conv, k.kind, *k.tensors, k.dnnlTimed, 0,
                        0, 0);
      printRow(llvm::errs(), m);
    }
  }

  // The peak again; if it is higher now, % peak is recomputed with it.
  os << "#\n";
  printPeak("at end");
  os << "# % peak below and in the CSV: of the larger peak, load average now "
     << loadAverage() << "\n";
  for (Measurement &m : all) {
    m.peak = peak[m.threads];
    m.cgPct = 100.0 * m.cgGflops / m.peak;
    m.dnnlPct = 100.0 * m.dnnlGflops / m.peak;
  }
  printHeaderLine(os);
  for (const Measurement &m : all)
    printRow(os, m);
  for (const Measurement &m : all)
    printProfile(os, m);
  unsigned roundsRun = 0, disturbedRounds = 0, disturbedRows = 0;
  for (const Measurement &m : all) {
    roundsRun += m.roundsRun;
    disturbedRounds += m.disturbedRounds;
    disturbedRows +=
        isDisturbed(m.cgLostPct) || isDisturbed(m.dnnlLostPct);
  }
  if (disturbedRounds)
    os << "# disturbed (--max-lost): " << disturbedRounds << " of " << roundsRun
       << " rounds disturbed (run again); rows whose kept round is still "
          "disturbed: "
       << disturbedRows << "\n";

  // Geomeans per op, layout and thread count over the rows that have
  // numbers.
  os << "# geomeans over rows (GFLOP/s; ratio = convgrad time / oneDNN "
        "time):\n";
  for (KernelKind kind : kinds)
    for (ref::Layout layout : layouts)
      for (unsigned threads : threadCounts) {
        std::vector<double> cg, dn, ratio, compile;
        for (const Measurement &m : all)
          if (m.kind == kind && m.layout == layout && m.threads == threads) {
            cg.push_back(m.cgGflops);
            dn.push_back(m.dnnlGflops);
            ratio.push_back(m.ratio);
            compile.push_back(m.pipelineSeconds + m.jitSeconds);
          }
        os << llvm::format(
            "# geomean %-5s %s %u thr: convgrad %s GFLOP/s (%s%% "
            "peak), oneDNN %s GFLOP/s, ratio %s; compile "
            "median %s s\n",
            kernelKindName(kind), layoutTag(layout), threads,
            fmt(geomean(cg), "%.1f").c_str(),
            fmt(100.0 * geomean(cg) / peak[threads], "%.1f").c_str(),
            useDnnl ? fmt(geomean(dn), "%.1f").c_str() : "n/a",
            useDnnl ? fmt(geomean(ratio), "%.2f").c_str() : "n/a",
            fmt(median(compile), "%.2f").c_str());
      }
  printPairs(os, all, pairs);
  os.flush();

  std::string csvPath = csvFile;
  if (csvPath.empty() && !pngFile.empty())
    csvPath = pngFile + ".csv";
  if (!csvPath.empty()) {
    std::string error;
    if (!writeCsv(csvPath, all, error)) {
      llvm::errs() << "convgrad-bench: " << error << "\n";
      return 2;
    }
  }
  if (!pngFile.empty()) {
    auto bash = llvm::sys::findProgramByName("bash");
    if (!bash) {
      llvm::errs() << "convgrad-bench: bash not found, no PNG\n";
      return 2;
    }
    llvm::StringRef plotArgs[] = {*bash, CONVGRAD_BENCH_PLOT_SCRIPT, csvPath,
                                  pngFile};
    std::string errMsg;
    int rc = llvm::sys::ExecuteAndWait(*bash, plotArgs, std::nullopt, {}, 0, 0,
                                       &errMsg);
    if (rc != 0) {
      llvm::errs() << "convgrad-bench: " << CONVGRAD_BENCH_PLOT_SCRIPT
                   << " failed (" << rc << ") " << errMsg << "\n";
      return 2;
    }
    if (csvFile.empty())
      llvm::sys::fs::remove(csvPath);
  }
  return anyFailure ? 1 : 0;
}
