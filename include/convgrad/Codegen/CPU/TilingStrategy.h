//===- TilingStrategy.h - Every size decision of the CPU code generator --===//
//
// The CPU passes are mechanisms: they tile, block and split where they are
// told. This unit tells them. Each function here is a plain function of
// shapes and the CPUTarget (register count and width, caches, threads) and
// returns sizes; nothing here knows MLIR, so the decisions are unit-tested
// on their own (unittests/Codegen/CPU) for AVX2 and AVX-512 targets, the
// benchmark layers and odd sizes.
//
// Every tile is static. A tile size divides its dimension, unless the
// dividing tiles of an odd or prime size would degenerate (67 channels: 1
// lane; 57 columns: 3): then the dimension is split (remainderSplit) into
// whole full-size tiles and one static remainder tile (67 = 64 + 3 lanes,
// a vector<3xf32>), both vectorized; never a scalar or dynamic remainder.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_CODEGEN_CPU_TILINGSTRATEGY_H
#define CONVGRAD_CODEGEN_CPU_TILINGSTRATEGY_H

#include "convgrad/Codegen/CPU/CPUTarget.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace mlir {
namespace convgrad {
namespace cpu {

//===----------------------------------------------------------------------===//
// Divisors
//===----------------------------------------------------------------------===//

/// The largest divisor of `size` that is at most `cap` (1 when `size` or
/// `cap` is not positive).
int64_t largestDivisorAtMost(int64_t size, int64_t cap);
/// The divisors of `size` that are at most `cap`, ascending ({1} when none).
std::vector<int64_t> divisorsAtMost(int64_t size, int64_t cap);

/// Where a dimension of `size` whose tiles are at most `tile` is split into
/// a part of whole `tile`s and one static remainder (size % tile), or 0 when
/// it is not: when `tile` divides `size`, when `size` <= `tile`, and when a
/// divisor of `size` of at least `minDivisor` (<= `tile`) exists, which
/// then tiles it without remainder. The remainder part is tiled on its own
/// (a narrower vector or fewer rows), never scalarized.
int64_t remainderSplit(int64_t size, int64_t tile, int64_t minDivisor);

/// remainderSplit of a dimension along vector lanes: split at a multiple of
/// the `vectorLanes` when no divisor of `size` up to `maxLanes` is a whole
/// number of vectors (67 -> 64 + 3; 96 and 24 are not split).
int64_t laneRemainderSplit(int64_t size, int64_t vectorLanes,
                           int64_t maxLanes);

/// remainderSplit of a dimension of broadcast rows (output columns, GEMM
/// rows) with blocks of at most `maxRows`: split when its divisors up to
/// `maxRows` are below half of it (57 -> 56 + 1 for 8; 35 keeps 7).
int64_t rowRemainderSplit(int64_t size, int64_t maxRows);

//===----------------------------------------------------------------------===//
// Register blocks
//===----------------------------------------------------------------------===//

/// Vector registers a register block may keep as accumulators: three
/// quarters of the register file (24 of AVX-512's 32, 12 of AVX2's 16); the
/// rest hold the loaded operand vectors and the broadcast.
int64_t maxAccumulatorRegisters(const CPUTarget &target);

/// An accumulator block of `rows` broadcast elements x `lanes` vector lanes.
struct RegisterBlock {
  int64_t rows = 1;
  int64_t lanes = 1;
  bool operator==(const RegisterBlock &o) const {
    return rows == o.rows && lanes == o.lanes;
  }
};

/// The block of a [rows x lanes] accumulator (rows divides `rows`, lanes
/// divides `lanes`, at most `maxRows` x `maxLanes`) that issues the most
/// FMA lanes per loaded value: per reduction step it loads one broadcast
/// per row and one vector per `vectorLanes` lanes, for rows x vectors FMAs,
/// within `maxAccumulators` registers. The lanes are one vector at most or
/// a power-of-two number of full vectors: LLVM widens a vector<48xf32> to
/// four 512-bit registers (a vector<24xf32> to two) and scalarizes it where
/// a loop carries it (measured: element inserts and spills in every step;
/// 4 x 24 blocks of a 24 x 144 GEMM ran at 9% of the FMA peak), unless
/// `nativeVectorRows`
/// (the caller's code cuts each row into native vectors itself). Ties: more
/// lanes (contiguous stores), then more rows.
RegisterBlock chooseRegisterBlock(int64_t rows, int64_t lanes,
                                  int64_t maxRows, int64_t maxLanes,
                                  int64_t vectorLanes,
                                  int64_t maxAccumulators,
                                  bool nativeVectorRows = false);

//===----------------------------------------------------------------------===//
// Convolutions (convgrad-tile-and-vectorize)
//===----------------------------------------------------------------------===//

/// The channels-last linalg convolutions the CPU tiler handles, with their
/// iteration spaces.
enum class ConvKind {
  Conv2DNhwcHwcf,          ///< (n, oh, ow, f, kh, kw, c)
  DepthwiseConv2DNhwcHwc,  ///< (n, oh, ow, c, kh, kw)
  Conv1DNwcWcf,            ///< (n, ow, f, kw, c)
  DepthwiseConv1DNwcWc,    ///< (n, ow, c, kw)
  Conv3DNdhwcDhwcf,        ///< (n, od, oh, ow, f, kd, kh, kw, c)
  DepthwiseConv3DNdhwcDhwc, ///< (n, od, oh, ow, kd, kh, kw, c)
  /// Channels-first convolutions with stride 1, vectorized along the output
  /// width (see vectorizeAlongWidth).
  Conv2DNchwFchw, ///< (n, f, oh, ow, c, kh, kw)
  Conv1DNcwFcw,   ///< (n, f, ow, c, kw)
};

/// Upper bounds of the convolution tiles, from the target.
struct ConvTileLimits {
  int64_t parallelRows = 8;   ///< output rows per parallel task
  int64_t widthTile = 8;      ///< output columns per register block
  int64_t depthwiseWidth = 4; ///< depthwise: the input window is in registers too
  int64_t channelTile = 64;   ///< output channels per register block
  int64_t reductionTile = 1;  ///< input channels per reduction step
  int64_t maxAccumulators = 24;
  int64_t filterCacheBytes = 1 << 20; ///< larger filters are cache-blocked
};
ConvTileLimits getConvTileLimits(const CPUTarget &target);

/// The register block of a convolution vectorized along its output width:
/// `rows` output channels (one broadcast filter element each per reduction
/// step) x `lanes` output columns (contiguous loads of an input row), such
/// that the accumulators, one row of input vectors and a broadcast fit the
/// vector registers.
RegisterBlock getWidthRegisterBlock(int64_t filters, int64_t width,
                                    int64_t elementBits,
                                    const CPUTarget &target);

/// Whether a convolution with `filters` output channels per group, `width`
/// output columns (innermost spatial dim) and that dim's `stride` is
/// computed channels-first with vectors along the output width instead of
/// channels-last with vectors along the output channels. A channels-last
/// register block fills only filters/lanes of each vector (3 of 16 for the
/// 3-channel data gradient of an RGB stem); the width block fills
/// width/(vectors x lanes) and multiplies no padding. The width form is
/// taken when it fills at least twice the lanes (so with at most lanes / 2
/// filters), only with stride 1, where an input row is one contiguous
/// load per kernel tap, and only for at least `lanes` columns.
bool vectorizeAlongWidth(int64_t filters, int64_t width, int64_t stride,
                         int64_t elementBits, const CPUTarget &target);

/// A convolution that vectorizeAlongWidthOrSaveTransposes decides on: the
/// vectorizeAlongWidth parameters, plus what its channels-last form costs
/// beyond the multiply-adds.
struct WidthFormCandidate {
  int64_t filters = 0; ///< output channels per group
  int64_t width = 0;   ///< output columns (innermost spatial dim)
  int64_t stride = 1;  ///< stride of that dim
  /// Multiply-adds per output element: input channels per group x kernel
  /// taps.
  int64_t reduction = 0;
  int64_t outputElements = 0;
  /// Elements the channels-last form moves through layout transposes that
  /// the channels-first width form does not (a channels-first input and
  /// output: both, once each).
  int64_t transposedElements = 0;
};

/// vectorizeAlongWidth, or also when the width form saves layout
/// transposes that cost more than it loses. A channels-first convolution
/// computed channels-last moves its input and output through transposes;
/// with a short reduction per output (a pointwise layer: 16-144 terms)
/// those dominate. Per output element the channels-last form pays
/// `transposedElements / outputElements` moved elements, the width form
/// `reduction` FMAs on the lanes its block fills; a transposed element
/// costs about as much as 4 vector FMAs (lanes x 4 multiply-adds; measured
/// on AVX-512, dgrad, 1 thread: pointwise layers at 11-59 multiply-adds per
/// moved element gain 1.25-2.8x, a 3x3 layer of 16 channels at 82 breaks
/// even, a pointwise layer at 117 and 3x3 layers at 164-576 lose 6-30%).
bool vectorizeAlongWidthOrSaveTransposes(const WidthFormCandidate &conv,
                                         int64_t elementBits,
                                         const CPUTarget &target);

/// A channels-last convolution between layout transposes from and back to
/// channels-first (so that its input and result exist channels-first too),
/// that channelsFirstRemainderSplit decides on.
struct LaneRemainderCandidate {
  int64_t filters = 0; ///< output channels (one group)
  int64_t width = 0;   ///< output columns (innermost spatial dim)
  int64_t stride = 1;  ///< stride of that dim
  /// Multiply-adds per output element: input channels x kernel taps.
  int64_t reduction = 0;
  /// Output positions (N x the spatial sizes).
  int64_t outputPositions = 0;
  /// Elements of the channels-first input (padding included) that the
  /// remainder's channels-first form copies: its padded input.
  int64_t copiedInputElements = 0;
};

/// The first output channel of a lane remainder (laneRemainderSplit: the
/// channels after the whole vectors, e.g. 3 of 67 on AVX-512) that is
/// computed as a convolution of its own, channels-first and vectorized
/// along the output width; 0 for none. Channels-last, the remainder's
/// register blocks fill r of `lanes` lanes: it takes one vector FMA per
/// output column and reduction term, as many as a whole vector of
/// channels (67 channels on AVX-512: 3 channels at a quarter of the cost
/// of the other 64; measured 20% of od_3x3_c67_57's data gradient). Its
/// width form (vectorizeAlongWidth: r <= lanes / 2) takes r FMAs per
/// vector of columns, at the cost of copying the padded input
/// channels-first, each element of it worth 6 vector FMAs (copied through
/// memory like a transposed element, 4, then streamed once more by the
/// remainder's convolution). Split when the FMAs saved exceed that:
/// measured on AVX-512 (CPU time), od_3x3_c67_57's data gradient 9-12%
/// faster at 1 and 2 threads, its forward 7-16%; on AVX2 (3 of 8 lanes)
/// the split was 3% slower, and is not taken.
int64_t channelsFirstRemainderSplit(const LaneRemainderCandidate &conv,
                                    int64_t elementBits,
                                    const CPUTarget &target);

/// The register tiling of the output rows of a channels-last convolution
/// (conv_2d_nhwc_hwcf): `block` is `rows` output columns x `lanes` output
/// channels; when `widthSplit` > 0 it tiles the first `widthSplit` columns
/// and the columns after them are a part of their own (remainderSplit),
/// tiled by its own decision. With `tapLoop` the kernel columns are a loop
/// (one tap per reduction step, the filter vectors of one tap in registers)
/// rather than unrolled into each step.
struct ConvRowTiling {
  RegisterBlock block;
  int64_t widthSplit = 0;
  bool tapLoop = false;
  /// Images of the batch per register block (the channels-first width
  /// form only): `block` for each of them, all fed by the same broadcast
  /// filter elements, their accumulator chains independent.
  int64_t images = 1;
};

/// Input channels per iteration of the reduction loop of a channels-last
/// convolution's register block that does `fmasPerChannel` vector FMAs per
/// input channel, of `channels` (the loop's trip): 4 (a multiple of 4
/// channels) if those FMAs take fewer than 8 cycles on the target's FMA
/// units, else 1. AVX2's 6 x 16 tap-loop block (12 FMAs, 6 cycles) runs 4
/// channels per iteration: measured 1.5-6% faster on the c_3x3_c256 data
/// gradient (3 A/B runs; the loop's increments, compare-branch and the
/// mispredicted exit of each tap's short trip share the FMA ports); blocks of 8
/// cycles or more gained nothing, and AVX-512's 4 x 64 blocks (8 cycles)
/// lost 5% with 2 channels.
int64_t convReductionUnroll(int64_t fmasPerChannel, int64_t channels,
                            const CPUTarget &target);

/// Cycles per reduction step (one input channel of one kernel row, its
/// `taps` kernel columns unrolled) of a register block of `rows` output
/// columns x `vectors` vectors of output channels, on `target`: the most of
///  - its rows x vectors x taps FMAs on the target's FMA units,
///  - its loads on two load ports: rows + taps - 1 input broadcasts (the
///    taps of neighbouring columns share them) and taps x vectors filter
///    vectors,
///  - the latency of the taps FMAs that each accumulator chains per step,
///    with `chainSlack` one cycle more than the FMA latency each: an
///    out-of-order core does not keep exactly latency x FMA units
///    accumulators busy (measured on Zen 5, AVX2: 2 x 32 blocks, 8
///    accumulators chaining 3 FMAs per step, at 80% of the FMA peak, 15
///    cycles per 12),
///  - with `filterFromL2` (the filter slice a block reads exceeds L1), the
///    filter vectors' bytes at the rate L2 sustains.
double convBlockStepCycles(int64_t rows, int64_t vectors, int64_t taps,
                           bool filterFromL2, const CPUTarget &target,
                           bool chainSlack = true);

/// The register tiling of `width` output columns x `channels` output
/// channels (whole vectors or fewer lanes than one) with `taps` kernel
/// columns per step and `filterBytesPerChannel` filter bytes per output
/// channel (KH x KW x C elements): of all blocks whose
/// lanes divide `channels` (one vector or a power-of-two number of them,
/// see chooseRegisterBlock) and whose accumulators (at most
/// maxAccumulatorRegisters), one kernel row of filter vectors and a
/// broadcast fit the vector registers, and of all row counts up to
/// `maxRows` (dividing `width` or not: the remainder columns are a part
/// with a block of their own, costed as the blocks it chooses), plus
/// chooseRegisterBlock's dividing block
/// when its accumulators take at most half of the registers, and the
/// blocks of a tap loop (ConvRowTiling::tapLoop: `taps` steps of one tap,
/// whose accumulators, one tap's filter vectors and a broadcast fit the
/// registers), the one whose blocks take the fewest convBlockStepCycles
/// over the whole row x channels (counting the chain slack only where a
/// tap loop is offered: it decides between the two forms, and elsewhere
/// only chose blocks of more rows, slower to compile). Ties: no width
/// split, unrolled taps, more lanes, more rows. 57 columns of 64 channels take 9 blocks of 6 x 32 and
/// a 3-column part, where 4 x 64 blocks leave a 1-column part that waits on
/// the FMA latency. On AVX2's 16 registers the unrolled 3 taps of a 3 x 3
/// kernel leave room for 8 accumulators, which wait on the FMA latency;
/// a tap loop holds 6 x 16 blocks, 12 accumulators: 14 columns take two
/// of them and a 2-column part of 2 x 32 blocks, not 5 x 16 blocks and
/// a 4-column part twice as large.
/// Measured alternatives on that row (c_3x3_c256_14's data gradient, AVX2,
/// channels-last, 1 thread, kernel CPU samples of 3 alternating runs): the
/// 2-column part as 2 x 32 tap-loop blocks (4 channels per step) took 2%
/// more than the unrolled 2 x 32 blocks; 10 columns of 5 x 16 and a 4-column
/// part of 4 x 16 tap-loop blocks (one filter pack at 16 lanes for both)
/// were within noise (0-5% more); so was a single filter pack at 32 lanes
/// for both parts, the 6 x 16 blocks reading 16-lane halves of its rows
/// (the pack saved about 2%, the main loop took about 2% more samples).
/// On b_3x3_c128_28 (28 = 4 x 6 + 4 columns) 4 x 16 tap-loop blocks for the
/// 4-column part took 6% fewer samples in that part than the 2 x 32 blocks
/// chosen on the tie, 1% of the kernel: within the host's noise.
ConvRowTiling chooseConvRowTiling(int64_t width, int64_t channels,
                                  int64_t taps,
                                  int64_t filterBytesPerChannel,
                                  int64_t maxRows, int64_t elementBits,
                                  const CPUTarget &target);

/// Cycles per reduction step (one input channel of one kernel row, its
/// `taps` kernel columns unrolled) of a width register block
/// (getWidthRegisterBlock) of `rows` filters x `vectors` vectors of output
/// columns for each of `images` images, on `target`: the most of
///  - its rows x vectors x images x taps FMAs on the target's FMA units,
///  - its loads on two load ports: per tap, vectors x images input vectors
///    and `rows` broadcast filter elements (shared by the images),
///  - the latency of the `taps` FMAs that each accumulator chains per step
///    (3 filters x 2 vectors of AVX2 wait on it: 6 FMAs per tap, in flight
///    over 4 cycles, where the two FMA units could issue 8).
double widthBlockStepCycles(int64_t rows, int64_t vectors, int64_t images,
                            int64_t taps, const CPUTarget &target);

/// The register tiling of one output row of a channels-first convolution
/// vectorized along its width (ConvKind::Conv2DNchwFchw) over a batch of
/// `batch` images: `block` is `rows` filters x `lanes` output columns of
/// `images` images (a divisor of `batch`); when `widthSplit` > 0 it tiles
/// the first `widthSplit` columns and the columns after them are a part of
/// their own, tiled by its own decision. Of getWidthRegisterBlock's block
/// (whose columns divide `width`) and every block of whole vectors that
/// fits the same registers (dividing `width` or not), and every block of
/// several images whose columns divide `width` (the parts of a split would
/// be task loops of different images, which do not fuse) and whose
/// accumulators (at most maxAccumulatorRegisters), the broadcast filter
/// elements and one input vector fit the registers,
/// the one whose blocks take the fewest widthBlockStepCycles per image
/// over the whole row x `filters` (the remainder columns counted as one
/// block of the same filters and images). Ties: fewer images, no split,
/// more columns. The 112 columns of the RGB stem's phases (3 filters, 4
/// taps, 8 images) on AVX2: 7 blocks of 3 x 16 of 2 images, 12
/// accumulators (FMA-bound), where 1 image takes 4 blocks of 3 x 24 and a
/// 16-column part whose 3 x 16 block waits on the FMA latency (measured:
/// at 71% of the FMA rate of the 3 x 24 blocks' 90%).
ConvRowTiling chooseWidthRowTiling(int64_t filters, int64_t width,
                                   int64_t batch, int64_t taps,
                                   int64_t elementBits,
                                   const CPUTarget &target);

/// How many iterations ahead a reduction loop prefetches the rows it
/// loads, when consecutive iterations read rows `strideBytes` apart out of
/// a buffer of `bufferBytes`, and one iteration issues `fmasPerIteration`
/// vector FMAs; 0 for no prefetch. The hardware prefetchers follow a
/// stream within a page; rows a page or more apart, from a buffer larger
/// than the L2, each miss to the L3 or memory unprefetched. That is the
/// channel loop of a convolution vectorized along its width: each channel
/// is a plane of the input (the RGB stem's data gradient: 64 planes of
/// 115 x 115 floats, 256 rows in flight per register block). Its first
/// reads of a task's rows waited on memory: the first stride phase of a
/// fused task ran at 62% of the others' FMA rate (measured on Zen 5,
/// AVX2, 1 thread). The rows are prefetched far enough ahead to cover a
/// memory access (about a thousand cycles under load) at the FMA rate,
/// but at most 16 iterations; a loop whose 16 iterations cover less than
/// half of that hides little of it and gets none (a pointwise layer's
/// width form, 12 FMAs per iteration: measured on AVX2,
/// mb_pw_c24to144_56's forward 11-20% slower with them). Each prefetch
/// takes a load slot: only a loop with at least 6 FMAs per prefetched line
/// (`prefetchesPerIteration`, 0 when not known yet) gains. The stem's
/// phases have 6-8 (a row feeds every kernel tap): on AVX2 the 3x3 phase's
/// 6 (108 FMAs per channel, 6 rows of 3 lines), without prefetches, took
/// 1.4x the time per FMA of the prefetched 4x4 phase, with them 1.2x
/// (perf samples per loop, Zen 5, 1 thread); on AVX-512 the 3-column
/// phases' 7 gain about 8%.
int64_t stridedReductionPrefetchDistance(int64_t strideBytes,
                                         int64_t bufferBytes,
                                         int64_t fmasPerIteration,
                                         int64_t prefetchesPerIteration,
                                         const CPUTarget &target);

/// Where convgrad-cpu-spread-prefetches issues the `prefetches` (L)
/// prefetches of a marked loop (the rows the next work item of a staged
/// filter gradient transposes) within the loop nest of FMAs after it.
/// `trips` are the iterations of the nest's loops from the outermost (in
/// the marked loop's block) to the one around its first FMA, `vectorFmas`
/// the FMA instructions of the target's vector width that one iteration of
/// each issues, `nestPrefetches` the prefetches of all the marked loops
/// spread over the same nest (L included).
///
/// The prefetches go to the deepest loop whose iterations in all, T, are at
/// most L (each then issues P = ceil(L / T), none twice), unless P would be
/// more than 8 (then a level deeper, T > L). Deeper, most iterations would
/// prefetch a line again: address arithmetic that took issue slots from the
/// FMAs (AVX2's small register blocks: 2 threads ran 10% slower with a
/// prefetch in every innermost iteration). Each prefetch costs a dozen or
/// more scalar instructions of address arithmetic: a nest with fewer than
/// 10 vector FMAs per prefetch (of `nestPrefetches`, or of L when more)
/// loses more issue slots than the prefetches save, and gets none
/// (level -1). Measured (AVX-512, 1 thread, on a loaded host): 9.7 vector
/// FMAs per prefetch (1x1 32 -> 16 channels at 112 x 112) ran 14% slower,
/// 13 (1x1 16 -> 96) 45% faster, 100 (row e) 5-10% faster.
///
/// At the deepest level with T at least twice L (one prefetch each), most
/// iterations would compute the address of a line an earlier one fetched:
/// only every `every`-th iteration of that loop issues one, the largest
/// power of two that divides its trip count and leaves at least L
/// iterations that do (the next-task box prefetches of the AVX2 stem data
/// gradient, 4 lines per address: 3584 iterations per phase for 624
/// addresses, every 4th; the kernel took ~2% fewer samples, Zen 4).
struct SpreadPrefetchPlan {
  /// The loop of the nest (an index into `trips`) whose every `every`-th
  /// iteration issues `perIteration` prefetches; -1: the prefetches are
  /// dropped.
  int64_t level = -1;
  int64_t perIteration = 0;
  int64_t every = 1;
};
SpreadPrefetchPlan planSpreadPrefetches(int64_t prefetches,
                                        int64_t nestPrefetches,
                                        const std::vector<int64_t> &trips,
                                        const std::vector<int64_t> &vectorFmas);

/// The locality hint (that of memref.prefetch: 3 = L1, 2 = L2) of the
/// prefetches of the rows the next work item of a staged filter gradient
/// transposes, `itemBytes` of them per work item, issued during this item's
/// GEMMs (planSpreadPrefetches). Into L2 when they exceed half of L1: the
/// current item's slices and register blocks' operands hold L1 until the
/// next item starts (every staged layer of the benchmark and real-layer
/// sets prefetches more: the smallest, 3x3 stride-2 67 -> 131 at 57 x 57,
/// 60 KiB per item); else into L1.
int64_t getStagedRowsPrefetchLocality(int64_t itemBytes,
                                      const CPUTarget &target);

/// Whether two sibling parallel loops with the same tasks (the stride
/// phases of a data gradient, the parts of a split convolution) that read
/// `sharedInputBytes` of the same tensors become one loop whose tasks do
/// both parts in turn (convgrad-cpu-fuse-sibling-tasks). Separate loops
/// each stream the shared input through the core; once it exceeds the L2,
/// every loop reads it again from L3 or memory (the RGB stem's phases:
/// four passes over a 27 MB output gradient), where a fused task reads
/// its rows again from L2.
bool fusesSiblingTasks(int64_t sharedInputBytes, const CPUTarget &target);

/// Whether the tasks of a convolution's parallel loop that all read one
/// padded copy of a tensor pad their own box of it instead: each task
/// copies the rows and channels its bodies read (`taskBoxBytes`, halo
/// included) into a buffer of its own, which its bodies then read from L2,
/// where the whole copy (`paddedBytes`) is written before the loop and read
/// back from L3 or memory. For the fused loops of sibling tasks (stride
/// phases, `fusedSiblings`) once the padded tensor exceeds twice the L2 (at
/// 1.3 times znver3's 512 KiB, the p2_3x3_s2_c256_16 channels-last data
/// gradient on AVX2 took 6% more kernel samples with per-task pads, 4
/// alternating runs; the stem's 27 MB 5-9% fewer on AVX2 and AVX-512); for
/// a single convolution's loop once it exceeds the L2: the whole copy is
/// then a parallel region of its own, with its barrier and its border
/// fills, and a task's rows of it are no longer in its core's L2 when the
/// task reads them. Zen 4, AVX-512, kernel samples of 2 x 2 alternating
/// runs: the 3x3 data gradients of 256 channels at 14 x 14 (2 MiB padded)
/// -5 to -7% (NCHW) and -4 to -6% (NHWC), 64 at 56 x 56 -2 to -5%, dilation 2
/// -3 to -6%, 96 at 35 x 35 -2 to -5%; AVX2 code (znver3's 512 KiB L2)
/// within the runs' noise (-4 to +4%; the 256-channel layer -4 to -14% in
/// one pair, +6 to +10% in the other). Not when the boxes of the `tasks`
/// overlap so much that the tasks copy more than three quarters again the
/// padded tensor (a loop whose tasks split a dimension the input does not
/// have each copy the same rows; the stem's AVX2 tasks of 4 rows copy 1.70
/// times it: chooseWidthTaskRows). The padded tensor may be a layout transpose
/// of an argument (the stem's channels-last output gradient): the tasks then
/// also transpose their boxes, where the whole transpose wrote and read
/// back 27 MB (AVX2 stem dgrad NHWC, 1 thread: ~8% fewer kernel samples).
bool padsSharedInputInTasks(int64_t paddedBytes, int64_t taskBoxBytes,
                            int64_t tasks, const CPUTarget &target,
                            bool fusedSiblings);

/// Output rows per parallel task of a channels-first convolution vectorized
/// along its width (`rows` output rows, `images` per task, `channels` input
/// channels, `kernelRows`, input rows of `inputColumns` elements): the
/// largest divisor of `rows` up to `maxRows`, halved (while a divisor, and
/// while its halo rows stay within three quarters of its rows) until the
/// task's box of the input (images x channels x (rows + kernelRows - 1) x
/// inputColumns elements, what each task pads for itself:
/// padsSharedInputInTasks) fits the L2; the largest up to `maxRows` when no
/// halving fits. Halving steps, so that sibling stride phases (kernels of 4
/// and 3 rows) choose the same tasks and stay one loop. Besides its box, a
/// task's L2 holds the rows of the next task's box that it prefetches and its
/// results: the AVX2 RGB stem's boxes of 8 rows (2 x 64 x 11 x 115 floats, 647
/// KB, beyond znver3's 512 KiB L2, so that its reduction loops also prefetch
/// their rows: stridedReductionPrefetchDistance) took 7% more kernel samples
/// than boxes of 4 rows (412 KB) on a Zen 4 (1 MiB L2), whose FMA loops read
/// them 9% faster (AVX2 NCHW, 1 thread, 3 alternating perf runs; NHWC 1 thread
/// -5%, NCHW 2 threads -6%); boxes of 2 rows were no faster again (their FMA
/// loops faster still, the copies of their halo rows 8% of the samples).
/// AVX-512 (1 MiB L2) keeps its 8 rows: 4 took 1-2% more samples.
int64_t chooseWidthTaskRows(int64_t rows, int64_t maxRows, int64_t images,
                            int64_t channels, int64_t kernelRows,
                            int64_t inputColumns, int64_t elementBits,
                            const CPUTarget &target);

/// The locality hint (that of memref.prefetch: 3 = L1, 2 = L2) of the
/// prefetches a task that pads its own box (padsSharedInputInTasks) issues
/// during its FMA nests for the `boxSourceBytes` of the source the next
/// task copies into its box, or -1 for none. Copied without them, the box's
/// rows (a few KiB per plane, planes tens of KiB apart) come from memory
/// with the FMA units idle: 13% of the AVX2 stem data gradient's samples on
/// Zen 4, 4% with them. Into L1 (prefetcht0), even for boxes beyond the L2
/// (the stem's 630 KiB): its lines then stay in L2, or in L3 once evicted,
/// until the copy reads them, and on Zen 4 prefetcht0 took 1-2% fewer
/// kernel samples than prefetcht1 (AVX2 stem, 2 runs each); none when the
/// box's source exceeds half the L3, where its lines would not stay.
int64_t getNextTaskBoxPrefetchLocality(int64_t boxSourceBytes,
                                       const CPUTarget &target);

/// The cache lines of one contiguous run of the next task's box (a run of
/// `runLines` lines) that one computed address of those prefetches covers:
/// the address (the run and the point within it, clamped into the source:
/// a few dozen scalar instructions) then serves that many prefetches a line
/// apart, which take it as a displacement. The AVX2 stem data gradient on
/// Zen 4 (the spread prefetches of one line each: ~6% of its samples in
/// their address arithmetic; 1 thread, 4-6 alternating perf runs of 40
/// calls): 2 lines per address took ~1% fewer kernel samples, 4 ~2% fewer
/// (NCHW and NHWC), 8 3.5% more (eight misses issued at once). Runs shorter
/// than that many lines keep one line per address.
int64_t getNextTaskBoxPrefetchLinesPerAddress(int64_t runLines,
                                              const CPUTarget &target);

/// Tile sizes of one convolution over its iteration space (0 = not tiled).
struct ConvTiling {
  /// Per dim of the iteration space, a remainderSplit point (0: none); when
  /// any is set, the other fields are empty: the convolution is computed as
  /// the static parts on either side of the points, each tiled by its own
  /// getConvTiling.
  std::vector<int64_t> split;
  std::vector<int64_t> parallel;   ///< scf.forall tiles: one task each
  std::vector<int64_t> inner;      ///< scf.for register tiles in a task
  std::vector<int64_t> innerOrder; ///< loop order of `inner` (empty: as is)
  /// scf.for tiles between the task and `inner` (empty: none): a block of
  /// output and input channels whose filter slice stays in cache.
  std::vector<int64_t> cacheBlock;
  std::vector<int64_t> cacheOrder;
  std::vector<int64_t> fill;       ///< scf.for tiles of the fused fill
  /// Whether the fused fill is tiled with the register tiles instead (by
  /// `inner`'s sizes of the parallel dims, inside their loops and before
  /// the reduction loops): each register block then starts as zero vectors
  /// in registers, where a separate fill would store a zero block that the
  /// reduction reads back (a pass over the output). Only when no cache
  /// block tiles a reduction dim: its partial sums must go through the
  /// output.
  bool fillInRegisterTile = false;
  /// Output channels per block of a packed filter (0 = the filter is read
  /// in place). The filter [..., C, F] is then copied once per call into
  /// [F / filterBlock, ..., C, filterBlock], so that the slice a cache
  /// block of output channels reads is contiguous; requires `cacheBlock`,
  /// whose output channel tile is `filterBlock`.
  int64_t filterBlock = 0;
  /// Output columns per register block of a convolution computed with its
  /// vector lanes along the reduction channels c instead of the output
  /// channels f (0 = along f): chooseReductionLaneColumns. The other fields
  /// but `parallel` are then empty; `parallel` tiles its tasks.
  int64_t reductionLaneColumns = 0;
  /// With reductionLaneColumns: whole channel vectors per step of the
  /// blocks' channel loop (getReductionLaneUnroll).
  int64_t reductionLaneUnroll = 1;
};

/// Output columns per register block when a channels-last convolution with
/// `filters` output channels, fewer than a vector's lanes (the remainder of
/// a split: 67 = 64 + 3), runs its vector lanes along its `channels`
/// reduction channels (contiguous in NHWC input rows) instead: per block of
/// b columns, filters x b accumulators of `lanes` partial sums over c,
/// reduced horizontally once per block. 0 keeps the lanes along the output
/// channels, where each FMA does `filters` useful lanes of a vector and one
/// per (tap, c) and position is needed. Per output position and tap:
///  - lanes along f: `channels` FMAs;
///  - lanes along c: `filters` x ceil(channels / lanes) FMAs (the last one
///    masked), plus `filters` horizontal reductions per position, counted
///    as 2 log2(lanes) + 1 instructions each (one reduction per vector; the
///    tree of createLaneSums takes about 3: a margin), spread over the
///    `taps`.
/// Lanes along c are taken when they cost at most half (the horizontal
/// reductions and the masked tail are less regular code). The block takes
/// at most maxAccumulatorRegisters() accumulators, leaving registers for the
/// `filters` filter vectors and one input vector, and its columns are chosen
/// so that the remainder block of `columns` % b columns still chains enough
/// FMAs to cover their latency (fmaUnits x 4 independent accumulators).
int64_t chooseReductionLaneColumns(int64_t filters, int64_t taps,
                                   int64_t channels, int64_t columns,
                                   int64_t elementBits,
                                   const CPUTarget &target);

/// Whether an ungrouped 2-D convolution whose input, filter and result are
/// all of the accumulator type is better computed channels-last with its
/// vector lanes along the reduction channels (chooseReductionLaneColumns)
/// than channels-first along its output width (vectorizeAlongWidth), for
/// `filters` output channels, `taps` kernel taps (`kernelWidth` columns),
/// `channels` input channels and `width` output columns, as getConvTiling
/// tiles it (kernels of at most 8 columns, whose taps the blocks unroll).
/// Both do the same FMAs on full vectors when the channels are whole
/// vectors; the reduction-lane form adds one horizontal sum per output
/// (about 3 instructions each in createLaneSums' tree), the width form reads
/// channels-first planes: a short run per plane and row, which a task
/// copies into its box with halo rows (the copy and its prefetches took 17%
/// of the AVX2 stem data gradient's samples) or which the layout transposes
/// of a channels-last program produce. Taken when the channels are whole
/// vectors and the sums add at most a quarter to the FMAs. The stem data
/// gradient's stride phases (3 filters, 64 channels, 9-16 taps) run 8-20%
/// faster so, on AVX2 and AVX-512, channels-first and channels-last, at 1
/// and 2 threads.
bool prefersReductionLanes(int64_t filters, int64_t taps, int64_t kernelWidth,
                           int64_t channels, int64_t width,
                           int64_t elementBits, const CPUTarget &target);

/// Whole channel vectors per step of the channel loop of a reduction-lane
/// block (chooseReductionLaneColumns) that issues `fmasPerVector` FMAs per
/// channel vector (filters x columns), of `channelVectors` in all: the
/// fewest that divide them and make a step of at least 32 FMA cycles, or
/// all. A step of one vector (3 x 4 accumulators: 12 FMAs, 6 cycles on two
/// FMA units) spends a visible share on the loop's own instructions and the
/// mispredicted exit of its short trip (8 vectors, once per kernel tap):
/// the stride phases of the AVX2 stem data gradient ran at 86-88 GFLOP/s
/// with one vector per step, 92-94 with all 8.
int64_t getReductionLaneUnroll(int64_t channelVectors, int64_t fmasPerVector,
                               const CPUTarget &target);

/// Input channels per cache block of a channels-last convolution whose
/// filter exceeds the L2 budget (`bytesPerChannel`: the block's kernel taps
/// x output channels of one input channel): the largest divisor of
/// `channels` whose block fits three quarters of L1, the rest left to the
/// input rows. Every register block of a task then reads the block from L1
/// but the first, where an eighth of L2 (128 channels: 144 KiB) streamed it
/// from L2 for each. Measured on the c_3x3_c256_14 data gradient (AVX-512,
/// 48 KiB L1, 7 x 32 blocks, 5 alternating rounds at 1 thread): 32-channel
/// blocks (36 KiB) 10.9-11.3 ms, 16 10.9-11.4, 64 11.7-11.9, 128 11.5-11.7.
/// A filter that fits L2 gains nothing from such blocks (rows a, b, d, i:
/// 16 or 32 channels were as fast or slower), so they stay unblocked.
int64_t cacheBlockReductionChannels(int64_t channels, int64_t bytesPerChannel,
                                    const CPUTarget &target);

/// Output rows per parallel task (at most; getConvTiling takes the largest
/// divisor of `rows`) of a channels-last convolution whose filter exceeds
/// the L2 budget and is cache-blocked. Every task streams the whole filter
/// from L3, block by block, and the first register block row of each block
/// reads its slice from there; the other rows of the task reuse it from L2.
/// A task therefore takes as many rows as keep at least two tasks per
/// thread (a thread count chosen at run time counts as 4), and never fewer
/// than `parallelRows`. Measured on the c_3x3_c256_14 data gradient
/// (AVX-512, 2 MiB L2, 2.4 MB filter, batch 8, 1 thread, 10 alternating
/// rounds): whole images of 14 rows instead of 7, median 11.83 -> 11.66 ms;
/// with the L1-sized reduction blocks (cacheBlockReductionChannels) the two
/// together 11.81 -> 11.08 ms at 1 thread, 5.96 -> 5.64 at 2 (8 rounds).
int64_t cacheBlockedTaskRows(int64_t batch, int64_t rows, int64_t parallelRows,
                             const CPUTarget &target);

/// The tiling of a convolution of `kind` with static loop ranges `ranges`
/// and an output element type of `elementBits`; nullopt for a zero-trip or
/// dynamic range (nothing to tile). A 3-D convolution is tiled as the 2-D
/// convolution of one output depth and one kernel depth: its od and kd tiles
/// are 1 (so that each tile is a 2-D convolution), the other dims get the
/// 2-D decision for the same rows, columns and channels.
std::optional<ConvTiling> getConvTiling(ConvKind kind,
                                        const std::vector<int64_t> &ranges,
                                        int64_t elementBits,
                                        const CPUTarget &target);

//===----------------------------------------------------------------------===//
// Filter gradients as GEMMs (convgrad-cpu-wgrad-to-gemm and
// convgrad-tile-and-vectorize-contractions)
//===----------------------------------------------------------------------===//

/// How one ungrouped filter gradient becomes GEMMs dw[tap] += dy^T * x.
struct WgradGemmPlan {
  /// The accumulator block is [A, B] with B along vector lanes: B = C (the
  /// input channels) when true, else B = F.
  bool lanesAlongC = true;
  /// Output rows per work item: the largest divisor of O_1 whose dy slice
  /// fits the cache budget, so that every tap re-reads it from cache.
  int64_t rowsPerBlock = 1;
  /// > 0: O_1 has no divisor near the rows that fit that budget (a prime 29
  /// of which 22 fit would take blocks of 1 row: a GEMM reduction of one
  /// row's positions, and with stride 2 every input row staged 1.5 times).
  /// The op is then first split into its output rows [0, rowSplit), blocks
  /// of the fitting rows, and the rest (rowRemainderSplit), each planned on
  /// its own, and their two filter gradients summed; the other fields are
  /// the plan without that split.
  int64_t rowSplit = 0;
  /// The most output rows, dividing O_1 or not, whose slices fit the cache
  /// budgets: what rowsPerBlock and rowSplit are derived from.
  int64_t fittingRows = 1;
  /// Output rows per GEMM (a divisor of rowsPerBlock, getWgradRowsPerGemm):
  /// all taps run their GEMMs on these rows of a work item before its next
  /// rows; 0: the whole block.
  int64_t rowsPerGemm = 0;
  /// Parallel tasks (one scf.forall around all GEMMs; 1 = none) and what
  /// they split: the rows (A) or the lanes (B) of the accumulator, each task
  /// owning whole register blocks, or else (channel counts that no number
  /// of whole blocks divides, e.g. 67) the work items (image, block of
  /// output rows), each task accumulating the whole [A, B] block of every
  /// tap into its own copy, summed after the tasks.
  int64_t tasks = 1;
  enum class TaskSplit { Rows, Lanes, Positions };
  TaskSplit split = TaskSplit::Rows;
  /// Channels-first only (planWgradStaging): every work item transposes
  /// the rows of x and dy it reads into per-task channels-last buffers.
  bool stageSlices = false;
  /// With stageSlices: whether the work items also stage x. False when a
  /// channel split leaves x's channels whole in every task: x is then
  /// transposed (and padded) once, by all threads, before the tasks, which
  /// read their windows of it in place (see planWgradStaging).
  bool stageInput = true;
  /// With stageSlices, stageInput false and the lanes along F: the GEMMs
  /// read x where it is, channels-first, as their broadcast operand (a
  /// register block's rows are channels of x, each one contiguous or
  /// strided run of positions per row), so no pass transposes x before
  /// the tasks (see planWgradStaging).
  bool readInputInPlace = false;
  /// With stageSlices: whether each work item prefetches the rows the next
  /// one stages (and, channels-last, the x positions its windows read in
  /// place) during its GEMMs (see planWgradStaging).
  bool prefetchNextItem = false;
};

/// `channels` = C, `filters` = F, `taps` = K_1 * .. * K_R (the kernel
/// positions), `outputSizes` = O_1..O_R of the output
/// gradient, whose elements have `gradBits` bits; accumulators have
/// `accBits`. `tasksOverride` > 0 replaces the thread-derived task count,
/// `blockBytesOverride` > 0 the cache budget of a GEMM's dy slice. `batch`
/// is N, 0 when dynamic.
///
/// With a static batch whose work items split evenly among the tasks, and
/// a filter gradient small enough that every task's copy of it
/// (taps x A x B accumulators) stays in its core's L2 (half of it for a
/// 1x1 kernel), the tasks split the work items (TaskSplit::Positions) even
/// when the channels would split: each task then reads only its own images
/// of both x and dy, where a channel split has every task read all of one
/// operand, and keeps the full register block (the 3-channel stem's Lanes
/// split halves it). Each task then runs the single-task kernel, whose
/// footprint is the same, on its share of the items. Measured at 2 threads
/// (N = 2, min of 200 calls): the stem 1.71 vs 2.42 ms, the 3x3 stride-2
/// 64 -> 128 layer 0.73 vs 0.83 ms, 64 channels at 56 x 56 1.15 vs
/// 1.22-1.25 ms, 128 at 28 x 28 1.18 vs 1.23 ms; the 256-channel 14 x 14
/// layer (2.4 MB per copy) keeps its Rows split (1.39 vs 1.49 ms). Of a
/// 512 KiB L2 (znver3), the 3x3 stride-2 64 -> 128 layer's 288 KiB copy
/// passes: channels-last at N = 8 on a 2 MiB-L2 core, 5.1-5.4 ms against
/// 5.7-6.1 with the Lanes split, whose tasks both read all of x (3x3 96 ->
/// 96 at 35 x 35, 324 KiB: 8.9-9.2 against 9.3-9.7 ms).
///
/// Of the two channel splits, each task of a Rows split reads all of the
/// lane operand and 1 / T of the other, a Lanes split the reverse: the
/// tasks split the operand with more bytes per image (Rows on ties, and
/// when a task's lanes would not fill the register block). A Rows split
/// counts only when its tasks' register blocks, remainder blocks included
/// (getGemmTiling for the innermost output size), cost no more modelled
/// cycles in all than the single GEMM's: 64 rows in blocks of 6 on AVX2
/// are 10 blocks and a 4-row remainder, 2 tasks of 32 rows 5 blocks and a
/// 2-row remainder each (latency-bound: 70 block cycles per lane block
/// against 65), so the 3x3 stride-2 64 -> 128 layer splits its lanes.
/// `inputPositions` is the number of positions of x per image that the
/// GEMMs read (0: as many as dy has); x and dy elements both have
/// `gradBits` bits.
WgradGemmPlan planWgradGemm(int64_t channels, int64_t filters, int64_t taps,
                            const std::vector<int64_t> &outputSizes,
                            int64_t gradBits, int64_t accBits,
                            const CPUTarget &target, int64_t tasksOverride = 0,
                            int64_t blockBytesOverride = 0, int64_t batch = 0,
                            int64_t inputPositions = 0);

/// The output rows, a divisor of `rowsPerBlock`, over which all `taps` of
/// a work item run their GEMMs before its next rows. Every tap re-reads the
/// lane operand's rows (`laneRowBytes` each); a register block of `rowTile`
/// rows uses each loaded vector for rowTile FMAs, so at the FMA rate it
/// streams fmaUnits x vector bytes / rowTile bytes per cycle. When that is
/// more than L2 sustains into L1 (the 3-channel stem's 3-row blocks on
/// AVX-512: 43 bytes a cycle), the rows shrink until the slice stays in
/// half of L1 for all taps; otherwise (4-row blocks, AVX2, one tap) the
/// GEMMs take the whole block.
int64_t getWgradRowsPerGemm(int64_t rowsPerBlock, int64_t taps, int64_t rowTile,
                            int64_t laneRowBytes, const CPUTarget &target);

/// Whether a grouped filter gradient with `groupChannels` channels and
/// `groupFilters` filters per group is computed as one ungrouped filter
/// gradient (GEMMs, planWgradGemm) per group: when both fill a vector of
/// `accBits` accumulators (the GEMM's lanes run along one of them, its
/// register rows along the other). Narrower groups are left to the
/// depthwise and grouped kernels along the channels or planes.
bool splitsWgradGroupsIntoGemms(int64_t groupChannels, int64_t groupFilters,
                                int64_t accBits, const CPUTarget &target);

/// What one work item (image, block of output rows) of a channels-first
/// filter gradient would stage in channels-last buffers: rows of x (with
/// their zero padding) and of dy. Sizes are in elements of `elementBits`
/// bits, after SubsampleStridedInput and the wgrad's padding or crop.
struct WgradStagingShape {
  /// Positions of one row of the padded x (the spatial sizes after the
  /// first, padding included; 1 for a 1-D op) and of one row of dy.
  int64_t inputRowPositions = 1;
  int64_t outputRowPositions = 1;
  /// s_1 and (K_1 - 1) * d_1 + 1: a block of R output rows reads
  /// (R - 1) * s_1 + window rows of the padded x.
  int64_t firstStride = 1;
  int64_t firstWindow = 1;
  int64_t elementBits = 32;
  /// The filter gradient's taps (K_1 * .. * K_R) and accumulator bits: a
  /// task's partial filter gradient shares its L2 with the slices.
  int64_t taps = 1;
  int64_t accBits = 32;
  /// A channels-last op: its rows need no transpose, so only dy is staged
  /// (copied), and only to pad its positions (see planWgradStaging).
  bool channelsLast = false;
  /// N, the images of the batch (0 when dynamic): the work items are N x
  /// the blocks of output rows.
  int64_t batch = 0;
};

/// Decides, for a channels-first filter gradient planned by planWgradGemm,
/// whether each work item transposes just the rows of x and dy it reads
/// into small channels-last buffers (returned with stageSlices set and
/// rowsPerBlock possibly smaller) instead of the op transposing, padding and
/// then re-reading whole tensors. Staging pays when the staged slices of a
/// task stay in L2 while all taps read them (at most half of it, the other
/// half for the accumulator and the streamed operands), when the halo rows
/// transposed twice (by consecutive blocks) are at most as many as the
/// block's own rows, and when a row has at least a transpose tile of
/// positions (getDataMovementTiling: a row is the unit of the staged
/// transposes; shorter rows, as in 1-D ops, waste most of every tile).
/// Otherwise `plan` comes back unchanged (whole-tensor layout changes).
///
/// A staged work-item split (TaskSplit::Positions) that a channel split could
/// replace becomes that channel split when the task's partial filter gradient
/// (`shape.taps` x A x B accumulators of `shape.accBits`) and its staged
/// slices fill too much of L2: every work item rewrites both while the
/// source rows of its transposes stream through the same L2. Of the two
/// channel splits, the one whose tasks stage fewer bytes (each task stages
/// all channels of the operand whose channels it does not split) wins; Rows
/// on ties. Too much is more than 3/4 of L2 for a split along C, whose tasks
/// stage their own channels of x, but only more than the whole L2 for a
/// split along F: its tasks would all read all of x, which is then
/// transposed in a pass of its own before the tasks, bound by memory
/// bandwidth (which two threads raise far less than twofold), where work
/// items prefetch their source rows during the previous item's GEMM. The
/// 1x1 stride-2 256 -> 512 layer at 2 threads: 512 KiB + 358 KiB per
/// work-item task, within a 1 MiB L2 (the Lanes split's tasks, 256 KiB +
/// 240 KiB, ran 4% slower on Zen 4). (Code planned for znver3's 512 KiB L2
/// but run on a 2 MiB-L2 core, where the work-item split's footprint fits,
/// takes 4-13% fewer kernel CPU samples at 2 threads with the work-item
/// split: a measure of the host, not of the modelled target, whose L2 the
/// 512 KiB partial gradient alone fills.)
///
/// With T > 1 tasks of a channel split that does not split x's channels,
/// every task would stage all of x: T transposes of each x row where one
/// suffices. With more than one tap (whose GEMMs re-read each staged x row
/// from L2), the tasks split the work items instead, each staging its own,
/// when a static batch's items split evenly and a task's partial filter
/// gradient fits L2 (row b, 3x3 128 -> 128 at 28 x 28, at 2 threads: 590
/// KiB per copy); such work items are then weighed against the channel
/// splits like planned ones (above), so the outcome does not depend on
/// which split planWgradGemm chose. Otherwise x is transposed once before
/// the tasks (stageInput false; a whole-tensor layout change, which runs on
/// all threads), and each task stages only its own channels of dy. A task then
/// reads its x windows back from L3 (the 1x1 stride-2 256 -> 512 layer at 2
/// threads: 6.4 MB per task instead of transposing 12.8 MB of x rows).
///
/// A channels-last op (`shape.channelsLast`) reads x and dy in place, except
/// when dy is the lane operand and its positions are a conflicting stride
/// apart (isConflictFreeStride: F = 512 f32 channels, 2 KiB) in rows too
/// wide for one pass in L1: getWgradGemmPasses then keeps one-row passes in
/// which every register block streams its lanes of the row from L2. Each
/// work item then copies its dy rows into a per-task buffer with padded
/// positions (stageSlices, stageInput false), whose lane blocks' columns
/// stay in L1 while all register blocks of rows read them.
///
/// prefetchNextItem: a channels-first work item that stages x prefetches
/// the next item's rows of x and dy during its GEMMs (its transposes would
/// read them from memory with the FMAs idle). A channels-last one does so
/// (its dy rows, the copy's source, and the x positions its windows read in
/// place) only under a channel split: each task then copies a part of
/// every dy position (F' of F channels) and reads every x position that the
/// other tasks read too, at the same time; one task's own streams are left
/// to the hardware prefetchers. The 1x1 stride-2 256 -> 512 layer, AVX2
/// code (znver3: Lanes split) on Zen 4 at 2 threads: 4% fewer kernel CPU
/// samples (median of 4-5 runs; the dy copy 7% -> 1-3% of them); at 1
/// thread the same prefetches cost 3-5% more.
WgradGemmPlan planWgradStaging(WgradGemmPlan plan, int64_t channels,
                               int64_t filters, int64_t firstOutputSize,
                               const WgradStagingShape &shape,
                               const CPUTarget &target);

/// Register tiling of one GEMM block[a, b] += lhs[o..., a] * rhs[o..., b].
/// rowTile divides a, or else rowSplit (a remainderSplit point) does: the
/// a-rows from rowSplit on are one block of their own. Likewise laneTile
/// and laneSplit for b.
struct GemmTiling {
  int64_t rowTile = 1;       ///< a per register block (broadcast elements)
  int64_t laneTile = 1;      ///< b per register block (vector lanes)
  int64_t reductionTile = 1; ///< unrolled positions of the innermost o
  int64_t rowSplit = 0;      ///< 0, or the first a of the remainder block
  int64_t laneSplit = 0;     ///< 0, or the first b of the remainder block
  /// Output rows per pass of the register blocks (getGemmPassRows); 1: the
  /// blocks are loaded and stored once per output row.
  int64_t passRows = 1;
  /// 0, or the lanes per register block of the lane remainder part (lanes
  /// from laneSplit on, rows before rowSplit) computed with a and b
  /// exchanged (chooseSwappedLaneRemainderTile): its many rows along the
  /// vector lanes, its few remainder lanes broadcast.
  int64_t swappedRemainderLanes = 0;
  /// Whether the loops over blocks of lanes go outside the loops over
  /// blocks of rows (getWgradGemmPasses): each lane block's slice of the
  /// lane operand then stays in L1 while every row block reads it.
  bool laneBlocksOuter = false;
};

/// Whether a GEMM register block of `rows` broadcast rows x `vectors`
/// vectors of lanes compiles without spills on `target`: its accumulators,
/// the smaller of its operand sets (held while the other streams through one
/// register) and a spare fit the vector registers. On AVX2's 16 registers a
/// 3 x 4 block (12 + 3 + 1) does not: LLVM spilled its four lane vectors and
/// an accumulator, whose chain through the stack made the stem's filter
/// gradient latency-bound (51% of the FMA peak; 3 x 2 has no spill). The
/// AVX-512 blocks (4 x 4: 21 of 32) always fit.
bool fitsGemmRegisters(int64_t rows, int64_t vectors, const CPUTarget &target);

/// The register block (chooseRegisterBlock, at most kMaxGemmRows rows and
/// four vectors) with the fewest accumulators given up for fitsGemmRegisters.
/// With `allowRowRemainder` (the tiling the GEMM is generated with; the
/// plans' task splits and L1 blocks keep the dividing block's rows), when
/// that block has four vectors and fewer accumulators than the FMA units
/// sustain (fmaUnits x 5 cycles of an FMA chain), a block of more rows that
/// need not divide `a` may replace it, its remainder rows one block of
/// their own (rowSplit): on AVX2, 64 rows x 64 lanes take 6 x 16 blocks
/// (12 accumulators, 2 lane vectors and a broadcast: 15 of 16 registers)
/// and one 4 x 16 block, not 2 x 32 (8). Likewise, when the dividing
/// block is narrower than four vectors with too few accumulators, the lanes
/// before the last b % (4 x lanes) may take four-vector blocks, the rest one
/// block of whole vectors (laneSplit): 24 x 144 on AVX-512 takes 4 x 64
/// blocks and one 4 x 16, not 4 x 16 throughout.
GemmTiling getGemmTiling(int64_t a, int64_t b, int64_t innerReduction,
                         int64_t accBits, const CPUTarget &target,
                         bool allowRowRemainder = false);

/// The lane remainder of a split GEMM, `rows` x `remainderLanes` with
/// remainderLanes less than a vector, costs one masked FMA per row and
/// position, of which remainderLanes / lanes is useful (3 of 16 for 67
/// channels: a fifth of the FMAs of a 67 x 67 GEMM for 1% of its work).
/// Exchanged, remainderLanes broadcasts times rows / lanes full vectors do
/// it. Returns the lanes per register block of the exchanged part (whole
/// vectors dividing `rows`, up to four, with at most
/// maxAccumulatorRegisters accumulators), or 0 to keep it masked: rows not
/// whole vectors, or no remainder.
int64_t chooseSwappedLaneRemainderTile(int64_t rows, int64_t remainderLanes,
                                       int64_t accBits,
                                       const CPUTarget &target);

/// Output rows per pass of a wgrad GEMM's register blocks: within a pass
/// every register block is loaded once, accumulates all the pass's
/// positions (rows x `rowPositions`) and is stored once. `blockRows` is the
/// GEMM's count of such rows (the second innermost output dimension of its
/// block of dy), `laneRowBytes` the bytes of one output row of the lane
/// operand (rowPositions x B elements). Returns a divisor of blockRows: the
/// most rows whose slices of the lane operand (all lanes: every register
/// block re-reads them) and one line of the broadcast operand per position
/// fit three quarters of L1; 1 (a pass per row) when a single row does not.
int64_t getGemmPassRows(int64_t blockRows, int64_t rowPositions,
                        int64_t laneRowBytes, const CPUTarget &target);

/// The passes of a filter gradient GEMM (GemmTiling::passRows and
/// laneBlocksOuter). `lanes` is B, the GEMM's lanes (of a task),
/// `laneTile` its register block's, `laneElementBytes` the bytes of one
/// element of the lane operand, `lanePositionStride` the bytes from one of
/// its positions to the next. When one output row of the lane operand,
/// all lanes, and its broadcast lines fit the L1 share of getGemmPassRows,
/// the passes are getGemmPassRows's, lane blocks inside. Otherwise (wide
/// rows: 28 x 512 or 56 x 256 f32, 56 KiB, the 1x1 expansions of
/// bottleneck layers) every register block would stream the row from L2:
/// if the position stride spreads a lane block's column over all L1 sets
/// (isConflictFreeStride), the lane blocks go outside and a pass takes the
/// most rows (a divisor of `blockRows`) whose slice of one lane block, with
/// a broadcast line per position, fits that share, so that all blocks of
/// rows read it from L1 and each register block accumulates the pass's
/// whole reduction. A stride of an even number of cache lines (2 KiB for
/// 512 f32) maps that column to a few sets, which cannot hold it: the
/// passes then stay getGemmPassRows's.
struct GemmPasses {
  int64_t rows = 1;
  bool laneBlocksOuter = false;
};
GemmPasses getWgradGemmPasses(int64_t blockRows, int64_t rowPositions,
                              int64_t lanes, int64_t laneTile,
                              int64_t laneElementBytes,
                              int64_t lanePositionStride,
                              const CPUTarget &target);

/// Whether a column of cache lines `stride` bytes apart spreads over the
/// sets of a cache (of power-of-two sets): strides that are not a multiple
/// of two cache lines. A multiple of 2^k lines visits 1 / 2^k of the sets.
bool isConflictFreeStride(int64_t stride);

/// Elements added to each position of a channels-last staging buffer of
/// `channels` channels (planWgradStaging) whose GEMM keeps lane blocks
/// outside (getWgradGemmPasses): one cache line when the positions would
/// otherwise be a conflicting stride apart, else 0. The buffers are per
/// task and small (a block of rows), the extra line costs nothing to fill.
int64_t getStagedPositionPadding(int64_t channels, int64_t elementBytes);

/// How a channels-first convolution with a 1 x .. x 1 kernel (stride 1, no
/// padding, one group) runs as one GEMM per image with vector lanes along
/// its P output positions, which are contiguous in channels-first:
///   out[n][k, p] = sum over c of wT[c, k] * x[n][c, p]
/// (convgrad-cpu-pointwise-conv-as-gemm). Neither x nor the output changes
/// layout, which is most of the time of such a layer in channels-last form.
struct PointwiseGemmPlan {
  /// Whether the GEMM form is the better one: the positions fill whole
  /// vectors, up to a few idle lanes.
  bool useGemm = false;
  /// Input channels c per pass of the register blocks: the block of x they
  /// read (chunk x one register block of positions) stays in half of L1
  /// while every block of filters reuses it, and its chunk rows of x span
  /// at most the 64 pages of a first-level data TLB.
  int64_t reductionChunk = 1;
  /// Parallel tasks per image, each owning K / filterTasks filters (whole
  /// register blocks); 1 when the images alone give every thread the same
  /// share.
  int64_t filterTasks = 1;
  /// The register tiling of each task's GEMM [K / filterTasks, P].
  GemmTiling tiling;
};
/// `batch` is 0 when dynamic; `inputBits` is the element size of x.
/// `inputIsWindow`: x is a unit-stride window of a larger tensor (the stride
/// phases of a data gradient read windows of one padded dy), whose rows the
/// GEMM would first copy to make its positions contiguous; the
/// channels-last form moves it in a layout change that the other windows'
/// convolutions share, so it is the better one.
/// `outputIsInterleaved`: the result is written with strides into a larger
/// tensor that other stride phases of a data gradient also write;
/// in channels-first the interleave is along the contiguous width, one
/// element at a time, and the sibling phases, computed channels-last, each
/// pay a layout change to join it; in channels-last form all phases
/// interleave whole channel vectors and share one layout change of the
/// result, so that form is the better one too.
PointwiseGemmPlan planPointwiseGemm(int64_t channels, int64_t filters,
                                    int64_t positions, int64_t batch,
                                    int64_t inputBits, int64_t accBits,
                                    const CPUTarget &target,
                                    bool inputIsWindow = false,
                                    bool outputIsInterleaved = false);

//===----------------------------------------------------------------------===//
// Channels-first depthwise convolutions plane by plane
// (convgrad-cpu-depthwise-planes)
//===----------------------------------------------------------------------===//

/// What a plane-by-plane kernel computes: a convolution (forward, or a
/// stride-1 data gradient as the convolution of dy by the flipped filter)
/// or a filter gradient.
enum class DepthwisePlaneKind { Convolution, FilterGradient };

/// Sizes of a plane-by-plane depthwise kernel: vectors run along the
/// innermost spatial dimension of each [S...] plane.
struct DepthwisePlaneTiling {
  int64_t lanes = 1; ///< accumulator lanes per vector
  /// Parallel tasks, each a block of output planes (filters for a filter
  /// gradient): no reduction between threads.
  int64_t tasks = 1;
  /// Output rows per step along the second innermost dimension (divides
  /// its size): a convolution's register block has rowBlock x vectorBlock
  /// accumulators; a filter gradient reads rowBlock rows of dy per step.
  int64_t rowBlock = 1;
  /// Convolution: vectors of a row per register block. Blocks of full
  /// vectors run in a loop; the vectors left (the partial last one
  /// included, its store masked) form one last block.
  int64_t vectorBlock = 1;
  /// Filter gradient: kernel taps per register block (one accumulator
  /// vector each), in order; they sum to the taps.
  std::vector<int64_t> tapBlocks;
  /// Elements (a power of two) that the scratch rows are aligned to: each
  /// row is a multiple of them long and its first input column (the read
  /// of the tap at the low padding) starts on such a boundary, so that the
  /// copy's stores and one read per kernel column do not split cache
  /// lines. 1 keeps the rows packed.
  int64_t scratchRowAlignment = 1;
  /// Filter gradient: x rows are read where they are (masked at the
  /// plane's edges, shifted past the low padding in registers) instead of
  /// from a zero-bordered scratch copy of each plane, whose loads and
  /// stores cost about a quarter of a 3x3 kernel's time.
  bool readsInputRows = false;
  /// Filter gradient with the scratch copy and an innermost stride s > 1:
  /// each scratch row holds its s phases apart (the columns c with c % s =
  /// p, for each p), the copy gathering them with one shuffle per vector,
  /// so that each tap's x vector is one contiguous read instead of s
  /// vectors and a shuffle in the FMA loop.
  bool phaseSplitColumns = false;
  /// With readsInputRows: the x vectors of the unrolled edge columns are
  /// shuffles of a row's whole vectors (one two-source shift each) rather
  /// than a load at every shifted column.
  bool shiftsColumnsInRegisters = false;
  /// With readsInputRows: the partial last vector of each row, when it
  /// holds at most half the lanes, is computed for two rows of a block at
  /// once, their columns in the two halves of one vector (the last row of
  /// an odd block alone), instead of a half-empty vector per row.
  bool pairsRowTails = false;
  /// With readsInputRows: each looped row block also prefetches its rows
  /// of the x and dy planes of the filter this many filters ahead (0: no
  /// prefetch); a filter gradient of 2-D planes with the scratch copy:
  /// its share of the x planes that filter's copy reads, and its rows of
  /// the filter's dy plane, into L2. Convolutions of 2-D planes: each row block prefetches its
  /// share (the plane's lines split evenly over the blocks) of the input
  /// planes of the output plane this many planes ahead, which the scratch
  /// copy reads next. A task streams its planes through memory, but each
  /// plane is a few KiB: the hardware prefetchers pick up a plane's stream
  /// only after its first misses, which a layer larger than the L2 takes
  /// from the L3.
  int64_t prefetchPlanesAhead = 0;
};

/// Whether a channels-first grouped filter or data gradient with
/// `groupChannels` channels (and as many filters) per group that the
/// channels-last kernel computes (getDepthwiseChannelsLastTiling) is
/// computed so between transposes of its activations: only when the
/// plane-by-plane form, which reads the data where it is, declines that many
/// input planes per output plane (its terms are unrolled).
bool isGroupedOpViaChannelsLast(int64_t groupChannels);

/// The channel pitch (elements per position) of a padded channels-last copy
/// of `channels` channels of `elementBytes` bytes whose rows a GEMM reads
/// as its vector lanes (a filter gradient's staged x, a convolution's
/// [KH, KW, C, F] filter): whole cache lines when each row holds at least
/// two (growth at most a half), so that no lane vector splits a cache line
/// (67 f32 channels: 80; a split load costs two on Intel cores); else the
/// channels themselves.
int64_t getPaddedLanePitch(int64_t channels, int64_t elementBytes);

/// Whether a channels-last grouped op with `terms` input planes per output
/// plane and `outPerGroup` output planes per group is computed plane by
/// plane between transposes of its operands and result (channels-last to
/// channels-first and back). Plain depthwise ops (one of each) are not: the
/// channels-last depthwise path computes them in place with vectors along
/// the channels. Every other grouped op would otherwise fill vectors along
/// its few channels per group, or be split into one small convolution per
/// group; two transposes (one pass over each activation) cost less. (The
/// grouped gradients that getDepthwiseChannelsLastTiling accepts are
/// computed along the channels before this applies.)
bool isChannelsLastPlanewise(int64_t terms, int64_t outPerGroup);

/// Accumulator lanes per vector of a plane-by-plane depthwise kernel of
/// `kind` with accumulators of `accBits` (DepthwisePlaneTiling::lanes): the
/// mechanism sizes its scratch rows and edge vectors with them.
int64_t getDepthwisePlaneLanes(DepthwisePlaneKind kind, int64_t accBits,
                               const CPUTarget &target);

/// The tiling of a plane-by-plane depthwise kernel of `kind` with `planes`
/// output planes of `outputSizes`, `taps` kernel taps, innermost stride
/// `innermostStride`, `terms` input planes per output plane, a scratch plane
/// of `scratchElements` accumulators of `accBits` bits; nullopt when the
/// form does not apply (then the channels-last path computes the op): an
/// innermost stride above 4 (each vector is a shuffle of s loads), more
/// than 64 taps or 4 terms (their code is unrolled), a scratch plane
/// larger than half of L2, or a strided data gradient whose zero-inserted
/// input (`zeroInsertion` = the product of its strides) would multiply the
/// FMAs by more than 4 (stride 2 in two dimensions). For reading a filter
/// gradient's x in place: `maskedElementLoads`, whether a partial vector
/// of the element type is one masked load (not bf16 on x86: element by
/// element), and the output rows and row vectors where some tap reads
/// outside the plane (`edgeRows`, `edgeVectors`: unrolled), all at vectors
/// of `lanes` (0: getDepthwisePlaneLanes).
std::optional<DepthwisePlaneTiling>
getDepthwisePlaneTiling(DepthwisePlaneKind kind, int64_t planes,
                        const std::vector<int64_t> &outputSizes, int64_t taps,
                        int64_t innermostStride, int64_t terms,
                        int64_t scratchElements, int64_t accBits,
                        const CPUTarget &target, int64_t zeroInsertion = 1,
                        bool maskedElementLoads = true, int64_t edgeRows = 0,
                        int64_t edgeVectors = 0, int64_t lanes = 0);

/// What getDepthwisePlaneTiling needs of a plane at a given vector width:
/// the scratch plane's elements, and (2-D planes) the output rows and row
/// vectors where some tap reads outside the plane.
struct DepthwisePlaneGeometry {
  int64_t scratchElements = 0;
  int64_t edgeRows = 0;
  int64_t edgeVectors = 0;
};

/// The tiling of a plane-by-plane depthwise kernel (the arguments of
/// getDepthwisePlaneTiling, the plane's geometry at `lanes` from
/// `geometry(lanes)`) at the vector width the strategy picks: a filter
/// gradient takes the native width (getDepthwisePlaneLanes) only where it
/// still reads x in place there, or cannot at the full width either.
std::optional<DepthwisePlaneTiling> selectDepthwisePlaneTiling(
    DepthwisePlaneKind kind, int64_t planes,
    const std::vector<int64_t> &outputSizes, int64_t taps,
    int64_t innermostStride, int64_t terms, int64_t accBits,
    const CPUTarget &target, int64_t zeroInsertion, bool maskedElementLoads,
    const std::function<DepthwisePlaneGeometry(int64_t lanes)> &geometry);

//===----------------------------------------------------------------------===//
// Channels-last depthwise gradients along channels
// (convgrad-cpu-depthwise-channels-last)
//===----------------------------------------------------------------------===//

/// What a channels-last depthwise kernel computes.
enum class DepthwiseChannelsLastKind { DataGradient, FilterGradient };

/// Sizes of a channels-last depthwise kernel: vectors run along the
/// channels, which are contiguous in NHWC.
struct DepthwiseChannelsLastTiling {
  int64_t lanes = 1; ///< accumulator lanes per vector
  /// Channel vectors per register block (divides the full vectors of the
  /// channels; a partial last vector is a block of its own, masked).
  int64_t channelVectors = 1;
  /// Data gradient: output columns per register block (blocks of
  /// columnBlock x channelVectors output vectors, each of groupChannels
  /// accumulators).
  int64_t columnBlock = 1;
  /// Data gradient: output rows per parallel task (divides the rows; a
  /// task's tile within half the L2).
  int64_t taskRows = 1;
  /// Data gradient of groups of k > 1 channels: only the k filter vectors
  /// of one kernel tap are live at a time, and each column's dy vector is
  /// loaded again per tap (from L1), instead of the KW x k filter vectors of
  /// a kernel row and one load per dy vector: for when a kernel row's
  /// filter vectors would leave too few registers for the accumulators
  /// (AVX2, 16 registers, k = 4 and 3 kernel columns: 12 filter vectors).
  bool tapFilterVectors = false;
  /// Data gradient: the kernel rows of a register block are a loop around
  /// its unrolled kernel columns (else unrolled too): a large kernel
  /// unrolled whole would leave room for few columns per block, and its
  /// code would take the compiler a second (7x7: 49 taps).
  bool loopKernelRows = false;
  /// Filter gradient: parallel tasks, each a range of channel blocks (no
  /// reduction between threads), or else (splitPositions) a range of the
  /// output rows of all images.
  int64_t tasks = 1;
  /// Filter gradient: whether the tasks split the output rows (N x OH work
  /// items) instead of the channels, each task accumulating every channel
  /// into its own copy of the [KH, KW, C] accumulators, the copies summed
  /// after the tasks.
  bool splitPositions = false;
  /// Filter gradient split by positions: chunks of the work items (0: one
  /// per task, each task owning its range). With more chunks than tasks,
  /// each task claims the next chunk (an atomic counter) until none is
  /// left, and every chunk accumulates into its own copy of the
  /// accumulators, summed in chunk order: threads that run slower (a busy
  /// or throttled core) take fewer chunks, and the result does not depend
  /// on which thread took which chunk.
  int64_t positionChunks = 0;
  /// Filter gradient: kernel rows per register block (kernelRowBlock x KW x
  /// groupChannels x channelVectors accumulators, each block one pass over
  /// dy); the last block may be smaller.
  int64_t kernelRowBlock = 1;
  /// Filter gradient (stride 1 along the width): input-stationary passes.
  /// Per x column j and kernel row, one x vector feeds the row's KW
  /// accumulators, multiplied by dy columns j + lo - kw d that a window of
  /// (KW - 1) d + 1 dy vectors per channel vector carries across the
  /// columns (one new dy load per column, shared by the kernel rows of the
  /// block). Else dy-stationary: per output column one dy vector and an x
  /// load per kernel row and column.
  bool inputStationary = false;
  /// Filter gradient (input-stationary): x columns per segment of a row
  /// (0: the whole row). Every block of kernel rows passes over one segment
  /// before the next segment starts, so that the segment's dy stays in L1
  /// for the passes after the first (see getInputStationarySegmentColumns).
  int64_t segmentColumns = 0;
  /// Filter gradient (input-stationary, every kernel row in one block):
  /// output rows per pass (1: one). The work items are blocks of this many
  /// output rows of an image (the last one may be shorter); per x column,
  /// each x row of the block's window is loaded once and feeds the
  /// accumulators of every (output row, kernel row) pair that reads it,
  /// times the dy window of that output row. A row of one pixel's channel
  /// block is read ((B - 1) s + (KH - 1) d + 1) / B times instead of KH
  /// times: a channel block of pixels C channels apart keeps nothing in L1
  /// between passes (they share a few L1 sets), so every pass reads its x
  /// rows from L2, and that bandwidth, not the FMAs, bounded the pass.
  int64_t outputRowBlock = 1;
  /// Filter gradient (input-stationary): the dy window of each output row is
  /// carried in registers across the columns (one dy load per column and
  /// row). Else each column reads its window's KW dy vectors again (from
  /// L1: they were loaded by the previous columns), which frees the
  /// window's registers for a larger outputRowBlock: fewer x rows re-read
  /// from L2 per output row, for KW - 1 more L1 loads per dy vector.
  bool carryDyWindow = true;
  /// Filter gradient (input-stationary): the segments of x columns
  /// (segmentColumns) are the outer loop of a work item and every channel
  /// block passes over a segment before the next segment starts: the item
  /// streams its rows pixel after pixel, all channels, and a segment's
  /// lines stay in L1 for the passes that read them again (the next
  /// segment's dy windows, the other vectors of a block). Else the channel
  /// blocks are the outer loop, each over the segments of its rows.
  bool segmentsOutsideBlocks = false;
  /// Filter gradient (input-stationary): vectors per pass over a segment
  /// (divides channelVectors; 0: all of them). A block of a cache line of
  /// channels whose accumulators exceed the registers (AVX2, 3x3: 2 x 9)
  /// passes over each segment once per vector instead of spilling, the
  /// segment's lines in L1 for the second pass.
  int64_t passVectors = 0;
};

/// The tiling of a channels-last depthwise 2-D kernel of `kind` with
/// `channels` channels in groups of `groupChannels` (1: depthwise; else a
/// grouped gradient with as many filters as channels per group), a
/// `kernelRows` x `kernelCols` kernel, `outputRows` rows of the computed
/// tensor (dx for a data gradient), `borderColumns` output columns whose
/// windows reach the padding (their code is unrolled) and accumulators of
/// `accBits`, the stride and dilation along the width (`columnStride`,
/// `columnDilation`), and the bytes of one row of the computed tensor
/// (`outputRowBytes`, 0 when unknown; a data gradient's tasks keep their
/// tile within half the L2); nullopt when the form does not apply (then the
/// plane-by-plane or the generic channels-last path computes the op): more
/// kernel columns than accumulator registers, more than 64 taps or border
/// columns, or groups of several channels that do not fit it (see the
/// definition).
std::optional<DepthwiseChannelsLastTiling>
getDepthwiseChannelsLastTiling(DepthwiseChannelsLastKind kind, int64_t channels,
                               int64_t groupChannels, int64_t kernelRows,
                               int64_t kernelCols, int64_t outputRows,
                               int64_t borderColumns, int64_t accBits,
                               const CPUTarget &target,
                               int64_t columnStride = 1,
                               int64_t columnDilation = 1,
                               int64_t outputRowBytes = 0);

/// The x columns per segment (DepthwiseChannelsLastTiling::segmentColumns)
/// of the input-stationary filter gradient `tiling` with `channels`
/// channels of `elementBits` bits per pixel, `kernelRows` kernel rows and
/// `kernelCols` kernel columns and `inputColumns` x columns per row: 0
/// (whole rows) unless it takes one pass over a row per kernel row of at
/// most 3 columns, each pass re-reading the row's dy (wider windows and
/// blocks of several kernel rows spilled registers in segments). Then dy is
/// meant to come from L1 after the first pass, but a channel block of pixels
/// whose stride is a multiple of 4 KiB lines up on a few L1 sets only (a
/// 256-channel f32 pixel is 1 KiB: 4 of the 64 sets), and a whole row of dy and
/// x then evicts itself before the next pass. The segments are as long as the
/// lines that one keeps (dy and the x of two passes) fit half of the ways of
/// those sets, balanced over the row, and at least kMinSegmentColumns long
/// (each segment reloads its accumulators and its dy window). Blocks of
/// output rows with segments outside the channel blocks: as many columns
/// as keep a segment's pixels within half of L1, or whole rows when a
/// block takes one pass per segment and the segment's accumulator stores
/// would take at least as long as its FMAs (CPUTarget::vectorStoreCycles:
/// AVX-512 on Zen 4).
int64_t
getInputStationarySegmentColumns(const DepthwiseChannelsLastTiling &tiling,
                                 int64_t channels, int64_t elementBits,
                                 int64_t kernelRows, int64_t kernelCols,
                                 int64_t inputColumns, const CPUTarget &target);

//===----------------------------------------------------------------------===//
// Data movement (convgrad-vectorize-data-movement)
//===----------------------------------------------------------------------===//

struct DataMovementTiling {
  int64_t innerTile = 64;     ///< elements of the contiguous dimension
  int64_t transposeTile = 16; ///< rows and columns of a transpose tile
};
DataMovementTiling getDataMovementTiling(const CPUTarget &target);

/// Tiles of a copy, fill, cast or transpose of static `ranges` whose
/// input's innermost dim is `inputInner` (the output's innermost is the
/// last; equal for anything but a transpose): `sizes` per dim (1 for the
/// outer dims) and, per dim, a remainderSplit point (0: none), so that a
/// channel count like 67 moves in whole vectors (whole vector squares for a
/// transpose: its 16 x 16 tiles have a shuffle network of their own) and
/// one narrower remainder tile rather than in 1-wide tiles. A remainder
/// part's tile is the whole remainder. A transpose whose input's innermost
/// dimension has the stride `inputInnerStride` > 1 in memory (elements of
/// `elementBits` bits) and whose tiles read it deinterleaved
/// (loadStridedRowDeinterleaved) tiles that dimension in whole squares
/// and a remainder only. `order` is the order of the tile loops, outermost
/// first (empty: the dims' order). A transpose loops over its two tiled
/// dims (the input's innermost and the output's innermost) innermost, the
/// other dims outside them: one pass of the inner loops then moves one
/// contiguous slab of the input (a row of a channels-last dy: 112 pixels x
/// 64 channels, 28 KiB, read from L1 by every channel square) into a row of
/// each output plane. Looping the output's order instead ([N, C, H, W]
/// written from [N, H, W, C]: a channel square outside the rows) reads a
/// half line of every pixel of an image per channel square, each image
/// (3.2 MB on the RGB stem) streamed from memory again per pair of
/// squares.
struct DataMovementTiles {
  std::vector<int64_t> sizes;
  std::vector<int64_t> split;
  std::vector<int64_t> order;
};
DataMovementTiles getDataMovementTiles(const std::vector<int64_t> &ranges,
                                       int64_t inputInner,
                                       const CPUTarget &target,
                                       int64_t inputInnerStride = 1,
                                       int64_t elementBits = 32);

/// Whether a reverse of `reversedElements` elements per reversed block (a
/// kernel's taps) is folded into the transpose that follows it (a data
/// gradient's filter packing reads the caller's taps backwards) instead of
/// being a pass of its own: when the tiles of the folded transpose, which
/// keep the reversed dimensions whole, stay small (a 3x3 kernel's 9 taps in
/// a 16 x 9 tile, or 9 transposes of 16 x 16 unrolled for a channels-last
/// filter; not a 7x7 kernel's 49).
bool foldsReverseIntoTranspose(int64_t reversedElements);

/// Tiles of a transpose (as getDataMovementTiles) that reads the output
/// dimensions `reversed` marks backwards: a data gradient's filter packing
/// with the kernel rotation folded in (foldsReverseIntoTranspose), or
/// nullopt when the fold does not apply. A backwards dimension is never
/// tiled (size 0: whole in every tile; a slice read as `n - 1 - i` is not
/// one the tiler can take), nor split into a remainder part.
std::optional<DataMovementTiles>
getReversedTransposeTiles(const std::vector<int64_t> &ranges,
                          int64_t inputInner, const std::vector<bool> &reversed,
                          const CPUTarget &target, int64_t inputInnerStride = 1,
                          int64_t elementBits = 32);

/// Tiles of a reverse (a copy that reads the dimensions marked in
/// `reversed` backwards: the flipped filter of a data gradient) of static
/// `ranges` with `elementBits`-bit elements, or nullopt when it stays a
/// scalar loop. A reversed dimension is never tiled (size 0: whole in every
/// tile) and nothing is split into a remainder part (a slice read as
/// `n - 1 - i` is not one the tiler can take); the outer dimensions are 1
/// and the innermost, unless reversed, a row of a copy tile that divides
/// it, or the whole dimension when no divisor is a vector and it is at most
/// two copy tiles (67 channels: one row of 67). A tile is moved as rows
/// along the innermost dimension in straight-line code, so it has at most
/// 64 rows, and a reversed row, one shuffle, at most four vectors.
std::optional<DataMovementTiles>
getReverseTiles(const std::vector<int64_t> &ranges,
                const std::vector<bool> &reversed, int64_t elementBits,
                const CPUTarget &target);

/// Whether the fill of a tensor of `filledBytes` (the zeros of a strided
/// data gradient between the products of its stride phases: the 3/4 of a
/// 1x1 stride-2 layer's dx that no phase writes) into which the result of a
/// parallel tiled computation is inserted moves into that computation's
/// tasks: each task fills its own region of the tensor and inserts its tile
/// there. A separate fill larger than the L2 streams the whole tensor
/// through memory in a pass of its own, between two barriers and with no
/// compute to overlap; its threads then share the memory bandwidth and do
/// not speed it up. In the tasks, one thread's fill overlaps the other's
/// compute, and the task's tile goes into lines it has just filled.
bool fusesFillIntoTasks(int64_t filledBytes, const CPUTarget &target);

/// How many of the `extent` slices (each of `sliceBytes`) of a task's
/// region a fused fill (fusesFillIntoTasks) fills before the task's tile is
/// inserted into them with strides, when the tile comes from a buffer of its
/// own (the channels of a channels-first data gradient). Filled whole, a
/// region larger than the L2 (an image of row e: 3.2 MB) has left it by the
/// time the strided insert writes into it, which reads every line of its
/// product rows back; a chunk of at most half the L1 is still there. The
/// largest divisor of `extent` that fits, at least 1.
int64_t getFusedFillChunk(int64_t extent, int64_t sliceBytes,
                          const CPUTarget &target);

/// Whether the layout transpose of a parallel tiled convolution's result
/// (channels-last [N, H, W, C] -> channels-first) moves into the
/// convolution's tasks: each task transposes its own output tile of
/// `taskTileBytes` right after computing it, while the tile is in its L2,
/// and the channels-last result exists only as that tile. Otherwise the
/// convolution writes the whole channels-last result of `resultBytes` and a
/// separate pass transposes it. Fused when the separate pass would read
/// and write more than the L2 holds (it then streams through L3 or memory)
/// and a tile fits in half of the L2 (it is still there when transposed).
bool fuseResultTransposeIntoTasks(int64_t resultBytes, int64_t taskTileBytes,
                                  const CPUTarget &target);

/// Whether the zero (padding-value) fill of a padded layout transpose's
/// destination covers only its border, not the interior the transpose
/// writes anyway, given the shortest contiguous run of a padded side
/// (`narrowestSideRunBytes`: one element for the width padding of a
/// channels-first tensor, a pixel's channels for a channels-last one).
/// Border-only when every run fills at least a cache line: narrower runs
/// make the border millions of tiny fills in a sequential loop (measured:
/// 6% of the RGB stem's channels-last data gradient at 2 threads), which
/// cost more than one more pass over the whole tensor. (That whole fill is
/// then split by convgrad-vectorize-data-movement into the border rows and
/// a parallel loop over the rows' padding columns when
/// fillsPaddedColumnsWithRows says so.)
bool fillsPaddedBorderOnly(int64_t narrowestSideRunBytes);

/// Whether the copy of a tensor into the interior of a padded buffer that a
/// fill of the padding value has just covered (the bufferized tensor.pad of
/// a function argument, a channels-first dy) writes the padding columns of
/// each interior row itself, in the loop over the rows (the fill then covers
/// only the border rows and planes, runs of whole rows): the padded buffer
/// is then written once instead of twice, and the padding columns are
/// stored while their cache lines are in L1. When an interior row
/// (`rowElements` of `elementBits`) is at least one vector of the target:
/// shorter rows are a loop iteration per few elements, more overhead than
/// the second pass costs.
bool fillsPaddedColumnsWithRows(int64_t rowElements, int64_t elementBits,
                                const CPUTarget &target);

/// The innermost dimension of a padded buffer laid out so that its interior
/// rows start on a vector boundary: `low` padding elements (at least the
/// padding asked for, the extra ones never read) and `size` elements per
/// row (a whole number of vectors, at least low + interior + the high
/// padding). The transpose that writes the interior (convgrad-cpu-pad-in-
/// place applies this to transposed sources) then stores whole aligned
/// vectors; with 1 low column and rows of 115 (the RGB stem's channels-last
/// dy, 7x7 stride 2 phases) every other 32-byte store splits across two
/// cache lines (perf, AVX2, Xeon: the transpose 29% of the kernel against
/// 57% for the phases' FMA loops, 21% against 63% with aligned rows and
/// the transpose's loops over rows outside, 25% against 61% without the
/// alignment). Only for buffers
/// larger than the L2 (smaller ones are cheap to write either way) whose
/// interior row (`interior` elements of `elementBits`) is at least 4
/// vectors and whose aligned rows are at most an eighth extra columns
/// (each is filled and streamed with the buffer: AVX-512's rows of 144
/// for the stem's 115 measured 3-10% slower); nullopt when the row is
/// already aligned or the rule does not apply.
struct PaddedRowLayout {
  int64_t low = 0;
  int64_t size = 0;
};
std::optional<PaddedRowLayout>
alignPaddedRows(int64_t low, int64_t interior, int64_t high,
                int64_t elementBits, int64_t bufferBytes,
                const CPUTarget &target);

/// Whether a copy, fill or transpose of `bytes` bytes (written) is split
/// across the target's threads: with more than one thread, when it is large
/// enough to pay for a parallel region (tens of microseconds of work).
bool parallelizeDataMovement(int64_t bytes, const CPUTarget &target);

/// Whether a row of `elements` elements of `elementBits` bits, `stride`
/// elements apart in memory (the interleave of a data gradient's stride
/// phase into a channels-first result: every other element of a row), is
/// written as masked vector stores of the span it covers, the elements
/// spread to their places by one shuffle, rather than one scalar store per
/// element: when the target has masked vector stores (AVX and later) and
/// the span's masked stores, at the target's cycles per store
/// (CPUTarget::maskedStoreCycles), cost less than one store per element.
bool storeStridedRowMasked(int64_t elements, int64_t stride,
                           int64_t elementBits, const CPUTarget &target);

/// Whether the `stride` strided copies that together write every element of
/// some rows (the stride phases of a channels-first data gradient, phase p
/// into elements p, p + stride, ... of each row; `elements` per row and
/// phase, of `elementBits` bits) are written as one interleave: per vector
/// of each phase's row, the phases' vectors shuffled into `stride` whole
/// vectors of the result row and stored once, rather than each phase's row
/// element by element (or masked, storeStridedRowMasked). For stride 2 (an
/// unpack low/high pair, on 256 and 512-bit vectors with a lane permute
/// each: two shuffles and one store per output vector against `lanes`
/// scalar stores, which Zen's and Intel's cores issue as a shuffle and a
/// store each) when a phase's row holds at least one whole vector; the
/// columns past the last whole vector stay strided copies.
bool interleavesStridedCopies(int64_t elements, int64_t stride,
                              int64_t elementBits, const CPUTarget &target);

/// Whether a row of `elements` elements of `elementBits` bits, `stride`
/// elements apart in memory (a transpose tile of the lattice that
/// SubsampleStridedInput slices from a strided channels-first input: every
/// other element of a row), is read as the vectors that cover its span (the
/// last one a masked load, so nothing past the span is touched), the
/// elements picked out by one shuffle, rather than one scalar load and
/// insert per element: when the target has masked vector loads (AVX and
/// later) and every vector loaded brings at least two of the elements (a
/// load plus its share of the shuffle against a load plus an insert each).
bool loadStridedRowDeinterleaved(int64_t elements, int64_t stride,
                                 int64_t elementBits, const CPUTarget &target);

/// Whether a `rows` x `cols` transpose of `elementBits`-bit elements (a
/// transpose tile, getDataMovementTiling) lowers to the AVX 8 x 8 f32
/// network (8 unpacks, 8 shuffles, 8 blends, 8 lane permutes) rather than
/// to one generic 64-element shuffle, from which LLVM's x86 back end makes
/// about 70 shuffles and a spill: when the tile is 8 x 8 f32 and the target's
/// vectors are 256 bits (AVX2, whose transpose tile this is; AVX-512 targets
/// keep their lowering and code for their 8 x 8 remainder tiles).
bool transposeByAVX8x8Network(int64_t rows, int64_t cols, int64_t elementBits,
                              const CPUTarget &target);

} // namespace cpu
} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CODEGEN_CPU_TILINGSTRATEGY_H
