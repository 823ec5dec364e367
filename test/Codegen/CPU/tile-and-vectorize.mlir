// Every convolution that the decomposition produces is tiled (a parallel
// scf.forall over row blocks, scf.for register tiles) and vectorized: no
// linalg convolution, i.e. no scalar conv loop nest, is left.

// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v4},convgrad-decompose,convgrad-convert-to-channels-last,convgrad-split-groups,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize))" | FileCheck %s

// Forward, channels-last: the [F, KH, KW, C] filter is transposed to
// [KH, KW, C, F] so that an 8 x 32 output tile (16 accumulator registers)
// accumulates contiguous rows.
// CHECK-LABEL: func.func @fwd_channels_last
// CHECK-NOT:     bufferization.alloc_tensor
// CHECK:         linalg.transpose {{.*}} permutation = [1, 2, 3, 0]
// CHECK:         scf.forall ({{.*}}) = (0, 0) to (2, 8) step (1, 8)
// CHECK:           scf.for
// CHECK:             vector.contract {{.*}} : vector<1x8x1xf32>, vector<1x32xf32> into vector<1x8x32xf32>
// CHECK-NOT:     linalg.conv
func.func @fwd_channels_last(%x: tensor<2x8x8x16xf32>, %w: tensor<32x3x3x16xf32>) -> tensor<2x8x8x32xf32> {
  %y = convgrad.conv %x, %w padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x8x8x16xf32>, tensor<32x3x3x16xf32>) -> tensor<2x8x8x32xf32>
  return %y : tensor<2x8x8x32xf32>
}

// -----

// Forward, channels-first: computed channels-last between transposes.
// CHECK-LABEL: func.func @fwd_channels_first
// CHECK:         linalg.transpose {{.*}} permutation = [0, 2, 3, 1]
// CHECK:         scf.forall
// CHECK:           vector.contract
// CHECK-NOT:     linalg.conv
// CHECK:         linalg.transpose {{.*}} permutation = [0, 3, 1, 2]
func.func @fwd_channels_first(%x: tensor<1x16x7x7xf32>, %w: tensor<32x16x3x3xf32>) -> tensor<1x32x5x5xf32> {
  %y = convgrad.conv %x, %w : (tensor<1x16x7x7xf32>, tensor<32x16x3x3xf32>) -> tensor<1x32x5x5xf32>
  return %y : tensor<1x32x5x5xf32>
}

// -----

// 67 filters: the transposed filter's rows of 67 f32 (268 bytes) are the
// first channels of rows of 80 (whole cache lines), so that the 64-channel
// part's vectors do not split cache lines; the 3 remainder channels read
// their slice of the same rows.
// CHECK-LABEL: func.func @fwd_filter_rows_padded
// CHECK:         %[[ROWS:.*]] = bufferization.alloc_tensor() : tensor<3x3x16x80xf32>
// CHECK:         %[[FILTER:.*]] = tensor.extract_slice %[[ROWS]][0, 0, 0, 0] [3, 3, 16, 67] [1, 1, 1, 1]
// CHECK:         linalg.transpose ins(%{{.*}} : tensor<67x3x3x16xf32>) outs(%[[FILTER]] : tensor<3x3x16x67xf32>) permutation = [1, 2, 3, 0]
// CHECK:         vector.contract {{.*}} into vector<1x4x64xf32>
// CHECK-NOT:     linalg.conv
func.func @fwd_filter_rows_padded(%x: tensor<1x8x8x16xf32>, %w: tensor<67x3x3x16xf32>) -> tensor<1x8x8x67xf32> {
  %y = convgrad.conv %x, %w padding = [1, 1, 1, 1] layout = channels_last : (tensor<1x8x8x16xf32>, tensor<67x3x3x16xf32>) -> tensor<1x8x8x67xf32>
  return %y : tensor<1x8x8x67xf32>
}

// -----

