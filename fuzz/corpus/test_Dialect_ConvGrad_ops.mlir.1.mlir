
func.func @conv_transpose(%x: tensor<?x4x5x6xf32>, %w: tensor<6x3x3x2xf32>, %b: tensor<4xf32>) -> tensor<?x8x10x4xf32> {
  %y = convgrad.conv_transpose %x, %w, %b output_padding = [1, 1] strides = [2, 2] padding = [1, 1, 1, 1] groups = 2 layout = channels_last
      : (tensor<?x4x5x6xf32>, tensor<6x3x3x2xf32>, tensor<4xf32>) -> tensor<?x8x10x4xf32>
  return %y : tensor<?x8x10x4xf32>
}
