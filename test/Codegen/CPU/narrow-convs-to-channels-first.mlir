// convgrad-cpu-narrow-convs-to-channels-first: channels-last convolutions
// with few output channels per group become channels-first ones (vectorized
// along the output width by convgrad-tile-and-vectorize), as decided by
// cpu::vectorizeAlongWidth for the module's target, unless their lanes run
// better along their reduction channels (cpu::prefersReductionLanes); the
// layout changes fold.

// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v4},convgrad-decompose{dgrad-strategy=phase},convgrad-convert-to-channels-last,convgrad-cpu-narrow-convs-to-channels-first,canonicalize,cse)" | FileCheck %s --check-prefixes=CHECK,AVX512
// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=x86-64-v3},convgrad-decompose{dgrad-strategy=phase},convgrad-convert-to-channels-last,convgrad-cpu-narrow-convs-to-channels-first,canonicalize,cse)" | FileCheck %s --check-prefixes=CHECK,AVX2

// The RGB stem's data gradient (channels-last, as TOSA gives it): its four
// stride phases output 3 channels from 64, whole vectors on both targets,
// over 9-16 taps: their lanes run along the 64 channels
// (cpu::prefersReductionLanes), so all stay channels-last and nothing but
// the filter changes layout.
// CHECK-LABEL: func.func @stem_dgrad
// CHECK-NOT:     linalg.transpose ins(%{{.*}} : tensor<2x
// CHECK-COUNT-4: convgrad.conv %{{.*}} layout = channels_last : (tensor<2x{{.*}}x64xf32>, tensor<3x{{.*}}x64xf32>) -> tensor<2x16x16x3xf32>
// CHECK-NOT:     linalg.transpose
// CHECK:         return
func.func @stem_dgrad(%dy: tensor<2x16x16x64xf32>, %w: tensor<64x7x7x3xf32>) -> tensor<2x32x32x3xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [3, 3, 3, 3] layout = channels_last
    : (tensor<2x16x16x64xf32>, tensor<64x7x7x3xf32>) -> tensor<2x32x32x3xf32>
  return %dx : tensor<2x32x32x3xf32>
}

// -----

// Channels-first, as convgrad-bench gives it: the phases stay channels-last
// too, between one transpose of the output gradient (before its padding)
// and one of the interleaved result.
// CHECK-LABEL: func.func @stem_dgrad_channels_first
// CHECK:         %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x64x16x16xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:         tensor.pad %[[DYT]] low[0, 1, 1, 0] high[0, 2, 2, 0]
// CHECK-COUNT-4: convgrad.conv %{{.*}} layout = channels_last {{.*}} -> tensor<2x16x16x3xf32>
// CHECK:         %[[T:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x32x32x3xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK:         return %[[T]]
func.func @stem_dgrad_channels_first(%dy: tensor<2x64x16x16xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<2x3x32x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [3, 3, 3, 3]
    : (tensor<2x64x16x16xf32>, tensor<64x3x7x7xf32>) -> tensor<2x3x32x32xf32>
  return %dx : tensor<2x3x32x32xf32>
}

// -----

// With 4 channels, less than a vector on both targets, the phases take the
// width form: the output gradient changes layout once for all phases,
// before it is padded (in the phases' layout), each phase is a
// channels-first convolution, the phases are interleaved channels-first and
// one transpose gives the result's layout.
// CHECK-LABEL: func.func @few_channels_stem_dgrad
// CHECK:         %[[DYT:.*]] = linalg.transpose ins(%{{.*}} : tensor<2x16x16x4xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK:         tensor.pad %[[DYT]] low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK-NOT:     linalg.transpose ins(%{{.*}} : tensor<2x{{.*}}x4xf32>)
// CHECK-COUNT-4: convgrad.conv %{{.*}} : (tensor<2x4x{{.*}}xf32>, tensor<3x4x{{.*}}xf32>) -> tensor<2x3x16x16xf32>
// CHECK:         %[[DX:.*]] = tensor.insert_slice {{.*}}[0, 0, 1, 1] [2, 3, 16, 16] [1, 1, 2, 2] : tensor<2x3x16x16xf32> into tensor<2x3x32x32xf32>
// CHECK:         %[[T:.*]] = linalg.transpose ins(%[[DX]] : tensor<2x3x32x32xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:         return %[[T]]
func.func @few_channels_stem_dgrad(%dy: tensor<2x16x16x4xf32>, %w: tensor<4x7x7x3xf32>) -> tensor<2x32x32x3xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [3, 3, 3, 3] layout = channels_last
    : (tensor<2x16x16x4xf32>, tensor<4x7x7x3xf32>) -> tensor<2x32x32x3xf32>
  return %dx : tensor<2x32x32x3xf32>
}