// Strided dgrad: zero insertion, then a vectorized stride-1 convolution.
// CHECK-LABEL: func.func @dgrad_strided
// CHECK:         tensor.insert_slice {{.*}} [1, 1, 2, 2]
// CHECK:         scf.forall
// CHECK:           vector.contract
// CHECK-NOT:     linalg.conv
func.func @dgrad_strided(%dy: tensor<1x16x4x4xf32>, %w: tensor<16x8x3x3xf32>) -> tensor<1x8x8x8xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<1x16x4x4xf32>, tensor<16x8x3x3xf32>) -> tensor<1x8x8x8xf32>
  return %dx : tensor<1x8x8x8xf32>
}

// -----

// wgrad: the output gradient is the (large) kernel; its width is tiled so
// that the vectorized 1-D convolution unrolls 4 taps, not 8.
// CHECK-LABEL: func.func @wgrad
// CHECK:         scf.forall
// CHECK:           vector.contract
// CHECK-NOT:     linalg.conv
func.func @wgrad(%x: tensor<2x10x10x8xf32>, %dy: tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x10x10x8xf32>, tensor<2x10x10x16xf32>) -> tensor<16x3x3x8xf32>
  return %dw : tensor<16x3x3x8xf32>
}

// -----

// Depthwise (groups = channels): upstream's depthwise convolution, tiled and
// vectorized along the channels (3 columns: the largest divisor of 6 <= 4).
// CHECK-LABEL: func.func @depthwise_dgrad
// CHECK:         scf.forall
// CHECK:           vector.fma {{.*}} : vector<1x3x32xf32>
// CHECK-NOT:     linalg.depthwise_conv
func.func @depthwise_dgrad(%dy: tensor<1x32x6x6xf32>, %w: tensor<32x1x3x3xf32>) -> tensor<1x32x6x6xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 32 : (tensor<1x32x6x6xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x6x6xf32>
  return %dx : tensor<1x32x6x6xf32>
}

// -----

// Grouped: a loop over the groups of vectorized ungrouped convolutions.
// CHECK-LABEL: func.func @grouped
// CHECK:         scf.for {{.*}} = %c0 to %c4 step %c1
// CHECK:           tensor.extract_slice {{.*}} [4, 3, 3, 8]
// CHECK:           scf.forall
// CHECK:             vector.contract
// CHECK:           tensor.insert_slice
// CHECK-NOT:     linalg.conv
func.func @grouped(%x: tensor<1x6x6x32xf32>, %w: tensor<16x3x3x8xf32>) -> tensor<1x4x4x16xf32> {
  %y = convgrad.conv %x, %w groups = 4 layout = channels_last : (tensor<1x6x6x32xf32>, tensor<16x3x3x8xf32>) -> tensor<1x4x4x16xf32>
  return %y : tensor<1x4x4x16xf32>
}

// -----

// 1-D convolutions vectorize without decomposition.
// CHECK-LABEL: func.func @conv1d
// CHECK:         scf.forall
// CHECK:           vector.contract
// CHECK-NOT:     linalg.conv
func.func @conv1d(%x: tensor<2x16x9xf32>, %w: tensor<32x16x3xf32>) -> tensor<2x32x7xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x16x9xf32>, tensor<32x16x3xf32>) -> tensor<2x32x7xf32>
  return %y : tensor<2x32x7xf32>
}

// -----

// CHECK-LABEL: func.func @depthwise_conv1d_channels_last
// CHECK:         scf.forall
// CHECK:           vector.fma
// CHECK-NOT:     linalg.depthwise_conv
func.func @depthwise_conv1d_channels_last(%x: tensor<2x9x16xf32>, %w: tensor<16x3x1xf32>) -> tensor<2x7x16xf32> {
  %y = convgrad.conv %x, %w groups = 16 layout = channels_last : (tensor<2x9x16xf32>, tensor<16x3x1xf32>) -> tensor<2x7x16xf32>
  return %y : tensor<2x7x16xf32>
}

// -----

// Sizes with no convenient divisors (7 x 5 outputs, 5 and 3 channels) get
// smaller full tiles, never remainder loops or a failure.
// CHECK-LABEL: func.func @odd_sizes
// CHECK:         scf.forall ({{.*}}) = (0, 0) to (1, 7) step (1, 7)
// CHECK:           vector.contract {{.*}} into vector<1x5x3xf32>
// CHECK-NOT:     linalg.conv
func.func @odd_sizes(%x: tensor<1x9x7x5xf32>, %w: tensor<3x3x3x5xf32>) -> tensor<1x7x5x3xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x9x7x5xf32>, tensor<3x3x3x5xf32>) -> tensor<1x7x5x3xf32>
  return %y : tensor<1x7x5x3xf32>
}

