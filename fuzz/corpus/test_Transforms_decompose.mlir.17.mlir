
// bf16 1-D: same accumulate-in-f32 scheme, one truncf.
func.func @bgrad_bf16_1d(%dy: tensor<3x5x7xbf16>) -> tensor<5xbf16> {
  %db = convgrad.conv_backward_bias %dy : (tensor<3x5x7xbf16>) -> tensor<5xbf16>
  return %db : tensor<5xbf16>
}