// -----

// 8 output channels fill half of AVX-512's 16 lanes, and a 64-column row
// fills whole vectors: channels-first. They fill AVX2's 8 lanes:
// channels-last stays.
// CHECK-LABEL: func.func @eight_filters
// AVX512:        convgrad.conv %{{.*}} -> tensor<2x8x64x64xf32>
// AVX2:          convgrad.conv %{{.*}} layout = channels_last {{.*}} -> tensor<2x64x64x8xf32>
func.func @eight_filters(%x: tensor<2x64x64x16xf32>, %w: tensor<8x3x3x16xf32>) -> tensor<2x64x64x8xf32> {
  %y = convgrad.conv %x, %w padding = [1, 1, 1, 1] layout = channels_last
    : (tensor<2x64x64x16xf32>, tensor<8x3x3x16xf32>) -> tensor<2x64x64x8xf32>
  return %y : tensor<2x64x64x8xf32>
}

// -----

// Left channels-last: 16 output channels (full lanes), a strided forward
// convolution (its input rows are not contiguous), a depthwise one and a
// 3-D one.
// CHECK-LABEL: func.func @kept
// CHECK-NOT:     linalg.transpose
// CHECK-COUNT-4: layout = channels_last
// CHECK-NOT:     linalg.transpose
func.func @kept(%x: tensor<2x64x64x16xf32>, %w: tensor<16x3x3x16xf32>, %ws: tensor<3x3x3x16xf32>,
                %wd: tensor<16x3x3x1xf32>, %x3: tensor<2x8x32x32x4xf32>, %w3: tensor<2x3x3x3x4xf32>)
    -> (tensor<2x64x64x16xf32>, tensor<2x32x32x3xf32>, tensor<2x64x64x16xf32>, tensor<2x8x32x32x2xf32>) {
  %a = convgrad.conv %x, %w padding = [1, 1, 1, 1] layout = channels_last
    : (tensor<2x64x64x16xf32>, tensor<16x3x3x16xf32>) -> tensor<2x64x64x16xf32>
  %b = convgrad.conv %x, %ws strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last
    : (tensor<2x64x64x16xf32>, tensor<3x3x3x16xf32>) -> tensor<2x32x32x3xf32>
  %c = convgrad.conv %x, %wd padding = [1, 1, 1, 1] groups = 16 layout = channels_last
    : (tensor<2x64x64x16xf32>, tensor<16x3x3x1xf32>) -> tensor<2x64x64x16xf32>
  %d = convgrad.conv %x3, %w3 padding = [1, 1, 1, 1, 1, 1] layout = channels_last
    : (tensor<2x8x32x32x4xf32>, tensor<2x3x3x3x4xf32>) -> tensor<2x8x32x32x2xf32>
  return %a, %b, %c, %d : tensor<2x64x64x16xf32>, tensor<2x32x32x3xf32>, tensor<2x64x64x16xf32>, tensor<2x8x32x32x2xf32>
}

// -----

// Channels-first data with a short reduction (the data gradient of a
// MobileNet pointwise layer, 32 -> 16 channels: 16 terms per output): the
// width form saves the transposes of dy and dx, which cost more than its 32
// filters fill channels-last. No transpose of the data is left (only the
// filter's, FCHW -> CFHW).
// CHECK-LABEL: func.func @pointwise_dgrad_channels_first
// CHECK-NOT:     linalg.transpose ins(%{{.*}} : tensor<2x{{.*}}x64x64xf32>)
// CHECK:         convgrad.conv %{{.*}} : (tensor<2x16x64x64xf32>, tensor<32x16x1x1xf32>) -> tensor<2x32x64x64xf32>
// CHECK-NOT:     linalg.transpose
// CHECK:         return
func.func @pointwise_dgrad_channels_first(%dy: tensor<2x16x64x64xf32>, %w: tensor<16x32x1x1xf32>) -> tensor<2x32x64x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w
    : (tensor<2x16x64x64xf32>, tensor<16x32x1x1xf32>) -> tensor<2x32x64x64xf32>
  return %dx : tensor<2x32x64x64xf32>
}

// -----

