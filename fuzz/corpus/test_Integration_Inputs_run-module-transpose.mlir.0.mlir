// conv_transpose ops in a module: convgrad-run derives a .cfg line with
// op=transpose from each and checks the op and its gradients.
func.func @decoder(%x: tensor<?x16x8x8xf32>, %w: tensor<16x4x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x16x16xf32> {
  %y = convgrad.conv_transpose %x, %w, %b output_padding = [1, 1] strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<?x16x8x8xf32>, tensor<16x4x3x3xf32>, tensor<8xf32>) -> tensor<?x8x16x16xf32>
  return %y : tensor<?x8x16x16xf32>
}
func.func @dilated_cl(%x: tensor<1x5x3xbf16>, %w: tensor<3x2x2xbf16>) -> tensor<1x9x2xbf16> {
  %y = convgrad.conv_transpose %x, %w output_padding = [2] padding = [0, 1] dilations = [3] layout = channels_last
      : (tensor<1x5x3xbf16>, tensor<3x2x2xbf16>) -> tensor<1x9x2xbf16>
  return %y : tensor<1x9x2xbf16>
}
