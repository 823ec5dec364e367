// The IR shape of --convgrad-decompose, as docs/conv-backward-math.md predicts.
// Notation per spatial dim: H input, K kernel, s stride, d dilation, lo/hi
// padding, Ke = (K-1)*d + 1, O = floor((H+lo+hi-Ke)/s) + 1,
// r = (H+lo+hi-Ke) mod s.
// dgrad: insert_zeros (s > 1), re-pad low Ke-1-lo, high Ke-1-hi+r (negative:
//   crop), filter [G,Fg,Cg,K] -> [G,Cg,Fg,K] and reversed, stride-1 conv with
//   dilation d and groups G.
// wgrad: pad x by lo / hi-r, batch <-> channel, conv with strides = d and
//   dilations = s, result [Cg,F,K] -> [F,Cg,K].
// RUN: convgrad-opt %s --convgrad-decompose -split-input-file | FileCheck %s

// The seed: 3x3 input, 2x2 kernel, stride 1, no padding.
// Ke = 2, O = 2, r = 0: pad low Ke-1-0 = 1, high Ke-1-0+0 = 1 -> 2+1+1 = 4.
// CHECK-LABEL: func.func @dgrad_seed
// CHECK-SAME: (%[[DY:.*]]: tensor<1x1x2x2xf32>, %[[W:.*]]: tensor<1x1x2x2xf32>)
// CHECK-NOT: convgrad.insert_zeros
// CHECK: %[[P:.*]] = tensor.pad %[[DY]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<1x1x2x2xf32> to tensor<1x1x4x4xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<1x1x2x2xf32>) outs(%{{.*}} : tensor<1x1x2x2xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[R:.*]] = convgrad.reverse %[[T]] dimensions = [2, 3] : tensor<1x1x2x2xf32>
// CHECK: %[[DX:.*]] = convgrad.conv %[[P]], %[[R]] : (tensor<1x1x4x4xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
// CHECK: return %[[DX]]
// CHECK-NOT: convgrad.conv_backward
func.func @dgrad_seed(%dy: tensor<1x1x2x2xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %dx = convgrad.conv_backward_data %dy, %w : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %dx : tensor<1x1x3x3xf32>
}

// -----

// Strided with remainders. K = 3x3 (Ke = 3), s = [2, 3], lo = [1, 0], hi = [1, 1].
// H = 8: 8+1+1-3 = 7 -> O = 3+1 = 4, r = 7 mod 2 = 1.
// W = 7: 7+0+1-3 = 5 -> O = 1+1 = 2, r = 5 mod 3 = 2.
// insert_zeros: (4-1)*2+1 = 7, (2-1)*3+1 = 4.
// pad low: H 3-1-1 = 1, W 3-1-0 = 2; high: H 3-1-1+1 = 2, W 3-1-1+2 = 3.
// padded: 7+1+2 = 10, 4+2+3 = 9; stride-1 conv: 10-3+1 = 8, 9-3+1 = 7.
// CHECK-LABEL: func.func @dgrad_strided_remainder
// CHECK-SAME: (%[[DY:.*]]: tensor<1x3x4x2xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>)
// CHECK: %[[Z:.*]] = convgrad.insert_zeros %[[DY]] strides = [1, 1, 2, 3] : tensor<1x3x4x2xf32> -> tensor<1x3x7x4xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[Z]] low[0, 0, 1, 2] high[0, 0, 2, 3]
// CHECK: } : tensor<1x3x7x4xf32> to tensor<1x3x10x9xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<3x2x3x3xf32>) outs(%{{.*}} : tensor<2x3x3x3xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[R:.*]] = convgrad.reverse %[[T]] dimensions = [2, 3] : tensor<2x3x3x3xf32>
// CHECK: convgrad.conv %[[P]], %[[R]] : (tensor<1x3x10x9xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x8x7xf32>
func.func @dgrad_strided_remainder(%dy: tensor<1x3x4x2xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x2x8x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 3] padding = [1, 0, 1, 1]
      : (tensor<1x3x4x2xf32>, tensor<3x2x3x3xf32>) -> tensor<1x2x8x7xf32>
  return %dx : tensor<1x2x8x7xf32>
}

// -----

