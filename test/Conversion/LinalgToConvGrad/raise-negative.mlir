// Near misses: IR that looks like a convolution or a gradient but does not
// compute exactly what the convgrad op would is left as it is (or raised
// only as far as it is exact).
// RUN: convgrad-opt %s --convgrad-raise-linalg --split-input-file | FileCheck %s


// A pad of 1.0 is not convgrad's zero padding: it stays, the convolution of
// the padded tensor is raised with no padding.
// CHECK-LABEL: func.func @nonzero_pad(
// CHECK: tensor.pad
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [1, 1] padding = [0, 0, 0, 0]
func.func @nonzero_pad(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32> {
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %one : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %e = tensor.empty() : tensor<1x3x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%p, %w : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) outs(%f : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// A pad of -0.0 is not folded either.
// CHECK-LABEL: func.func @negative_zero_pad(
// CHECK: tensor.pad
// CHECK: padding = [0, 0, 0, 0]
func.func @negative_zero_pad(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>) -> tensor<1x3x4x4xf32> {
  %nz = arith.constant -0.0 : f32
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %nz : f32
  } : tensor<1x2x4x4xf32> to tensor<1x2x6x6xf32>
  %e = tensor.empty() : tensor<1x3x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%p, %w : tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) outs(%f : tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// The filter reversed along one spatial dim only: not a data gradient (the
// stride-1 convolution itself is still raised, exactly).
// CHECK-LABEL: func.func @reverse_one_dim(
// CHECK-NOT: conv_backward_data
// CHECK: convgrad.conv
// CHECK-NOT: conv_backward_data
func.func @reverse_one_dim(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x4x8x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %ins = tensor.insert_slice %dy into %z[0, 0, 1, 1] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x8x8xf32>
  %ef = tensor.empty() : tensor<4x2x3x3xf32>
  %flip = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%ef : tensor<4x2x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %i3] : tensor<4x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<4x2x3x3xf32>
  %et = tensor.empty() : tensor<2x4x3x3xf32>
  %wt = linalg.transpose ins(%flip : tensor<4x2x3x3xf32>) outs(%et : tensor<2x4x3x3xf32>) permutation = [1, 0, 2, 3]
  %e = tensor.empty() : tensor<1x2x6x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %dx = linalg.conv_2d_nchw_fchw ins(%ins, %wt : tensor<1x4x8x8xf32>, tensor<2x4x3x3xf32>) outs(%f : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %dx : tensor<1x2x6x6xf32>
}

// -----

// A stride-2 insert into a tensor that is not all zeros: not a data gradient.
// CHECK-LABEL: func.func @insert_into_nonzero(
// CHECK-NOT: conv_backward_data
// CHECK: tensor.insert_slice
// CHECK: convgrad.conv
func.func @insert_into_nonzero(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %half = arith.constant 0.5 : f32
  %ez = tensor.empty() : tensor<1x4x8x8xf32>
  %z = linalg.fill ins(%half : f32) outs(%ez : tensor<1x4x8x8xf32>) -> tensor<1x4x8x8xf32>
  %ins = tensor.insert_slice %dy into %z[0, 0, 1, 1] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x8x8xf32>
  %et = tensor.empty() : tensor<2x4x3x3xf32>
  %wt = linalg.transpose ins(%w : tensor<4x2x3x3xf32>) outs(%et : tensor<2x4x3x3xf32>) permutation = [1, 0, 2, 3]
  %e = tensor.empty() : tensor<1x2x6x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %dx = linalg.conv_2d_nchw_fchw ins(%ins, %wt : tensor<1x4x8x8xf32>, tensor<2x4x3x3xf32>) outs(%f : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %dx : tensor<1x2x6x6xf32>
}

// -----

// A "bias" broadcast along a spatial dim (mismatched shape) is no bias: the
// accumulator is not zeros or a channel bias, nothing is raised.
// CHECK-LABEL: func.func @bias_along_width(
// CHECK-NOT: convgrad.
// CHECK: linalg.conv_2d_nchw_fchw
func.func @bias_along_width(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x4x4xf32> {
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %init = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d3)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<4xf32>) outs(%e : tensor<1x4x4x4xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<1x4x4x4xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%init : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// Integer convolutions are not convgrad's.
// CHECK-LABEL: func.func @integer(
// CHECK-NOT: convgrad.
// CHECK: linalg.conv_2d_nchw_fchw
func.func @integer(%x: tensor<1x2x6x6xi32>, %w: tensor<4x2x3x3xi32>) -> tensor<1x4x4x4xi32> {
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<1x4x4x4xi32>
  %f = linalg.fill ins(%zero : i32) outs(%e : tensor<1x4x4x4xi32>) -> tensor<1x4x4x4xi32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x2x6x6xi32>, tensor<4x2x3x3xi32>) outs(%f : tensor<1x4x4x4xi32>) -> tensor<1x4x4x4xi32>
  return %y : tensor<1x4x4x4xi32>
}

// -----

// f16 accumulated in f16 rounds at every step; convgrad accumulates in f32.
// CHECK-LABEL: func.func @f16_accumulates_in_f16(
// CHECK-NOT: convgrad.
// CHECK: linalg.conv_2d_nchw_fchw
func.func @f16_accumulates_in_f16(%x: tensor<1x2x6x6xf16>, %w: tensor<4x2x3x3xf16>) -> tensor<1x4x4x4xf16> {
  %zero = arith.constant 0.0 : f16
  %e = tensor.empty() : tensor<1x4x4x4xf16>
  %f = linalg.fill ins(%zero : f16) outs(%e : tensor<1x4x4x4xf16>) -> tensor<1x4x4x4xf16>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<1x2x6x6xf16>, tensor<4x2x3x3xf16>) outs(%f : tensor<1x4x4x4xf16>) -> tensor<1x4x4x4xf16>
  return %y : tensor<1x4x4x4xf16>
}

// -----

// Not a multiply-accumulate: out - in * w.
// CHECK-LABEL: func.func @subtracting_body(
// CHECK-NOT: convgrad.
// CHECK: linalg.generic
func.func @subtracting_body(%x: tensor<1x2x6x6xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %y = linalg.generic {indexing_maps = [
      affine_map<(n, f, h, w, c, kh, kw) -> (n, c, h + kh, w + kw)>,
      affine_map<(n, f, h, w, c, kh, kw) -> (f, c, kh, kw)>,
      affine_map<(n, f, h, w, c, kh, kw) -> (n, f, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%f : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.subf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// A spatial index that is not o * s + k * d (here o + k + 1) is no
// convolution convgrad states.
// CHECK-LABEL: func.func @offset_window(
// CHECK-NOT: convgrad.
func.func @offset_window(%x: tensor<1x2x7x6xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x4x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  %y = linalg.generic {indexing_maps = [
      affine_map<(n, f, h, w, c, kh, kw) -> (n, c, h + kh + 1, w + kw)>,
      affine_map<(n, f, h, w, c, kh, kw) -> (f, c, kh, kw)>,
      affine_map<(n, f, h, w, c, kh, kw) -> (n, f, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x2x7x6xf32>, tensor<4x2x3x3xf32>) outs(%f : tensor<1x4x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x4x4x4xf32>
  return %y : tensor<1x4x4x4xf32>
}

// -----

// Dynamic shapes are left alone.
// CHECK-LABEL: func.func @dynamic_batch(
// CHECK-NOT: convgrad.
func.func @dynamic_batch(%x: tensor<?x2x6x6xf32>, %w: tensor<4x2x3x3xf32>, %init: tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %f = linalg.fill ins(%zero : f32) outs(%init : tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  %y = linalg.conv_2d_nchw_fchw ins(%x, %w : tensor<?x2x6x6xf32>, tensor<4x2x3x3xf32>) outs(%f : tensor<?x4x4x4xf32>) -> tensor<?x4x4x4xf32>
  return %y : tensor<?x4x4x4xf32>
}

// -----

// A sum over the batch only is no bias gradient.
// CHECK-LABEL: func.func @partial_reduction(
// CHECK-NOT: convgrad.
func.func @partial_reduction(%dy: tensor<2x4x3x3xf32>) -> tensor<4x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x3x3xf32>) -> tensor<4x3x3xf32>
  %s = linalg.reduce ins(%dy : tensor<2x4x3x3xf32>) outs(%f : tensor<4x3x3xf32>) dimensions = [0]
    (%in: f32, %acc: f32) {
      %a = arith.addf %in, %acc : f32
      linalg.yield %a : f32
    }
  return %s : tensor<4x3x3xf32>
}

// -----

// A batch-contracted grouped convolution that reads x's channel as
// (c, g) instead of (g, c): not the grouped filter gradient; it stays the
// exact forward convolution.
// CHECK-LABEL: func.func @wgrad_grouped_channel_order(
// CHECK-NOT: convgrad.conv_backward_filter
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [1, 1] padding = [0, 0, 0, 0] dilations = [2, 2] groups = 2
// CHECK-NOT: convgrad.conv_backward_filter
func.func @wgrad_grouped_channel_order(%x: tensor<2x4x7x7xf32>, %dy: tensor<2x6x4x4xf32>) -> tensor<6x2x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x4x7x7xf32> to tensor<2x4x9x9xf32>
  %xg = tensor.expand_shape %p [[0], [1, 2], [3], [4]] output_shape [2, 2, 2, 9, 9] : tensor<2x4x9x9xf32> into tensor<2x2x2x9x9xf32>
  %dyg = tensor.expand_shape %dy [[0], [1, 2], [3], [4]] output_shape [2, 2, 3, 4, 4] : tensor<2x6x4x4xf32> into tensor<2x2x3x4x4xf32>
  %e = tensor.empty() : tensor<2x3x2x3x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x3x2x3x3xf32>) -> tensor<2x3x2x3x3xf32>
  %dwg = linalg.generic {indexing_maps = [
      affine_map<(g, f, c, kh, kw, n, oh, ow) -> (n, c, g, kh + oh * 2, kw + ow * 2)>,
      affine_map<(g, f, c, kh, kw, n, oh, ow) -> (n, g, f, oh, ow)>,
      affine_map<(g, f, c, kh, kw, n, oh, ow) -> (g, f, c, kh, kw)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%xg, %dyg : tensor<2x2x2x9x9xf32>, tensor<2x2x3x4x4xf32>) outs(%f : tensor<2x3x2x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x3x2x3x3xf32>
  %dw = tensor.collapse_shape %dwg [[0, 1], [2], [3], [4]] : tensor<2x3x2x3x3xf32> into tensor<6x2x3x3xf32>
  return %dw : tensor<6x2x3x3xf32>
}

// -----

// The user's own reshapes, next to no convgrad op, are not the raise's to
// fold (neither the collapse of a collapse nor an identity collapse of an
// expand).
// CHECK-LABEL: func.func @user_reshapes(
// CHECK-NEXT: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]]
// CHECK-NEXT: tensor.collapse_shape %{{.*}} {{\[}}[0, 1]]
// CHECK-NEXT: tensor.expand_shape %arg0
// CHECK-NEXT: tensor.collapse_shape
// CHECK-NEXT: return
func.func @user_reshapes(%a: tensor<2x3x4xf32>) -> (tensor<24xf32>, tensor<2x3x4xf32>) {
  %c = tensor.collapse_shape %a [[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
  %cc = tensor.collapse_shape %c [[0, 1]] : tensor<6x4xf32> into tensor<24xf32>
  %e = tensor.expand_shape %a [[0], [1], [2, 3]] output_shape [2, 3, 2, 2] : tensor<2x3x4xf32> into tensor<2x3x2x2xf32>
  %ce = tensor.collapse_shape %e [[0], [1], [2, 3]] : tensor<2x3x2x2xf32> into tensor<2x3x4xf32>
  return %cc, %ce : tensor<24xf32>, tensor<2x3x4xf32>
}

// -----

// Zero rows padded onto a data gradient where taps do reach (row and column
// 5: 5 + 1 = 2 * 2 + 2) are not the data gradient of the larger window; a
// pad before the first row would need negative padding; a width that gives
// another output size is no data gradient of this dy. All stay pads.
// CHECK-LABEL: func.func @dgrad_pad_near_misses(
// CHECK-COUNT-3: tensor.pad
func.func @dgrad_pad_near_misses(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> (tensor<1x2x6x6xf32>, tensor<1x2x8x7xf32>, tensor<1x2x7x9xf32>) {
  %zero = arith.constant 0.0 : f32
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1] : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x5xf32>
  %reached = tensor.pad %dx low[0, 0, 0, 0] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x5x5xf32> to tensor<1x2x6x6xf32>
  %dx0 = convgrad.conv_backward_data %dy, %w strides = [2, 2] : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  %before = tensor.pad %dx0 low[0, 0, 1, 0] high[0, 0, 0, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x7x7xf32> to tensor<1x2x8x7xf32>
  %dx1 = convgrad.conv_backward_data %dy, %w strides = [2, 2] : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  %wide = tensor.pad %dx1 low[0, 0, 0, 0] high[0, 0, 0, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x7x7xf32> to tensor<1x2x7x9xf32>
  return %reached, %before, %wide : tensor<1x2x6x6xf32>, tensor<1x2x8x7xf32>, tensor<1x2x7x9xf32>
}

// -----

// Stride-1 convolutions by a reversed filter: reversed along H only, or
// along both with a padding beyond the kernel extent (the transposed
// convolution would need padding -1), are not transposed convolutions; with
// both reversed and padding within the extent it is one.
// CHECK-LABEL: func.func @reversed_filter_near_misses(
// CHECK-COUNT-2: convgrad.conv %
// CHECK: convgrad.conv_transpose
// CHECK-SAME: padding = [1, 0, 2, 2]
func.func @reversed_filter_near_misses(%x: tensor<1x4x4x2xf32>, %w: tensor<3x3x3x2xf32>) -> (tensor<1x2x4x3xf32>, tensor<1x5x4x3xf32>, tensor<1x3x4x3xf32>) {
  %rh = convgrad.reverse %w dimensions = [1] : tensor<3x3x3x2xf32>
  %y0 = convgrad.conv %x, %rh padding = [0, 1, 0, 1] layout = channels_last : (tensor<1x4x4x2xf32>, tensor<3x3x3x2xf32>) -> tensor<1x2x4x3xf32>
  %r = convgrad.reverse %w dimensions = [1, 2] : tensor<3x3x3x2xf32>
  %y1 = convgrad.conv %x, %r padding = [3, 1, 0, 1] layout = channels_last : (tensor<1x4x4x2xf32>, tensor<3x3x3x2xf32>) -> tensor<1x5x4x3xf32>
  %r2 = convgrad.reverse %w dimensions = [1, 2] : tensor<3x3x3x2xf32>
  %y2 = convgrad.conv %x, %r2 padding = [1, 2, 0, 0] layout = channels_last : (tensor<1x4x4x2xf32>, tensor<3x3x3x2xf32>) -> tensor<1x3x4x3xf32>
  return %y0, %y1, %y2 : tensor<1x2x4x3xf32>, tensor<1x5x4x3xf32>, tensor<1x3x4x3xf32>
}
