// One case per verifier rule and diagnostic of ConvGradOps.cpp, for every op
// kind the rule applies to. Base 1-D shapes: input 2x4x10, filter 6x4x3, output
// 2x6x8 (floor((10 - 3) / 1) + 1 = 8).
// RUN: convgrad-opt %s -split-input-file -verify-diagnostics

func.func @conv_x_rank2(%x: tensor<2x4xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'input' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv %x, %w : (tensor<2x4xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_x_rank6(%x: tensor<2x4x3x3x3x3xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'input' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x3x3x3x3xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_w_rank2(%x: tensor<2x4x10xf32>, %w: tensor<6x4xf32>) {
  // expected-error @+1 {{'filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_w_rank6(%x: tensor<2x4x10xf32>, %w: tensor<6x4x1x1x1x1xf32>) {
  // expected-error @+1 {{'filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x1x1x1x1xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_y_rank2(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @conv_y_rank6(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x1x1x1x1xf32>
  return
}

// -----

func.func @conv_w_rank_mismatch(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'filter' has rank 4 but 'input' has rank 3; input, filter and output must all have rank R + 2}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_y_rank_mismatch(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output' has rank 4 but 'input' has rank 3; input, filter and output must all have rank R + 2}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8x1xf32>
  return
}

// -----

func.func @conv_x_rank_mismatch(%x: tensor<2x4x10x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'filter' has rank 3 but 'input' has rank 4}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_mixed_w_type(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf16>) {
  // expected-error @+1 {{'filter' element type 'f16' differs from 'input' element type 'f32'}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf16>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_mixed_y_type(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output' element type 'bf16' differs from 'input' element type 'f32'}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xbf16>
  return
}

// -----

func.func @conv_i32(%x: tensor<2x4x10xi32>, %w: tensor<6x4x3xi32>) {
  // expected-error @+1 {{'input' has unsupported element type 'i32'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xi32>, tensor<6x4x3xi32>) -> tensor<2x6x8xi32>
  return
}

// -----

func.func @conv_f8(%x: tensor<2x4x10xf8E4M3FN>, %w: tensor<6x4x3xf8E4M3FN>) {
  // expected-error @+1 {{'input' has unsupported element type 'f8E4M3FN'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf8E4M3FN>, tensor<6x4x3xf8E4M3FN>) -> tensor<2x6x8xf8E4M3FN>
  return
}

// -----

func.func @conv_f128(%x: tensor<2x4x10xf128>, %w: tensor<6x4x3xf128>) {
  // expected-error @+1 {{'input' has unsupported element type 'f128'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf128>, tensor<6x4x3xf128>) -> tensor<2x6x8xf128>
  return
}

// -----

func.func @conv_w_i8(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xi8>) {
  // expected-error @+1 {{'filter' has unsupported element type 'i8'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xi8>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_y_f80(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output' has unsupported element type 'f80'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf80>
  return
}

// -----

func.func @conv_strides_len(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'strides' has 2 entries, expected 1 (one per spatial dimension)}}
  %0 = convgrad.conv %x, %w strides = [1, 1] : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_dilations_len(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'dilations' has 0 entries, expected 1 (one per spatial dimension)}}
  %0 = convgrad.conv %x, %w dilations = [] : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_padding_len(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'padding' has 1 entries, expected 2 (all low paddings, then all high paddings)}}
  %0 = convgrad.conv %x, %w padding = [0] : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_padding_len_2d(%x: tensor<2x4x10x10xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'padding' has 2 entries, expected 4 (all low paddings, then all high paddings)}}
  %0 = convgrad.conv %x, %w padding = [0, 0] : (tensor<2x4x10x10xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x8x8xf32>
  return
}

// -----

func.func @conv_stride_zero(%x: tensor<2x4x10x10xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got 0 at index 1}}
  %0 = convgrad.conv %x, %w strides = [1, 0] : (tensor<2x4x10x10xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x8x8xf32>
  return
}

// -----

func.func @conv_stride_negative(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got -2 at index 0}}
  %0 = convgrad.conv %x, %w strides = [-2] : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_dilation_zero(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'dilations' entries must be >= 1, got 0 at index 0}}
  %0 = convgrad.conv %x, %w dilations = [0] : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_dilation_negative(%x: tensor<2x4x10x10xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'dilations' entries must be >= 1, got -1 at index 1}}
  %0 = convgrad.conv %x, %w dilations = [1, -1] : (tensor<2x4x10x10xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x8x8xf32>
  return
}

// -----

func.func @conv_padding_negative(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'padding' entries must be >= 0, got -1 at index 1}}
  %0 = convgrad.conv %x, %w padding = [1, -1] : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_groups_zero(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got 0}}
  %0 = convgrad.conv %x, %w groups = 0 : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_groups_negative(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got -2}}
  %0 = convgrad.conv %x, %w groups = -2 : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

// groups * (filter channels per group) = 2^32 * 2^32 wraps to 0 in int64
// arithmetic, which matched the 0 channels of the input (undefined behaviour,
// and the op used to verify): the product is now overflow-checked.
func.func @conv_groups_overflow(%x: tensor<1x0x4xf32>, %w: tensor<0x4294967296x1xf32>) {
  // expected-error @+1 {{'filter' has 4294967296 input channels per group (dimension 1), times 4294967296 group(s) that overflows int64; expected the channels of 'input' (0)}}
  %0 = convgrad.conv %x, %w groups = 4294967296 : (tensor<1x0x4xf32>, tensor<0x4294967296x1xf32>) -> tensor<1x0x4xf32>
  return
}

// -----

func.func @dgrad_groups_overflow(%dy: tensor<1x0x4xf32>, %w: tensor<0x4294967296x1xf32>) {
  // expected-error @+1 {{'filter' has 4294967296 input channels per group (dimension 1), times 4294967296 group(s) that overflows int64; expected the channels of 'grad_input' (0)}}
  %0 = convgrad.conv_backward_data %dy, %w groups = 4294967296 : (tensor<1x0x4xf32>, tensor<0x4294967296x1xf32>) -> tensor<1x0x4xf32>
  return
}