// Padding larger than the kernel: K = 3x3 (Ke = 3), H = W = 4, lo = [4, 3], hi = [0, 3].
// H: O = 4+4+0-3+1 = 6, r = 0; low 2-4 = -2 (crop 2), high 2-0+0 = 2 (pad 2).
// W: O = 4+3+3-3+1 = 8, r = 0; low 2-3 = -1 (crop 1), high 2-3+0 = -1 (crop 1).
// extract_slice offsets [0, 0, 2, 1], sizes [N, 1, 6-2, 8-1-1] = [N, 1, 4, 6];
// then pad high 2 along H: 4+2 = 6; conv: 6-3+1 = 4, 6-3+1 = 4.
// CHECK-LABEL: func.func @dgrad_crop
// CHECK-SAME: (%[[DY:.*]]: tensor<?x1x6x8xf32>, %[[W:.*]]: tensor<1x1x3x3xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[DY]], %c0 : tensor<?x1x6x8xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[DY]][0, 0, 2, 1] [%[[N]], 1, 4, 6] [1, 1, 1, 1] : tensor<?x1x6x8xf32> to tensor<?x1x4x6xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[S]] low[0, 0, 0, 0] high[0, 0, 2, 0]
// CHECK: } : tensor<?x1x4x6xf32> to tensor<?x1x6x6xf32>
// CHECK: %[[R:.*]] = convgrad.reverse %{{.*}} dimensions = [2, 3] : tensor<1x1x3x3xf32>
// CHECK: convgrad.conv %[[P]], %[[R]] : (tensor<?x1x6x6xf32>, tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32>
func.func @dgrad_crop(%dy: tensor<?x1x6x8xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [4, 3, 0, 3]
      : (tensor<?x1x6x8xf32>, tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32>
  return %dx : tensor<?x1x4x4xf32>
}

// -----

// The crop removes everything along H: H = 1, K = 1 (Ke = 1), s = 3, lo = 2,
// hi = 0: 1+2+0-1 = 2 -> O = 0+1 = 1, r = 2. The only forward window reads
// x[0*3 + 0 - 2] = x[-2], padding: dx is zero.
// insert_zeros: (1-1)*3+1 = 1; low 0-2 = -2, high 0-0+2 = 2: keep [2, 1), empty.
// W = 5, K = 3, lo = 0, hi = 1: O = 5+1-3+1 = 4, r = 0; low 2, high 2-1+0 = 1.
// Result: a zero tensor of 1+(-2)+2 = 1 by 4+2+1 = 7; the conv gives 1x5.
// CHECK-LABEL: func.func @dgrad_crop_everything
// CHECK-SAME: (%[[DY:.*]]: tensor<1x3x1x4xf32>, %[[W:.*]]: tensor<3x2x1x3xf32>)
// CHECK-NOT: %[[DY]]
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x3x1x7xf32>
// CHECK: %[[Z:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<1x3x1x7xf32>) -> tensor<1x3x1x7xf32>
// CHECK-NOT: tensor.pad
// CHECK-NOT: tensor.extract_slice
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<3x2x1x3xf32>) outs(%{{.*}} : tensor<2x3x1x3xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[R:.*]] = convgrad.reverse %[[T]] dimensions = [2, 3] : tensor<2x3x1x3xf32>
// CHECK: convgrad.conv %[[Z]], %[[R]] : (tensor<1x3x1x7xf32>, tensor<2x3x1x3xf32>) -> tensor<1x2x1x5xf32>
func.func @dgrad_crop_everything(%dy: tensor<1x3x1x4xf32>, %w: tensor<3x2x1x3xf32>) -> tensor<1x2x1x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [3, 1] padding = [2, 0, 0, 1]
      : (tensor<1x3x1x4xf32>, tensor<3x2x1x3xf32>) -> tensor<1x2x1x5xf32>
  return %dx : tensor<1x2x1x5xf32>
}

// -----

