
// Padding larger than the kernel: K = 3x3 (Ke = 3), H = W = 4, lo = [4, 3], hi = [0, 3].
// H: O = 4+4+0-3+1 = 6, r = 0; low 2-4 = -2 (crop 2), high 2-0+0 = 2 (pad 2).
// W: O = 4+3+3-3+1 = 8, r = 0; low 2-3 = -1 (crop 1), high 2-3+0 = -1 (crop 1).
// extract_slice offsets [0, 0, 2, 1], sizes [N, 1, 6-2, 8-1-1] = [N, 1, 4, 6];
// then pad high 2 along H: 4+2 = 6; conv: 6-3+1 = 4, 6-3+1 = 4.
func.func @dgrad_crop(%dy: tensor<?x1x6x8xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32> {
  %dx = convgrad.conv_backward_data %dy, %w padding = [4, 3, 0, 3]
      : (tensor<?x1x6x8xf32>, tensor<1x1x3x3xf32>) -> tensor<?x1x4x4xf32>
  return %dx : tensor<?x1x4x4xf32>
}