// -----

func.func @wgrad_groups_overflow(%x: tensor<1x0x4xf32>, %dy: tensor<1x0x4xf32>) {
  // expected-error @+1 {{'grad_filter' has 4294967296 input channels per group (dimension 1), times 4294967296 group(s) that overflows int64; expected the channels of 'input' (0)}}
  %0 = convgrad.conv_backward_filter %x, %dy groups = 4294967296 : (tensor<1x0x4xf32>, tensor<1x0x4xf32>) -> tensor<0x4294967296x1xf32>
  return
}

// -----

// An operand whose element count overflows int64.
func.func @conv_too_many_elements(%x: tensor<4294967296x4294967296x4xf32>, %w: tensor<6x4294967296x3xf32>) {
  // expected-error @+1 {{'input' has more elements than int64 can count ('tensor<4294967296x4294967296x4xf32>')}}
  %0 = convgrad.conv %x, %w : (tensor<4294967296x4294967296x4xf32>, tensor<6x4294967296x3xf32>) -> tensor<4294967296x6x2xf32>
  return
}

// -----

func.func @conv_groups_c(%x: tensor<2x5x10xf32>, %w: tensor<6x2x3xf32>) {
  // expected-error @+1 {{'groups' (2) must divide the channels of 'input' (5)}}
  %0 = convgrad.conv %x, %w groups = 2 : (tensor<2x5x10xf32>, tensor<6x2x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_groups_f(%x: tensor<2x4x10xf32>, %w: tensor<6x1x3xf32>) {
  // expected-error @+1 {{'groups' (4) must divide the channels of 'output' (6)}}
  %0 = convgrad.conv %x, %w groups = 4 : (tensor<2x4x10xf32>, tensor<6x1x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_groups_c_cl(%x: tensor<2x10x6xf32>, %w: tensor<6x3x2xf32>) {
  // expected-error @+1 {{'groups' (4) must divide the channels of 'input' (6)}}
  %0 = convgrad.conv %x, %w groups = 4 layout = channels_last : (tensor<2x10x6xf32>, tensor<6x3x2xf32>) -> tensor<2x8x6xf32>
  return
}

// -----

func.func @conv_filter_f(%x: tensor<2x4x10xf32>, %w: tensor<5x4x3xf32>) {
  // expected-error @+1 {{'filter' has 5 output channels (dimension 0) but 'output' has 6 channels}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<5x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_filter_cg(%x: tensor<2x4x10xf32>, %w: tensor<6x3x3xf32>) {
  // expected-error @+1 {{'filter' has 3 input channels per group (dimension 1) but 'input' has 4 channels in 2 group(s), i.e. 2 per group}}
  %0 = convgrad.conv %x, %w groups = 2 : (tensor<2x4x10xf32>, tensor<6x3x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_filter_cg_cl(%x: tensor<2x10x4xf32>, %w: tensor<6x3x4xf32>) {
  // expected-error @+1 {{'filter' has 4 input channels per group (dimension 2) but 'input' has 4 channels in 2 group(s), i.e. 2 per group}}
  %0 = convgrad.conv %x, %w groups = 2 layout = channels_last : (tensor<2x10x4xf32>, tensor<6x3x4xf32>) -> tensor<2x8x6xf32>
  return
}

// -----

func.func @conv_filter_c_ungrouped(%x: tensor<2x4x10xf32>, %w: tensor<6x2x3xf32>) {
  // expected-error @+1 {{'filter' has 2 input channels per group (dimension 1) but 'input' has 4 channels in 1 group(s), i.e. 4 per group}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x2x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_batch(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{batch size of 'input' (2) differs from batch size of 'output' (3)}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<3x6x8xf32>
  return
}

// -----

func.func @conv_dynamic_x_spatial(%x: tensor<2x4x?xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'input' dimension 2 (spatial dimension 0) must be static; only batch and channel sizes may be dynamic}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x?xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_dynamic_w_spatial(%x: tensor<2x4x10xf32>, %w: tensor<6x4x?xf32>) {
  // expected-error @+1 {{'filter' dimension 2 (spatial dimension 0) must be static}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x?xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_dynamic_y_spatial_cl(%x: tensor<2x10x10x4xf32>, %w: tensor<6x3x3x4xf32>) {
  // expected-error @+1 {{'output' dimension 2 (spatial dimension 1) must be static}}
  %0 = convgrad.conv %x, %w layout = channels_last : (tensor<2x10x10x4xf32>, tensor<6x3x3x4xf32>) -> tensor<2x8x?x6xf32>
  return
}

// -----

func.func @conv_kernel_too_large(%x: tensor<2x4x2xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{spatial dimension 0: the padded size of 'input' (2 + 0 + 0 = 2) is smaller than the dilated kernel extent (3 - 1) * 1 + 1 = 3}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x2xf32>, tensor<6x4x3xf32>) -> tensor<2x6x1xf32>
  return
}

// -----

func.func @conv_dilated_kernel_too_large(%x: tensor<2x4x10x4xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 1: the padded size of 'input' (4 + 1 + 0 = 5) is smaller than the dilated kernel extent (3 - 1) * 3 + 1 = 7}}
  %0 = convgrad.conv %x, %w padding = [0, 1, 0, 0] dilations = [1, 3] : (tensor<2x4x10x4xf32>, tensor<6x4x3x3xf32>) -> tensor<2x6x8x1xf32>
  return
}

// -----

func.func @conv_output_size(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output' spatial dimension 0 is 9, but floor((H + lo + hi - Ke) / s) + 1 = floor((10 + 0 + 0 - 3) / 1) + 1 = 8}}
  %0 = convgrad.conv %x, %w : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x9xf32>
  return
}

// -----

func.func @conv_output_size_strided(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'output' spatial dimension 1 is 5, but floor((H + lo + hi - Ke) / s) + 1 = floor((8 + 1 + 1 - 3) / 2) + 1 = 4}}
  %0 = convgrad.conv %x, %w strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x4x5xf32>
  return
}

// -----

func.func @conv_output_size_dilated_cl(%x: tensor<1x9x4xf32>, %w: tensor<6x3x4xf32>) {
  // expected-error @+1 {{'output' spatial dimension 0 is 2, but floor((H + lo + hi - Ke) / s) + 1 = floor((9 + 2 + 0 - 5) / 3) + 1 = 3}}
  %0 = convgrad.conv %x, %w strides = [3] padding = [2, 0] dilations = [2] layout = channels_last : (tensor<1x9x4xf32>, tensor<6x3x4xf32>) -> tensor<1x2x6xf32>
  return
}

// -----

func.func @conv_layout_keyword(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{expected 'channels_first' or 'channels_last', got 'foo'}}
  %0 = convgrad.conv %x, %w layout = foo : (tensor<2x4x10xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @dgrad_x_rank2(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_input' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @dgrad_x_rank6(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_input' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x3x3x3x3xf32>
  return
}

// -----

func.func @dgrad_w_rank2(%y: tensor<2x6x8xf32>, %w: tensor<6x4xf32>) {
  // expected-error @+1 {{'filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_w_rank6(%y: tensor<2x6x8xf32>, %w: tensor<6x4x1x1x1x1xf32>) {
  // expected-error @+1 {{'filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x1x1x1x1xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_y_rank2(%y: tensor<2x6xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_y_rank6(%y: tensor<2x6x1x1x1x1xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x1x1x1x1xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_w_rank_mismatch(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'filter' has rank 4 but 'grad_input' has rank 3; input, filter and output must all have rank R + 2}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_y_rank_mismatch(%y: tensor<2x6x8x1xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_output' has rank 4 but 'grad_input' has rank 3; input, filter and output must all have rank R + 2}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8x1xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_x_rank_mismatch(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'filter' has rank 3 but 'grad_input' has rank 4}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10x10xf32>
  return
}

// -----

func.func @dgrad_mixed_w_type(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf16>) {
  // expected-error @+1 {{'filter' element type 'f16' differs from 'grad_input' element type 'f32'}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xf16>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_mixed_y_type(%y: tensor<2x6x8xbf16>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_output' element type 'bf16' differs from 'grad_input' element type 'f32'}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xbf16>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_i32(%y: tensor<2x6x8xi32>, %w: tensor<6x4x3xi32>) {
  // expected-error @+1 {{'grad_input' has unsupported element type 'i32'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xi32>, tensor<6x4x3xi32>) -> tensor<2x4x10xi32>
  return
}

// -----

func.func @dgrad_f8(%y: tensor<2x6x8xf8E4M3FN>, %w: tensor<6x4x3xf8E4M3FN>) {
  // expected-error @+1 {{'grad_input' has unsupported element type 'f8E4M3FN'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf8E4M3FN>, tensor<6x4x3xf8E4M3FN>) -> tensor<2x4x10xf8E4M3FN>
  return
}

// -----

func.func @dgrad_f128(%y: tensor<2x6x8xf128>, %w: tensor<6x4x3xf128>) {
  // expected-error @+1 {{'grad_input' has unsupported element type 'f128'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf128>, tensor<6x4x3xf128>) -> tensor<2x4x10xf128>
  return
}

// -----

func.func @dgrad_w_i8(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xi8>) {
  // expected-error @+1 {{'filter' has unsupported element type 'i8'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xi8>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_y_f80(%y: tensor<2x6x8xf80>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_output' has unsupported element type 'f80'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf80>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_strides_len(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'strides' has 2 entries, expected 1 (one per spatial dimension)}}
  %0 = convgrad.conv_backward_data %y, %w strides = [1, 1] : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_dilations_len(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'dilations' has 0 entries, expected 1 (one per spatial dimension)}}
  %0 = convgrad.conv_backward_data %y, %w dilations = [] : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_padding_len(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'padding' has 1 entries, expected 2 (all low paddings, then all high paddings)}}
  %0 = convgrad.conv_backward_data %y, %w padding = [0] : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_padding_len_2d(%y: tensor<2x6x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'padding' has 2 entries, expected 4 (all low paddings, then all high paddings)}}
  %0 = convgrad.conv_backward_data %y, %w padding = [0, 0] : (tensor<2x6x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x10x10xf32>
  return
}

