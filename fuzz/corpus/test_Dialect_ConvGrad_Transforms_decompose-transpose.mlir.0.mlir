// convgrad-decompose on conv_transpose: the data gradient of the convolution
// it transposes, then the bias. The same pass decomposes that dgrad further
// (here its zero-insertion form: a stride-1 conv of the zero-inserted, padded
// input with the reversed, role-swapped filter; decompose.mlir tests it).

// output_padding <= padHigh: the dgrad's high padding shrinks by it
// (3x3 s2 padding 1 output_padding 1: [1, 1, 0, 0]), nothing is appended.
// (Re-padding of the zero-inserted input: low (K-1)d - lo = 1, high
// (K-1)d - hi' = 2 with hi' = 0.)
func.func @opad_within_padding(%x: tensor<1x6x4x4xf32>, %w: tensor<6x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x8x8xf32> {
  %y = convgrad.conv_transpose %x, %w, %b output_padding = [1, 1] strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<1x6x4x4xf32>, tensor<6x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  return %y : tensor<1x4x8x8xf32>
}