// The same layer channels-last: no transpose to save, and 32 filters fill
// whole vectors: channels-last stays (only the filter is transposed).
// CHECK-LABEL: func.func @pointwise_dgrad_channels_last
// CHECK-NOT:     linalg.transpose ins(%{{.*}} : tensor<2x
// CHECK:         convgrad.conv %{{.*}} layout = channels_last {{.*}} -> tensor<2x64x64x32xf32>
// CHECK-NOT:     linalg.transpose
func.func @pointwise_dgrad_channels_last(%dy: tensor<2x64x64x16xf32>, %w: tensor<16x1x1x32xf32>) -> tensor<2x64x64x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w layout = channels_last
    : (tensor<2x64x64x16xf32>, tensor<16x1x1x32xf32>) -> tensor<2x64x64x32xf32>
  return %dx : tensor<2x64x64x32xf32>
}

// -----

// 16 -> 96 channels: forward, 16 terms per output and 96 + 16 channels
// transposed per 96 outputs (13.7 terms per moved element); its data
// gradient, 96 terms and 7 moved elements per output (likewise 13.7). A
// moved element is worth 4 vectors of FMAs (64 terms on AVX-512, 32 on
// AVX2), so both take the width form.
// CHECK-LABEL: func.func @pointwise_expand_channels_first
// CHECK:         convgrad.conv %{{.*}} : (tensor<2x16x64x64xf32>, tensor<96x16x1x1xf32>) -> tensor<2x96x64x64xf32>
// CHECK:         convgrad.conv %{{.*}} : (tensor<2x96x64x64xf32>, tensor<16x96x1x1xf32>) -> tensor<2x16x64x64xf32>
func.func @pointwise_expand_channels_first(%x: tensor<2x16x64x64xf32>, %w: tensor<96x16x1x1xf32>, %dy: tensor<2x96x64x64xf32>)
    -> (tensor<2x96x64x64xf32>, tensor<2x16x64x64xf32>) {
  %y = convgrad.conv %x, %w : (tensor<2x16x64x64xf32>, tensor<96x16x1x1xf32>) -> tensor<2x96x64x64xf32>
  %dx = convgrad.conv_backward_data %dy, %w
    : (tensor<2x96x64x64xf32>, tensor<96x16x1x1xf32>) -> tensor<2x16x64x64xf32>
  return %y, %dx : tensor<2x96x64x64xf32>, tensor<2x16x64x64xf32>
}

// -----

// The data gradient of a 64 -> 256 pointwise layer: 256 terms, 5 moved
// elements per output (51 per moved element): the width form on AVX-512
// (within 64), channels-last on AVX2 (beyond 32).
// CHECK-LABEL: func.func @pointwise_wide_dgrad
// AVX512:        convgrad.conv %{{.*}} : (tensor<2x256x16x64xf32>, tensor<64x256x1x1xf32>) -> tensor<2x64x16x64xf32>
// AVX2:          convgrad.conv %{{.*}} layout = channels_last {{.*}} -> tensor<2x16x64x64xf32>
func.func @pointwise_wide_dgrad(%dy: tensor<2x256x16x64xf32>, %w: tensor<256x64x1x1xf32>) -> tensor<2x64x16x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w
    : (tensor<2x256x16x64xf32>, tensor<256x64x1x1xf32>) -> tensor<2x64x16x64xf32>
  return %dx : tensor<2x64x16x64xf32>
}

// -----

// A 3x3 layer (32 channels: 288 terms per output, 2 moved elements):
// the transposes are cheap next to the reduction; channels-last stays.
// CHECK-LABEL: func.func @conv3x3_dgrad_channels_first
// CHECK:         convgrad.conv %{{.*}} layout = channels_last {{.*}} -> tensor<2x64x64x32xf32>
func.func @conv3x3_dgrad_channels_first(%dy: tensor<2x32x64x64xf32>, %w: tensor<32x32x3x3xf32>) -> tensor<2x32x64x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
    : (tensor<2x32x64x64xf32>, tensor<32x32x3x3xf32>) -> tensor<2x32x64x64xf32>
  return %dx : tensor<2x32x64x64xf32>
}

// -----

