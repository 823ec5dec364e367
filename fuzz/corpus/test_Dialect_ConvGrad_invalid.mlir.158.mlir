
func.func @insert_zeros_result_dynamic(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result dimension 0 is ?, expected 2 ((size - 1) * stride + 1 with size 2 and stride 1)}}
  %0 = convgrad.insert_zeros %s strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<?x3x7xf32>
  return
}

