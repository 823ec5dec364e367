
// bgrad f16, channels-last, dynamic batch: accumulate in f32 (extf in the
// reduction), then one truncf generic back to f16.
func.func @bgrad_f16_channels_last(%dy: tensor<?x4x4x6xf16>) -> tensor<6xf16> {
  %db = convgrad.conv_backward_bias %dy layout = channels_last : (tensor<?x4x4x6xf16>) -> tensor<6xf16>
  return %db : tensor<6xf16>
}