// -----

// 14 columns: the register block is 7 columns x 32 channels (14 registers,
// 9 loads per 14 FMAs) rather than the 2 x 64 of the largest divisors
// (6 loads per 8 FMAs). The loop over blocks of output channels is outermost
// in a task (the 590 KB filter fits filter-cache-bytes: no input channel
// blocks). One input channel per reduction step: the input is broadcast from
// memory. The 256 output channels are 8 blocks of the tile's 32: the filter
// (FHWC) is packed once, by one transpose, into [8, KH, KW, C, 32], and the
// tiles read their block from it, contiguous rather than 1 KiB per input
// channel apart.
// CHECK-LABEL: func.func @width14
// CHECK:         %[[EXP:.*]] = tensor.expand_shape %{{.*}} {{\[\[}}0, 1], [2], [3], [4]] output_shape [8, 32, 3, 3, 64]
// CHECK:         %[[PACKED:.*]] = linalg.transpose ins(%[[EXP]] : tensor<8x32x3x3x64xf32>) outs(%{{.*}} : tensor<8x3x3x64x32xf32>) permutation = [0, 2, 3, 4, 1]
// CHECK-NOT:     linalg.transpose
// Each register block starts from zero (written right before its
// reduction loops; LowerVectors keeps the zeros in registers).
// CHECK:         scf.forall ({{.*}}) = (0, 0) to (1, 14) step (1, 7)
// CHECK-NOT:       vector.transfer_write %cst
// CHECK:           scf.for %[[F:.*]] = %c0 to %c256 step %c32
// CHECK-NEXT:        tensor.extract_slice
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c7 step %c1
// CHECK-NEXT:          scf.for %{{.*}} = %c0 to %c14 step %c7
// CHECK-NEXT:            tensor.extract_slice
// CHECK-NEXT:            vector.transfer_write %cst, {{.*}} : vector<1x1x7x32xf32>
// CHECK-NEXT:            scf.for %{{.*}} = %c0 to %c3 step %c1
// CHECK:                 %[[BLOCK:.*]] = affine.apply #{{.*}}(%[[F]])
// CHECK-NEXT:            vector.transfer_read %[[PACKED]][%[[BLOCK]], %{{.*}}, %c0, %{{.*}}, %c0]{{.*}} : tensor<8x3x3x64x32xf32>, vector<3x1x32xf32>
// CHECK:                 vector.contract {{.*}} : vector<1x7x1xf32>, vector<1x32xf32> into vector<1x7x32xf32>
// CHECK-NOT:     linalg.conv
func.func @width14(%x: tensor<1x16x16x64xf32>, %w: tensor<256x3x3x64xf32>) -> tensor<1x14x14x256xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x16x16x64xf32>, tensor<256x3x3x64xf32>) -> tensor<1x14x14x256xf32>
  return %y : tensor<1x14x14x256xf32>
}

// -----

// 56 columns, 64 channels: 4 x 64 (16 registers) beats 8 x 32 and 7 x 32.
// One block covers all output channels: the filter is read in place. Each
// register block is zeroed in its column loop, right before its reduction
// loops (kernel rows, input channels) start from it: no separate pass
// zeroes the task's rows first.
// CHECK-LABEL: func.func @width56
// CHECK-NOT:       tensor.expand_shape
// CHECK-NOT:       linalg.fill
// CHECK:           scf.for %{{.*}} = %c0 to %c56 step %c4
// CHECK-NEXT:        %[[BLOCK:.*]] = tensor.extract_slice
// CHECK-NEXT:        %[[ZEROED:.*]] = vector.transfer_write %cst, %[[BLOCK]]{{.*}} : vector<1x1x4x64xf32>
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args(%{{.*}} = %[[ZEROED]])
// CHECK-NEXT:          scf.for %{{.*}} = %c0 to %c64 step %c1
// CHECK:                 vector.contract {{.*}} : vector<1x4x1xf32>, vector<1x64xf32> into vector<1x4x64xf32>
// CHECK-NOT:       vector.transfer_write %cst
func.func @width56(%x: tensor<1x3x58x64xf32>, %w: tensor<64x3x3x64xf32>) -> tensor<1x1x56x64xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x3x58x64xf32>, tensor<64x3x3x64xf32>) -> tensor<1x1x56x64xf32>
  return %y : tensor<1x1x56x64xf32>
}

