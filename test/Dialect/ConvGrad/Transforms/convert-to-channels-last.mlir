// RUN: convgrad-opt %s --convgrad-convert-to-channels-last | FileCheck %s

// NCHW input and FCHW filter are transposed to NHWC and FHWC, the
// convolution runs channels-last (groups kept), and its NHWC result is
// transposed back to NCHW.
// CHECK-LABEL: func.func @grouped
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8x5x5xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>)
// CHECK:         %[[XT:.*]] = linalg.transpose ins(%[[X]] : tensor<1x8x5x5xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:         %[[WT:.*]] = linalg.transpose ins(%[[W]] : tensor<6x4x3x3xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:         %[[Y:.*]] = convgrad.conv %[[XT]], %[[WT]] groups = 2 layout = channels_last : (tensor<1x5x5x8xf32>, tensor<6x3x3x4xf32>) -> tensor<1x3x3x6xf32>
// CHECK:         %[[YT:.*]] = linalg.transpose ins(%[[Y]] : tensor<1x3x3x6xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK:         return %[[YT]]
func.func @grouped(%x: tensor<1x8x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 2 : (tensor<1x8x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// Channels-last convolutions are left alone.
// CHECK-LABEL: func.func @already_last
// CHECK-NOT:     linalg.transpose
// CHECK:         convgrad.conv {{.*}} layout = channels_last
func.func @already_last(%x: tensor<1x5x5x8xf32>, %w: tensor<6x3x3x8xf32>) -> tensor<1x3x3x6xf32> {
  %y = convgrad.conv %x, %w layout = channels_last : (tensor<1x5x5x8xf32>, tensor<6x3x3x8xf32>) -> tensor<1x3x3x6xf32>
  return %y : tensor<1x3x3x6xf32>
}

// The stride phases of a data gradient that reach every position: their
// strided inserts move into the phases' channels-last layout (whole channel
// rows), the per-phase transposes cancel and one transpose of the result
// remains.
// CHECK-LABEL: func.func @phases_cover_result
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<1x4x4x8xf32>
// CHECK:         %[[I0:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0, 0, 0] [1, 2, 4, 8] [1, 2, 1, 1]
// CHECK:         %[[I1:.*]] = tensor.insert_slice %{{.*}} into %[[I0]][0, 1, 0, 0] [1, 2, 4, 8] [1, 2, 1, 1]
// CHECK:         %[[T:.*]] = linalg.transpose ins(%[[I1]] : tensor<1x4x4x8xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK:         return %[[T]]
func.func @phases_cover_result(%a: tensor<1x2x4x8xf32>, %b: tensor<1x2x4x8xf32>) -> tensor<1x8x4x4xf32> {
  %ea = tensor.empty() : tensor<1x8x2x4xf32>
  %ta = linalg.transpose ins(%a : tensor<1x2x4x8xf32>) outs(%ea : tensor<1x8x2x4xf32>) permutation = [0, 3, 1, 2]
  %eb = tensor.empty() : tensor<1x8x2x4xf32>
  %tb = linalg.transpose ins(%b : tensor<1x2x4x8xf32>) outs(%eb : tensor<1x8x2x4xf32>) permutation = [0, 3, 1, 2]
  %dx = tensor.empty() : tensor<1x8x4x4xf32>
  %i0 = tensor.insert_slice %ta into %dx[0, 0, 0, 0] [1, 8, 2, 4] [1, 1, 2, 1] : tensor<1x8x2x4xf32> into tensor<1x8x4x4xf32>
  %i1 = tensor.insert_slice %tb into %i0[0, 0, 1, 0] [1, 8, 2, 4] [1, 1, 2, 1] : tensor<1x8x2x4xf32> into tensor<1x8x4x4xf32>
  return %i1 : tensor<1x8x4x4xf32>
}

// A phase that reaches only part of the result (1x1 stride 2): the zero
// fill stays channels-first and only the phase is transposed, not the
// four times larger result.
// CHECK-LABEL: func.func @phase_into_fill
// CHECK-SAME:    (%[[A:.*]]: tensor<1x2x2x8xf32>)
// CHECK:         %[[T:.*]] = linalg.transpose ins(%[[A]] : tensor<1x2x2x8xf32>) {{.*}} permutation = [0, 3, 1, 2]
// CHECK:         %[[F:.*]] = linalg.fill {{.*}} -> tensor<1x8x4x4xf32>
// CHECK:         %[[I:.*]] = tensor.insert_slice %[[T]] into %[[F]][0, 0, 0, 0] [1, 8, 2, 2] [1, 1, 2, 2]
// CHECK-NOT:     linalg.transpose
// CHECK:         return %[[I]]
func.func @phase_into_fill(%a: tensor<1x2x2x8xf32>) -> tensor<1x8x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %ea = tensor.empty() : tensor<1x8x2x2xf32>
  %ta = linalg.transpose ins(%a : tensor<1x2x2x8xf32>) outs(%ea : tensor<1x8x2x2xf32>) permutation = [0, 3, 1, 2]
  %e = tensor.empty() : tensor<1x8x4x4xf32>
  %dx = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x4x4xf32>) -> tensor<1x8x4x4xf32>
  %i = tensor.insert_slice %ta into %dx[0, 0, 0, 0] [1, 8, 2, 2] [1, 1, 2, 2] : tensor<1x8x2x2xf32> into tensor<1x8x4x4xf32>
  return %i : tensor<1x8x4x4xf32>
}
