// --convgrad-decompose="dgrad-strategy=phase": a strided dgrad split by output
// phase into stride-1 convolutions over only the taps that reach each phase,
// interleaved with strided inserts (no MAC on an inserted zero).
// RUN: convgrad-opt %s -split-input-file --convgrad-decompose="dgrad-strategy=phase" | FileCheck %s

// H = 8, K = 3, s = 2, lo = hi = 1: O = floor((8 + 2 - 3) / 2) + 1 = 4.
// Even rows i = 2t: o*2 + k - 1 = 2t needs k = 1, o = t:
//   dx[2t] = dy[t] w[1]                       (taps [1], no re-padding)
// Odd rows i = 2t + 1: k = 0 (o = t + 1) or k = 2 (o = t):
//   dx[2t+1] = dy[t] w[2] + dy[t+1] w[0]      (taps [0, 2] reversed, dy padded
//                                              by 1 at the end: 4 + 1 = 5 = T + J - 1)
// CHECK-LABEL: func.func @dgrad_phase
// CHECK-SAME:    (%[[DY:.*]]: tensor<1x4x4xf32>, %[[W:.*]]: tensor<4x2x3xf32>)
// CHECK-NOT:     linalg.fill
// CHECK:         %[[OUT:.*]] = tensor.empty() : tensor<1x2x8xf32>
// The gradient is padded once by the largest amounts (phase 1's); phase 0
// reads a window of it.
// CHECK:         %[[WT:.*]] = linalg.transpose ins(%[[W]] {{.*}} permutation = [1, 0, 2]
// CHECK:         %[[P:.*]] = tensor.pad %[[DY]] low[0, 0, 0] high[0, 0, 1]
// CHECK:         %[[T0:.*]] = tensor.extract_slice %[[WT]][0, 0, 1] [2, 4, 1] [1, 1, 2]
// CHECK:         %[[P0:.*]] = tensor.extract_slice %[[P]][0, 0, 0] [1, 4, 4] [1, 1, 1]
// CHECK:         %[[C0:.*]] = convgrad.conv %[[P0]], %[[T0]] : (tensor<1x4x4xf32>, tensor<2x4x1xf32>) -> tensor<1x2x4xf32>
// CHECK:         %[[I0:.*]] = tensor.insert_slice %[[C0]] into %[[OUT]][0, 0, 0] [1, 2, 4] [1, 1, 2]
// CHECK:         %[[T1:.*]] = tensor.extract_slice %[[WT]][0, 0, 0] [2, 4, 2] [1, 1, 2]
// CHECK:         %[[R1:.*]] = convgrad.reverse %[[T1]] dimensions = [2]
// CHECK:         %[[C1:.*]] = convgrad.conv %[[P]], %[[R1]] : (tensor<1x4x5xf32>, tensor<2x4x2xf32>) -> tensor<1x2x4xf32>
// CHECK:         %[[I1:.*]] = tensor.insert_slice %[[C1]] into %[[I0]][0, 0, 1] [1, 2, 4] [1, 1, 2]
// CHECK:         return %[[I1]]
func.func @dgrad_phase(%dy: tensor<1x4x4xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x2x8xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2] padding = [1, 1] : (tensor<1x4x4xf32>, tensor<4x2x3xf32>) -> tensor<1x2x8xf32>
  return %dx : tensor<1x2x8xf32>
}

// -----

// Stride 3 > K = 2, no padding, H = 7: O = floor((7 - 2) / 3) + 1 = 2.
// Rows i = 3t + r read k = r (r = 0, 1); rows with r = 2 are reached by no
// tap: the result starts zero-filled and phase 2 is skipped. Phases 0 and 1
// have T = 3 and 2 outputs.
// CHECK-LABEL: func.func @dgrad_stride_above_kernel
// CHECK:         %[[Z:.*]] = linalg.fill
// CHECK:         convgrad.conv {{.*}} -> tensor<1x1x3xf32>
// CHECK:         tensor.insert_slice {{.*}} into %[[Z]][0, 0, 0] [1, 1, 3] [1, 1, 3]
// CHECK:         convgrad.conv {{.*}} -> tensor<1x1x2xf32>
// CHECK:         tensor.insert_slice {{.*}}[0, 0, 1] [1, 1, 2] [1, 1, 3]
// CHECK-NOT:     convgrad.conv
func.func @dgrad_stride_above_kernel(%dy: tensor<1x1x2xf32>, %w: tensor<1x1x2xf32>) -> tensor<1x1x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [3] : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x7xf32>
  return %dx : tensor<1x1x7xf32>
}

// -----

// 2-D stride (2, 2): four phase combinations, one convolution each.
// CHECK-LABEL: func.func @dgrad_2d
// CHECK-COUNT-4: convgrad.conv
// CHECK-NOT:     convgrad.conv
// CHECK-NOT:     convgrad.insert_zeros
func.func @dgrad_2d(%dy: tensor<2x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<2x4x8x8xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<2x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<2x4x8x8xf32>
  return %dx : tensor<2x4x8x8xf32>
}

// -----

// An unknown strategy is an error, not a silent default.
// RUN: not convgrad-opt %s -split-input-file --convgrad-decompose="dgrad-strategy=magic" 2>&1 | FileCheck %s --check-prefix=BAD
// BAD: for the --dgrad-strategy option: Cannot find option named 'magic'!
func.func @unused() {
  return
}

// -----

// A stride of 2^31 - 1, far beyond the kernel extent 3 (K = 2, d = 2,
// lo = 1): only the residues of the two taps, (0*2 - 1) mod s = s - 1 (no
// position: H = 5) and 1*2 - 1 = 1, can hold a phase, so one fill and one
// phase, whatever the stride (the phases used to be one per residue).
// CHECK-LABEL: func.func @dgrad_huge_stride
// CHECK:         %[[Z:.*]] = linalg.fill
// CHECK:         %[[C:.*]] = convgrad.conv {{.*}} -> tensor<2x3x1xf32>
// CHECK:         %[[I:.*]] = tensor.insert_slice %[[C]] into %[[Z]][0, 0, 1] [2, 3, 1] [1, 1, 2147483647]
// CHECK-NOT:     convgrad.conv
// CHECK-NOT:     tensor.insert_slice
// CHECK:         return %[[I]]
func.func @dgrad_huge_stride(%dy: tensor<2x4x1xf32>, %w: tensor<4x3x2xf32>) -> tensor<2x3x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2147483647] padding = [1, 0] dilations = [2] : (tensor<2x4x1xf32>, tensor<4x3x2xf32>) -> tensor<2x3x5xf32>
  return %dx : tensor<2x3x5xf32>
}

// -----

// No tap reaches any position (H = 1, the single tap reads the padding at
// residue (0 - 1) mod 3 = 2 >= H): no phase at all, the gradient is the zero
// fill (this dimension without a phase used to index an empty phase list).
// CHECK-LABEL: func.func @dgrad_no_phase
// CHECK:         %[[Z:.*]] = linalg.fill
// CHECK-NOT:     convgrad.conv
// CHECK-NOT:     tensor.insert_slice
// CHECK:         return %[[Z]]
func.func @dgrad_no_phase(%dy: tensor<1x1x1xf32>, %w: tensor<1x1x1xf32>) -> tensor<1x1x1xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [3] padding = [1, 0] : (tensor<1x1x1xf32>, tensor<1x1x1xf32>) -> tensor<1x1x1xf32>
  return %dx : tensor<1x1x1xf32>
}