// -----

// A 3x3x256x256 filter (2.4 MB) exceeds filter-cache-bytes: blocks of 32
// output x 16 input channels (18 KiB of filter, within three quarters of
// x86-64-v4's 32 KiB L1) sit outside the rows and columns, so one task
// reuses each block from L1; the blocks of output channels read the packed
// filter.
// CHECK-LABEL: func.func @filter_cache_blocks
// CHECK:         %[[PACKED:.*]] = linalg.transpose {{.*}} outs(%{{.*}} : tensor<8x3x3x256x32xf32>)
// CHECK:         scf.forall
// CHECK:           vector.transfer_write %cst
// CHECK:           scf.for %{{.*}} = %c0 to %c256 step %c32
// CHECK-NEXT:        scf.for %{{.*}} = %c0 to %c256 step %c16
// CHECK:               vector.transfer_read %[[PACKED]]
// CHECK:               vector.contract {{.*}} into vector<1x7x32xf32>
func.func @filter_cache_blocks(%x: tensor<1x16x16x256xf32>, %w: tensor<256x3x3x256xf32>) -> tensor<1x14x14x256xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x16x16x256xf32>, tensor<256x3x3x256xf32>) -> tensor<1x14x14x256xf32>
  return %y : tensor<1x14x14x256xf32>
}

// -----

// The same filter with a batch of 2: every task streams the cache-blocked
// filter from beyond L2, so a task takes a whole image of 14 rows (two
// tasks per thread) instead of 7.
// CHECK-LABEL: func.func @filter_cache_blocks_task_rows
// CHECK:         scf.forall ({{.*}}) = (0, 0) to (2, 14) step (1, 14)
// CHECK:             scf.for %{{.*}} = %c0 to %c256 step %c16
// CHECK-NEXT:          tensor.extract_slice
// CHECK-NEXT:          scf.for %{{.*}} = %c0 to %c14 step %c1
func.func @filter_cache_blocks_task_rows(%x: tensor<2x16x16x256xf32>, %w: tensor<256x3x3x256xf32>) -> tensor<2x14x14x256xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<2x16x16x256xf32>, tensor<256x3x3x256xf32>) -> tensor<2x14x14x256xf32>
  return %y : tensor<2x14x14x256xf32>
}

// -----

// A data gradient's filter is the caller's FHWC filter with its channel
// roles swapped (a transpose) and rotated (a reverse). Both fold into the
// packing copy, which reads the caller's taps backwards and moves rows of
// 32 channels: one copy of the filter instead of a reverse and a transpose.
// CHECK:       #[[$PACK:map[0-9]*]] = affine_map<(d0, d1, d2, d3, d4) -> (d3, -d1 + 2, -d2 + 2, d0, d4)>
// CHECK-LABEL: func.func @dgrad_filter_packed_in_one_transpose
// CHECK-SAME:    %{{.*}}: tensor<1x14x14x256xf32>, %[[W:.*]]: tensor<256x3x3x256xf32>
// CHECK-NOT:     linalg.transpose
// CHECK:         %[[EXP:.*]] = tensor.expand_shape %[[W]] {{\[\[}}0], [1], [2], [3, 4]] output_shape [256, 3, 3, 8, 32]
// CHECK-NEXT:    tensor.empty() : tensor<8x3x3x256x32xf32>
// CHECK-NEXT:    %[[PACKED:.*]] = linalg.generic {indexing_maps = [#[[$PACK]], #{{.*}}]{{.*}} ins(%[[EXP]] : tensor<256x3x3x8x32xf32>) outs(%{{.*}} : tensor<8x3x3x256x32xf32>)
// CHECK-NOT:     linalg.transpose
// CHECK-NOT:     linalg.generic
// CHECK:         scf.forall
// CHECK:           vector.transfer_read %[[PACKED]]
// CHECK:           vector.contract {{.*}} into vector<1x7x32xf32>
func.func @dgrad_filter_packed_in_one_transpose(%dy: tensor<1x14x14x256xf32>, %w: tensor<256x3x3x256xf32>) -> tensor<1x14x14x256xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] layout = channels_last
      : (tensor<1x14x14x256xf32>, tensor<256x3x3x256xf32>) -> tensor<1x14x14x256xf32>
  return %dx : tensor<1x14x14x256xf32>
}

