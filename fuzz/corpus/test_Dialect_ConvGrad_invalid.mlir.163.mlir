
func.func @reverse_repeated(%s: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{'dimensions' must be strictly increasing, got 2 after 2}}
  %0 = convgrad.reverse %s dimensions = [2, 2] : tensor<4x8x3x3xf32>
  return
}

