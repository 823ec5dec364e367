// One case per verifier rule and diagnostic of ConvGradOps.cpp, for every op
// kind the rule applies to. Base 1-D shapes: input 2x4x10, filter 6x4x3, output
// 2x6x8 (floor((10 - 3) / 1) + 1 = 8).

func.func @conv_x_rank2(%x: tensor<2x4xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'input' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv %x, %w : (tensor<2x4xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