// -----

func.func @dgrad_stride_zero(%y: tensor<2x6x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got 0 at index 1}}
  %0 = convgrad.conv_backward_data %y, %w strides = [1, 0] : (tensor<2x6x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x10x10xf32>
  return
}

// -----

func.func @dgrad_stride_negative(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got -2 at index 0}}
  %0 = convgrad.conv_backward_data %y, %w strides = [-2] : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_dilation_zero(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'dilations' entries must be >= 1, got 0 at index 0}}
  %0 = convgrad.conv_backward_data %y, %w dilations = [0] : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_dilation_negative(%y: tensor<2x6x8x8xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{'dilations' entries must be >= 1, got -1 at index 1}}
  %0 = convgrad.conv_backward_data %y, %w dilations = [1, -1] : (tensor<2x6x8x8xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x10x10xf32>
  return
}

// -----

func.func @dgrad_padding_negative(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'padding' entries must be >= 0, got -1 at index 1}}
  %0 = convgrad.conv_backward_data %y, %w padding = [1, -1] : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_groups_zero(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got 0}}
  %0 = convgrad.conv_backward_data %y, %w groups = 0 : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_groups_negative(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got -2}}
  %0 = convgrad.conv_backward_data %y, %w groups = -2 : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_groups_c(%y: tensor<2x6x8xf32>, %w: tensor<6x2x3xf32>) {
  // expected-error @+1 {{'groups' (2) must divide the channels of 'grad_input' (5)}}
  %0 = convgrad.conv_backward_data %y, %w groups = 2 : (tensor<2x6x8xf32>, tensor<6x2x3xf32>) -> tensor<2x5x10xf32>
  return
}

