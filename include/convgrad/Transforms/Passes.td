//===- Passes.td - convgrad transformation passes ----------*- tablegen -*-===//

#ifndef CONVGRAD_TRANSFORMS_PASSES_TD
#define CONVGRAD_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvGradDecompose : Pass<"convgrad-decompose"> {
  let summary = "Rewrite convolution gradients as forward convolutions over "
                "explicit data movement";
  let description = [{
    Rewrites the backward ops of the `convgrad` dialect so that only forward
    `convgrad.conv` ops (and a reduction for the bias gradient) compute:

    - `convgrad.conv_backward_data` (dgrad) becomes a stride-1 convolution of
      the zero-inserted (`convgrad.insert_zeros`), re-padded gradient
      (`tensor.pad`, or `tensor.extract_slice` where the re-padding
      `Ke - 1 - lo` or `Ke - 1 - hi + r` is negative) with the filter whose
      spatial dimensions are reversed (`convgrad.reverse`) and whose channel
      roles are swapped within each group (`linalg.transpose`), keeping the
      forward dilation and groups.
    - `convgrad.conv_backward_filter` (wgrad) becomes a convolution of the
      (padded or cropped) input by the output gradient in which the batch is
      the reduced channel, the forward stride becomes the dilation and the
      forward dilation becomes the stride. With `wgrad-strategy=gemm`,
      ungrouped wgrads instead become an `scf.for` nest over images and
      kernel taps; each iteration accumulates one GEMM-like `linalg.generic`
      (parallel over the two channel dimensions, reducing over the output
      positions, projected-permutation maps only) of the image's output
      gradient and a strided `tensor.extract_slice` of the padded input into
      the tap's block of a `[K..., A, B]` accumulator, which is finally
      transposed to the filter layout (channels-first operands are
      transposed to channels-last first).
    - `convgrad.conv_backward_bias` (bgrad) becomes a `linalg.generic`
      reduction over batch and space, accumulating f16/bf16 in f32.

    Example:

    ```mlir
    %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2]
        : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x4x4xf32>
    ```
    becomes
    ```mlir
    %z = convgrad.insert_zeros %dy strides = [1, 1, 2, 2]
        : tensor<1x1x2x2xf32> -> tensor<1x1x3x3xf32>
    %p = tensor.pad %z low[0, 0, 1, 1] high[0, 0, 1, 1] { ... }
    %t = linalg.transpose ins(%w : ...) outs(...) permutation = [1, 0, 2, 3]
    %r = convgrad.reverse %t dimensions = [2, 3] : tensor<1x1x2x2xf32>
    %dx = convgrad.conv %p, %r : (...) -> tensor<1x1x4x4xf32>
    ```
  }];
  let options = [
    Option<"dgradStrategy", "dgrad-strategy", "std::string",
           "\"zero-insertion\"",
           "How a strided dgrad becomes forward convolutions: "
           "'zero-insertion' (one convolution of the zero-inserted gradient, "
           "as in the math note) or 'phase' (one stride-1 convolution per "
           "output phase over only the taps that reach it: no MAC on an "
           "inserted zero)">,
    Option<"wgradStrategy", "wgrad-strategy", "std::string", "\"conv\"",
           "How a wgrad is computed: 'conv' (one forward convolution with "
           "the batch as the reduced channel and dy as the kernel, as in the "
           "math note) or 'gemm' (ungrouped wgrads with static channels and "
           "spatial sizes: an scf.for over images and kernel taps of "
           "channels-last GEMMs dw[tap] += dy^T * strided window of x; "
           "others fall back to 'conv')">,
    Option<"wgradBlockBytes", "wgrad-block-bytes", "int64_t", "262144",
           "wgrad-strategy=gemm: each GEMM covers the largest block of "
           "output rows whose output gradient slice fits in this many bytes "
           "(so that all kernel taps re-read it from cache; 0: whole "
           "images)">,
    Option<"wgradParallelTasks", "wgrad-parallel-tasks", "int64_t", "1",
           "wgrad-strategy=gemm: with N > 1, one scf.forall of N tasks "
           "around the image, row-block and tap loops, each task owning a "
           "disjoint block of accumulator rows (or, failing that, lanes) of "
           "every tap: one parallel region per wgrad, no cross-task "
           "reduction. Fewer tasks when the channels do not split evenly">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvGradConvertToChannelsLast : Pass<"convgrad-convert-to-channels-last"> {
  let summary = "Compute channels-first convolutions in channels-last";
  let description = [{
    Rewrites every `convgrad.conv` with `layout = channels_first` into a
    channels-last convolution between transposes of its operands and result:

        input [N, C, S...] -> [N, S..., C]    filter [F, C/G, K...] -> [F, K..., C/G]
        output [N, S..., F] -> [N, F, S...]

    On CPUs a channels-last convolution vectorizes along the contiguous
    channel dimension (about 3x faster than vectorizing the channels-first
    form directly), and the transposes vectorize too. Run it after
    `--convgrad-decompose` so the convolutions of the gradients benefit.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvGradTileAndVectorize
    : Pass<"convgrad-tile-and-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile channels-last linalg convolutions for registers and "
                "vectorize them";
  let description = [{
    Works on linalg on tensors (the output of `--convgrad-to-linalg` after
    `--convgrad-convert-to-channels-last`). For `linalg.conv_2d_nhwc_fhwc`
    (transposed to `_hwcf`), `linalg.conv_2d_nhwc_hwcf`,
    `linalg.depthwise_conv_2d_nhwc_hwc`, `linalg.conv_1d_nwc_wcf` and
    `linalg.depthwise_conv_1d_nwc_wc`:

    - an `scf.forall` over the batch and blocks of `parallel-rows` output rows
      (the unit of work of a thread), with the accumulator fill fused in;
    - `scf.for` tiles of one output row, a register block of output columns
      x output channels, one kernel row and `reduction-tile` input channels,
      so that the accumulator block stays in registers. The block is the
      pair of divisors (at most `width-tile` columns and `channel-tile`
      channels) with the most FMA lanes per loaded value within
      `max-accumulators` registers: 4 x 64 f32 for 56 or 28 columns, 7 x 32
      for 14;
    - inside a task, the loop over blocks of output channels is outermost,
      and a filter larger than `filter-cache-bytes` is also split into
      blocks of input channels, so that every row and column of the task
      reuses one filter block from cache;
    - 2-D tiles become 1-D convolutions that the linalg vectorizer turns into
      broadcasts and `vector.fma`.

    Every tile size divides its dimension, so all tiles are full: odd sizes
    get smaller tiles, never a remainder loop or a failure. Other ops are
    left for the loop lowering.
  }];
  let options = [
    Option<"parallelRows", "parallel-rows", "int64_t", "8",
           "Output rows per parallel task (columns x width-tile for 1-D)">,
    Option<"widthTile", "width-tile", "int64_t", "8",
           "Most output columns per register tile (depthwise: at most 4)">,
    Option<"channelTile", "channel-tile", "int64_t", "64",
           "Most output channels per register tile (a multiple of the vector "
           "width is best: 16 f32 on AVX-512)">,
    Option<"maxAccumulators", "max-accumulators", "int64_t", "24",
           "Most vector registers of accumulators per register tile "
           "(columns x channel vectors; AVX-512 has 32 registers)">,
    Option<"filterCacheBytes", "filter-cache-bytes", "int64_t", "1048576",
           "A filter larger than this (about an L2 cache) is split into cache "
           "blocks of output x input channels of an eighth of it">,
    Option<"vectorBits", "vector-bits", "int64_t", "512",
           "Bits per vector register, to count the registers of a tile">,
    Option<"reductionTile", "reduction-tile", "int64_t", "1",
           "Input channels per step of the reduction loop (1: each input "
           "element is broadcast straight from memory, not shuffled out of a "
           "register on the FMA port)">,
    Option<"maxVectorElements", "max-vector-elements", "int64_t", "4096",
           "Do not vectorize ops with a larger iteration space">,
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvGradTileAndVectorizeContractions
    : Pass<"convgrad-tile-and-vectorize-contractions", "::mlir::func::FuncOp"> {
  let summary = "Register-block and vectorize the GEMMs of the filter "
                "gradient";
  let description = [{
    Works on linalg on tensors, on the `linalg.generic` contractions that
    `--convgrad-decompose=wgrad-strategy=gemm` emits:
    `block[a, b] += lhs[o..., a] * rhs[o..., b]` (iteration space
    `(a, b, o_1..o_R)`, `a` and `b` parallel):

    - with `parallel-tasks` > 1, an `scf.forall` over blocks of `(a, b)`;
    - `scf.for` tiles of one position of `o_1..o_{R-1}` (outermost, so one
      row of both operands is reused from L1 by every register block),
      `row-tile` x `lane-tile` blocks of `(a, b)`, and `reduction-tile`
      positions of `o_R` (innermost);
    - each tile becomes `vector.transfer_read`s and a `vector.contract` of
      outer products that `--convgrad-lower-vectors` keeps in registers and
      lowers to a broadcast of `lhs[o, a]` and an FMA with the vector
      `rhs[o, b...]` per row: `row-tile` x `lane-tile` / 16 AVX-512
      accumulators.

    Tile sizes are the largest divisors of each dimension not above the
    options, so all tiles are full. Other ops are left alone.
  }];
  let options = [
    Option<"rowTile", "row-tile", "int64_t", "4",
           "Rows (a) of the register block: broadcast operand elements">,
    Option<"laneTile", "lane-tile", "int64_t", "64",
           "Columns (b) of the register block: vector lanes (a multiple of "
           "16 f32 is best on AVX-512)">,
    Option<"reductionTile", "reduction-tile", "int64_t", "8",
           "Positions of the innermost reduction dimension per tile (unrolled "
           "outer products)">,
    Option<"parallelTasks", "parallel-tasks", "int64_t", "1",
           "Blocks of (a, b) computed by separate scf.forall iterations (the "
           "thread count; 1: no scf.forall)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvGradLowerVectors : Pass<"convgrad-lower-vectors", "::mlir::func::FuncOp"> {
  let summary = "Hoist tile accumulators into registers and lower vector ops";
  let description = [{
    Runs after bufferization on the output of `--convgrad-tile-and-vectorize`:
    hoists the read/write pair of each tile's accumulator out of the reduction
    loops (so it stays in registers), then lowers the vector ops in stages:
    leading unit dimensions, contractions to outer products to `vector.fma`,
    and finally transfers, broadcasts, transposes and shape casts to 1-D
    loads, stores and shuffles that `convert-vector-to-llvm` maps to
    AVX-512 instructions.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect"];
}

def ConvGradSplitGroups : Pass<"convgrad-split-groups"> {
  let summary = "Compute grouped convolutions as a loop over groups";
  let description = [{
    Rewrites a `convgrad.conv` with `groups > 1` and more than one input
    channel per group into an `scf.for` over the groups whose body convolves
    one channel slice of the input with the group's filters
    (`tensor.extract_slice`) and inserts the result into the output
    (`tensor.insert_slice`). Upstream linalg cannot vectorize its grouped
    named convolutions; the ungrouped body is tiled and vectorized like any
    other convolution. Depthwise convolutions (one input channel per group)
    are left alone: they have vectorizable upstream forms.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvGradVectorizeDataMovement
    : Pass<"convgrad-vectorize-data-movement", "::mlir::func::FuncOp"> {
  let summary = "Vectorize copies, fills, casts and transposes on memrefs";
  let description = [{
    Runs after bufferization (and `--convgrad-copy-to-linalg`). Every
    parallel linalg op on memrefs whose indexing maps are permutations (fills,
    copies such as the materialized `tensor.pad` and zero insertion,
    element type conversions, layout transposes) is tiled so that one tile
    spans `inner-tile` elements of the contiguous innermost dimension
    (a transpose: `transpose-tile` x `transpose-tile` elements of the two
    dimensions contiguous in its output and input), and each tile is
    vectorized. Tile sizes divide the dimensions, so all tiles are full.
  }];
  let options = [
    Option<"innerTile", "inner-tile", "int64_t", "64",
           "Elements of the innermost dimension per tile">,
    Option<"transposeTile", "transpose-tile", "int64_t", "16",
           "Rows and columns of a transpose tile">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvGradCopyToLinalg : Pass<"convgrad-copy-to-linalg"> {
  let summary = "Rewrite memref.copy into linalg.copy";
  let description = [{
    Bufferization materializes `tensor.pad` and other insertions as
    `memref.copy` into a strided subview. Lowered to LLVM, such a copy is a
    call to the `memrefCopy` function of MLIR's C runner utils: an element by
    element runtime loop and an extra library for every program. As a
    `linalg.copy` it becomes ordinary loops that the CPU pipeline tiles and
    vectorizes, and compiled code needs no runtime library.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // CONVGRAD_TRANSFORMS_PASSES_TD