// -----

// 3-D: tasks of one output depth plane, tiles of one output and one kernel
// depth, which become 2-D and then 1-D convolutions: vectorized like 2-D.
// CHECK-LABEL: func.func @conv3d_channels_last
// CHECK:         scf.forall ({{.*}}) = (0, 0, 0) to (2, 4, 6) step (1, 1, 6)
// CHECK:           scf.for
// CHECK:             vector.contract {{.*}} : vector<1x6x1xf32>, vector<1x32xf32> into vector<1x6x32xf32>
// CHECK-NOT:     linalg.conv
func.func @conv3d_channels_last(%x: tensor<2x6x8x8x16xf32>, %w: tensor<32x3x3x3x16xf32>) -> tensor<2x4x6x6x32xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<2x6x8x8x16xf32>, tensor<32x3x3x3x16xf32>) -> tensor<2x4x6x6x32xf32>
  return %y : tensor<2x4x6x6x32xf32>
}

// -----

// A grouped 3-D data gradient (bf16, channels-first): a loop over the
// groups of vectorized ungrouped 3-D convolutions.
// CHECK-LABEL: func.func @grouped_dgrad3d_bf16
// CHECK:         scf.for {{.*}} = %c0 to %c2 step %c1
// CHECK:           scf.forall
// CHECK:             vector.contract
// CHECK-NOT:     linalg.conv
// CHECK-NOT:     linalg.generic {{.*}}reduction
func.func @grouped_dgrad3d_bf16(%dy: tensor<2x16x4x4x4xbf16>, %w: tensor<16x8x3x3x3xbf16>) -> tensor<2x16x4x4x4xbf16> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1, 1, 1] groups = 2 : (tensor<2x16x4x4x4xbf16>, tensor<16x8x3x3x3xbf16>) -> tensor<2x16x4x4x4xbf16>
  return %dx : tensor<2x16x4x4x4xbf16>
}

// -----

// Depthwise 3-D.
// CHECK-LABEL: func.func @depthwise_conv3d
// CHECK:         scf.forall
// CHECK:           vector.fma {{.*}} : vector<1x3x32xf32>
// CHECK-NOT:     linalg.depthwise_conv
func.func @depthwise_conv3d(%x: tensor<1x5x5x5x32xf32>, %w: tensor<32x3x3x3x1xf32>) -> tensor<1x3x3x3x32xf32> {
  %y = convgrad.conv %x, %w groups = 32 layout = channels_last : (tensor<1x5x5x5x32xf32>, tensor<32x3x3x3x1xf32>) -> tensor<1x3x3x3x32xf32>
  return %y : tensor<1x3x3x3x32xf32>
}

// -----

// Depthwise with a channel multiplier of 2: the filter is transposed to
// [..., M, C], a loop over the multiplier runs depthwise convolutions
// vectorized along the 32 contiguous channels into an [..., M, C] output
// (the zero fill fused into their tiles), which is transposed back.
// CHECK-LABEL: func.func @depthwise_multiplier
// CHECK:         linalg.transpose {{.*}} permutation = [0, 1, 3, 2]
// CHECK-NOT:     linalg.fill
// CHECK:         scf.for {{.*}} = %c0 to %c2 step %c1
// CHECK:           scf.forall
// CHECK:             vector.transfer_write %cst
// CHECK:             vector.fma {{.*}} : vector<1x4x32xf32>
// CHECK:         linalg.transpose {{.*}} permutation = [0, 1, 2, 4, 3]
// CHECK-NOT:     linalg.depthwise_conv
func.func @depthwise_multiplier(%x: tensor<1x10x10x32xf32>, %w: tensor<64x3x3x1xf32>) -> tensor<1x8x8x64xf32> {
  %y = convgrad.conv %x, %w groups = 32 layout = channels_last : (tensor<1x10x10x32xf32>, tensor<64x3x3x1xf32>) -> tensor<1x8x8x64xf32>
  return %y : tensor<1x8x8x64xf32>
}

