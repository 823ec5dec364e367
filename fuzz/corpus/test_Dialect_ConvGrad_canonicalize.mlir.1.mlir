
// Dynamic sizes with stride 1 keep their type: still the identity.
func.func @insert_zeros_unit_strides_dynamic(%a: tensor<?x3x?xf16>) -> tensor<?x3x?xf16> {
  %0 = convgrad.insert_zeros %a strides = [1, 1, 1] : tensor<?x3x?xf16> -> tensor<?x3x?xf16>
  return %0 : tensor<?x3x?xf16>
}

