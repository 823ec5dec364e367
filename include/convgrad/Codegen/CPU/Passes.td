//===- Passes.td - convgrad CPU code generation passes -----*- tablegen -*-===//
//
// The passes that turn linalg on tensors (the output of convgrad-to-linalg)
// into vector code for CPUs. They take their decisions (tile sizes, register
// and cache blocks, task splits) from the tiling strategy of the target
// (convgrad/Codegen/CPU/TilingStrategy.h), never from constants of their own.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_CODEGEN_CPU_PASSES_TD
#define CONVGRAD_CODEGEN_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvGradCPUSetTarget : Pass<"convgrad-cpu-set-target", "::mlir::ModuleOp"> {
  let summary = "Record the CPU the module is compiled for";
  let description = [{
    Resolves a CPU (the host by default, or an LLVM CPU name with feature
    changes) into the facts the CPU code generator decides with: vector
    width, vector registers, cache sizes and threads. It attaches them to
    the module as the `convgrad.cpu_target` dictionary, which every later
    CPU pass and the tiling strategy read, and which
    `--convgrad-cpu-apply-llvm-target` finally turns into the `target_cpu`
    and `target_features` of the LLVM functions. A pass without the
    attribute uses the host.

    ```mlir
    module attributes {convgrad.cpu_target = {cpu = "x86-64-v3",
        features = "", l1_bytes = 32768 : i64, l2_bytes = 524288 : i64,
        l3_bytes = 8388608 : i64, threads = 1 : i64, vector_bits = 256 : i64,
        vector_registers = 16 : i64}} { ... }
    ```
  }];
  let options = [
    Option<"targetCpu", "target-cpu", "std::string", "\"host\"",
           "LLVM CPU name (e.g. znver3, skylake-avx512, x86-64-v3) or "
           "'host'">,
    Option<"targetFeatures", "target-features", "std::string", "\"\"",
           "Changes to the CPU's features, e.g. '-avx512f' for AVX2 code on "
           "an AVX-512 machine">,
    Option<"vectorBits", "vector-bits", "int64_t", "0",
           "Bits per vector register the code uses (0: from the features)">,
    Option<"vectorRegisters", "vector-registers", "int64_t", "0",
           "Vector registers (0: from the features)">,
    Option<"threads", "threads", "int64_t", "1",
           "Threads of the generated code: 1 sequential, N OpenMP threads, "
           "0 decided at run time">,
  ];
}