// -----

// The data gradient of a depthwise convolution with a channel multiplier of
// 2 (one output and two input channels per group): a loop over the
// multiplier of depthwise convolutions vectorized along the 32 channels,
// not 32 ungrouped convolutions of one output channel.
// CHECK-LABEL: func.func @depthwise_multiplier_dgrad
// CHECK:         scf.for {{.*}} = %c0 to %c2 step %c1
// CHECK:           scf.forall
// CHECK:             vector.fma {{.*}} : vector<1x4x32xf32>
// CHECK-NOT:     linalg.depthwise_conv
// CHECK-NOT:     linalg.conv
func.func @depthwise_multiplier_dgrad(%dy: tensor<1x8x8x64xf32>, %w: tensor<64x3x3x1xf32>) -> tensor<1x8x8x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 32 layout = channels_last : (tensor<1x8x8x64xf32>, tensor<64x3x3x1xf32>) -> tensor<1x8x8x32xf32>
  return %dx : tensor<1x8x8x32xf32>
}

// -----

// Channels-first with few output channels and stride 1 (what
// convgrad-cpu-narrow-convs-to-channels-first leaves): vectors along the
// output width. A register block is 3 filters x 34 columns (16 + 16 + 2
// lanes), each step one input row load per vector and one broadcast filter
// element and FMA per filter; no scalar convolution is left.
// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v4},convgrad-decompose,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize))" | FileCheck %s --check-prefix=WIDTH
// WIDTH-LABEL: func.func @fwd_few_filters_channels_first
// WIDTH:         scf.forall ({{.*}}) = (0, 0) to (2, 8) step (1, 8)
// WIDTH:           scf.for {{.*}} to %c16 step %c1
// WIDTH:             scf.for {{.*}} to %c3 step %c1
// WIDTH-COUNT-6:       vector.transfer_read {{.*}} : tensor<1x3x8x34xf32>, vector<16xf32>
// WIDTH:               vector.transfer_read %arg0{{.*}} : tensor<2x16x10x36xf32>, vector<16xf32>
// WIDTH-COUNT-3:       vector.fma {{.*}} : vector<16xf32>
// WIDTH:               vector.fma {{.*}} : vector<2xf32>
// WIDTH-NOT:     linalg.conv
func.func @fwd_few_filters_channels_first(%x: tensor<2x16x10x36xf32>, %w: tensor<3x16x3x3xf32>) -> tensor<2x3x8x34xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x16x10x36xf32>, tensor<3x16x3x3xf32>) -> tensor<2x3x8x34xf32>
  return %y : tensor<2x3x8x34xf32>
}

// -----