// 1-D, dilation and stride: H = 9, K = 3, d = 2 (Ke = 5), s = 2, lo = 1, hi = 2.
// 9+1+2-5 = 7 -> O = 3+1 = 4, r = 1. insert_zeros: (4-1)*2+1 = 7.
// low 5-1-1 = 3, high 5-1-2+1 = 3 -> 13; conv with dilation 2: 13-5+1 = 9.
// CHECK-LABEL: func.func @dgrad_dilation_stride_1d
// CHECK-SAME: (%[[DY:.*]]: tensor<2x4x4xf64>, %[[W:.*]]: tensor<4x3x3xf64>)
// CHECK: %[[Z:.*]] = convgrad.insert_zeros %[[DY]] strides = [1, 1, 2] : tensor<2x4x4xf64> -> tensor<2x4x7xf64>
// CHECK: %[[P:.*]] = tensor.pad %[[Z]] low[0, 0, 3] high[0, 0, 3]
// CHECK: } : tensor<2x4x7xf64> to tensor<2x4x13xf64>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<4x3x3xf64>) outs(%{{.*}} : tensor<3x4x3xf64>) permutation = [1, 0, 2]
// CHECK: %[[R:.*]] = convgrad.reverse %[[T]] dimensions = [2] : tensor<3x4x3xf64>
// CHECK: convgrad.conv %[[P]], %[[R]] dilations = [2] : (tensor<2x4x13xf64>, tensor<3x4x3xf64>) -> tensor<2x3x9xf64>
func.func @dgrad_dilation_stride_1d(%dy: tensor<2x4x4xf64>, %w: tensor<4x3x3xf64>) -> tensor<2x3x9xf64> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2] padding = [1, 2] dilations = [2]
      : (tensor<2x4x4xf64>, tensor<4x3x3xf64>) -> tensor<2x3x9xf64>
  return %dx : tensor<2x3x9xf64>
}

// -----

// Grouped: G = 2, C = 4 (Cg = 2), F = 6 (Fg = 3), 3x3, padding 1 (Ke-1-1 = 1 each side).
// Filter [6, 2, 3, 3] -> [G=2, Fg=3, Cg=2, 3, 3] -> swap Fg/Cg: permutation
// [0, 2, 1, 3, 4] -> [2, 2, 3, 3, 3] -> collapse [G*Cg = 4, Fg = 3, 3, 3].
// CHECK-LABEL: func.func @dgrad_grouped
// CHECK-SAME: (%[[DY:.*]]: tensor<1x6x5x5xf32>, %[[W:.*]]: tensor<6x2x3x3xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[DY]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: } : tensor<1x6x5x5xf32> to tensor<1x6x7x7xf32>
// CHECK: %[[E:.*]] = tensor.expand_shape %[[W]] {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<2x3x2x3x3xf32>) outs(%{{.*}} : tensor<2x2x3x3x3xf32>) permutation = [0, 2, 1, 3, 4]
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x2x3x3x3xf32> into tensor<4x3x3x3xf32>
// CHECK: %[[R:.*]] = convgrad.reverse %[[C]] dimensions = [2, 3] : tensor<4x3x3x3xf32>
// CHECK: convgrad.conv %[[P]], %[[R]] groups = 2 : (tensor<1x6x7x7xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x5x5xf32>
func.func @dgrad_grouped(%dy: tensor<1x6x5x5xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x4x5x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 2
      : (tensor<1x6x5x5xf32>, tensor<6x2x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %dx : tensor<1x4x5x5xf32>
}

// -----

// Depthwise, multiplier 1 (G = C = F = 3): [C, 1, K] is its own channel swap,
// no reshape and no transpose; only the reverse.
// CHECK-LABEL: func.func @dgrad_depthwise
// CHECK-SAME: (%[[DY:.*]]: tensor<1x3x5x5xf32>, %[[W:.*]]: tensor<3x1x3x3xf32>)
// CHECK-NOT: linalg.transpose
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[P:.*]] = tensor.pad %[[DY]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK-NOT: linalg.transpose
// CHECK-NOT: tensor.expand_shape
// CHECK: %[[R:.*]] = convgrad.reverse %[[W]] dimensions = [2, 3] : tensor<3x1x3x3xf32>
// CHECK-NOT: linalg.transpose
// CHECK: convgrad.conv %[[P]], %[[R]] groups = 3 : (tensor<1x3x7x7xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x5x5xf32>
func.func @dgrad_depthwise(%dy: tensor<1x3x5x5xf32>, %w: tensor<3x1x3x3xf32>) -> tensor<1x3x5x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 3
      : (tensor<1x3x5x5xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x5x5xf32>
  return %dx : tensor<1x3x5x5xf32>
}

// -----

// Depthwise with multiplier 2 (G = C = 3, F = 6, Fg = 2, Cg = 1): the channel
// roles do swap: [6, 1, 3, 3] -> [3, 2, 1, 3, 3] -> [3, 1, 2, 3, 3] -> [3, 2, 3, 3].
// CHECK-LABEL: func.func @dgrad_depthwise_multiplier
// CHECK: %[[E:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4]] output_shape [3, 2, 1, 3, 3] : tensor<6x1x3x3xf32> into tensor<3x2x1x3x3xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<3x2x1x3x3xf32>) outs(%{{.*}} : tensor<3x1x2x3x3xf32>) permutation = [0, 2, 1, 3, 4]
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0, 1], [2], [3], [4]] : tensor<3x1x2x3x3xf32> into tensor<3x2x3x3xf32>
// CHECK: %[[R:.*]] = convgrad.reverse %[[C]] dimensions = [2, 3] : tensor<3x2x3x3xf32>
// CHECK: convgrad.conv %{{.*}}, %[[R]] groups = 3 : (tensor<1x6x7x7xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x5x5xf32>
func.func @dgrad_depthwise_multiplier(%dy: tensor<1x6x5x5xf32>, %w: tensor<6x1x3x3xf32>) -> tensor<1x3x5x5xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 3
      : (tensor<1x6x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<1x3x5x5xf32>
  return %dx : tensor<1x3x5x5xf32>
}