// -----

func.func @dgrad_groups_f(%y: tensor<2x6x8xf32>, %w: tensor<6x1x3xf32>) {
  // expected-error @+1 {{'groups' (4) must divide the channels of 'grad_output' (6)}}
  %0 = convgrad.conv_backward_data %y, %w groups = 4 : (tensor<2x6x8xf32>, tensor<6x1x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_groups_c_cl(%y: tensor<2x8x6xf32>, %w: tensor<6x3x2xf32>) {
  // expected-error @+1 {{'groups' (4) must divide the channels of 'grad_input' (6)}}
  %0 = convgrad.conv_backward_data %y, %w groups = 4 layout = channels_last : (tensor<2x8x6xf32>, tensor<6x3x2xf32>) -> tensor<2x10x6xf32>
  return
}

// -----

func.func @dgrad_filter_f(%y: tensor<2x6x8xf32>, %w: tensor<5x4x3xf32>) {
  // expected-error @+1 {{'filter' has 5 output channels (dimension 0) but 'grad_output' has 6 channels}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<5x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_filter_cg(%y: tensor<2x6x8xf32>, %w: tensor<6x3x3xf32>) {
  // expected-error @+1 {{'filter' has 3 input channels per group (dimension 1) but 'grad_input' has 4 channels in 2 group(s), i.e. 2 per group}}
  %0 = convgrad.conv_backward_data %y, %w groups = 2 : (tensor<2x6x8xf32>, tensor<6x3x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_filter_cg_cl(%y: tensor<2x8x6xf32>, %w: tensor<6x3x4xf32>) {
  // expected-error @+1 {{'filter' has 4 input channels per group (dimension 2) but 'grad_input' has 4 channels in 2 group(s), i.e. 2 per group}}
  %0 = convgrad.conv_backward_data %y, %w groups = 2 layout = channels_last : (tensor<2x8x6xf32>, tensor<6x3x4xf32>) -> tensor<2x10x4xf32>
  return
}

// -----

func.func @dgrad_filter_c_ungrouped(%y: tensor<2x6x8xf32>, %w: tensor<6x2x3xf32>) {
  // expected-error @+1 {{'filter' has 2 input channels per group (dimension 1) but 'grad_input' has 4 channels in 1 group(s), i.e. 4 per group}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x2x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_batch(%y: tensor<3x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{batch size of 'grad_input' (2) differs from batch size of 'grad_output' (3)}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<3x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_dynamic_x_spatial(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_input' dimension 2 (spatial dimension 0) must be static; only batch and channel sizes may be dynamic}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x?xf32>
  return
}

// -----

func.func @dgrad_dynamic_w_spatial(%y: tensor<2x6x8xf32>, %w: tensor<6x4x?xf32>) {
  // expected-error @+1 {{'filter' dimension 2 (spatial dimension 0) must be static}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x?xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_dynamic_y_spatial_cl(%y: tensor<2x8x?x6xf32>, %w: tensor<6x3x3x4xf32>) {
  // expected-error @+1 {{'grad_output' dimension 2 (spatial dimension 1) must be static}}
  %0 = convgrad.conv_backward_data %y, %w layout = channels_last : (tensor<2x8x?x6xf32>, tensor<6x3x3x4xf32>) -> tensor<2x10x10x4xf32>
  return
}

// -----

func.func @dgrad_kernel_too_large(%y: tensor<2x6x1xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{spatial dimension 0: the padded size of 'grad_input' (2 + 0 + 0 = 2) is smaller than the dilated kernel extent (3 - 1) * 1 + 1 = 3}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x1xf32>, tensor<6x4x3xf32>) -> tensor<2x4x2xf32>
  return
}

// -----

func.func @dgrad_dilated_kernel_too_large(%y: tensor<2x6x8x1xf32>, %w: tensor<6x4x3x3xf32>) {
  // expected-error @+1 {{spatial dimension 1: the padded size of 'grad_input' (4 + 1 + 0 = 5) is smaller than the dilated kernel extent (3 - 1) * 3 + 1 = 7}}
  %0 = convgrad.conv_backward_data %y, %w padding = [0, 1, 0, 0] dilations = [1, 3] : (tensor<2x6x8x1xf32>, tensor<6x4x3x3xf32>) -> tensor<2x4x10x4xf32>
  return
}

// -----

func.func @dgrad_output_size(%y: tensor<2x6x9xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 0 is 9, but floor((H + lo + hi - Ke) / s) + 1 = floor((10 + 0 + 0 - 3) / 1) + 1 = 8}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x9xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @dgrad_output_size_strided(%y: tensor<1x8x4x5xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 1 is 5, but floor((H + lo + hi - Ke) / s) + 1 = floor((8 + 1 + 1 - 3) / 2) + 1 = 4}}
  %0 = convgrad.conv_backward_data %y, %w strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<1x8x4x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @dgrad_output_size_dilated_cl(%y: tensor<1x2x6xf32>, %w: tensor<6x3x4xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 0 is 2, but floor((H + lo + hi - Ke) / s) + 1 = floor((9 + 2 + 0 - 5) / 3) + 1 = 3}}
  %0 = convgrad.conv_backward_data %y, %w strides = [3] padding = [2, 0] dilations = [2] layout = channels_last : (tensor<1x2x6xf32>, tensor<6x3x4xf32>) -> tensor<1x9x4xf32>
  return
}

// -----

func.func @dgrad_layout_keyword(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{expected 'channels_first' or 'channels_last', got 'foo'}}
  %0 = convgrad.conv_backward_data %y, %w layout = foo : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x10xf32>
  return
}

// -----

