// The pad of a channels-last data gradient's output gradient (a function
// argument, so bufferization would copy it whole into a padded buffer) is
// computed by the convolution's tasks, each for its own rows and halo, once
// the padded tensor exceeds the L2 (cpu::padsInputInTasks; znver3's model
// has 512 KiB): both parts of the width split (54 + 2 columns) pad their
// own columns inside their forall. The four stride phases of a stride-2
// data gradient all read one pad: it stays one copy before them.

// RUN: convgrad-opt %s -split-input-file --pass-pipeline="builtin.module(convgrad-cpu-set-target{target-cpu=znver3},convgrad-decompose{dgrad-strategy=phase},convgrad-convert-to-channels-last,convgrad-split-groups,convgrad-to-linalg,canonicalize,func.func(convgrad-tile-and-vectorize))" | FileCheck %s

// CHECK-LABEL: func.func @dgrad_pads_in_tasks
// CHECK-NOT:     tensor.pad
// CHECK:         scf.forall {{.*}} -> (tensor<2x56x54x64xf32>)
// CHECK:           tensor.pad {{.*}} low[0, %{{.*}}, 1, 0] high[0, %{{.*}}, 0, 0]
// CHECK:             vector.contract
// CHECK:         scf.forall {{.*}} -> (tensor<2x56x2x64xf32>)
// CHECK:           tensor.pad {{.*}} low[0, %{{.*}}, 0, 0] high[0, %{{.*}}, 1, 0]
// CHECK:             vector.contract
func.func @dgrad_pads_in_tasks(%dy: tensor<2x56x56x64xf32>, %w: tensor<64x3x3x64xf32>) -> tensor<2x56x56x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x56x56x64xf32>, tensor<64x3x3x64xf32>) -> tensor<2x56x56x64xf32>
  return %dx : tensor<2x56x56x64xf32>
}

// -----

// CHECK-LABEL: func.func @dgrad_phases_share_one_pad
// CHECK:         tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK-NOT:     tensor.pad
// CHECK:         scf.forall
// CHECK:         scf.forall
// CHECK:         scf.forall
// CHECK:         scf.forall
// CHECK-NOT:     tensor.pad
func.func @dgrad_phases_share_one_pad(%dy: tensor<2x28x28x128xf32>, %w: tensor<128x3x3x64xf32>) -> tensor<2x56x56x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x28x28x128xf32>, tensor<128x3x3x64xf32>) -> tensor<2x56x56x64xf32>
  return %dx : tensor<2x56x56x64xf32>
}

// -----

// A padded input within the L2 (2 x 16 x 16 x 64 floats) is copied once,
// before the tasks.
// CHECK-LABEL: func.func @dgrad_small_pad_before_tasks
// CHECK:         tensor.pad
// CHECK:         scf.forall
// CHECK-NOT:     tensor.pad
func.func @dgrad_small_pad_before_tasks(%dy: tensor<2x14x14x64xf32>, %w: tensor<64x3x3x64xf32>) -> tensor<2x14x14x64xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] layout = channels_last : (tensor<2x14x14x64xf32>, tensor<64x3x3x64xf32>) -> tensor<2x14x14x64xf32>
  return %dx : tensor<2x14x14x64xf32>
}