// -----

// Channels-last, strided, dynamic batch, f16. H = W = 5, K = 3, s = 2, padding 1:
// 5+1+1-3 = 4 -> O = 2+1 = 3, r = 0. insert_zeros along dims 1, 2: (3-1)*2+1 = 5.
// low 2-1 = 1, high 2-1+0 = 1 -> 7. Filter [F, K, K, C] -> [C, K, K, F]:
// permutation [3, 1, 2, 0]; reverse dims 1, 2.
// CHECK-LABEL: func.func @dgrad_channels_last
// CHECK-SAME: (%[[DY:.*]]: tensor<?x3x3x6xf16>, %[[W:.*]]: tensor<6x3x3x4xf16>)
// CHECK: %[[Z:.*]] = convgrad.insert_zeros %[[DY]] strides = [1, 2, 2, 1] : tensor<?x3x3x6xf16> -> tensor<?x5x5x6xf16>
// CHECK: %[[P:.*]] = tensor.pad %[[Z]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: } : tensor<?x5x5x6xf16> to tensor<?x7x7x6xf16>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<6x3x3x4xf16>) outs(%{{.*}} : tensor<4x3x3x6xf16>) permutation = [3, 1, 2, 0]
// CHECK: %[[R:.*]] = convgrad.reverse %[[T]] dimensions = [1, 2] : tensor<4x3x3x6xf16>
// CHECK: convgrad.conv %[[P]], %[[R]] layout = channels_last : (tensor<?x7x7x6xf16>, tensor<4x3x3x6xf16>) -> tensor<?x5x5x4xf16>
func.func @dgrad_channels_last(%dy: tensor<?x3x3x6xf16>, %w: tensor<6x3x3x4xf16>) -> tensor<?x5x5x4xf16> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last
      : (tensor<?x3x3x6xf16>, tensor<6x3x3x4xf16>) -> tensor<?x5x5x4xf16>
  return %dx : tensor<?x5x5x4xf16>
}

// -----

// Channels-last grouped: filter [F=6, 3, 3, Cg=2] -> [G=2, Fg=3, 3, 3, Cg=2],
// swap Fg (dim 1) and Cg (dim 4): permutation [0, 4, 2, 3, 1] -> [2, 2, 3, 3, 3]
// -> [G*Cg = 4, 3, 3, Fg = 3].
// CHECK-LABEL: func.func @dgrad_channels_last_grouped
// CHECK: %[[E:.*]] = tensor.expand_shape %arg1 {{\[}}[0, 1], [2], [3], [4]] output_shape [2, 3, 3, 3, 2] : tensor<6x3x3x2xf32> into tensor<2x3x3x3x2xf32>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<2x3x3x3x2xf32>) outs(%{{.*}} : tensor<2x2x3x3x3xf32>) permutation = [0, 4, 2, 3, 1]
// CHECK: %[[C:.*]] = tensor.collapse_shape %[[T]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x2x3x3x3xf32> into tensor<4x3x3x3xf32>
// CHECK: %[[R:.*]] = convgrad.reverse %[[C]] dimensions = [1, 2] : tensor<4x3x3x3xf32>
// CHECK: convgrad.conv %{{.*}}, %[[R]] groups = 2 layout = channels_last : (tensor<2x7x7x6xf32>, tensor<4x3x3x3xf32>) -> tensor<2x5x5x4xf32>
func.func @dgrad_channels_last_grouped(%dy: tensor<2x5x5x6xf32>, %w: tensor<6x3x3x2xf32>) -> tensor<2x5x5x4xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1] groups = 2 layout = channels_last
      : (tensor<2x5x5x6xf32>, tensor<6x3x3x2xf32>) -> tensor<2x5x5x4xf32>
  return %dx : tensor<2x5x5x4xf32>
}

