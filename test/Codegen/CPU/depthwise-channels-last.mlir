// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v4 threads=2" --convgrad-cpu-depthwise-channels-last --canonicalize --cse | FileCheck %s
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-cpu-depthwise-channels-last --canonicalize --cse | FileCheck %s --check-prefix=AVX2

func.func @wgrad(%x: tensor<?x10x20x40xf32>, %dy: tensor<?x10x20x40xf32>) -> tensor<40x3x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 40 layout = channels_last
    : (tensor<?x10x20x40xf32>, tensor<?x10x20x40xf32>) -> tensor<40x3x3x1xf32>
  return %dw : tensor<40x3x3x1xf32>
}

// -----

func.func @dgrad_stride2(%dy: tensor<2x5x6x32xf32>, %w: tensor<32x3x3x1xf32>) -> tensor<2x10x12x32xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] groups = 32 layout = channels_last
    : (tensor<2x5x6x32xf32>, tensor<32x3x3x1xf32>) -> tensor<2x10x12x32xf32>
  return %dx : tensor<2x10x12x32xf32>
}

// -----

func.func @multiplier(%x: tensor<1x8x8x16xf32>, %dy: tensor<1x8x8x32xf32>) -> tensor<32x3x3x1xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 16 layout = channels_last
    : (tensor<1x8x8x16xf32>, tensor<1x8x8x32xf32>) -> tensor<32x3x3x1xf32>
  return %dw : tensor<32x3x3x1xf32>
}

// -----

func.func @channels_first(%x: tensor<1x16x8x8xf32>, %dy: tensor<1x16x8x8xf32>) -> tensor<16x1x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 16
    : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<16x1x3x3xf32>
  return %dw : tensor<16x1x3x3xf32>
}