def ConvGradCPUWgradToGemm : Pass<"convgrad-cpu-wgrad-to-gemm"> {
  let summary = "Compute ungrouped filter gradients as register-blocked "
                "GEMMs, one per image and kernel tap";
  let description = [{
    Rewrites every ungrouped `convgrad.conv_backward_filter` whose shapes are
    static except for the batch into an `scf.for` nest over images, blocks
    of output rows and kernel taps; each iteration accumulates one GEMM-like
    `linalg.generic` (parallel over the two channel dimensions, reducing
    over the output positions, projected-permutation maps only) of the
    image's output gradient and a strided window of the padded input into
    the tap's block of a `[K..., A, B]` accumulator, finally transposed to
    the filter layout. Others are left to `--convgrad-decompose`.

    Its decisions come from the tiling strategy and the module's
    `convgrad.cpu_target`: which channel runs along the vector lanes, the
    rows per GEMM (a quarter of L2 of output gradient, re-read by every tap
    from cache), and the parallel tasks (one `scf.forall` around all the
    GEMMs when the target has threads, whose tasks own shares of the
    images and row blocks, their partial filter gradients summed after it,
    when the filter gradient is small and the static batch splits evenly,
    else channel blocks of whole register blocks when the channels split
    so, else again shares of the work items). Each GEMM carries
    its register tiling as `convgrad.gemm_tiling = array<i64: rows, lanes,
    unroll>`, and, when its register blocks should accumulate several
    output rows between their load and store, `convgrad.gemm_pass_rows`,
    both of which `--convgrad-tile-and-vectorize-contractions` applies.
  }];
  let options = [
    Option<"parallelTasks", "parallel-tasks", "int64_t", "0",
           "Override the number of parallel tasks (0: one per thread of the "
           "target)">,
    Option<"blockBytes", "block-bytes", "int64_t", "0",
           "Override the output gradient bytes per GEMM (0: a quarter of the "
           "target's L2)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvGradCPUPointwiseConvAsGemm
    : Pass<"convgrad-cpu-pointwise-conv-as-gemm"> {
  let summary = "Compute channels-first 1x1 convolutions as GEMMs with "
                "vectors along the positions";
  let description = [{
    Rewrites every channels-first `convgrad.conv` with a 1 x .. x 1 kernel,
    unit strides, no padding, one group and no bias (a pointwise layer, or
    the phase of a strided 1x1 layer's data gradient, whose stride the
    decomposition turned into a strided insert), static except for the
    batch, into one GEMM per image over the flattened output positions P:

    ```
    out[n][k, p] = sum over c of w[k, c] * x[n][c, p]
    ```

    Both x and the output are contiguous along p in channels-first, so the
    register blocks (filters x vectors of positions, filters broadcast) read
    and write them where they are: no layout change, which is most of the
    time of such a layer in the channels-last form that
    `--convgrad-convert-to-channels-last` would give it. The GEMMs run
    inside one `scf.forall` over the images (and blocks of filters when the
    images do not split evenly among the threads), reduce over the input
    channels in chunks whose block of x stays in L1 while every block of
    filters reuses it, and carry `convgrad.gemm_tiling` and
    `convgrad.gemm_lane_blocks_outer` for
    `--convgrad-tile-and-vectorize-contractions`. The decisions are
    `cpu::planPointwiseGemm`'s for the module's `convgrad.cpu_target`; it
    keeps the channels-last form where the positions leave many vector
    lanes idle (7 x 7 outputs), and where x is a window of a larger tensor
    (the 1x1 phase of a 3x3 stride-2 data gradient reads one of the padded
    dy): flattening it would copy it, while channels-last it shares the
    other phases' layout change of dy.

    Example (the stride-1 phase of a 1x1 stride-2 layer's data gradient):

    ```mlir
    %dxs = convgrad.conv %dy, %wt
        : (tensor<8x512x28x28xf32>, tensor<256x512x1x1xf32>)
        -> tensor<8x256x28x28xf32>
    ```
    becomes an `scf.forall` over the 8 images of `linalg.generic`s
    `[256, 784] += [1, 8, 64, 256] x [1, 8, 64, 784]` (8 chunks of 64
    input channels).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

def ConvGradCPUDepthwiseChannelsLast
    : Pass<"convgrad-cpu-depthwise-channels-last"> {
  let summary = "Compute channels-last depthwise data and filter gradients "
                "with vectors along the channels";
  let description = [{
    Rewrites every channels-last 2-D depthwise
    `convgrad.conv_backward_data` and `convgrad.conv_backward_filter`
    (groups == C == F, no channel multiplier), and the grouped ones with a
    few channels and as many filters per group that the strategy accepts,
    whose shapes are static except for the batch into `scf` loops and
    vectors along the channels, which are contiguous in NHWC, reading the
    tensors where they are: no padded copy, no transpose of an activation,
    no fill of the result. A channels-first grouped filter gradient it
    accepts becomes the channels-last one between transposes of x and dy
    and of the gradient back (one pass over each activation, instead of a
    convolution by dy with vectors a few lanes wide).

    - data gradients: per output row and register block of columns x
      channel vectors, the sum over the kernel taps of dy (the stride-1 or
      phase form: the columns of a block share their stride phase, so a
      strided gradient multiplies no inserted zero) by the filter read
      flipped (arranged once as [KH, KW, k, C] for groups of k channels);
      the taps are unrolled, or for a large kernel only a kernel row's,
      inside a loop over the kernel rows that carries the accumulators;
      tasks (`scf.forall`) are blocks of rows of an image. With groups of
      k > 1 channels (whole groups per vector), each output vector has k
      accumulators, one per term of the group (dy times the filter of
      channel (f + r) mod k), rotated within the groups and summed once
      per block: k FMAs per tap, no shuffle per tap; when a kernel row's
      KW x k filter vectors would leave too few registers for the
      accumulators (AVX2, k = 4), only one tap's k are live, each dy
      vector loaded again per tap;
    - filter gradients: per block of channel vectors and block of kernel
      rows, tap accumulators stay in registers over the output positions
      (with stride 1 along the width, input-stationary: each x vector of
      a kernel row feeds its KW accumulators, times a window of dy
      vectors carried in registers across the columns, one new dy load
      per column; when the kernel rows take several passes over a row,
      the passes run segment by segment of the x columns, so that a
      segment's dy stays in L1 between them, the equal interior segments
      in a loop: cpu::getInputStationarySegmentColumns; blocks of output
      rows that reload the dy windows run every channel block within a
      segment, so that a work item streams whole pixels, a cache line of
      channels in passes of as many vectors as the registers hold, or
      whole rows where a segment's accumulator stores would outlast its
      FMAs);
      `scf.forall` tasks split the output rows of all images (each task
      its own copy of the accumulators, summed after), or the channel
      blocks when there are fewer rows than threads. With groups of k > 1
      channels, each x vector feeds k accumulators, one per rotation of dy
      within the groups (the filter (c + r) mod k of the group times
      channel c): k FMAs per x load, k - 1 shuffles per dy vector for all
      taps; the gradient is gathered from them once.

    The padding costs no copy: a kernel row outside the input is skipped
    per output row (`scf.if`), and the output columns whose windows reach
    the padding are unrolled with their own taps around a loop over the
    interior columns. A partial last channel vector is a block of its own
    with masked loads and stores. Sizes and applicability come from
    cpu::getDepthwiseChannelsLastTiling for the module's
    `convgrad.cpu_target`; ops it declines are left to the generic path.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvGradCPUDepthwisePlanes : Pass<"convgrad-cpu-depthwise-planes"> {
  let summary = "Compute depthwise and grouped convolutions and their "
                "gradients plane by plane, vectorized along rows";
  let description = [{
    Rewrites every grouped `convgrad.conv` (depthwise with any channel
    multiplier, or groups of a few channels: each output plane sums
    C/G input planes of its group), `convgrad.conv_backward_data` (a
    stride-1 convolution of dy, zero-inserted when strided, summing F/G
    planes of dy) and `convgrad.conv_backward_filter` (depthwise, or groups
    of a few channels: C/G input planes per filter) whose shapes are
    static except for the batch into `scf`
    loops over tasks (`scf.forall`
    over blocks of output planes when the target has threads), images and
    planes. Each input plane is copied into a zero-bordered scratch plane
    (the padding without a padded copy of the tensor), then:

    - convolutions and data gradients: register blocks of output rows x
      vectors along the innermost dimension, one broadcast filter element
      per tap (read flipped for a data gradient);
    - filter gradients: one accumulator vector per kernel tap (and input
      plane of the group) over every image and output position, then one
      horizontal sum per tap.

    The last vector of a row is masked; an innermost stride above 1 reads
    s vectors and shuffles. The input planes of a group are copied once
    per group. Channels-first ops are computed where the data is;
    channels-last ones other than plain depthwise (which
    convgrad-cpu-depthwise-channels-last computes in place) between
    transposes of their operands and result. Sizes and applicability come
    from the tiling strategy for the module's `convgrad.cpu_target`; ops it
    declines are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
  ];
}

def ConvGradCPUApplyLLVMTarget
    : Pass<"convgrad-cpu-apply-llvm-target", "::mlir::ModuleOp"> {
  let summary = "Compile the LLVM functions for the module's CPU target";
  let description = [{
    Sets `target_cpu` and `target_features` of every `llvm.func` definition
    from the module's `convgrad.cpu_target`, so that LLVM (the JIT,
    `mlir-translate` + `llc`/`clang`) generates code for the CPU the tiles
    were chosen for: AVX2 code with 16 registers for an AVX2 target even on
    an AVX-512 machine. The features are the whole list (the CPU's, then the
    target's changes), as clang writes them: a function's features replace
    those of the machine that compiles it, and a function with only a CPU
    name would get the compiling machine's (a JIT's are the host's, so AVX2
    code would be compiled with AVX-512 registers and masks).

    ```mlir
    llvm.func @kernel() attributes {target_cpu = "znver3",
        target_features = #llvm.target_features<["+mmx", ..., "+avx2", ...]>}
    ```
  }];
}

def ConvGradCPUNarrowConvsToChannelsFirst
    : Pass<"convgrad-cpu-narrow-convs-to-channels-first"> {
  let summary = "Compute convolutions with few output channels channels-first, "
                "vectorized along the output width";
  let description = [{
    Rewrites each static 1-D or 2-D `convgrad.conv` with `layout =
    channels_last` (the output of `--convgrad-convert-to-channels-last`)
    whose output channels per group are few compared with the vector lanes
    into a channels-first convolution between transposes, and folds the
    layout changes as `--convgrad-convert-to-channels-last` does (composed
    transposes cancel; the windows of the padded output gradient that the
    stride phases of a data gradient read become windows of one transpose).

    Channels-last, the register block of such a convolution puts its few
    output channels along the vector lanes (3 of 16 lanes for the data
    gradient of an RGB stem). Channels-first with stride 1, the tiles of
    `--convgrad-tile-and-vectorize` instead hold one vector of output
    columns per output channel and load whole input rows: every lane is
    used and no padding is multiplied. A channels-first convolution with a
    short reduction per output (a pointwise layer) takes the width form as
    well: it saves the layout transposes of its input and output, which
    cost more than its multiply-adds. The decision is the tiling
    strategy's (`cpu::vectorizeAlongWidthOrSaveTransposes`: the width block
    fills at least twice the lanes the channel block fills, or the
    multiply-adds per output are at most 4 vectors per element the
    cancelled transposes would move) for the module's
    `convgrad.cpu_target`. Depthwise convolutions, 3-D ones and those with
    a dynamic size stay channels-last, and so do ungrouped 2-D ones that
    `--convgrad-tile-and-vectorize` computes better with their lanes along
    the reduction channels (`cpu::prefersReductionLanes`: whole vectors of
    channels, lane sums adding at most a quarter to the FMAs; the phases of
    an RGB stem's data gradient with 64 channels).

    An ungrouped 2-D convolution between layout changes from and back to
    channels-first whose output channels end in a lane remainder (67 = 64
    + 3 on AVX-512) is split in two when `cpu::channelsFirstRemainderSplit`
    says so: the whole vectors of channels stay channels-last, the
    remainder (3 of 16 lanes channels-last) becomes a channels-first
    convolution vectorized along the width, which reads a padded
    channels-first copy of the input and writes its channels of the
    channels-first result in place.
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
    `linalg.depthwise_conv_2d_nhwc_hwc`, `linalg.conv_1d_nwc_wcf`,
    `linalg.depthwise_conv_1d_nwc_wc`, `linalg.conv_3d_ndhwc_dhwcf` and
    `linalg.depthwise_conv_3d_ndhwc_dhwc` (depthwise convolutions with a
    channel multiplier, `*_wcm`, first become an `scf.for` over the
    multiplier of these on `[..., M, C]` transposes of filter and output):

    - an `scf.forall` over the batch and blocks of output rows (the unit of
      work of a thread), with the accumulator fill fused in;
    - `scf.for` tiles of one output row, a register block of output columns
      x output channels, one kernel row and one input channel, so that the
      accumulator block stays in registers. Of the blocks whose
      accumulators (at most three quarters of the target's vector
      registers), one kernel row of filter vectors and a broadcast fit the
      registers, the strategy takes the one with the fewest modelled cycles
      per reduction step over the whole row (FMA units, load ports, FMA
      latency, a filter streamed from L2), remainder columns included: on
      AVX-512 (32 x 512 bits) 4 x 64 f32 for 56 or 28 columns and 7 x 32
      for 14; on AVX2 (16 x 256 bits) 4 x 16 for 56 columns;
    - for a register block that starts from zero (no cache block of input
      channels), the accumulator fill is fused into the block's loops
      rather than tiled as a pass of its own: `--convgrad-lower-vectors`
      forwards the zeros to the accumulators, and no zero block is stored.
      A convolution whose zero fill CSE merged with its siblings' (the
      stride phases of a data gradient) first gets a fill of its own, into
      a `bufferization.alloc_tensor` when a strided insert consumes it: a
      shared fill fuses into neither and bufferizes as one zeroed buffer
      that every phase copies before and after its tasks;
    - inside a task, the loop over blocks of output channels is outermost,
      and a filter larger than the target's L2 is also split into blocks of
      input channels, so that every row and column of the task reuses one
      filter block from cache;
    - a filter with more output channels than one block is read from a copy
      packed once per call, `[F / block, ..., C, block]` (one transpose,
      folded into the chain of layout transposes that produced the filter;
      a reverse in the chain, a data gradient's kernel rotation, moves onto
      the chain's input), so that a block's slice is contiguous: filter rows
      F elements apart (1 KiB for F = 256) fall into a few sets of the
      caches and miss even the L2;
    - 3-D tiles (one output and one kernel depth, the rest as in 2-D)
      become 2-D convolutions on rank-reduced slices, and 2-D tiles become
      1-D convolutions that the linalg vectorizer turns into broadcasts and
      `vector.fma`.

    The sizes come from the tiling strategy
    (`convgrad/Codegen/CPU/TilingStrategy.h`) for the module's
    `convgrad.cpu_target` (the host when there is none). Every tile size
    divides its dimension, so all tiles are full and static. Where the
    divisors degenerate (67 channels: 1 lane), or the best block does not
    divide the columns, the strategy splits the convolution into a part of
    full tiles and a static remainder part (64 + 3 channels; then 54 + 3
    columns of the 64 channels and 56 + 1 of the 3), each tiled and
    vectorized on its own (the remainder with a narrower vector), each
    split again if its own decision says so, each zeroing its own
    accumulators: never a scalar or dynamic remainder loop. Other ops are
    left for the loop lowering.
  }];
  let options = [
    Option<"maxVectorElements", "max-vector-elements", "int64_t", "4096",
           "Do not vectorize fills with a larger iteration space">,
  ];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
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
    `--convgrad-cpu-wgrad-to-gemm` emits, which carry their register tiling
    as `convgrad.gemm_tiling = array<i64: rows, lanes, unroll>`:
    `block[a, b] += lhs[o..., a] * rhs[o..., b]` (iteration space
    `(a, b, o_1..o_R)`, `a` and `b` parallel):

    - `scf.for` tiles of one position of `o_1..o_{R-1}` (outermost, so one
      row of both operands is reused from L1 by every register block),
      `rows` x `lanes` blocks of `(a, b)`, and `unroll` positions of `o_R`
      (innermost);
    - each tile becomes `vector.transfer_read`s and a `vector.contract` of
      outer products that `--convgrad-lower-vectors` keeps in registers and
      lowers to a broadcast of `lhs[o, a]` and an FMA with the vector
      `rhs[o, b...]` per row.

    With `convgrad.gemm_pass_rows = P` (R >= 2 output dims, no split
    points) the GEMM instead runs in passes of P positions of `o_{R-1}`
    (one of the dims before): per pass, the register blocks, each loaded once, carried as
    a vector through the pass's P rows and `o_R` and stored once. A block
    then costs a load and a store per P rows rather than per row (from L2
    when a tap's `[a, b]` block exceeds L1: 256 KiB for 256 x 256).

    The sizes divide their dimensions, so all tiles are full; with split
    points in the attribute (a prime channel count), the GEMM is first
    split into the part of full blocks and static remainder parts, each
    one block wide, all vectorized. With
    `convgrad.gemm_swapped_remainder_lanes = L`, the lane remainder part
    (`rows x r` with `r` less than a vector, e.g. 64 x 3 of 67 channels)
    instead runs with its operands exchanged on its transposed accumulator
    block: `r` broadcasts times `rows / L` blocks of `L` full lanes,
    rather than `rows` FMAs of `r` useful lanes each. Ops without the
    attribute are left alone.
  }];
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
    loads, stores and shuffles that `convert-vector-to-llvm` maps to the
    target's vector instructions.

    An accumulator is hoisted when nothing else in the loop accesses its
    buffer: a local allocation, or a view of a function argument (the
    kernel's arguments are distinct buffers, as bufferization's `restrict`
    says), such as the strided view of dx a data gradient's stride phase
    writes into. An accumulator block that a zero store precedes (a
    register tile whose fill was tiled with it) starts from the zeros, and
    that store, which the block's final store overwrites, is erased
    (`vector::transferOpflowOpt` after the stages). A write into a memref whose innermost stride is not 1 (the
    interleave of a phase into a channels-first result) is stored per row as
    one shuffle and one masked store of the span the row covers when the
    tiling strategy says so (`storeStridedRowMasked`: AVX or later, fewer
    vectors than elements), otherwise element by element. A read from such a
    memref (a transpose tile of the subsampled input of a strided
    channels-first convolution) is loaded per row as one masked load of the
    whole vectors covering its span and one shuffle picking out its
    elements when the strategy says so (`loadStridedRowDeinterleaved`: AVX
    or later, at least two elements per vector), otherwise element by
    element. An 8 x 8 f32 transpose tile (AVX2's vector square) becomes the
    AVX network of unpacks, shuffles, blends (inline assembly, so that LLVM
    does not merge the stages back into one shuffle) and lane permutes when
    the strategy says so (`transposeByAVX8x8Network`).
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def ConvGradVectorizeDataMovement
    : Pass<"convgrad-vectorize-data-movement", "::mlir::func::FuncOp"> {
  let summary = "Vectorize copies, fills, casts and transposes on memrefs";
  let description = [{
    Runs after bufferization (and `--convgrad-copy-to-linalg`). A
    transpose first loses its unit dimensions and merges the dimensions that
    move together (a 1x1 filter's [F, C, 1, 1] -> [C, F, 1, 1] is a 2-D
    transpose, NCHW -> NHWC is [N, C, H*W] -> [N, H*W, C]). Every
    parallel linalg op on memrefs whose indexing maps are permutations (fills,
    copies such as the materialized `tensor.pad` and zero insertion,
    element type conversions, layout transposes) is tiled so that one tile
    spans four vectors of the contiguous innermost dimension (a transpose:
    one vector square of the two dimensions contiguous in its output and
    input: 16 x 16 f32 on AVX-512, 8 x 8 on AVX2), and each tile is
    vectorized. Tile sizes divide the dimensions, so all tiles are full,
    unless no divisor of at least half a tile exists (67 channels, 17 x 17
    positions): then the op is split into whole tiles and a static
    remainder part whose tile is the remainder (64 + 3 channels), both
    vectorized. A copy or transpose whose only run-time sizes are outer
    dimensions of its input (a task's box of a run-time count of rows at the
    image's edges) is first a loop nest over the input's dimensions up to
    the last run-time one, in order, around ops of static shape.

    A reverse (the `linalg.generic` that `convgrad.reverse` lowers to: the
    flipped filter of a data gradient) is tiled like a copy whose reversed
    dimensions stay whole, and each tile is moved as unrolled vector rows
    along the innermost dimension, a row reversed by one shuffle when that
    dimension is reversed (`cpu::getReverseTiles` bounds the rows);
    large ones are split across threads like the other ops, so the filter
    flip is no sequential scalar loop between parallel regions.

    First, a fill of the padding value over a whole fresh buffer that a copy
    into the buffer's interior follows (the bufferized `tensor.pad` of a
    function argument: a channels-first dy padded by a column or two per
    row) becomes fills of the border slabs of the outer dimensions (whole
    rows) and a loop over the interior rows that copies each row and fills
    its padding columns, an `scf.forall` over the outermost dimension when
    the copy is split across threads (`fillPaddedColumnsWithCopyRows`, when
    `cpu::fillsPaddedColumnsWithRows`: rows of at least a vector): the padded
    buffer is written once, not filled whole and then written again. A
    transpose into such an interior (a channels-last dy made channels-first
    for a narrow convolution) stays, after the border rows and a loop that
    fills only the padding columns of the interior rows. Those row copies
    and fills are then tiled and vectorized like the others.

    Then the copies of a strided data gradient's stride phases into their
    lattices of the result (copies from fresh buffers into static strided
    subviews of one memref) that together write whole rows, stride 2: the
    column offsets o and o + 1 of the same rows, become one loop nest that
    reads a vector of each phase's row, interleaves the two by one shuffle
    and stores whole vectors of the result row (`interleaveStridedCopies`,
    when `cpu::interleavesStridedCopies`), instead of one store per element;
    the columns past the last whole vector of the narrower phase stay
    strided copies.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvGradCPUFuseResultTransposes
    : Pass<"convgrad-cpu-fuse-result-transposes", "::mlir::func::FuncOp"> {
  let summary = "Move the layout transpose of a tiled convolution's result "
                "into its tasks";
  let description = [{
    Runs on tensors after `--convgrad-tile-and-vectorize`. A channels-first
    convolution computed in channels-last is an `scf.forall` of tasks that
    each write a tile ([1, rows, W, C]) of a whole channels-last result,
    followed by a `linalg.transpose` of that result to channels-first: one
    more pass over the whole tensor. For each such transpose (its input the
    single result of an `scf.forall`, used by nothing else, written by one
    `tensor.parallel_insert_slice`; or a tensor assembled from such results
    by `tensor.insert_slice`s into a `tensor.empty` or a slice of one, a
    convolution split into full tiles and remainder parts, whose transpose
    first becomes one transpose per part inserted at the permuted offsets,
    again per part of a part that is such an assembly itself: 67 channels
    split 64 + 3, then the columns of each), when
    `cpu::fuseResultTransposeIntoTasks`
    decides so for the module's CPU target (the separate pass would not
    stay in the L2, the task's tile does), the transpose is fused into the
    forall as a consumer (`scf::tileAndFuseConsumer`): each task transposes
    its tile, still in its cache, into its slice of the channels-first
    result. The channels-last result is then unused; when its shared
    output is a `tensor.empty`, each task's tile starts from a
    `tensor.empty` of the tile's shape instead of a slice of it (the same
    undefined contents), so that the canonicalizer drops the whole-tensor
    shared output and bufferization allocates one tile per task.

    ```mlir
    %r = scf.forall (%n, %h) = (0, 0) to (8, 56) step (1, 8)
        shared_outs(%o = %empty) -> (tensor<8x56x56x64xf32>) {
      %s = tensor.extract_slice %o[%n, %h, 0, 0] [1, 8, 56, 64] [1, 1, 1, 1]
      %t = ... convolution tile into %s ...
      scf.forall.in_parallel { tensor.parallel_insert_slice %t into %o[...] }
    }
    %dx = linalg.transpose ins(%r : tensor<8x56x56x64xf32>)
        outs(%e : tensor<8x64x56x56xf32>) permutation = [0, 3, 1, 2]
    ```
    becomes
    ```mlir
    %dx = scf.forall (%n, %h) = (0, 0) to (8, 56) step (1, 8)
        shared_outs(%o = %e) -> (tensor<8x64x56x56xf32>) {
      %s = tensor.empty() : tensor<1x8x56x64xf32>
      %t = ... convolution tile into %s ...
      %d = tensor.extract_slice %o[%n, 0, %h, 0] [1, 64, 8, 56] [1, 1, 1, 1]
      %u = linalg.transpose ins(%t) outs(%d) permutation = [0, 3, 1, 2]
      scf.forall.in_parallel { tensor.parallel_insert_slice %u into %o[...] }
    }
    ```

    The pipeline runs the pass a second time after
    `--convgrad-cpu-fuse-sibling-tasks`, for the stride phases of a strided
    data gradient: fused into one loop, each task writes several strided
    tiles (every other row and column: one per phase and part of a split
    phase) into its shared output, which the transpose then reads. When
    those tiles cover a box exactly (pairwise disjoint lattices whose
    elements add up to the box's; offsets relative to each other constant,
    `ValueBoundsConstraintSet`), the result is used by nothing but the
    transpose and `cpu::fuseResultTransposeIntoTasks` decides so for the
    box, the tiles start from empty tensors of their own and are inserted
    with their strides into a task-local box (a `tensor.empty`), right after
    the loop that computes each (`eliminate-empty-tensors` then computes
    them in place in the box's strided views), and the box is inserted
    whole: the transpose is then fused as above, one box with contiguous
    rows on both sides per task, where a transpose per phase tile would
    write every other element of the channels-first rows.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvGradCPUFuseFillIntoTasks
    : Pass<"convgrad-cpu-fuse-fill-into-tasks", "::mlir::func::FuncOp"> {
  let summary = "Fill the zeros around a strided insert of a task loop's "
                "result in its tasks";
  let description = [{
    A strided data gradient whose stride phases do not cover its result (a
    1x1 kernel of stride 2 writes one element in four) inserts the phases
    with strides into a `linalg.fill` of zeros. Bufferized, the fill is a
    pass over the whole result of its own, then the tasks write their
    products into it. When the inserted value is the result of an
    `scf.forall` of tiles (directly, or through a `tensor.expand_shape`
    that keeps each tile whole along the expanded dimensions), and the
    strategy decides so (`cpu::fusesFillIntoTasks`: the fill would stream
    through memory), this pass moves the fill into the tasks: each task
    fills its region of the result (along a tiled dimension, the stride
    times its tile; the whole of an untiled dimension) and inserts its tile
    there with the same strides. A tiled dimension must be inserted at
    offset 0 and cover the result exactly (stride x size). When the forall
    already wrote into a strided slice of the fill, the task's tile starts
    from the same strided slice of its filled region; when it wrote into an
    empty tensor, the task's tile starts from an empty tensor of its own.

    ```mlir
    %f = linalg.fill ins(%zero) outs(%e : tensor<8x256x56x56xf32>)
    %r = scf.forall (%n) in (8) shared_outs(%o = %empty) {
      ... %t : tensor<1x256x28x28xf32> ...
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %t into %o[%n, 0, 0, 0] [1, 256, 28, 28] [1, 1, 1, 1]
      }
    }
    %dx = tensor.insert_slice %r into %f[0, 0, 0, 0] [8, 256, 28, 28] [1, 1, 2, 2]
    ```
    becomes
    ```mlir
    %dx = scf.forall (%n) in (8) shared_outs(%o = %e) {
      ... %t : tensor<1x256x28x28xf32> ...
      %s = tensor.extract_slice %o[%n, 0, 0, 0] [1, 256, 56, 56] [1, 1, 1, 1]
      %z = linalg.fill ins(%zero) outs(%s)
      %w = tensor.insert_slice %t into %z[0, 0, 0, 0] [1, 256, 28, 28] [1, 1, 2, 2]
      scf.forall.in_parallel {
        tensor.parallel_insert_slice %w into %o[%n, 0, 0, 0] [1, 256, 56, 56] [1, 1, 1, 1]
      }
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
}

def ConvGradCPUFuseSiblingTasks
    : Pass<"convgrad-cpu-fuse-sibling-tasks", "::mlir::func::FuncOp"> {
  let summary = "Fuse sibling task loops that read the same large input";
  let description = [{
    convgrad-tile-and-vectorize gives every convolution its own `scf.forall`
    of tasks. The stride phases of a data gradient (and the parts of a
    convolution split at a remainder of columns) are such siblings: the same
    tasks (images x blocks of output rows), each reading the same rows of
    the same output gradient. One after the other, each loop streams the
    whole input through the core; once it exceeds the cache, each reads it
    again from memory (four passes over the RGB stem's 27 MB output
    gradient). This pass fuses two `scf.forall` loops of one block with
    the same bounds, steps and mapping when the later one does not depend
    on the earlier one and the tensors both read (through slices) are
    large enough by the tiling strategy (cpu::fusesSiblingTasks): one loop
    whose tasks run the first body, then the second, on rows still in
    cache. The ops the later loop needs that sit between the two (its
    filter, its destination) move above the earlier loop first.

    Example:

    ```mlir
    %a = scf.forall (%i) in (8) shared_outs(%o = %x) -> (tensor<8x64xf32>) {
      ... reads %dy ...
    }
    %f = linalg.generic ... // the second loop's filter
    %b = scf.forall (%i) in (8) shared_outs(%o = %y) -> (tensor<8x64xf32>) {
      ... reads %dy, %f ...
    }
    ```

    becomes

    ```mlir
    %f = linalg.generic ...
    %ab:2 = scf.forall (%i) in (8) shared_outs(%o = %x, %p = %y) -> (...) {
      ... the first body, then the second ...
    }
    ```

    When the fused loop's results start empty and are inserted one after
    the other into one tensor (empty, or defined before the loop) at slices
    that miss each other (the
    phases of a stride-2 data gradient, interleaved at stride 2 in dx), the
    loop then writes them there directly: one destination, that tensor,
    each body's slices of its own destination composed with its insert.
    Unfused, eliminate-empty-tensors gives each loop a slice of dx; fused,
    the later inserts' destinations are results of the loop itself, and
    each phase would bufferize into a temporary copied into dx afterwards.
    A result whose destination is a slice of a `tensor.empty` counts as
    empty, and nested chains (a convolution split at a channel remainder,
    then each part at a column remainder) collapse innermost first, until
    the loop writes the whole result. When a task then extracts several
    tiles of that one destination, each filling part of one box (the
    parts' tiles of the task's rows), it extracts the box once and chains
    the tiles through `tensor.insert_slice`s into it, then stores the box:
    bufferization, which cannot tell that the tiles miss each other, would
    otherwise give each tile but the last a buffer copied in and out.

    When the bodies of a task loop, fused or not, all read one `tensor.pad`
    of a tensor that is not a fresh result (a function argument: the stem's
    output gradient), only through vector reads in bounds, bufferization
    would copy the whole tensor into a padded buffer before the loop, which
    goes to memory and comes back when the tasks read it. When the strategy
    asks for it (cpu::padsSharedInputInTasks: the padded tensor beyond the
    L2, or twice the L2 for a fused loop, the tasks' boxes at most 1.5 times
    it), each task instead pads its
    own box of it: per dimension, the range of indices its reads cover
    relative to one of the loop's induction variables (or a constant
    range), from the reads' index bounds (ValueBoundsConstraintSet). The box
    is the slice of the source inserted into a tensor whose border alone is
    filled (run-time sizes at the image's edges), and the reads index it
    relative to the task; it stays in L2 while the bodies read it. When the
    padded tensor is a `linalg.transpose` (into a fresh tensor, read by the
    pad alone) of a tensor that is not a fresh result (the channels-last
    output gradient of a data gradient computed channels-first), the
    transpose moves into the tasks too: each task transposes the rows of
    its box into a fresh tensor, which bufferization places in the box's
    interior, instead of the whole tensor going through memory transposed.
    Such a task also prefetches the rows the next task (in the loop's
    row-major order) copies into its box: one loop marked
    `convgrad.spread_prefetches` before each of its FMA nests, over a share
    of the cache lines of the next box's source, which
    `--convgrad-cpu-spread-prefetches` spreads over that nest
    (cpu::getNextTaskBoxPrefetchLocality); each computed address serves a
    group of lines of one run, a line apart
    (cpu::getNextTaskBoxPrefetchLinesPerAddress).
  }];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::bufferization::BufferizationDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def ConvGradCPUSpreadPrefetches
    : Pass<"convgrad-cpu-spread-prefetches", "::mlir::func::FuncOp"> {
  let summary = "Spread marked prefetch loops over the FMA loop nest after them";
  let description = [{
    Runs after bufferization (after `--convgrad-lower-vectors` on the vector
    path). An `scf.for %j = 0 to L step 1` marked `convgrad.spread_prefetches`
    (a loop whose body only computes addresses from `%j` and prefetches
    them: the rows the next work item of a staged filter gradient will
    transpose, see `--convgrad-cpu-wgrad-to-gemm`) is not run where it is:
    run there, its prefetches would only wait on memory like the loads they
    replace. Its body moves into a loop of the first later op of its block
    that issues vector FMAs (the work item's GEMMs): of the loops enclosing
    the first FMA up to that block (all of static trip counts), the one
    `cpu::planSpreadPrefetches` picks from their trip counts and FMAs: the
    deepest whose iterations in all, T, are at most L (at most 8 prefetches
    per iteration, else deeper). Iteration i (in their linear order) issues
    the prefetches of `%j = (i * P + q) * L / (T * P)` for `q` in `[0, P)`,
    `P = ceil(L / T)`, so that all L of them are spread evenly over the
    nest, between its FMAs. When T is at least twice L, only every `s`-th
    iteration of the innermost of those loops issues one (inside an
    `scf.if`; `s` a power of two dividing its trip count, T / s >= L, the
    plan's `every`), with `i / s` and `T / s` in place of `i` and `T`: the
    others would compute the address of a line an earlier one fetched.
    A marked loop is erased instead when there is
    no such nest after it (the `codegen=loops` path) or when the strategy
    finds the nest too short for them (fewer than 10 vector FMAs per
    prefetch of all the marked loops before it: their address arithmetic
    would cost more than they save).

    Example (L = 512 lines, a nest of 4 x 64 iterations, T = 256, P = 2):

    ```mlir
    scf.for %j = %c0 to %c512 step %c1 {
      memref.prefetch %dy[..., %j, ...], read, locality<2>, data
    } {convgrad.spread_prefetches}
    scf.for %a = %c0 to %c4 step %c1 {
      scf.for %k = %c0 to %c64 step %c1 iter_args(...) {
        ... vector.fma ...
    // becomes
    scf.for %a = %c0 to %c4 step %c1 {
      scf.for %k = %c0 to %c64 step %c1 iter_args(...) {
        %i = %a * 64 + %k
        %j0 = (%i * 2 + 0) * 512 / 512
        memref.prefetch %dy[..., %j0, ...], read, locality<2>, data
        %j1 = (%i * 2 + 1) * 512 / 512
        memref.prefetch %dy[..., %j1, ...], read, locality<2>, data
        ... vector.fma ...
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def ConvGradCPUPrefetchStridedRows
    : Pass<"convgrad-cpu-prefetch-strided-rows", "::mlir::func::FuncOp"> {
  let summary = "Prefetch the rows a reduction loop reads a page or more apart";
  let description = [{
    Runs after `--convgrad-lower-vectors`. The reduction loop of a register
    tile (one carrying vector accumulators) whose vector loads index a
    dimension of their buffer by the loop's induction variable, with a
    stride of a page or more (the channel loop of a convolution vectorized
    along its width: one input plane per channel), starts a new stream per
    row and iteration, which the hardware
    prefetchers do not follow; from a buffer larger than the L2 each row
    then waits on the L3 or memory. For each group of such loads at one
    place that differ only in a constant offset of the innermost index (the
    vectors and kernel columns of one input row), this pass inserts
    `memref.prefetch`es of the cache lines that row covers
    `cpu::stridedReductionPrefetchDistance` iterations ahead (clamped to
    the last iteration), at most one per line.

    Example (distance 16):

    ```mlir
    scf.for %c = %c0 to %c64 step %c1 {
      %a = vector.load %in[%n, %c, %h, %w] : memref<8x64x115x115xf32>, vector<8xf32>
      ...
    }
    // becomes
    scf.for %c = %c0 to %c64 step %c1 {
      %ahead = arith.minsi(%c + 16, 63)
      memref.prefetch %in[%n, %ahead, %h, %w], read, locality<3>, data
      ...
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::memref::MemRefDialect",
  ];
}

def ConvGradCPUPadInPlace : Pass<"convgrad-cpu-pad-in-place"> {
  let summary = "Let the producer of a padded tensor write its interior";
  let description = [{
    One-shot bufferization materializes `tensor.pad` as a new buffer, a fill
    and a copy of the source into its interior. When the source is a fresh
    result (a destination-style op writing into a `tensor.empty`, such as
    the channels-last transpose of a channels-first activation), this pass
    rewrites the pad into `linalg.fill`s of the padded tensor's border only
    (one per padded side of each dimension, disjoint; a side along an inner
    dimension, one small slab per row, is an `scf.for` over the rows, which
    LLVM does not unroll into one huge block), created before that op, and a
    `tensor.insert_slice` of the source into the interior. The border alone
    is filled when each side's contiguous runs fill a cache line
    (`cpu::fillsPaddedBorderOnly`; the channels of a channels-last pixel);
    sides of a few elements (a channels-first width padding) would be
    millions of tiny fills, so the whole padded tensor is filled. Empty-tensor
    elimination (`eliminate-empty-tensors`, the first step of the CPU
    pipeline's bufferization) then makes the op write straight into the
    interior of the padded buffer, which nothing else writes: the copy, one more pass over the whole
    activation, disappears. A pad of inserts into a fill by the padding
    value (a phase-split data gradient padded by conv_transpose's
    `output_padding`) becomes those inserts into the padded fill, so the
    phases write the final buffer. Pads of other values (function
    arguments) are left alone: their bufferization is the same fill and
    copy. With a CPU target (`convgrad.cpu_target`), the pad of a
    transpose whose rows would start their interior off a vector boundary
    (`cpu::alignPaddedRows`: the RGB stem's channels-last dy, rows of 115
    with the interior at column 1) is first padded wider along its innermost
    dimension (8 + 112 + 8 on AVX2) and the original padded tensor taken as
    a slice of it, so that the transpose stores aligned vectors.

    Example:

    ```mlir
    %t = linalg.transpose ins(%x : tensor<1x4x5x5xf32>) outs(%e : tensor<1x5x5x4xf32>) permutation = [0, 2, 3, 1]
    %p = tensor.pad %t low[0, 1, 1, 0] high[0, 1, 1, 0] { tensor.yield %zero : f32 }
    ```
    becomes
    ```mlir
    %top = linalg.fill ins(%zero : f32) outs(%e2[0, 0, 0, 0] [1, 1, 7, 4])
    %b0 = tensor.insert_slice %top into %e2[0, 0, 0, 0] [1, 1, 7, 4] [1, 1, 1, 1]
    ... the bottom row [0, 6, 0, 0] [1, 1, 7, 4], then the left and right
    ... columns, each a loop over the 5 rows filling [0, 1 + r, 0, 0] and
    ... [0, 1 + r, 6, 0] [1, 1, 1, 4]: %b3
    %t = linalg.transpose ins(%x : tensor<1x4x5x5xf32>) outs(%e : tensor<1x5x5x4xf32>) permutation = [0, 2, 3, 1]
    %p = tensor.insert_slice %t into %b3[0, 1, 1, 0] [1, 5, 5, 4] [1, 1, 1, 1]
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
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

def ConvGradCPUWorkspace : Pass<"convgrad-cpu-workspace", "::mlir::ModuleOp"> {
  let summary = "Place a kernel's temporaries in a caller-provided workspace";
  let description = [{
    The workspace calling convention, like oneDNN's scratchpad: no kernel
    allocates. Runs on memrefs, after bufferization and deallocation. Every
    public function defined in the module and not called inside it gets a
    last argument `memref<?xi8>`, the workspace, and a companion function
    `<name>_workspace_size` with the kernel's other arguments that returns
    the bytes it needs (the caller calls it once per shape, allocates, and
    passes the buffer to every call). Each temporary of the function body
    (a `memref.alloc` freed by a `memref.dealloc` in the same block, never
    returned or yielded) becomes a `memref.view` of the workspace at an
    offset aligned to `alignment` bytes, and its dealloc disappears. The
    kernel assumes the buffer aligned to `alignment` bytes
    (`memref.assume_alignment`; the caller must keep that promise), so LLVM
    knows each view's alignment as it knows a malloc'ed temporary's.
    Temporaries whose lifetimes (allocation to last use of the buffer or of
    a view of it; a whole loop for one allocated inside a sequential loop)
    do not overlap share bytes. Sizes that depend on dynamic dimensions (a
    dynamic batch) are computed from the arguments, in the kernel and in the
    size function alike. The kernel checks that the workspace is large
    enough (`cf.assert`) before it touches it.

    A temporary of a parallel loop's body (`scf.forall`, a task's staging
    tile) exists once per iteration that runs at once. With `threads=N`
    (N > 1, the pipeline's `num-threads`), a loop with such temporaries and
    more than N iterations becomes N parallel iterations that each run a
    contiguous chunk of the old ones in order (OpenMP's static schedule), and
    each temporary gets N places, indexed by the chunk: a thread reuses its
    place, warm in its cache. With `threads=1` the loops run sequentially
    and a temporary has one place; with `threads=0` (thread count known only
    at run time) a loop with more than `max-places` iterations (or a trip
    count known only at run time) runs as `max-places` chunks the same way,
    and a temporary has one place per iteration of the resulting loop: the
    workspace stays bounded whatever the trip count. Such temporaries need
    static sizes.

    Returned buffers, sizes that are not a pure function of the arguments,
    and the parallel cases above that do not apply stay on the heap; pass
    statistics count both kinds.

    ```mlir
    // Before:
    func.func @k(%x: memref<8x64xf32>, %y: memref<8x64xf32>) {
      %t = memref.alloc() {alignment = 64 : i64} : memref<8x66xf32>
      ...
      memref.dealloc %t : memref<8x66xf32>
      return
    }
    // After:
    func.func @k(%x: memref<8x64xf32>, %y: memref<8x64xf32>,
                 %workspace: memref<?xi8>) {
      %aligned = memref.assume_alignment %workspace, 64 : memref<?xi8>
      ... cf.assert (workspace size >= 2112) ...
      %t = memref.view %aligned[%c0][] : memref<?xi8> to memref<8x66xf32>
      ...
      return
    }
    func.func @k_workspace_size(%x: memref<8x64xf32>, %y: memref<8x64xf32>)
        -> index {
      %c2112 = arith.constant 2112 : index
      return %c2112 : index
    }
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "int64_t", "64",
           "Byte alignment of every temporary in the workspace (the caller's "
           "buffer must be aligned at least as much)">,
    Option<"threads", "threads", "int64_t", "0",
           "Threads that run the iterations of a parallel loop (scf.forall): "
           "1 = the loops run sequentially (one place per temporary); N > 1 "
           "= a loop with temporaries runs as N chunks of iterations, one "
           "place per chunk; 0 = not known at compile time: a loop with "
           "more than max-places iterations runs as max-places chunks, one "
           "place per iteration of the result">,
    Option<"maxPlaces", "max-places", "int64_t", "64",
           "With threads=0: the most places a temporary of a parallel loop "
           "gets (the most threads that can run that loop's chunks at once)">,
  ];
  let statistics = [
    Statistic<"numWorkspaceBuffers", "workspace-buffers",
              "Temporaries placed in the workspace">,
    Statistic<"numHeapBuffers", "heap-buffers",
              "Allocations left on the heap (in loops, returned, or with "
              "sizes not computable from the arguments)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::cf::ControlFlowDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // CONVGRAD_CODEGEN_CPU_PASSES_TD
