
func.func @dgrad_padding_len_2d(%y: tensor<2x6x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'padding' has 2 entries, expected 4 (all low paddings, then all high paddings)}}
  %0 = convgrad.conv_backward_data %y, %w padding = [0, 0] : (tensor<2x6x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x10x10xf32>
  return
}

