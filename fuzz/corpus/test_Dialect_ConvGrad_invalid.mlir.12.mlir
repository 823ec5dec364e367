
func.func @conv_f8(%x: tensor<2x4x10xf8E4M3FN>, %w: tensor<6x4x3xf8E4M3FN>) {
  // expected-error @+1 {{'input' has unsupported element type 'f8E4M3FN'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf8E4M3FN>, tensor<6x4x3xf8E4M3FN>) -> tensor<2x6x8xf8E4M3FN>
  return
}

