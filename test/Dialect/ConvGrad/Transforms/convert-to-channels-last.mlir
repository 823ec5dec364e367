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

// The stride phases of a 3x3 stride-2 data gradient read windows of one
// padded dy (and one all of it): transposes of windows become windows of one
// shared transpose, which then moves before the pad (only the dy elements
// change layout, the padding is written channels-last).
// CHECK-LABEL: func.func @phase_windows_share_one_transpose
// CHECK-SAME:    (%[[DY:.*]]: tensor<2x16x6x6xf32>
// CHECK:         %[[T:.*]] = linalg.transpose ins(%[[DY]] : tensor<2x16x6x6xf32>) {{.*}} permutation = [0, 2, 3, 1]
// CHECK:         %[[P:.*]] = tensor.pad %[[T]] low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK-NOT:     linalg.transpose ins(%{{.*}} : tensor<2x16x
// CHECK:         %[[W0:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [2, 6, 6, 16] [1, 1, 1, 1]
// CHECK:         convgrad.conv %[[W0]], {{.*}} layout = channels_last
// CHECK:         %[[W1:.*]] = tensor.extract_slice %[[P]][0, 0, 0, 0] [2, 7, 6, 16] [1, 1, 1, 1]
// CHECK:         convgrad.conv %[[W1]], {{.*}} layout = channels_last
// CHECK:         convgrad.conv %[[P]], {{.*}} layout = channels_last
func.func @phase_windows_share_one_transpose(%dy: tensor<2x16x6x6xf32>, %w0: tensor<8x16x1x1xf32>, %w1: tensor<8x16x2x1xf32>, %w2: tensor<8x16x2x2xf32>)
    -> (tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %padded = tensor.pad %dy low[0, 0, 0, 0] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x16x6x6xf32> to tensor<2x16x7x7xf32>
  %s0 = tensor.extract_slice %padded[0, 0, 0, 0] [2, 16, 6, 6] [1, 1, 1, 1] : tensor<2x16x7x7xf32> to tensor<2x16x6x6xf32>
  %y0 = convgrad.conv %s0, %w0 : (tensor<2x16x6x6xf32>, tensor<8x16x1x1xf32>) -> tensor<2x8x6x6xf32>
  %s1 = tensor.extract_slice %padded[0, 0, 0, 0] [2, 16, 7, 6] [1, 1, 1, 1] : tensor<2x16x7x7xf32> to tensor<2x16x7x6xf32>
  %y1 = convgrad.conv %s1, %w1 : (tensor<2x16x7x6xf32>, tensor<8x16x2x1xf32>) -> tensor<2x8x6x6xf32>
  %y2 = convgrad.conv %padded, %w2 : (tensor<2x16x7x7xf32>, tensor<8x16x2x2xf32>) -> tensor<2x8x6x6xf32>
  return %y0, %y1, %y2 : tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>, tensor<2x8x6x6xf32>
}

// A small window (less than half of its source) keeps its own transpose:
// one of the whole source would move more.
// CHECK-LABEL: func.func @small_window_keeps_its_transpose
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8x16x16xf32>
// CHECK:         %[[S:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [1, 8, 6, 6]
// CHECK:         linalg.transpose ins(%[[S]] : tensor<1x8x6x6xf32>)
func.func @small_window_keeps_its_transpose(%x: tensor<1x8x16x16xf32>, %w: tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32> {
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 8, 6, 6] [1, 1, 1, 1] : tensor<1x8x16x16xf32> to tensor<1x8x6x6xf32>
  %y = convgrad.conv %s, %w : (tensor<1x8x6x6xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}
