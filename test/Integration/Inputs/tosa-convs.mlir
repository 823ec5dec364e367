// Every TOSA convolution form convgrad-import-tosa imports, for
// test/Integration/tosa-import.test (convgrad vs upstream's TOSA path).

// Stride 2, dilation 2 in x, asymmetric padding, one bias value for all
// channels.
func.func @conv2d_strided_dilated(%x: tensor<2x9x11x3xf32>, %w: tensor<5x3x2x3xf32>, %b: tensor<1xf32>) -> tensor<2x5x6x5xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 2>, pad = array<i64: 2, 0, 1, 1>, stride = array<i64: 2, 2>} : (tensor<2x9x11x3xf32>, tensor<5x3x2x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x5x6x5xf32>
  return %0 : tensor<2x5x6x5xf32>
}

// f16 and bf16 accumulate in f32 on both sides.
func.func @conv2d_f16(%x: tensor<1x6x6x4xf16>, %w: tensor<8x3x3x4xf16>, %b: tensor<8xf16>) -> tensor<1x6x6x8xf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf16>}> : () -> tensor<1xf16>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x4xf16>, tensor<8x3x3x4xf16>, tensor<8xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x6x6x8xf16>
  return %0 : tensor<1x6x6x8xf16>
}
func.func @conv2d_bf16(%x: tensor<1x7x7x4xbf16>, %w: tensor<4x1x1x4xbf16>, %b: tensor<4xbf16>) -> tensor<1x4x4x4xbf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xbf16>}> : () -> tensor<1xbf16>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x7x7x4xbf16>, tensor<4x1x1x4xbf16>, tensor<4xbf16>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<1x4x4x4xbf16>
  return %0 : tensor<1x4x4x4xbf16>
}

func.func @conv3d(%x: tensor<1x5x6x7x2xf32>, %w: tensor<3x3x2x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x4x3x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv3d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1, 1>, pad = array<i64: 1, 0, 0, 0, 1, 1>, stride = array<i64: 1, 2, 2>} : (tensor<1x5x6x7x2xf32>, tensor<3x3x2x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x4x3xf32>
  return %0 : tensor<1x4x3x4x3xf32>
}

// Channel multiplier 2, stride 2, dilation 2 in y.
func.func @depthwise_multiplier(%x: tensor<2x9x8x3xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<6xf32>) -> tensor<2x4x4x6xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 2, 1>, pad = array<i64: 1, 1, 1, 0>, stride = array<i64: 2, 2>} : (tensor<2x9x8x3xf32>, tensor<3x3x3x2xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4x4x6xf32>
  return %0 : tensor<2x4x4x6xf32>
}

// Decoder layers: 3x3 stride 2 with PyTorch's padding 1, output_padding 1
// (out_pad = -1, 0: a crop at the top/left), 4x4 stride 2 padding 1, 2x2
// stride 2, and positive out_pad with a stride (2, 1) (zero rows around the
// result that still get the bias).
func.func @transpose_3x3_s2_opad1(%x: tensor<2x4x5x3xf32>, %w: tensor<6x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x8x10x6xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: -1, 0, -1, 0>, stride = array<i64: 2, 2>} : (tensor<2x4x5x3xf32>, tensor<6x3x3x3xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x8x10x6xf32>
  return %0 : tensor<2x8x10x6xf32>
}
func.func @transpose_4x4_s2(%x: tensor<1x5x5x4xf32>, %w: tensor<2x4x4x4xf32>, %b: tensor<2xf32>) -> tensor<1x10x10x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: -1, -1, -1, -1>, stride = array<i64: 2, 2>} : (tensor<1x5x5x4xf32>, tensor<2x4x4x4xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x10x10x2xf32>
  return %0 : tensor<1x10x10x2xf32>
}
func.func @transpose_2x2_s2(%x: tensor<1x3x4x5xf32>, %w: tensor<3x2x2x5xf32>, %b: tensor<3xf32>) -> tensor<1x6x8x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x3x4x5xf32>, tensor<3x2x2x5xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x8x3xf32>
  return %0 : tensor<1x6x8x3xf32>
}
func.func @transpose_positive_out_pad(%x: tensor<1x3x4x2xf32>, %w: tensor<3x3x2x2xf32>, %b: tensor<3xf32>) -> tensor<1x10x7x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 2, 1, 0, 2>, stride = array<i64: 2, 1>} : (tensor<1x3x4x2xf32>, tensor<3x3x2x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x10x7x3xf32>
  return %0 : tensor<1x10x7x3xf32>
}

// Stride 1 with a crop on every side, and stride 2 with a bottom/right
// out_pad of 1 (output_padding: a row no input reaches, bias only): both
// imported as convgrad.conv_transpose.
func.func @transpose_s1_cropped(%x: tensor<1x4x5x3xf32>, %w: tensor<2x3x3x3xf32>, %b: tensor<2xf32>) -> tensor<1x4x5x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: -1, -1, 0, -2>, stride = array<i64: 1, 1>} : (tensor<1x4x5x3xf32>, tensor<2x3x3x3xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x5x2xf32>
  return %0 : tensor<1x4x5x2xf32>
}
func.func @transpose_s2_output_padding(%x: tensor<1x3x3x2xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x8x7x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 1, -1, 1>, stride = array<i64: 2, 2>} : (tensor<1x3x3x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x7x3xf32>
  return %0 : tensor<1x8x7x3xf32>
}