// The same on AVX2 (16 registers): a block of 3 filters x 16 columns of one
// image chains only 6 FMAs per kernel column, which wait on the FMA latency;
// one of two images (12 accumulators) feeds both images' FMAs from the same
// broadcast filter elements. A task takes both images; each step reads
// both images' input rows and interleaves their FMAs.
// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=znver3},convgrad-decompose,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize))" | FileCheck %s --check-prefix=WIDTH-AVX2
// WIDTH-AVX2-LABEL: func.func @fwd_few_filters_two_images
// WIDTH-AVX2:         scf.forall ({{.*}}) = (0, 0) to (2, 8) step (2, 8)
// WIDTH-AVX2:           scf.for {{.*}} to %c16 step %c1
// WIDTH-AVX2:             scf.for {{.*}} to %c3 step %c1
// WIDTH-AVX2-COUNT-12:      vector.transfer_read {{.*}} : tensor<2x3x8x16xf32>, vector<8xf32>
// WIDTH-AVX2:               vector.transfer_read %arg0[%arg2, {{.*}} : tensor<2x16x10x18xf32>, vector<8xf32>
// WIDTH-AVX2-COUNT-6:       vector.fma {{.*}} : vector<8xf32>
// WIDTH-AVX2:               vector.transfer_read %arg0[{{%[0-9]+}}, {{.*}} : tensor<2x16x10x18xf32>, vector<8xf32>
// WIDTH-AVX2-COUNT-6:       vector.fma {{.*}} : vector<8xf32>
// WIDTH-AVX2-NOT:     linalg.conv
// WIDTH-AVX2-LABEL: func.func @fwd_few_filters_one_image
// WIDTH-AVX2:         scf.forall ({{.*}}) = (0, 0) to (1, 8) step (1, 8)
// WIDTH-AVX2-COUNT-6:       vector.transfer_read {{.*}} : tensor<1x3x8x16xf32>, vector<8xf32>
func.func @fwd_few_filters_two_images(%x: tensor<2x16x10x18xf32>, %w: tensor<3x16x3x3xf32>) -> tensor<2x3x8x16xf32> {
  %y = convgrad.conv %x, %w : (tensor<2x16x10x18xf32>, tensor<3x16x3x3xf32>) -> tensor<2x3x8x16xf32>
  return %y : tensor<2x3x8x16xf32>
}
func.func @fwd_few_filters_one_image(%x: tensor<1x16x10x18xf32>, %w: tensor<3x16x3x3xf32>) -> tensor<1x3x8x16xf32> {
  %y = convgrad.conv %x, %w : (tensor<1x16x10x18xf32>, tensor<3x16x3x3xf32>) -> tensor<1x3x8x16xf32>
  return %y : tensor<1x3x8x16xf32>
}

// -----

// 67 output channels (prime) and 17 columns: no divisor gives a full vector
// or a useful row block. The strategy splits the channels (64 + 3) into
// static parts, and each part its columns by its own register blocks: the
// 64 channels into 12 columns of 4 x 64 blocks and 5 of 5 x 32 (a 1-column
// part of 4 x 64 would wait on the FMA latency), the 3 channels into 16 of
// 8 x 3 and 1. Every part is tiled without remainder and vectorized: the
// 3-channel remainder is a narrow vector (vector<...x3xf32>), not a scalar
// loop, and every part is written into its slice of the result. Each part
// zeroes its own accumulators (fused fills): no fill of the whole result
// before them.
// CHECK-LABEL: func.func @fwd_prime_channels
// CHECK-NOT:     linalg.fill
// CHECK:         scf.forall {{.*}} -> (tensor<1x4x12x64xf32>)
// CHECK:           vector.contract {{.*}} : vector<1x4x1xf32>, vector<1x64xf32> into vector<1x4x64xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 4, 12, 64] [1, 1, 1, 1]
// CHECK:         scf.forall {{.*}} -> (tensor<1x4x5x64xf32>)
// CHECK:           vector.contract {{.*}} : vector<1x5x1xf32>, vector<1x32xf32> into vector<1x5x32xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 12, 0] [1, 4, 5, 64] [1, 1, 1, 1]
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 4, 17, 64] [1, 1, 1, 1]
// CHECK:         scf.forall {{.*}} -> (tensor<1x4x16x3xf32>)
// CHECK:           vector.contract {{.*}} : vector<1x8x1xf32>, vector<1x3xf32> into vector<1x8x3xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 0, 0] [1, 4, 16, 3] [1, 1, 1, 1]
// CHECK:         scf.forall {{.*}} -> (tensor<1x4x1x3xf32>)
// CHECK:           vector.contract {{.*}} into vector<1x1x3xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 16, 0] [1, 4, 1, 3] [1, 1, 1, 1]
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 0, 64] [1, 4, 17, 3] [1, 1, 1, 1]
// CHECK-NOT:     linalg.conv
// CHECK-NOT:     linalg.fill
func.func @fwd_prime_channels(%x: tensor<1x6x19x8xf32>, %w: tensor<67x3x3x8xf32>) -> tensor<1x4x17x67xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x6x19x8xf32>, tensor<67x3x3x8xf32>) -> tensor<1x4x17x67xf32>
  return %y : tensor<1x4x17x67xf32>
}

// -----

