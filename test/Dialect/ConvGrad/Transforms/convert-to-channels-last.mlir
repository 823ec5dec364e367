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