// -----

// 3-D, bf16. K = [2, 3, 1], s = [1, 2, 1], lo = [0, 1, 0], hi = [1, 0, 0].
// D = 4: 4+0+1-2 = 3 -> O = 4, r = 0; low 1-0 = 1, high 1-1+0 = 0 -> 5 -> conv 4.
// H = 5: 5+1+0-3 = 3 -> O = 1+1 = 2, r = 1; zero-inserted (2-1)*2+1 = 3;
//        low 2-1 = 1, high 2-0+1 = 3 -> 7 -> conv 5.
// W = 6: 6-1 = 5 -> O = 6, r = 0; low 0, high 0.
// CHECK-LABEL: func.func @dgrad_3d
// CHECK-SAME: (%[[DY:.*]]: tensor<1x3x4x2x6xbf16>, %[[W:.*]]: tensor<3x2x2x3x1xbf16>)
// CHECK: %[[Z:.*]] = convgrad.insert_zeros %[[DY]] strides = [1, 1, 1, 2, 1] : tensor<1x3x4x2x6xbf16> -> tensor<1x3x4x3x6xbf16>
// CHECK: %[[P:.*]] = tensor.pad %[[Z]] low[0, 0, 1, 1, 0] high[0, 0, 0, 3, 0]
// CHECK: } : tensor<1x3x4x3x6xbf16> to tensor<1x3x5x7x6xbf16>
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[W]] : tensor<3x2x2x3x1xbf16>) outs(%{{.*}} : tensor<2x3x2x3x1xbf16>) permutation = [1, 0, 2, 3, 4]
// CHECK: %[[R:.*]] = convgrad.reverse %[[T]] dimensions = [2, 3, 4] : tensor<2x3x2x3x1xbf16>
// CHECK: convgrad.conv %[[P]], %[[R]] : (tensor<1x3x5x7x6xbf16>, tensor<2x3x2x3x1xbf16>) -> tensor<1x2x4x5x6xbf16>
func.func @dgrad_3d(%dy: tensor<1x3x4x2x6xbf16>, %w: tensor<3x2x2x3x1xbf16>) -> tensor<1x2x4x5x6xbf16> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [1, 2, 1] padding = [0, 1, 0, 1, 0, 0]
      : (tensor<1x3x4x2x6xbf16>, tensor<3x2x2x3x1xbf16>) -> tensor<1x2x4x5x6xbf16>
  return %dx : tensor<1x2x4x5x6xbf16>
}

// -----

// wgrad, dynamic batch, crop at the high end. K = 3 (Ke = 3), s = 2.
// H = 9, lo 1, hi 0: 9+1-3 = 7 -> O = 4, r = 1: pad low 1, high 0-1 = -1 (crop 1).
// W = 7, lo 1, hi 1: 7+2-3 = 6 -> O = 4, r = 0: pad low 1, high 1.
// Kept extent (K-1)*d + (O-1)*s + 1 = 2+6+1 = 9 in both dims.
// x [N, C, 9, 9] -> [C, N, 9, 9]; dy [N, F, 4, 4] -> [F, N, 4, 4];
// conv strides = d = 1 (elided), dilations = s = 2: 9 - ((4-1)*2+1) + 1 = 3;
// [Cg=4, F=8, 3, 3] -> [8, 4, 3, 3].
// CHECK-LABEL: func.func @wgrad
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x9x7xf32>, %[[DY:.*]]: tensor<?x8x4x4xf32>)
// CHECK: %[[N:.*]] = tensor.dim %[[X]], %c0 : tensor<?x4x9x7xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%[[N]], 4, 8, 7] [1, 1, 1, 1] : tensor<?x4x9x7xf32> to tensor<?x4x8x7xf32>
// CHECK: %[[P:.*]] = tensor.pad %[[S]] low[0, 0, 1, 1] high[0, 0, 0, 1]
// CHECK: } : tensor<?x4x8x7xf32> to tensor<?x4x9x9xf32>
// CHECK: %[[PN:.*]] = tensor.dim %[[P]], %c0 : tensor<?x4x9x9xf32>
// CHECK: %[[E1:.*]] = tensor.empty(%[[PN]]) : tensor<4x?x9x9xf32>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[P]] : tensor<?x4x9x9xf32>) outs(%[[E1]] : tensor<4x?x9x9xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[DN:.*]] = tensor.dim %[[DY]], %c0 : tensor<?x8x4x4xf32>
// CHECK: %[[E2:.*]] = tensor.empty(%[[DN]]) : tensor<8x?x4x4xf32>
// CHECK: %[[DYT:.*]] = linalg.transpose ins(%[[DY]] : tensor<?x8x4x4xf32>) outs(%[[E2]] : tensor<8x?x4x4xf32>) permutation = [1, 0, 2, 3]
// CHECK: %[[C:.*]] = convgrad.conv %[[XT]], %[[DYT]] dilations = [2, 2] : (tensor<4x?x9x9xf32>, tensor<8x?x4x4xf32>) -> tensor<4x8x3x3xf32>
// CHECK: %[[DW:.*]] = linalg.transpose ins(%[[C]] : tensor<4x8x3x3xf32>) outs(%{{.*}} : tensor<8x4x3x3xf32>) permutation = [1, 0, 2, 3]
// CHECK: return %[[DW]] : tensor<8x4x3x3xf32>
func.func @wgrad(%x: tensor<?x4x9x7xf32>, %dy: tensor<?x8x4x4xf32>) -> tensor<8x4x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 0, 1]
      : (tensor<?x4x9x7xf32>, tensor<?x8x4x4xf32>) -> tensor<8x4x3x3xf32>
  return %dw : tensor<8x4x3x3xf32>
}