func.func @wgrad_x_rank2(%x: tensor<2x4xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'input' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_x_rank6(%x: tensor<2x4x3x3x3x3xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'input' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x3x3x3x3xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_w_rank2(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4xf32>
  return
}

// -----

func.func @wgrad_w_rank6(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x1x1x1x1xf32>
  return
}

// -----

func.func @wgrad_y_rank2(%x: tensor<2x4x10xf32>, %y: tensor<2x6xf32>) {
  // expected-error @+1 {{'grad_output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_y_rank6(%x: tensor<2x4x10xf32>, %y: tensor<2x6x1x1x1x1xf32>) {
  // expected-error @+1 {{'grad_output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x1x1x1x1xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_w_rank_mismatch(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' has rank 4 but 'input' has rank 3; input, filter and output must all have rank R + 2}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @wgrad_y_rank_mismatch(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8x1xf32>) {
  // expected-error @+1 {{'grad_output' has rank 4 but 'input' has rank 3; input, filter and output must all have rank R + 2}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8x1xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_x_rank_mismatch(%x: tensor<2x4x10x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' has rank 3 but 'input' has rank 4}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_mixed_w_type(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' element type 'f16' differs from 'input' element type 'f32'}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf16>
  return
}

// -----

func.func @wgrad_mixed_y_type(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xbf16>) {
  // expected-error @+1 {{'grad_output' element type 'bf16' differs from 'input' element type 'f32'}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xbf16>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_i32(%x: tensor<2x4x10xi32>, %y: tensor<2x6x8xi32>) {
  // expected-error @+1 {{'input' has unsupported element type 'i32'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xi32>, tensor<2x6x8xi32>) -> tensor<6x4x3xi32>
  return
}

// -----

func.func @wgrad_f8(%x: tensor<2x4x10xf8E4M3FN>, %y: tensor<2x6x8xf8E4M3FN>) {
  // expected-error @+1 {{'input' has unsupported element type 'f8E4M3FN'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf8E4M3FN>, tensor<2x6x8xf8E4M3FN>) -> tensor<6x4x3xf8E4M3FN>
  return
}

// -----

func.func @wgrad_f128(%x: tensor<2x4x10xf128>, %y: tensor<2x6x8xf128>) {
  // expected-error @+1 {{'input' has unsupported element type 'f128'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf128>, tensor<2x6x8xf128>) -> tensor<6x4x3xf128>
  return
}

// -----

func.func @wgrad_w_i8(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' has unsupported element type 'i8'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xi8>
  return
}

// -----

func.func @wgrad_y_f80(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf80>) {
  // expected-error @+1 {{'grad_output' has unsupported element type 'f80'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf80>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_strides_len(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'strides' has 2 entries, expected 1 (one per spatial dimension)}}
  %0 = convgrad.conv_backward_filter %x, %y strides = [1, 1] : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_dilations_len(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'dilations' has 0 entries, expected 1 (one per spatial dimension)}}
  %0 = convgrad.conv_backward_filter %x, %y dilations = [] : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_padding_len(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'padding' has 1 entries, expected 2 (all low paddings, then all high paddings)}}
  %0 = convgrad.conv_backward_filter %x, %y padding = [0] : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_padding_len_2d(%x: tensor<2x4x10x10xf32>, %y: tensor<2x6x8x8xf32>) {
  // expected-error @+1 {{'padding' has 2 entries, expected 4 (all low paddings, then all high paddings)}}
  %0 = convgrad.conv_backward_filter %x, %y padding = [0, 0] : (tensor<2x4x10x10xf32>, tensor<2x6x8x8xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @wgrad_stride_zero(%x: tensor<2x4x10x10xf32>, %y: tensor<2x6x8x8xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got 0 at index 1}}
  %0 = convgrad.conv_backward_filter %x, %y strides = [1, 0] : (tensor<2x4x10x10xf32>, tensor<2x6x8x8xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @wgrad_stride_negative(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got -2 at index 0}}
  %0 = convgrad.conv_backward_filter %x, %y strides = [-2] : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_dilation_zero(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'dilations' entries must be >= 1, got 0 at index 0}}
  %0 = convgrad.conv_backward_filter %x, %y dilations = [0] : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_dilation_negative(%x: tensor<2x4x10x10xf32>, %y: tensor<2x6x8x8xf32>) {
  // expected-error @+1 {{'dilations' entries must be >= 1, got -1 at index 1}}
  %0 = convgrad.conv_backward_filter %x, %y dilations = [1, -1] : (tensor<2x4x10x10xf32>, tensor<2x6x8x8xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @wgrad_padding_negative(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'padding' entries must be >= 0, got -1 at index 1}}
  %0 = convgrad.conv_backward_filter %x, %y padding = [1, -1] : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_groups_zero(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got 0}}
  %0 = convgrad.conv_backward_filter %x, %y groups = 0 : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_groups_negative(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got -2}}
  %0 = convgrad.conv_backward_filter %x, %y groups = -2 : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_groups_c(%x: tensor<2x5x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'groups' (2) must divide the channels of 'input' (5)}}
  %0 = convgrad.conv_backward_filter %x, %y groups = 2 : (tensor<2x5x10xf32>, tensor<2x6x8xf32>) -> tensor<6x2x3xf32>
  return
}

// -----

func.func @wgrad_groups_f(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'groups' (4) must divide the channels of 'grad_output' (6)}}
  %0 = convgrad.conv_backward_filter %x, %y groups = 4 : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x1x3xf32>
  return
}

// -----

func.func @wgrad_groups_c_cl(%x: tensor<2x10x6xf32>, %y: tensor<2x8x6xf32>) {
  // expected-error @+1 {{'groups' (4) must divide the channels of 'input' (6)}}
  %0 = convgrad.conv_backward_filter %x, %y groups = 4 layout = channels_last : (tensor<2x10x6xf32>, tensor<2x8x6xf32>) -> tensor<6x3x2xf32>
  return
}

// -----

func.func @wgrad_filter_f(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' has 5 output channels (dimension 0) but 'grad_output' has 6 channels}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<5x4x3xf32>
  return
}

// -----

