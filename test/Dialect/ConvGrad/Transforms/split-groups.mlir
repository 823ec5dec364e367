// RUN: convgrad-opt %s --convgrad-split-groups | FileCheck %s

// Two groups of 4 -> 3 channels: an scf.for over the groups, each step a
// convolution of the group's input channel slice with its filters, inserted
// at the group's output channels.
// CHECK-LABEL: func.func @grouped
// CHECK-SAME:    (%[[X:.*]]: tensor<1x8x5x5xf32>, %[[W:.*]]: tensor<6x4x3x3xf32>)
// CHECK:         %[[INIT:.*]] = tensor.empty() : tensor<1x6x3x3xf32>
// CHECK:         scf.for %[[G:.*]] = %c0 to %c2 step %c1 iter_args(%[[ACC:.*]] = %[[INIT]])
// CHECK:           %[[CIN:.*]] = arith.muli %[[G]], %c4
// CHECK:           %[[COUT:.*]] = arith.muli %[[G]], %c3
// CHECK:           %[[XS:.*]] = tensor.extract_slice %[[X]][0, %[[CIN]], 0, 0] [1, 4, 5, 5]
// CHECK:           %[[WS:.*]] = tensor.extract_slice %[[W]][%[[COUT]], 0, 0, 0] [3, 4, 3, 3]
// CHECK:           %[[Y:.*]] = convgrad.conv %[[XS]], %[[WS]] : (tensor<1x4x5x5xf32>, tensor<3x4x3x3xf32>) -> tensor<1x3x3x3xf32>
// CHECK:           tensor.insert_slice %[[Y]] into %[[ACC]][0, %[[COUT]], 0, 0] [1, 3, 3, 3]
func.func @grouped(%x: tensor<1x8x5x5xf32>, %w: tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 2 : (tensor<1x8x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32>
  return %y : tensor<1x6x3x3xf32>
}

// Depthwise convolutions keep their vectorizable upstream form.
// CHECK-LABEL: func.func @depthwise
// CHECK-NOT:     scf.for
// CHECK:         convgrad.conv {{.*}} groups = 4
func.func @depthwise(%x: tensor<1x4x5x5xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32> {
  %y = convgrad.conv %x, %w groups = 4 : (tensor<1x4x5x5xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x3x3xf32>
  return %y : tensor<1x4x3x3xf32>
}

// Channels-last with one output channel per group (the data gradient of a
// depthwise convolution with a channel multiplier) is kept whole:
// convgrad-to-linalg sums depthwise convolutions for it.
// CHECK-LABEL: func.func @one_output_channel_per_group
// CHECK-NOT:     scf.for
// CHECK:         convgrad.conv {{.*}} groups = 4
func.func @one_output_channel_per_group(%x: tensor<1x5x5x8xf32>, %w: tensor<4x3x3x2xf32>) -> tensor<1x3x3x4xf32> {
  %y = convgrad.conv %x, %w groups = 4 layout = channels_last : (tensor<1x5x5x8xf32>, tensor<4x3x3x2xf32>) -> tensor<1x3x3x4xf32>
  return %y : tensor<1x3x3x4xf32>
}

// An empty input (the output gradient of a transposed convolution whose only
// output row is output padding) sums nothing: it is not sliced per group
// (a slice of a zero-size dim at a group's offset would be out of bounds).
// CHECK-LABEL: func.func @empty_input(
// CHECK-NOT: tensor.extract_slice
// CHECK: convgrad.conv %arg0, %arg1 padding = [3, 0] dilations = [2] groups = 2 : (tensor<1x4x0xf32>, tensor<2x2x2xf32>) -> tensor<1x2x1xf32>
func.func @empty_input(%x: tensor<1x4x0xf32>, %w: tensor<2x2x2xf32>) -> tensor<1x2x1xf32> {
  %y = convgrad.conv %x, %w padding = [3, 0] dilations = [2] groups = 2 : (tensor<1x4x0xf32>, tensor<2x2x2xf32>) -> tensor<1x2x1xf32>
  return %y : tensor<1x2x1xf32>
}