// -----

// wgrad 1-D with stride 3 and dilation 2 (distinct, so the swap shows):
// H = 9, K = 3, Ke = 5, lo 1, hi 2: 9+3-5 = 7 -> O = 2+1 = 3, r = 1;
// pad low 1, high 2-1 = 1 -> 11 = (3-1)*2 + (3-1)*3 + 1.
// conv strides = [2] (forward dilation), dilations = [3] (forward stride):
// floor((11 - ((3-1)*3+1)) / 2) + 1 = 3 = K.
// CHECK-LABEL: func.func @wgrad_dilation_1d
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x9xf64>, %[[DY:.*]]: tensor<2x4x3xf64>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1] high[0, 0, 1]
// CHECK: } : tensor<2x3x9xf64> to tensor<2x3x11xf64>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[P]] : tensor<2x3x11xf64>) outs(%{{.*}} : tensor<3x2x11xf64>) permutation = [1, 0, 2]
// CHECK: %[[DYT:.*]] = linalg.transpose ins(%[[DY]] : tensor<2x4x3xf64>) outs(%{{.*}} : tensor<4x2x3xf64>) permutation = [1, 0, 2]
// CHECK: %[[C:.*]] = convgrad.conv %[[XT]], %[[DYT]] strides = [2] dilations = [3] : (tensor<3x2x11xf64>, tensor<4x2x3xf64>) -> tensor<3x4x3xf64>
// CHECK: linalg.transpose ins(%[[C]] : tensor<3x4x3xf64>) outs(%{{.*}} : tensor<4x3x3xf64>) permutation = [1, 0, 2]
func.func @wgrad_dilation_1d(%x: tensor<2x3x9xf64>, %dy: tensor<2x4x3xf64>) -> tensor<4x3x3xf64> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [3] padding = [1, 2] dilations = [2]
      : (tensor<2x3x9xf64>, tensor<2x4x3xf64>) -> tensor<4x3x3xf64>
  return %dw : tensor<4x3x3xf64>
}

// -----