func.func @wgrad_filter_cg(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' has 3 input channels per group (dimension 1) but 'input' has 4 channels in 2 group(s), i.e. 2 per group}}
  %0 = convgrad.conv_backward_filter %x, %y groups = 2 : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x3x3xf32>
  return
}

// -----

func.func @wgrad_filter_cg_cl(%x: tensor<2x10x4xf32>, %y: tensor<2x8x6xf32>) {
  // expected-error @+1 {{'grad_filter' has 4 input channels per group (dimension 2) but 'input' has 4 channels in 2 group(s), i.e. 2 per group}}
  %0 = convgrad.conv_backward_filter %x, %y groups = 2 layout = channels_last : (tensor<2x10x4xf32>, tensor<2x8x6xf32>) -> tensor<6x3x4xf32>
  return
}

// -----

func.func @wgrad_filter_c_ungrouped(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' has 2 input channels per group (dimension 1) but 'input' has 4 channels in 1 group(s), i.e. 4 per group}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x2x3xf32>
  return
}

// -----

func.func @wgrad_batch(%x: tensor<2x4x10xf32>, %y: tensor<3x6x8xf32>) {
  // expected-error @+1 {{batch size of 'input' (2) differs from batch size of 'grad_output' (3)}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<3x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_dynamic_x_spatial(%x: tensor<2x4x?xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'input' dimension 2 (spatial dimension 0) must be static; only batch and channel sizes may be dynamic}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x?xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_dynamic_w_spatial(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_filter' dimension 2 (spatial dimension 0) must be static}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x?xf32>
  return
}

// -----

func.func @wgrad_dynamic_y_spatial_cl(%x: tensor<2x10x10x4xf32>, %y: tensor<2x8x?x6xf32>) {
  // expected-error @+1 {{'grad_output' dimension 2 (spatial dimension 1) must be static}}
  %0 = convgrad.conv_backward_filter %x, %y layout = channels_last : (tensor<2x10x10x4xf32>, tensor<2x8x?x6xf32>) -> tensor<6x3x3x4xf32>
  return
}

// -----

func.func @wgrad_kernel_too_large(%x: tensor<2x4x2xf32>, %y: tensor<2x6x1xf32>) {
  // expected-error @+1 {{spatial dimension 0: the padded size of 'input' (2 + 0 + 0 = 2) is smaller than the dilated kernel extent (3 - 1) * 1 + 1 = 3}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x2xf32>, tensor<2x6x1xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_dilated_kernel_too_large(%x: tensor<2x4x10x4xf32>, %y: tensor<2x6x8x1xf32>) {
  // expected-error @+1 {{spatial dimension 1: the padded size of 'input' (4 + 1 + 0 = 5) is smaller than the dilated kernel extent (3 - 1) * 3 + 1 = 7}}
  %0 = convgrad.conv_backward_filter %x, %y padding = [0, 1, 0, 0] dilations = [1, 3] : (tensor<2x4x10x4xf32>, tensor<2x6x8x1xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @wgrad_output_size(%x: tensor<2x4x10xf32>, %y: tensor<2x6x9xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 0 is 9, but floor((H + lo + hi - Ke) / s) + 1 = floor((10 + 0 + 0 - 3) / 1) + 1 = 8}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x9xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @wgrad_output_size_strided(%x: tensor<1x4x8x8xf32>, %y: tensor<1x8x4x5xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 1 is 5, but floor((H + lo + hi - Ke) / s) + 1 = floor((8 + 1 + 1 - 3) / 2) + 1 = 4}}
  %0 = convgrad.conv_backward_filter %x, %y strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<1x4x8x8xf32>, tensor<1x8x4x5xf32>) -> tensor<8x4x3x3xf32>
  return
}

// -----

func.func @wgrad_output_size_dilated_cl(%x: tensor<1x9x4xf32>, %y: tensor<1x2x6xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 0 is 2, but floor((H + lo + hi - Ke) / s) + 1 = floor((9 + 2 + 0 - 5) / 3) + 1 = 3}}
  %0 = convgrad.conv_backward_filter %x, %y strides = [3] padding = [2, 0] dilations = [2] layout = channels_last : (tensor<1x9x4xf32>, tensor<1x2x6xf32>) -> tensor<6x3x4xf32>
  return
}

// -----

func.func @wgrad_layout_keyword(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{expected 'channels_first' or 'channels_last', got 'foo'}}
  %0 = convgrad.conv_backward_filter %x, %y layout = foo : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x3xf32>
  return
}

// -----

func.func @dgrad_result_size(%y: tensor<2x6x8xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 0 is 8, but floor((H + lo + hi - Ke) / s) + 1 = floor((11 + 0 + 0 - 3) / 1) + 1 = 9}}
  %0 = convgrad.conv_backward_data %y, %w : (tensor<2x6x8xf32>, tensor<6x4x3xf32>) -> tensor<2x4x11xf32>
  return
}

// -----

func.func @wgrad_result_size(%x: tensor<2x4x10xf32>, %y: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_output' spatial dimension 0 is 8, but floor((H + lo + hi - Ke) / s) + 1 = floor((10 + 0 + 0 - 4) / 1) + 1 = 7}}
  %0 = convgrad.conv_backward_filter %x, %y : (tensor<2x4x10xf32>, tensor<2x6x8xf32>) -> tensor<6x4x4xf32>
  return
}

// -----