// 67 channels of a channels-first data gradient on AVX-512: 64 in whole
// vectors stay a
// channels-last convolution, the 3-channel lane remainder becomes a
// channels-first one (vectorized along the width) that reads a padded
// channels-first copy of the output gradient and writes its channels of the
// result in place; the others are transposed into the rest
// (cpu::channelsFirstRemainderSplit).
// CHECK-LABEL: func.func @odd_channels_dgrad
// AVX512-SAME:    (%[[DY:.*]]: tensor<2x67x48x48xf32>,
// AVX512:        %[[PAD_CL:.*]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 1, 1, 0]
// AVX512:        %[[PAD_CF:.*]] = tensor.pad %[[DY]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// AVX512:        %[[REM:.*]] = convgrad.conv %[[PAD_CF]], %{{.*}} : (tensor<2x67x50x50xf32>, tensor<3x67x3x3xf32>) -> tensor<2x3x48x48xf32>
// AVX512:        %[[DEST:.*]] = tensor.empty() : tensor<2x67x48x48xf32>
// AVX512:        %[[WITH_REM:.*]] = tensor.insert_slice %[[REM]] into %[[DEST]][0, 64, 0, 0] [2, 3, 48, 48]
// AVX512:        %[[MAIN:.*]] = convgrad.conv %[[PAD_CL]], %{{.*}} layout = channels_last : (tensor<2x50x50x67xf32>, tensor<64x3x3x67xf32>) -> tensor<2x48x48x64xf32>
// AVX512:        %[[MAIN_CF:.*]] = linalg.transpose ins(%[[MAIN]] : {{.*}}) {{.*}} permutation = [0, 3, 1, 2]
// AVX512:        %[[DX:.*]] = tensor.insert_slice %[[MAIN_CF]] into %[[WITH_REM]][0, 0, 0, 0] [2, 64, 48, 48]
// AVX512:        return %[[DX]]
// On AVX2 the 3 channels fill 3 of 8 lanes: one channels-last convolution.
// AVX2:          convgrad.conv %{{.*}} layout = channels_last : (tensor<2x50x50x67xf32>, tensor<67x3x3x67xf32>) -> tensor<2x48x48x67xf32>
// AVX2-NOT:      convgrad.conv
func.func @odd_channels_dgrad(%dy: tensor<2x67x48x48xf32>, %w: tensor<67x67x3x3xf32>) -> tensor<2x67x48x48xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
    : (tensor<2x67x48x48xf32>, tensor<67x67x3x3xf32>) -> tensor<2x67x48x48xf32>
  return %dx : tensor<2x67x48x48xf32>
}

// -----

// Channels-last data: no channels-first input or result to use, the 67
// channels stay one channels-last convolution.
// CHECK-LABEL: func.func @odd_channels_dgrad_channels_last
// CHECK:         convgrad.conv %{{.*}} layout = channels_last : (tensor<2x50x50x67xf32>, tensor<67x3x3x67xf32>) -> tensor<2x48x48x67xf32>
// CHECK-NOT:     convgrad.conv
func.func @odd_channels_dgrad_channels_last(%dy: tensor<2x48x48x67xf32>, %w: tensor<67x3x3x67xf32>) -> tensor<2x48x48x67xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] layout = channels_last
    : (tensor<2x48x48x67xf32>, tensor<67x3x3x67xf32>) -> tensor<2x48x48x67xf32>
  return %dx : tensor<2x48x48x67xf32>
}

// -----

// A forward convolution with a bias and its own padding: the bias splits
// with the filters, the remainder reads the channels-first input in place
// (convgrad-to-linalg pads it).
// CHECK-LABEL: func.func @odd_channels_forward_bias
// AVX512-SAME:    (%[[X:.*]]: tensor<2x67x48x48xf32>, %{{.*}}: tensor<67x67x3x3xf32>, %[[B:.*]]: tensor<67xf32>)
// AVX512:        %[[B_REM:.*]] = tensor.extract_slice %[[B]][64] [3] [1]
// AVX512:        convgrad.conv %[[X]], %{{.*}}, %[[B_REM]] padding = [1, 1, 1, 1] : {{.*}} -> tensor<2x3x48x48xf32>
// AVX512:        %[[B_MAIN:.*]] = tensor.extract_slice %[[B]][0] [64] [1]
// AVX512:        convgrad.conv %{{.*}}, %{{.*}}, %[[B_MAIN]] padding = [1, 1, 1, 1] layout = channels_last : {{.*}} -> tensor<2x48x48x64xf32>
// AVX2:          convgrad.conv %{{.*}} -> tensor<2x48x48x67xf32>
// AVX2-NOT:      convgrad.conv
func.func @odd_channels_forward_bias(%x: tensor<2x67x48x48xf32>, %w: tensor<67x67x3x3xf32>, %b: tensor<67xf32>) -> tensor<2x67x48x48xf32> {
  %y = convgrad.conv %x, %w, %b padding = [1, 1, 1, 1]
    : (tensor<2x67x48x48xf32>, tensor<67x67x3x3xf32>, tensor<67xf32>) -> tensor<2x67x48x48xf32>
  return %y : tensor<2x67x48x48xf32>
}
