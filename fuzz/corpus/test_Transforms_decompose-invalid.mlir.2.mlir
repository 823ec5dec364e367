
// Dynamic filter: static channels of the activations, unknown filter count.
func.func @dgrad_dynamic_filter(%dy: tensor<1x6x5x5xf32>, %w: tensor<?x4x3x3xf32>) -> tensor<1x4x5x5xf32> {
  // expected-error @+1 {{'convgrad.conv_backward_data' op cannot be decomposed: the filter shape must be static}}
  %dx = convgrad.conv_backward_data %dy, %w padding = [1, 1, 1, 1]
      : (tensor<1x6x5x5xf32>, tensor<?x4x3x3xf32>) -> tensor<1x4x5x5xf32>
  return %dx : tensor<1x4x5x5xf32>
}