func.func @conv_bias_rank2(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %b: tensor<6x1xf32>) {
  // expected-error @+1 {{'bias' must be a 1-D tensor, got 'tensor<6x1xf32>'}}
  %0 = convgrad.conv %x, %w, %b : (tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<6x1xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_bias_rank0(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{'bias' must be a 1-D tensor, got 'tensor<f32>'}}
  %0 = convgrad.conv %x, %w, %b : (tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<f32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_bias_size(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{'bias' has 5 elements but 'output' has 6 channels}}
  %0 = convgrad.conv %x, %w, %b : (tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<5xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_bias_size_cl(%x: tensor<2x10x4xf32>, %w: tensor<6x3x4xf32>, %b: tensor<7xf32>) {
  // expected-error @+1 {{'bias' has 7 elements but 'output' has 6 channels}}
  %0 = convgrad.conv %x, %w, %b layout = channels_last : (tensor<2x10x4xf32>, tensor<6x3x4xf32>, tensor<7xf32>) -> tensor<2x8x6xf32>
  return
}

// -----

func.func @conv_bias_type(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %b: tensor<6xf16>) {
  // expected-error @+1 {{'bias' element type 'f16' differs from 'input' element type 'f32'}}
  %0 = convgrad.conv %x, %w, %b : (tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<6xf16>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @conv_bias_i32(%x: tensor<2x4x10xf32>, %w: tensor<6x4x3xf32>, %b: tensor<6xi32>) {
  // expected-error @+1 {{'bias' element type 'i32' differs from 'input' element type 'f32'}}
  %0 = convgrad.conv %x, %w, %b : (tensor<2x4x10xf32>, tensor<6x4x3xf32>, tensor<6xi32>) -> tensor<2x6x8xf32>
  return
}

// -----

func.func @bgrad_rank2(%dy: tensor<2x6xf32>) {
  // expected-error @+1 {{'grad_output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 2}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @bgrad_rank6(%dy: tensor<2x6x1x1x1x1xf32>) {
  // expected-error @+1 {{'grad_output' must have rank 3, 4 or 5 (batch, channels and 1 to 3 spatial dimensions), got rank 6}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x1x1x1x1xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @bgrad_i32(%dy: tensor<2x6x8xi32>) {
  // expected-error @+1 {{'grad_output' has unsupported element type 'i32'; expected f16, bf16, f32 or f64}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x8xi32>) -> tensor<6xi32>
  return
}

// -----

func.func @bgrad_f128(%dy: tensor<2x6x8xf128>) {
  // expected-error @+1 {{'grad_output' has unsupported element type 'f128'}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x8xf128>) -> tensor<6xf128>
  return
}

// -----

func.func @bgrad_result_rank2(%dy: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_bias' must be a 1-D tensor, got 'tensor<6x1xf32>'}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x8xf32>) -> tensor<6x1xf32>
  return
}

// -----

func.func @bgrad_result_rank0(%dy: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_bias' must be a 1-D tensor, got 'tensor<f32>'}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x8xf32>) -> tensor<f32>
  return
}

// -----

func.func @bgrad_result_type(%dy: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_bias' element type 'bf16' differs from 'grad_output' element type 'f32'}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x8xf32>) -> tensor<6xbf16>
  return
}

// -----

func.func @bgrad_result_size(%dy: tensor<2x6x8xf32>) {
  // expected-error @+1 {{'grad_bias' has 8 elements but 'grad_output' has 6 channels (dimension 1)}}
  %0 = convgrad.conv_backward_bias %dy : (tensor<2x6x8xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @bgrad_result_size_cl(%dy: tensor<2x5x5x3x6xf32>) {
  // expected-error @+1 {{'grad_bias' has 3 elements but 'grad_output' has 6 channels (dimension 4)}}
  %0 = convgrad.conv_backward_bias %dy layout = channels_last : (tensor<2x5x5x3x6xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @bgrad_layout_keyword(%dy: tensor<2x6x8xf32>) {
  // expected-error @+1 {{expected 'channels_first' or 'channels_last', got 'NCHW'}}
  %0 = convgrad.conv_backward_bias %dy layout = NCHW : (tensor<2x6x8xf32>) -> tensor<6xf32>
  return
}

// -----

func.func @insert_zeros_strides_short(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'strides' has 2 entries, expected 3 (one per source dimension)}}
  %0 = convgrad.insert_zeros %s strides = [1, 2] : tensor<2x3x4xf32> -> tensor<2x3x7xf32>
  return
}

// -----

func.func @insert_zeros_strides_long(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'strides' has 4 entries, expected 3 (one per source dimension)}}
  %0 = convgrad.insert_zeros %s strides = [1, 1, 2, 1] : tensor<2x3x4xf32> -> tensor<2x3x7xf32>
  return
}

// -----

func.func @insert_zeros_stride_zero(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got 0 at index 1}}
  %0 = convgrad.insert_zeros %s strides = [1, 0, 1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @insert_zeros_stride_negative(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'strides' entries must be >= 1, got -1 at index 2}}
  %0 = convgrad.insert_zeros %s strides = [1, 1, -1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @insert_zeros_result_rank(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result rank 2 differs from source rank 3}}
  %0 = convgrad.insert_zeros %s strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x21xf32>
  return
}

// -----

func.func @insert_zeros_element_type(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result element type 'f16' differs from source element type 'f32'}}
  %0 = convgrad.insert_zeros %s strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x7xf16>
  return
}

// -----

func.func @insert_zeros_result_size(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result dimension 2 is 8, expected 7 ((size - 1) * stride + 1 with size 4 and stride 2)}}
  %0 = convgrad.insert_zeros %s strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<2x3x8xf32>
  return
}

// -----

func.func @insert_zeros_result_size_unchanged(%s: tensor<3x3xf32>) {
  // expected-error @+1 {{result dimension 1 is 3, expected 7 ((size - 1) * stride + 1 with size 3 and stride 3)}}
  %0 = convgrad.insert_zeros %s strides = [3, 3] : tensor<3x3xf32> -> tensor<7x3xf32>
  return
}

// -----

func.func @insert_zeros_result_dynamic(%s: tensor<2x3x4xf32>) {
  // expected-error @+1 {{result dimension 0 is ?, expected 2 ((size - 1) * stride + 1 with size 2 and stride 1)}}
  %0 = convgrad.insert_zeros %s strides = [1, 1, 2] : tensor<2x3x4xf32> -> tensor<?x3x7xf32>
  return
}

// -----

