
// A dynamic dimension is not known to be 1: kept.
func.func @reverse_dynamic_kept(%a: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = convgrad.reverse %a dimensions = [0] : tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

