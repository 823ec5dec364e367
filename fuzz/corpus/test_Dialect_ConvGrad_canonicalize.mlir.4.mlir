
// Reversing no dimension is the identity.
func.func @reverse_no_dims(%a: tensor<?x5xbf16>) -> tensor<?x5xbf16> {
  %0 = convgrad.reverse %a dimensions = [] : tensor<?x5xbf16>
  return %0 : tensor<?x5xbf16>
}