func.func @insert_zeros_result_static_of_dynamic(%s: tensor<?x3x4xf32>) {
  // expected-error @+1 {{result dimension 0 is 3, expected ? ((size - 1) * stride + 1 with size ? and stride 2)}}
  %0 = convgrad.insert_zeros %s strides = [2, 1, 1] : tensor<?x3x4xf32> -> tensor<3x3x4xf32>
  return
}

// -----

func.func @reverse_dim_too_large(%s: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{dimension 4 is out of range for a tensor of rank 4}}
  %0 = convgrad.reverse %s dimensions = [2, 4] : tensor<4x8x3x3xf32>
  return
}

// -----

func.func @reverse_dim_negative(%s: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{dimension -1 is out of range for a tensor of rank 4}}
  %0 = convgrad.reverse %s dimensions = [-1] : tensor<4x8x3x3xf32>
  return
}

// -----

func.func @reverse_decreasing(%s: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{'dimensions' must be strictly increasing, got 2 after 3}}
  %0 = convgrad.reverse %s dimensions = [3, 2] : tensor<4x8x3x3xf32>
  return
}

// -----

func.func @reverse_repeated(%s: tensor<4x8x3x3xf32>) {
  // expected-error @+1 {{'dimensions' must be strictly increasing, got 2 after 2}}
  %0 = convgrad.reverse %s dimensions = [2, 2] : tensor<4x8x3x3xf32>
  return
}

// -----

func.func @reverse_type_mismatch(%s: tensor<4x8xf32>) {
  // expected-error @+1 {{failed to verify that all of {source, result} have same type}}
  %0 = "convgrad.reverse"(%s) <{dimensions = array<i64: 1>}> : (tensor<4x8xf32>) -> tensor<4x9xf32>
  return
}

// -----

func.func @conv_unranked(%x: tensor<*xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of any type values, but got 'tensor<*xf32>'}}
  %0 = convgrad.conv %x, %w : (tensor<*xf32>, tensor<6x4x3xf32>) -> tensor<2x6x8xf32>
  return
}

// -----

// Attribute values large enough to overflow the shape arithmetic are
// rejected before any size is computed ((K - 1) * d + 1 with d = 2^63 - 1).
func.func @conv_dilation_overflow(%x: tensor<1x1x4xf32>, %w: tensor<1x1x3xf32>) {
  // expected-error @+1 {{'dilations' entries must be <= 2147483647, got 9223372036854775807 at index 0}}
  %0 = convgrad.conv %x, %w dilations = [9223372036854775807] : (tensor<1x1x4xf32>, tensor<1x1x3xf32>) -> tensor<1x1x6xf32>
  return
}

// -----

func.func @dgrad_padding_too_large(%dy: tensor<1x1x4xf32>, %w: tensor<1x1x3xf32>) {
  // expected-error @+1 {{'padding' entries must be <= 2147483647, got 4294967296 at index 1}}
  %0 = convgrad.conv_backward_data %dy, %w padding = [0, 4294967296] : (tensor<1x1x4xf32>, tensor<1x1x3xf32>) -> tensor<1x1x6xf32>
  return
}

// -----

func.func @wgrad_spatial_size_too_large(%x: tensor<1x1x4294967296xf32>, %dy: tensor<1x1x4294967294xf32>) {
  // expected-error @+1 {{'input' dimension 2 (spatial dimension 0) is 4294967296; spatial sizes must be <= 2147483647}}
  %0 = convgrad.conv_backward_filter %x, %dy : (tensor<1x1x4294967296xf32>, tensor<1x1x4294967294xf32>) -> tensor<1x1x3xf32>
  return
}

// -----

// conv_transpose: the output size is (S - 1) * s - lo - hi + d * (K - 1) +
// output_padding + 1 = (4 - 1) * 2 - 1 - 1 + 1 * 2 + 1 + 1 = 8.
func.func @transpose_output_size(%x: tensor<2x6x4xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output' spatial dimension 0 is 9, but (S - 1) * s - lo - hi + d * (K - 1) + output_padding + 1 = (4 - 1) * 2 - 1 - 1 + 1 * (3 - 1) + 1 + 1 = 8}}
  %0 = convgrad.conv_transpose %x, %w output_padding = [1] strides = [2] padding = [1, 1] : (tensor<2x6x4xf32>, tensor<6x4x3xf32>) -> tensor<2x4x9xf32>
  return
}

// -----

func.func @transpose_output_padding_too_large(%x: tensor<2x6x4xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output_padding' entry 0 is 2; it must be smaller than max(stride, dilation) = 2}}
  %0 = convgrad.conv_transpose %x, %w output_padding = [2] strides = [2] : (tensor<2x6x4xf32>, tensor<6x4x3xf32>) -> tensor<2x4x11xf32>
  return
}

// -----

func.func @transpose_output_padding_entries(%x: tensor<2x6x4xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'output_padding' has 2 entries, expected 1 (one per spatial dimension)}}
  %0 = convgrad.conv_transpose %x, %w output_padding = [0, 0] : (tensor<2x6x4xf32>, tensor<6x4x3xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

func.func @transpose_bias_size(%x: tensor<2x6x4xf32>, %w: tensor<6x4x3xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{'bias' has 6 elements but 'output' has 4 channels}}
  %0 = convgrad.conv_transpose %x, %w, %b : (tensor<2x6x4xf32>, tensor<6x4x3xf32>, tensor<6xf32>) -> tensor<2x4x6xf32>
  return
}

// -----

// The filter is PyTorch's [C_in, C_out/G, K]: its dimension 0 must be the
// input's channels.
func.func @transpose_filter_channels(%x: tensor<2x5x4xf32>, %w: tensor<6x4x3xf32>) {
  // expected-error @+1 {{'filter' has 6 output channels (dimension 0) but 'input' has 5 channels}}
  %0 = convgrad.conv_transpose %x, %w : (tensor<2x5x4xf32>, tensor<6x4x3xf32>) -> tensor<2x4x6xf32>
  return
}
