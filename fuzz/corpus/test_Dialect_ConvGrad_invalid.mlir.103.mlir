
func.func @wgrad_y_f80(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf80>) {
  // expected-error @+1 {{'grad_output' has unsupported element type 'f80'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf80>) -> tensor<6x4x3xf32>
  return
}