// Grouped wgrad: N = 2, G = 2, C = 4 (Cg = 2), F = 6 (Fg = 3), 3x3, padding 1.
// x padded [N, G*Cg, 7, 7] -> [N, G, Cg, 7, 7] -> [Cg, G, N, 7, 7]
//   (permutation [2, 1, 0, 3, 4]) -> [Cg, G*N = 4, 7, 7].
// dy [N, G*Fg, 5, 5] -> [N, G, Fg, 5, 5] -> [G, Fg, N, 5, 5]
//   (permutation [1, 2, 0, 3, 4]) -> [F = 6, N = 2, 5, 5].
// conv groups 2: 7 - 5 + 1 = 3 -> [Cg=2, F=6, 3, 3] -> [6, 2, 3, 3].
// CHECK-LABEL: func.func @wgrad_grouped
// CHECK-SAME: (%[[X:.*]]: tensor<2x4x5x5xf32>, %[[DY:.*]]: tensor<2x6x5x5xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 7, 7] : tensor<2x4x7x7xf32> into tensor<2x2x2x7x7xf32>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[XE]] : tensor<2x2x2x7x7xf32>) outs(%{{.*}} : tensor<2x2x2x7x7xf32>) permutation = [2, 1, 0, 3, 4]
// CHECK: %[[XC:.*]] = tensor.collapse_shape %[[XT]] {{\[}}[0], [1, 2], [3], [4]] : tensor<2x2x2x7x7xf32> into tensor<2x4x7x7xf32>
// CHECK: %[[DE:.*]] = tensor.expand_shape %[[DY]] {{\[}}[0], [1, 2], [3], [4]] output_shape [2, 2, 3, 5, 5] : tensor<2x6x5x5xf32> into tensor<2x2x3x5x5xf32>
// CHECK: %[[DT:.*]] = linalg.transpose ins(%[[DE]] : tensor<2x2x3x5x5xf32>) outs(%{{.*}} : tensor<2x3x2x5x5xf32>) permutation = [1, 2, 0, 3, 4]
// CHECK: %[[DC:.*]] = tensor.collapse_shape %[[DT]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x3x2x5x5xf32> into tensor<6x2x5x5xf32>
// CHECK: %[[C:.*]] = convgrad.conv %[[XC]], %[[DC]] groups = 2 : (tensor<2x4x7x7xf32>, tensor<6x2x5x5xf32>) -> tensor<2x6x3x3xf32>
// CHECK: linalg.transpose ins(%[[C]] : tensor<2x6x3x3xf32>) outs(%{{.*}} : tensor<6x2x3x3xf32>) permutation = [1, 0, 2, 3]
func.func @wgrad_grouped(%x: tensor<2x4x5x5xf32>, %dy: tensor<2x6x5x5xf32>) -> tensor<6x2x3x3xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 2
      : (tensor<2x4x5x5xf32>, tensor<2x6x5x5xf32>) -> tensor<6x2x3x3xf32>
  return %dw : tensor<6x2x3x3xf32>
}

// -----

// Channels-last grouped wgrad, dynamic batch: x padded [N, 7, 7, G*Cg]
// -> [N, 7, 7, G, Cg] -> [Cg, 7, 7, G, N] (permutation [4, 1, 2, 3, 0])
// -> [Cg = 2, 7, 7, G*N = ?]; dy [N, 5, 5, G*Fg] -> [N, 5, 5, G, Fg]
// -> [G, Fg, 5, 5, N] (permutation [3, 4, 1, 2, 0]) -> [6, 5, 5, ?].
// conv [2, 3, 3, 6] -> [6, 3, 3, 2] (permutation [3, 1, 2, 0]).
// CHECK-LABEL: func.func @wgrad_channels_last_grouped
// CHECK-SAME: (%[[X:.*]]: tensor<?x5x5x4xf32>, %[[DY:.*]]: tensor<?x5x5x6xf32>)
// CHECK: %[[P:.*]] = tensor.pad %[[X]] low[0, 1, 1, 0] high[0, 1, 1, 0]
// CHECK: } : tensor<?x5x5x4xf32> to tensor<?x7x7x4xf32>
// CHECK: %[[PN:.*]] = tensor.dim %[[P]], %c0
// CHECK: %[[XE:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1], [2], [3, 4]] output_shape [%[[PN]], 7, 7, 2, 2] : tensor<?x7x7x4xf32> into tensor<?x7x7x2x2xf32>
// CHECK: %[[XT:.*]] = linalg.transpose ins(%[[XE]] : tensor<?x7x7x2x2xf32>) outs(%{{.*}} : tensor<2x7x7x2x?xf32>) permutation = [4, 1, 2, 3, 0]
// CHECK: %[[XC:.*]] = tensor.collapse_shape %[[XT]] {{\[}}[0], [1], [2], [3, 4]] : tensor<2x7x7x2x?xf32> into tensor<2x7x7x?xf32>
// CHECK: %[[DN:.*]] = tensor.dim %[[DY]], %c0
// CHECK: %[[DE:.*]] = tensor.expand_shape %[[DY]] {{\[}}[0], [1], [2], [3, 4]] output_shape [%[[DN]], 5, 5, 2, 3] : tensor<?x5x5x6xf32> into tensor<?x5x5x2x3xf32>
// CHECK: %[[DT:.*]] = linalg.transpose ins(%[[DE]] : tensor<?x5x5x2x3xf32>) outs(%{{.*}} : tensor<2x3x5x5x?xf32>) permutation = [3, 4, 1, 2, 0]
// CHECK: %[[DC:.*]] = tensor.collapse_shape %[[DT]] {{\[}}[0, 1], [2], [3], [4]] : tensor<2x3x5x5x?xf32> into tensor<6x5x5x?xf32>
// CHECK: %[[C:.*]] = convgrad.conv %[[XC]], %[[DC]] groups = 2 layout = channels_last : (tensor<2x7x7x?xf32>, tensor<6x5x5x?xf32>) -> tensor<2x3x3x6xf32>
// CHECK: linalg.transpose ins(%[[C]] : tensor<2x3x3x6xf32>) outs(%{{.*}} : tensor<6x3x3x2xf32>) permutation = [3, 1, 2, 0]
func.func @wgrad_channels_last_grouped(%x: tensor<?x5x5x4xf32>, %dy: tensor<?x5x5x6xf32>) -> tensor<6x3x3x2xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy padding = [1, 1, 1, 1] groups = 2 layout = channels_last
      : (tensor<?x5x5x4xf32>, tensor<?x5x5x6xf32>) -> tensor<6x3x3x2xf32>
  return %dw : tensor<6x3x3x2xf32>
}

