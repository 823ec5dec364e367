
// A non-splat constant is not folded.
func.func @reverse_non_splat() -> tensor<2xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = convgrad.reverse %c dimensions = [0] : tensor<2xf32>
  return %0 : tensor<2xf32>
}

