//===- Passes.h - CPU code generation passes --------------------*- C++ -*-===//
//
// From linalg on tensors (and the filter gradients) to vector code for a CPU
// target. The passes are mechanisms; their sizes come from
// convgrad/Codegen/CPU/TilingStrategy.h for the module's CPU target.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_CODEGEN_CPU_PASSES_H
#define CONVGRAD_CODEGEN_CPU_PASSES_H

#include "convgrad/Codegen/CPU/CPUTarget.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;

namespace convgrad {

#define GEN_PASS_DECL
#include "convgrad/Codegen/CPU/Passes.h.inc"

/// The module attribute that carries the CPU target (a dictionary).
constexpr StringLiteral kCPUTargetAttrName = "convgrad.cpu_target";
/// The register tiling of a wgrad GEMM (array<i64: rows, lanes, unroll>,
/// optionally followed by rowSplit, laneSplit of cpu::GemmTiling), set by
/// the wgrad-to-GEMM rewrite and applied by
/// convgrad-tile-and-vectorize-contractions.
constexpr StringLiteral kGemmTilingAttrName = "convgrad.gemm_tiling";
/// A unit attribute next to kGemmTilingAttrName: the GEMM's loops over
/// blocks of lanes (b) go outside its reduction and row loops, so that the
/// [reduction x lanes] panel of rhs a lane block reads stays in L1 while
/// every block of rows reuses it (set when rhs is much larger than lhs, and
/// on filter gradient GEMMs whose lane operand rows exceed L1:
/// cpu::GemmTiling::laneBlocksOuter).
constexpr StringLiteral kGemmLaneBlocksOuterAttrName =
    "convgrad.gemm_lane_blocks_outer";

/// An i64 attribute next to kGemmTilingAttrName: cpu::GemmTiling::passRows
/// (> 1), the output rows (of the second innermost output dimension) per
/// pass of the register blocks. The GEMM's loops become passes, then the
/// register blocks, then the pass's positions, so that each block is
/// loaded and stored once per pass rather than once per row.
constexpr StringLiteral kGemmPassRowsAttrName = "convgrad.gemm_pass_rows";

/// An i64 attribute next to kGemmTilingAttrName with a lane split point:
/// cpu::GemmTiling::swappedRemainderLanes, the lanes per register block of
/// the lane remainder part computed with its operands exchanged (its
/// accumulator block transposed before and after), so that its rows run
/// along the vector lanes and its few remainder lanes are broadcast.
constexpr StringLiteral kGemmSwappedRemainderLanesAttrName =
    "convgrad.gemm_swapped_remainder_lanes";

/// A unit attribute on an `scf.for %j = 0 to L` whose body only computes
/// addresses from %j and prefetches them (memref.prefetch): the loop is not
/// run where it is but spread by convgrad-cpu-spread-prefetches over the
/// iterations of the FMA loop nest that follows it in its block, a few
/// prefetches per iteration, so that their misses overlap the FMAs (the
/// sources of the next work item of a staged filter gradient, emitted by
/// convgrad-cpu-wgrad-to-gemm).
constexpr StringLiteral kSpreadPrefetchesAttrName =
    "convgrad.spread_prefetches";

/// The dictionary form of `target` (the convgrad.cpu_target attribute).
DictionaryAttr getCPUTargetAttr(MLIRContext *ctx, const cpu::CPUTarget &target);
/// The target recorded on `op` or its closest ancestor that has one; the
/// host (one thread) when none has. Fails on a malformed attribute.
FailureOr<cpu::CPUTarget> getCPUTarget(Operation *op);
/// Whether `op` or an ancestor records a target (else getCPUTarget falls
/// back to the host): for rewrites that only a chosen target enables.
bool hasCPUTarget(Operation *op);

/// Greedily applies to `op` the patterns `populate` adds for the CPU target
/// recorded on `op` (getCPUTarget): the body of the passes that are one
/// pattern family for the target. Fails on a malformed target attribute or
/// when the rewrite does not converge.
LogicalResult applyPatternsForTarget(
    Operation *op,
    function_ref<void(RewritePatternSet &, const cpu::CPUTarget &)> populate);

/// The pattern that rewrites an ungrouped conv_backward_filter whose shapes
/// are static except for the batch into an scf.for nest over images, row
/// blocks and kernel taps around one GEMM-like linalg.generic per tap
/// (iterators (a, b) parallel, output positions reduction;
/// projected-permutation indexing maps only, tagged with
/// kGemmTilingAttrName), between channels-last transposes, the padding of
/// x and the final transpose to the filter layout, and the pattern of
/// populateSplitWideGroupWgradPatterns (grouped ops of wide groups: one
/// such GEMM nest per group). It does not match other grouped ops or
/// zero-size ones. Its decisions (lane dimension, row blocks,
/// parallel tasks, register tiles) come from cpu::planWgradGemm and
/// cpu::getGemmTiling for `target`; `parallelTasks` and `blockBytes`
/// override them when positive.
void populateWgradToGemmPatterns(RewritePatternSet &patterns,
                                 const cpu::CPUTarget &target,
                                 int64_t parallelTasks = 0,
                                 int64_t blockBytes = 0,
                                 PatternBenefit benefit = 1);

/// The pattern that rewrites a grouped conv_backward_filter whose groups
/// are wide (cpu::splitsWgradGroupsIntoGemms: a vector of channels and of
/// filters per group) into an scf.for over the groups around one
/// ungrouped conv_backward_filter on the group's channel slices of x and
/// dy (inserted at the group's filters), which
/// populateWgradToGemmPatterns' pattern computes as GEMMs. It is part of
/// that set.
void populateSplitWideGroupWgradPatterns(RewritePatternSet &patterns,
                                         const cpu::CPUTarget &target,
                                         PatternBenefit benefit = 1);

/// The pattern that rewrites a channels-first convolution with a
/// 1 x .. x 1 kernel, unit strides, no padding, one group and no bias,
/// whose shapes are static except for the batch, into one GEMM-like
/// linalg.generic per image (and per block of filters with parallel tasks)
/// inside an scf.forall: out[n][k, p] += wT[c, k] * x[n][c, p], lanes along
/// the positions p, tagged with kGemmTilingAttrName and
/// kGemmLaneBlocksOuterAttrName. Only where cpu::planPointwiseGemm chooses
/// the GEMM form for `target`.
void populatePointwiseConvAsGemmPatterns(RewritePatternSet &patterns,
                                         const cpu::CPUTarget &target,
                                         PatternBenefit benefit = 1);

/// Patterns that rewrite a channels-last 3-D convolution (dense
/// conv_3d_ndhwc_dhwcf or depthwise_conv_3d_ndhwc_dhwc) on tensors whose
/// input depth, kernel depth and output depth are a static 1 into the 2-D
/// convolution of its rank-reduced slices: the 3-D step of upstream's
/// linalg::populateDecomposeConvolutionPatterns.
void populateDownscaleUnitDepthConv3DPatterns(RewritePatternSet &patterns);

/// Patterns that rewrite a channels-last depthwise convolution with a
/// channel multiplier (depthwise_conv_{1,2,3}d_n*wc_*wcm) on tensors with a
/// static filter into an scf.for over the multiplier of depthwise
/// convolutions without one, on [..., M, C] transposes of the filter and the
/// output, so that vectors run along contiguous channels.
void populateDepthwiseMultiplierAsLoopPatterns(RewritePatternSet &patterns);

/// Patterns that compute channels-first depthwise ops (groups == C, any
/// channel multiplier) whose shapes are static except for the batch plane
/// by plane, with vectors along the innermost spatial dimension:
/// convgrad.conv and conv_backward_data also with groups of a few channels
/// (strided data gradients over zero-inserted dy), conv_backward_filter
/// (one accumulator vector per kernel tap, reduced once at the end), each
/// into scf loops of vector transfers and FMAs over a zero-bordered scratch
/// copy of the input planes; channels-last ones between transposes. Their
/// sizes, and whether an op is rewritten, come from
/// cpu::getDepthwisePlaneTiling and cpu::isChannelsLastPlanewise for
/// `target`.
void populateDepthwisePlanesPatterns(RewritePatternSet &patterns,
                                     const cpu::CPUTarget &target,
                                     PatternBenefit benefit = 1);

/// The patterns of convgrad-cpu-depthwise-channels-last: channels-last 2-D
/// depthwise data and filter gradients, and grouped data gradients of few
/// channels per group, computed with vectors along the channels. Their sizes, and whether an op is rewritten, come from
/// cpu::getDepthwiseChannelsLastTiling for `target`.
void populateDepthwiseChannelsLastPatterns(RewritePatternSet &patterns,
                                           const cpu::CPUTarget &target,
                                           PatternBenefit benefit = 1);

/// Patterns that rewrite channels-last convgrad.conv ops with few output
/// channels per group (cpu::vectorizeAlongWidth for `target`) into
/// channels-first ones between transposes, and fold the layout changes.
void populateNarrowConvsToChannelsFirstPatterns(RewritePatternSet &patterns,
                                                const cpu::CPUTarget &target);

/// Patterns that vectorize a static channels-first 1-D convolution tile
/// with stride 1 on tensors (linalg.conv_1d_ncw_fcw) along its output
/// columns: one accumulator vector per output channel, and per input
/// channel and kernel column one load of the input row and one broadcast
/// filter element and FMA per output channel (cpu::vectorizeAlongWidth
/// decides which convolutions get this form). Rows are cut into vectors of
/// `vectorBits`.
void populateVectorizeConvAlongWidthPatterns(RewritePatternSet &patterns,
                                             int64_t vectorBits);

/// Patterns that rewrite a tensor.pad of a fresh destination-style result
/// into a fill created before its producer and an insert_slice, so that the
/// producer writes into the padded buffer (see --convgrad-cpu-pad-in-place).
void populatePadInPlacePatterns(RewritePatternSet &patterns);

/// The indexing maps of the GEMM blocks of the wgrad-to-GEMM rewrite, over
/// the iteration space (a, b, r_1..r_numReductions): lhs[r..., a] (or, with
/// `lhsChannelsFirst`, lhs[r_1, a, r_2...]: an image's channels-first
/// activations), rhs[r..., b] and block[a, b].
/// convgrad-tile-and-vectorize-contractions checks them on the ops that
/// carry kGemmTilingAttrName.
SmallVector<AffineMap, 3>
getWgradGemmIndexingMaps(MLIRContext *ctx, unsigned numReductions,
                         bool lhsChannelsFirst = false);

/// The GEMM block[a, b] += lhs[r..., a] * rhs[r..., b] (f16/bf16 operands
/// accumulate in the block's type) over the iteration space (a, b, r...),
/// tagged with `tiling` as kGemmTilingAttrName for
/// convgrad-tile-and-vectorize-contractions: rows, lanes, unroll, and the
/// split points when there are any. `lhsChannelsFirst`: see
/// getWgradGemmIndexingMaps.
linalg::GenericOp createTaggedGemm(OpBuilder &b, Location loc, Value lhs,
                                   Value rhs, Value block,
                                   const cpu::GemmTiling &tiling,
                                   bool lhsChannelsFirst = false);

/// Vectorizes each of `ops` with the linalg vectorizer (ops it rejects stay
/// as they are), then folds the tensor slices around the vector transfers
/// of `root` so that bufferization reads and writes the tiles in place.
/// Upstream mechanics only: the upstream peer pipeline uses it too.
void vectorizeAndFoldTransfers(RewriterBase &rewriter, Operation *root,
                               ArrayRef<linalg::LinalgOp> ops);

/// Computes `op` as the static parts of its iteration space on either side
/// of `splitPoints` (one per loop, 0: no split; only parallel loops are
/// split), each a copy of `op` on static slices of its operands; on tensors
/// the parts' results are inserted into the op's destinations, which they
/// tile. Returns the parts in order (just `op` when no point applies), or
/// failure with `op` untouched on dynamic ranges, a split of a reduction
/// loop or a point outside its range (and, not seen with linalg ops, when
/// the op cannot build a part: earlier parts are then left unused). The
/// remainder tiles of cpu::remainderSplit decisions: every part has static
/// shapes and vectorizes.
FailureOr<SmallVector<Operation *>>
splitAtPoints(RewriterBase &rewriter, Operation *op,
              ArrayRef<int64_t> splitPoints);

/// The fills of the padding value over whole fresh buffers that a copy into
/// the buffer's interior follows (the bufferized tensor.pad of a function
/// argument) become fills of the outer dimensions' border slabs, and the
/// copy a loop over the interior rows that copies each row and fills its
/// padding columns (a transpose into the interior that gathers the rows of
/// an outer dimension, e.g. NHWC -> NCHW, becomes a loop over the other
/// outer dimensions, each transposing its slice and then filling the
/// padding columns of the rows it wrote; before any other transpose, which
/// stays, the loop fills only the padding columns), when
/// cpu::fillsPaddedColumnsWithRows decides so; the
/// outermost row loop is an scf.forall when the copy is split across threads
/// (cpu::parallelizeDataMovement). Run on memrefs by
/// convgrad-vectorize-data-movement before it tiles the ops it creates.
void fillPaddedColumnsWithCopyRows(RewriterBase &rewriter, func::FuncOp func,
                                   const cpu::CPUTarget &target);

/// The copies of a channels-first data gradient's stride phases into the
/// strided lattices of the result (copies from fresh buffers into static
/// subviews of one memref, innermost stride s, in one block) that together
/// write every element of some rows (the same rows, column offsets o, ...,
/// o + s - 1) become one loop nest that reads a vector of each phase's row,
/// interleaves them with shuffles and stores whole vectors of the result
/// row, when cpu::interleavesStridedCopies decides so; the outermost loop is
/// an scf.forall when the copies are split across threads
/// (cpu::parallelizeDataMovement). The columns past the last whole vector
/// of the narrowest phase stay strided copies. Run on memrefs by
/// convgrad-vectorize-data-movement before it tiles the copies.
void interleaveStridedCopies(RewriterBase &rewriter, func::FuncOp func,
                             const cpu::CPUTarget &target);

/// Only the second half of vectorizeAndFoldTransfers.
void foldSlicesIntoTransfers(Operation *root);

/// The sum of the lanes of each of `vectors` (1-D, all of one float type
/// and length), as one vector of those sums in the order of
/// `vectors`, reassociated like vector.reduction with `reassoc`. A tree of
/// shuffles and adds: two vectors become one holding half of each one's
/// lanes added to its other half, so that L vectors of L lanes take L - 1
/// vector adds (and two shuffles each), where one vector.reduction per
/// vector takes log2(L) + 1 dependent steps each and inserts the sums one
/// by one. (Lengths that are not powers of two take one reduction each.)
Value createLaneSums(OpBuilder &b, Location loc, ArrayRef<Value> vectors);

/// The dimensions a reverse reads backwards, or nullopt if `op` is not a
/// reverse: a linalg.generic copy (one input, one output, the body yields
/// the input) with static loop ranges whose output map is the identity and
/// whose input map reads every dimension i as i or as range_i - 1 - i, at
/// least one backwards (convgrad.reverse as convgrad-to-linalg lowers it).
std::optional<SmallVector<bool>> getReversedDims(linalg::LinalgOp op);

/// The reverse (in getReversedDims' form) of the static tensor `source`
/// along the dimensions `reversed` marks.
Value createReverse(OpBuilder &b, Location loc, Value source,
                    ArrayRef<bool> reversed);

/// The reverse (in getReversedDims' form) of `source` into `init`, tensors
/// or memrefs of the same static shape, along the dimensions `reversed`
/// marks.
linalg::GenericOp createReverseInto(OpBuilder &b, Location loc, Value source,
                                    Value init, ArrayRef<bool> reversed);

/// A transpose that reads some dimensions backwards: output dimension i is
/// input dimension `permutation[i]` (linalg.transpose's convention), read
/// from its end when `reversed[i]`.
struct ReversedTranspose {
  SmallVector<int64_t> permutation;
  SmallVector<bool> reversed;
};

/// `op` as a ReversedTranspose, or nullopt: a linalg.generic copy (one input,
/// one output, the body yields the input) with static loop ranges whose
/// output map is the identity and whose input map reads input dimension
/// permutation[i] as i or as range_i - 1 - i, at least one backwards, with a
/// permutation that is not the identity (that is getReversedDims' reverse).
/// The data gradient's filter packing reads the caller's filter so, with
/// the kernel rotation folded into the packing copy.
std::optional<ReversedTranspose> getReversedTranspose(linalg::LinalgOp op);

/// The ReversedTranspose of `source` into `init` (tensors or memrefs of
/// static shapes; on tensors the op yields its result).
linalg::GenericOp createReversedTransposeInto(OpBuilder &b, Location loc,
                                              Value source, Value init,
                                              ArrayRef<int64_t> permutation,
                                              ArrayRef<bool> reversed);

/// Lowers the vector ops of `func` that the linalg vectorizer produces to
/// what the LLVM conversion takes (1-D transfers, outer products, shuffles),
/// in three greedy stages (one pattern set with everything at once can loop
/// for a very long time), each with the unit-dim dropping transfer patterns:
/// leading unit dims cast away; contractions to outer products; transfers,
/// reductions, broadcasts, transposes (with `shuffle16x16Transposes`, 16 x 16
/// ones by the shuffle network) and shape casts. Upstream mechanics only:
/// convgrad-lower-vectors and the upstream peer pipeline use it;
/// `addFinalPatterns` adds the caller's own patterns to the last stage.
LogicalResult lowerVectorsInStages(
    func::FuncOp func, bool shuffle16x16Transposes,
    function_ref<void(RewritePatternSet &)> addFinalPatterns = nullptr);

#define GEN_PASS_REGISTRATION
#include "convgrad/Codegen/CPU/Passes.h.inc"

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_CODEGEN_CPU_PASSES_H