// A data gradient with 35 = 32 + 3 output channels, 35 reduction channels:
// the 3-channel part runs its vector lanes along the reduction channels
// (cpu::chooseReductionLaneColumns): its filter transposed to [F, KH, KW, C],
// per block of 6 columns 3 x 6 accumulators of 16 partial sums over the
// taps and the channels (the 2 whole vectors of 32 unrolled, no loop:
// cpu::getReductionLaneUnroll; the last 3 in a masked read: no in_bounds),
// then a tree of shuffles and adds (createLaneSums) gives the block's 18
// outputs in the row's order, stored as one 6 x 3 block, and a block of the
// 3 remaining columns. No narrow vector<...x3> contraction, no scalar loop,
// no scalar reduction.
// CHECK-LABEL: func.func @dgrad_remainder_reduction_lanes
// CHECK:         vector.contract {{.*}} into vector<1x{{[0-9]+}}x32xf32>
// CHECK:         %[[PACKED:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x3x35x3xf32>) outs(%{{.*}} : tensor<3x3x3x35xf32>) permutation = [3, 0, 1, 2]
// CHECK:         scf.forall {{.*}} -> (tensor<1x6x9x3xf32>)
// CHECK-NOT:       vector.contract
// CHECK:           scf.for {{.*}} step %c6
// CHECK-COUNT-18:    vector<16xf32>
// CHECK-NOT:         scf.for {{.*}} step %c16
// CHECK-COUNT-3:     vector.transfer_read %[[PACKED]]{{.*}}, %c0], %{{.*}} {in_bounds = [true]} : tensor<3x3x3x35xf32>, vector<16xf32>
// CHECK-COUNT-18:    vector.fma {{.*}} : vector<16xf32>
// CHECK-COUNT-3:     vector.transfer_read %[[PACKED]]{{.*}}, %c16], %{{.*}} {in_bounds = [true]} : tensor<3x3x3x35xf32>, vector<16xf32>
// CHECK-COUNT-18:    vector.fma {{.*}} : vector<16xf32>
// CHECK:             vector.transfer_read %[[PACKED]]{{.*}}, %c32], %{{[^ ]*}} : tensor<3x3x3x35xf32>, vector<16xf32>
// CHECK:             vector.transfer_read %{{.*}}, %c32], %{{[^ ]*}} : tensor<1x8x11x35xf32>, vector<16xf32>
// CHECK-NOT:       vector.reduction
// CHECK:           vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK:           arith.addf {{.*}} fastmath<reassoc> : vector<16xf32>
// CHECK:           %[[SUMS:.*]] = vector.shape_cast %{{.*}} : vector<18xf32> to vector<6x3xf32>
// CHECK:           vector.transfer_write %{{.*}} {in_bounds = [true, true]} : vector<6x3xf32>, tensor<1x6x9x3xf32>
// CHECK-COUNT-9:   vector.fma {{.*}} : vector<16xf32>
// CHECK:           vector.shape_cast %{{.*}} : vector<9xf32> to vector<3x3xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 0, 32] [1, 6, 9, 3]
// CHECK-NOT:     vector.contract
// CHECK-NOT:     linalg.conv
func.func @dgrad_remainder_reduction_lanes(%dy: tensor<1x6x9x35xf32>, %w: tensor<35x3x3x35xf32>) -> tensor<1x6x9x35xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] layout = channels_last
      : (tensor<1x6x9x35xf32>, tensor<35x3x3x35xf32>) -> tensor<1x6x9x35xf32>
  return %dx : tensor<1x6x9x35xf32>
}

// -----

// 96 channels: 32-lane blocks (two registers), never 48 lanes (three, which
// LLVM widens to four and scalarizes where the loop carries them).
// CHECK-LABEL: func.func @fwd_96_channels
// CHECK:         vector.contract {{.*}} : vector<1x7x1xf32>, vector<1x32xf32> into vector<1x7x32xf32>
// CHECK-NOT:     vector<{{[0-9x]*}}48xf32>
// CHECK-NOT:     linalg.conv
func.func @fwd_96_channels(%x: tensor<1x3x37x8xf32>, %w: tensor<96x3x3x8xf32>) -> tensor<1x1x35x96xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x3x37x8xf32>, tensor<96x3x3x8xf32>) -> tensor<1x1x35x96xf32>
  return %y : tensor<1x1x35x96xf32>
}