// -----

// bgrad f32: reduce over N and space, parallel over the channel (dim 1).
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-LABEL: func.func @bgrad
// CHECK-SAME: (%[[DY:.*]]: tensor<2x6x4x4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<6xf32>
// CHECK: %[[I:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<6xf32>) -> tensor<6xf32>
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "parallel", "reduction", "reduction"]} ins(%[[DY]] : tensor<2x6x4x4xf32>) outs(%[[I]] : tensor<6xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[OUT:.*]]: f32):
// CHECK: %[[ADD:.*]] = arith.addf %[[IN]], %[[OUT]] : f32
// CHECK: linalg.yield %[[ADD]] : f32
// CHECK: return %[[S]] : tensor<6xf32>
func.func @bgrad(%dy: tensor<2x6x4x4xf32>) -> tensor<6xf32> {
  %db = convgrad.conv_backward_bias %dy : (tensor<2x6x4x4xf32>) -> tensor<6xf32>
  return %db : tensor<6xf32>
}

// -----

// bgrad f16, channels-last, dynamic batch: accumulate in f32 (extf in the
// reduction), then one truncf generic back to f16.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CH:.*]] = affine_map<(d0, d1, d2, d3) -> (d3)>
// CHECK-DAG: #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @bgrad_f16_channels_last
// CHECK-SAME: (%[[DY:.*]]: tensor<?x4x4x6xf16>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[I:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.*}} : tensor<6xf32>) -> tensor<6xf32>
// CHECK: %[[S:.*]] = linalg.generic {indexing_maps = [#[[ID]], #[[CH]]], iterator_types = ["reduction", "reduction", "reduction", "parallel"]} ins(%[[DY]] : tensor<?x4x4x6xf16>) outs(%[[I]] : tensor<6xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f16, %[[OUT:.*]]: f32):
// CHECK: %[[EXT:.*]] = arith.extf %[[IN]] : f16 to f32
// CHECK: %[[ADD:.*]] = arith.addf %[[EXT]], %[[OUT]] : f32
// CHECK: linalg.yield %[[ADD]] : f32
// CHECK: } -> tensor<6xf32>
// CHECK: %[[E16:.*]] = tensor.empty() : tensor<6xf16>
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[S]] : tensor<6xf32>) outs(%[[E16]] : tensor<6xf16>)
// CHECK: arith.truncf %{{.*}} : f32 to f16
// CHECK: return %[[T]] : tensor<6xf16>
func.func @bgrad_f16_channels_last(%dy: tensor<?x4x4x6xf16>) -> tensor<6xf16> {
  %db = convgrad.conv_backward_bias %dy layout = channels_last : (tensor<?x4x4x6xf16>) -> tensor<6xf16>
  return %db : tensor<6xf16>
}

// -----

// bf16 1-D: same accumulate-in-f32 scheme, one truncf.
// CHECK-LABEL: func.func @bgrad_bf16_1d
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]} ins(%arg0 : tensor<3x5x7xbf16>) outs(%{{.*}} : tensor<5xf32>)
// CHECK: arith.extf %{{.*}} : bf16 to f32
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-NOT: arith.truncf
// CHECK: return %{{.*}} : tensor<5xbf16>
func.func @bgrad_bf16_1d(%dy: tensor<3x5x7xbf16>) -> tensor<5xbf16> {
  %db = convgrad.conv_backward_bias %dy : (tensor<3x5x7xbf16>) -> tensor<5xbf16>
  return %db : tensor<5xbf16>
}
