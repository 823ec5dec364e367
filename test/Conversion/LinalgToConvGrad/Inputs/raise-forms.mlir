// Foreign linalg in the forms torch-mlir, StableHLO-to-linalg and
// TOSA-to-linalg emit: forward convolutions, data, filter and bias gradients.
// Used by ../raise-forms.test: the CHECK lines pin the raised IR; every
// function is also run through both pipelines and compared.

#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch1 = affine_map<(d0, d1, d2, d3) -> (d1)>
#ch3 = affine_map<(d0, d1, d2, d3) -> (d3)>

// torch-mlir, aten.convolution: zero pad, bias broadcast into the
// accumulator, NCHW named conv; asymmetric padding, stride 2 with a
// remainder row.
// CHECK-LABEL: func.func @torch_nchw_bias(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 0, 2, 1] dilations = [1, 1] :
// CHECK-NOT: linalg.conv
func.func @torch_nchw_bias(%x: tensor<2x3x7x6xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<2x4x4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 0] high[0, 0, 2, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x3x7x6xf32> to tensor<2x3x10x7xf32>
  %e = tensor.empty() : tensor<2x4x4x3xf32>
  %init = linalg.generic {indexing_maps = [#ch1, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<4xf32>) outs(%e : tensor<2x4x4x3xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x4x4x3xf32>
  %y = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%p, %w : tensor<2x3x10x7xf32>, tensor<4x3x3x3xf32>) outs(%init : tensor<2x4x4x3xf32>) -> tensor<2x4x4x3xf32>
  return %y : tensor<2x4x4x3xf32>
}

// torch-mlir grouped convolution: groups exposed by expand_shape,
// linalg.conv_2d_ngchw_gfchw, collapsed back. Dilation 2.
// CHECK-LABEL: func.func @torch_grouped(
// CHECK-NOT: tensor.pad
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [1, 1] padding = [2, 2, 2, 2] dilations = [2, 2] groups = 2 :
func.func @torch_grouped(%x: tensor<1x4x6x6xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 2, 2] high[0, 0, 2, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x6x6xf32> to tensor<1x4x10x10xf32>
  %xg = tensor.expand_shape %p [[0], [1, 2], [3], [4]] output_shape [1, 2, 2, 10, 10] : tensor<1x4x10x10xf32> into tensor<1x2x2x10x10xf32>
  %wg = tensor.expand_shape %w [[0, 1], [2], [3], [4]] output_shape [2, 3, 2, 3, 3] : tensor<6x2x3x3xf32> into tensor<2x3x2x3x3xf32>
  %e = tensor.empty() : tensor<1x2x3x6x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x3x6x6xf32>) -> tensor<1x2x3x6x6xf32>
  %yg = linalg.conv_2d_ngchw_gfchw {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%xg, %wg : tensor<1x2x2x10x10xf32>, tensor<2x3x2x3x3xf32>) outs(%f : tensor<1x2x3x6x6xf32>) -> tensor<1x2x3x6x6xf32>
  %y = tensor.collapse_shape %yg [[0], [1, 2], [3], [4]] : tensor<1x2x3x6x6xf32> into tensor<1x6x6x6xf32>
  return %y : tensor<1x6x6x6xf32>
}

// TOSA depthwise_conv2d with a channel multiplier: NHWC, HWCM filter, bias
// added after the collapse.
// CHECK-LABEL: func.func @tosa_depthwise_multiplier(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 1] padding = [1, 1, 1, 1] dilations = [1, 1] groups = 3 layout = channels_last
// CHECK-NOT: linalg.generic
func.func @tosa_depthwise_multiplier(%x: tensor<1x5x5x3xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<6xf32>) -> tensor<1x5x5x6xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x5x5x3xf32> to tensor<1x7x7x3xf32>
  %e = tensor.empty() : tensor<1x5x5x3x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x5x5x3x2xf32>) -> tensor<1x5x5x3x2xf32>
  %c = linalg.depthwise_conv_2d_nhwc_hwcm {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<1x7x7x3xf32>, tensor<3x3x3x2xf32>) outs(%f : tensor<1x5x5x3x2xf32>) -> tensor<1x5x5x3x2xf32>
  %cc = tensor.collapse_shape %c [[0], [1], [2], [3, 4]] : tensor<1x5x5x3x2xf32> into tensor<1x5x5x6xf32>
  %e2 = tensor.empty() : tensor<1x5x5x6xf32>
  %y = linalg.generic {indexing_maps = [#ch3, #id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b, %cc : tensor<6xf32>, tensor<1x5x5x6xf32>) outs(%e2 : tensor<1x5x5x6xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %s = arith.addf %in, %in_0 : f32
    linalg.yield %s : f32
  } -> tensor<1x5x5x6xf32>
  return %y : tensor<1x5x5x6xf32>
}

// Depthwise without multiplier, channels-first.
// CHECK-LABEL: func.func @depthwise_nchw(
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [2, 2] padding = [0, 0, 0, 0] dilations = [1, 1] groups = 3 :
func.func @depthwise_nchw(%x: tensor<1x3x7x7xf32>, %w: tensor<3x3x3xf32>) -> tensor<1x3x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x3x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %y = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %w : tensor<1x3x7x7xf32>, tensor<3x3x3xf32>) outs(%f : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  return %y : tensor<1x3x3x3xf32>
}

// 1-D, stride 2, dilation 2, an input longer than the windows read.
// CHECK-LABEL: func.func @conv1d_ncw(
// CHECK-NOT: extract_slice
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [2] padding = [0, 0] dilations = [2] :
func.func @conv1d_ncw(%x: tensor<2x3x12xf32>, %w: tensor<4x3x3xf32>) -> tensor<2x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  %y = linalg.conv_1d_ncw_fcw {dilations = dense<2> : tensor<1xi64>, strides = dense<2> : tensor<1xi64>}
      ins(%x, %w : tensor<2x3x12xf32>, tensor<4x3x3xf32>) outs(%f : tensor<2x4x4xf32>) -> tensor<2x4x4xf32>
  return %y : tensor<2x4x4xf32>
}

// 3-D channels-last with a DHWCF filter (transposed to convgrad's FDHWC).
// CHECK-LABEL: func.func @conv3d_ndhwc(
// CHECK: linalg.transpose
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [1, 1, 1] padding = [1, 1, 1, 1, 1, 1] dilations = [1, 1, 1] layout = channels_last
func.func @conv3d_ndhwc(%x: tensor<1x4x4x4x2xf32>, %w: tensor<3x3x3x2x3xf32>) -> tensor<1x4x4x4x3xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 1, 1, 1, 0] high[0, 1, 1, 1, 0] {
  ^bb0(%i: index, %j: index, %k: index, %l: index, %m: index):
    tensor.yield %zero : f32
  } : tensor<1x4x4x4x2xf32> to tensor<1x6x6x6x2xf32>
  %e = tensor.empty() : tensor<1x4x4x4x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x4x4x4x3xf32>) -> tensor<1x4x4x4x3xf32>
  %y = linalg.conv_3d_ndhwc_dhwcf {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>}
      ins(%p, %w : tensor<1x6x6x6x2xf32>, tensor<3x3x3x2x3xf32>) outs(%f : tensor<1x4x4x4x3xf32>) -> tensor<1x4x4x4x3xf32>
  return %y : tensor<1x4x4x4x3xf32>
}

// TOSA conv2d in f16 with acc_type = f32: bias widened into the f32
// accumulator, one truncation.
// CHECK-LABEL: func.func @tosa_f16(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 1] padding = [0, 0, 0, 0] dilations = [1, 1] layout = channels_last : (tensor<1x5x5x2xf16>, tensor<3x3x3x2xf16>, tensor<3xf16>) -> tensor<1x3x3x3xf16>
func.func @tosa_f16(%x: tensor<1x5x5x2xf16>, %w: tensor<3x3x3x2xf16>, %b: tensor<3xf16>) -> tensor<1x3x3x3xf16> {
  %e = tensor.empty() : tensor<1x3x3x3xf32>
  %init = linalg.generic {indexing_maps = [#ch3, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%b : tensor<3xf16>) outs(%e : tensor<1x3x3x3xf32>) {
  ^bb0(%in: f16, %out: f32):
    %x32 = arith.extf %in : f16 to f32
    linalg.yield %x32 : f32
  } -> tensor<1x3x3x3xf32>
  %c = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : tensor<1x5x5x2xf16>, tensor<3x3x3x2xf16>) outs(%init : tensor<1x3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %e16 = tensor.empty() : tensor<1x3x3x3xf16>
  %y = linalg.generic {indexing_maps = [#id4, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%c : tensor<1x3x3x3xf32>) outs(%e16 : tensor<1x3x3x3xf16>) {
  ^bb0(%in: f32, %out: f16):
    %t = arith.truncf %in : f32 to f16
    linalg.yield %t : f16
  } -> tensor<1x3x3x3xf16>
  return %y : tensor<1x3x3x3xf16>
}

// A linalg.generic convolution (no named op), NCHW, stride 2.
// CHECK-LABEL: func.func @generic_conv(
// CHECK-NOT: extract_slice
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [2, 1] padding = [0, 0, 0, 0] dilations = [1, 2] :
func.func @generic_conv(%x: tensor<1x2x7x7xf32>, %w: tensor<3x2x2x2xf32>) -> tensor<1x3x3x5xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x3x3x5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x3x5xf32>) -> tensor<1x3x3x5xf32>
  %y = linalg.generic {indexing_maps = [
      affine_map<(n, f, h, w, c, kh, kw) -> (n, c, h * 2 + kh, w + kw * 2)>,
      affine_map<(n, f, h, w, c, kh, kw) -> (f, c, kh, kw)>,
      affine_map<(n, f, h, w, c, kh, kw) -> (n, f, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : tensor<1x2x7x7xf32>, tensor<3x2x2x2xf32>) outs(%f : tensor<1x3x3x5xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x3x3x5xf32>
  return %y : tensor<1x3x3x5xf32>
}

// torch-mlir's data gradient of a stride-2, padding-1 3x3 convolution of a
// 6x6 input: dy inserted with stride 2 into zeros, padded by Ke-1-p = 1 low
// and Ke-1-p+r = 2 high, the filter flipped with tensor.extract at K-1-k and
// its channels swapped by a transpose.
// CHECK-LABEL: func.func @torch_dgrad(
// CHECK: convgrad.conv_backward_data %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 0, 0] dilations = [1, 1] : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
func.func @torch_dgrad(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x4x5x5xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x4x5x5xf32>) -> tensor<1x4x5x5xf32>
  %ins = tensor.insert_slice %dy into %z[0, 0, 0, 0] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x5x5xf32>
  %p = tensor.pad %ins low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x4x5x5xf32> to tensor<1x4x8x8xf32>
  %ef = tensor.empty() : tensor<4x2x3x3xf32>
  %flip = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%ef : tensor<4x2x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %r3] : tensor<4x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<4x2x3x3xf32>
  %et = tensor.empty() : tensor<2x4x3x3xf32>
  %wt = linalg.transpose ins(%flip : tensor<4x2x3x3xf32>) outs(%et : tensor<2x4x3x3xf32>) permutation = [1, 0, 2, 3]
  %e = tensor.empty() : tensor<1x2x6x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  %dx = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %wt : tensor<1x4x8x8xf32>, tensor<2x4x3x3xf32>) outs(%f : tensor<1x2x6x6xf32>) -> tensor<1x2x6x6xf32>
  return %dx : tensor<1x2x6x6xf32>
}

// StableHLO's bias gradient: a reduce-add over batch and space.
// CHECK-LABEL: func.func @bgrad(
// CHECK: convgrad.conv_backward_bias %{{.*}} : (tensor<2x4x4x3xf32>) -> tensor<4xf32>
func.func @bgrad(%dy: tensor<2x4x4x3xf32>) -> tensor<4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4xf32>) -> tensor<4xf32>
  %db = linalg.reduce ins(%dy : tensor<2x4x4x3xf32>) outs(%f : tensor<4xf32>) dimensions = [0, 2, 3]
    (%in: f32, %acc: f32) {
      %s = arith.addf %in, %acc : f32
      linalg.yield %s : f32
    }
  return %db : tensor<4xf32>
}

// torch-mlir's direct linalg.generic filter gradient of a stride-2,
// padding-1 3x3 convolution of a 7x7 input (4x4 outputs): input indexed by
// k * d + o * s, reduction over batch and output positions.
// CHECK-LABEL: func.func @torch_wgrad_generic(
// CHECK: convgrad.conv_backward_filter %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 1, 1] dilations = [1, 1] : (tensor<2x3x7x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
// CHECK-NOT: linalg.transpose
func.func @torch_wgrad_generic(%x: tensor<2x3x7x7xf32>, %dy: tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<2x3x7x7xf32> to tensor<2x3x9x9xf32>
  %e = tensor.empty() : tensor<4x3x3x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  %dw = linalg.generic {indexing_maps = [
      affine_map<(f, c, kh, kw, n, oh, ow) -> (n, c, kh + oh * 2, kw + ow * 2)>,
      affine_map<(f, c, kh, kw, n, oh, ow) -> (n, f, oh, ow)>,
      affine_map<(f, c, kh, kw, n, oh, ow) -> (f, c, kh, kw)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %dy : tensor<2x3x9x9xf32>, tensor<2x4x4x4xf32>) outs(%f : tensor<4x3x3x3xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x3x3x3xf32>
  return %dw : tensor<4x3x3x3xf32>
}

// StableHLO's filter gradient (batch as the contracted feature, window
// stride = forward dilation 2, rhs dilation = forward stride 1) after
// stablehlo-to-linalg: transposes around a channels-last named convolution.
// CHECK-LABEL: func.func @stablehlo_wgrad_nhwc(
// CHECK: convgrad.conv_backward_filter %{{.*}}, %{{.*}} strides = [1, 1] padding = [0, 0, 0, 0] dilations = [2, 2] layout = channels_last : (tensor<2x6x6x3xf32>, tensor<2x2x2x4xf32>) -> tensor<4x3x3x3xf32>
func.func @stablehlo_wgrad_nhwc(%x: tensor<2x6x6x3xf32>, %dy: tensor<2x2x2x4xf32>) -> tensor<4x3x3x3xf32> {
  %zero = arith.constant 0.0 : f32
  %ex = tensor.empty() : tensor<3x6x6x2xf32>
  %xt = linalg.transpose ins(%x : tensor<2x6x6x3xf32>) outs(%ex : tensor<3x6x6x2xf32>) permutation = [3, 1, 2, 0]
  %ed = tensor.empty() : tensor<4x2x2x2xf32>
  %dyt = linalg.transpose ins(%dy : tensor<2x2x2x4xf32>) outs(%ed : tensor<4x2x2x2xf32>) permutation = [3, 1, 2, 0]
  %e = tensor.empty() : tensor<3x3x3x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<3x3x3x4xf32>) -> tensor<3x3x3x4xf32>
  %r = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%xt, %dyt : tensor<3x6x6x2xf32>, tensor<4x2x2x2xf32>) outs(%f : tensor<3x3x3x4xf32>) -> tensor<3x3x3x4xf32>
  %eo = tensor.empty() : tensor<4x3x3x3xf32>
  %dw = linalg.transpose ins(%r : tensor<3x3x3x4xf32>) outs(%eo : tensor<4x3x3x3xf32>) permutation = [3, 1, 2, 0]
  return %dw : tensor<4x3x3x3xf32>
}

// torch-mlir's direct linalg.generic data gradient: dy inserted with stride 2
// at offset Ke-1-p = 2 (p = 0) into a zero tensor of the padded size, the flipped
// filter read as (f, c, kh, kw), reduction over f.
// CHECK-LABEL: func.func @torch_dgrad_generic(
// CHECK: convgrad.conv_backward_data %{{.*}}, %{{.*}} strides = [2, 2] padding = [0, 0, 0, 0] dilations = [1, 1] : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
func.func @torch_dgrad_generic(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x4x9x9xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
  %ins = tensor.insert_slice %dy into %z[0, 0, 2, 2] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x9x9xf32>
  %ef = tensor.empty() : tensor<4x2x3x3xf32>
  %flip = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%ef : tensor<4x2x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %r3] : tensor<4x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<4x2x3x3xf32>
  %e = tensor.empty() : tensor<1x2x7x7xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  %dx = linalg.generic {indexing_maps = [
      affine_map<(n, c, h, w, f, kh, kw) -> (n, f, h + kh, w + kw)>,
      affine_map<(n, c, h, w, f, kh, kw) -> (f, c, kh, kw)>,
      affine_map<(n, c, h, w, f, kh, kw) -> (n, c, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%ins, %flip : tensor<1x4x9x9xf32>, tensor<4x2x3x3xf32>) outs(%f : tensor<1x2x7x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x7x7xf32>
  return %dx : tensor<1x2x7x7xf32>
}

// StableHLO's data gradient in NHWC after stablehlo-to-linalg: lhs dilation
// as a strided insert into a zero tensor that also holds the edge padding
// (dilation 2: Ke = 5, p = 1 low -> offset 3, 2 high + r), the kernel
// reversed by two linalg.generic reverses and its features swapped (HWOI),
// a channels-last named convolution with rhs dilation 2.
// CHECK-LABEL: func.func @stablehlo_dgrad_nhwc_dilated(
// CHECK: convgrad.conv_backward_data %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 0, 0] dilations = [2, 2] layout = channels_last : (tensor<1x3x3x4xf32>, tensor<4x3x3x2xf32>) -> tensor<1x8x8x2xf32>
func.func @stablehlo_dgrad_nhwc_dilated(%dy: tensor<1x3x3x4xf32>, %w: tensor<3x3x2x4xf32>) -> tensor<1x8x8x2xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x12x12x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x12x12x4xf32>) -> tensor<1x12x12x4xf32>
  %ins = tensor.insert_slice %dy into %z[0, 3, 3, 0] [1, 3, 3, 4] [1, 2, 2, 1] : tensor<1x3x3x4xf32> into tensor<1x12x12x4xf32>
  %e1 = tensor.empty() : tensor<3x3x2x4xf32>
  %rev0 = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%e1 : tensor<3x3x2x4xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r0 = arith.subi %c2, %i0 : index
    %v = tensor.extract %w[%r0, %i1, %i2, %i3] : tensor<3x3x2x4xf32>
    linalg.yield %v : f32
  } -> tensor<3x3x2x4xf32>
  %rev1 = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%e1 : tensor<3x3x2x4xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r1 = arith.subi %c2, %i1 : index
    %v = tensor.extract %rev0[%i0, %r1, %i2, %i3] : tensor<3x3x2x4xf32>
    linalg.yield %v : f32
  } -> tensor<3x3x2x4xf32>
  %et = tensor.empty() : tensor<3x3x4x2xf32>
  %hwio = linalg.transpose ins(%rev1 : tensor<3x3x2x4xf32>) outs(%et : tensor<3x3x4x2xf32>) permutation = [0, 1, 3, 2]
  %e = tensor.empty() : tensor<1x8x8x2xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x8x8x2xf32>) -> tensor<1x8x8x2xf32>
  %dx = linalg.conv_2d_nhwc_hwcf {dilations = dense<2> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%ins, %hwio : tensor<1x12x12x4xf32>, tensor<3x3x4x2xf32>) outs(%f : tensor<1x8x8x2xf32>) -> tensor<1x8x8x2xf32>
  return %dx : tensor<1x8x8x2xf32>
}

// A 1-D data gradient, stride 3: zero insertion then tensor.pad (the
// torch-mlir order), the flip as a permuting-and-reversing pair.
// CHECK-LABEL: func.func @dgrad_1d_stride3(
// CHECK: convgrad.conv_backward_data %{{.*}}, %{{.*}} strides = [3] padding = [0, 0] dilations = [1] : (tensor<2x3x4xf32>, tensor<3x2x2xf32>) -> tensor<2x2x11xf32>
func.func @dgrad_1d_stride3(%dy: tensor<2x3x4xf32>, %w: tensor<3x2x2xf32>) -> tensor<2x2x11xf32> {
  %zero = arith.constant 0.0 : f32
  %c1 = arith.constant 1 : index
  %ez = tensor.empty() : tensor<2x3x10xf32>
  %zt = linalg.fill ins(%zero : f32) outs(%ez : tensor<2x3x10xf32>) -> tensor<2x3x10xf32>
  %z = tensor.insert_slice %dy into %zt[0, 0, 0] [2, 3, 4] [1, 1, 3] : tensor<2x3x4xf32> into tensor<2x3x10xf32>
  %p = tensor.pad %z low[0, 0, 1] high[0, 0, 1] {
  ^bb0(%i: index, %j: index, %k: index):
    tensor.yield %zero : f32
  } : tensor<2x3x10xf32> to tensor<2x3x12xf32>
  %et = tensor.empty() : tensor<2x3x2xf32>
  %wt = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d0, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%w : tensor<3x2x2xf32>) outs(%et : tensor<2x3x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<2x3x2xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%et : tensor<2x3x2xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %r2 = arith.subi %c1, %i2 : index
    %v = tensor.extract %wt[%i0, %i1, %r2] : tensor<2x3x2xf32>
    linalg.yield %v : f32
  } -> tensor<2x3x2xf32>
  %e = tensor.empty() : tensor<2x2x11xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<2x2x11xf32>) -> tensor<2x2x11xf32>
  %dx = linalg.conv_1d_ncw_fcw {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}
      ins(%p, %r : tensor<2x3x12xf32>, tensor<2x3x2xf32>) outs(%f : tensor<2x2x11xf32>) -> tensor<2x2x11xf32>
  return %dx : tensor<2x2x11xf32>
}

// A depthwise data gradient (NCHW, groups = channels), stride 2.
// CHECK-LABEL: func.func @dgrad_depthwise(
// CHECK: convgrad.conv_backward_data %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 0, 0] dilations = [1, 1] groups = 3 : (tensor<1x3x3x3xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x6x6xf32>
func.func @dgrad_depthwise(%dy: tensor<1x3x3x3xf32>, %w: tensor<3x3x3xf32>) -> tensor<1x3x6x6xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x3x8x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32>
  %ins = tensor.insert_slice %dy into %z[0, 0, 1, 1] [1, 3, 3, 3] [1, 1, 2, 2] : tensor<1x3x3x3xf32> into tensor<1x3x8x8xf32>
  %ef = tensor.empty() : tensor<3x3x3xf32>
  %flip = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%ef : tensor<3x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %r1 = arith.subi %c2, %i1 : index
    %r2 = arith.subi %c2, %i2 : index
    %v = tensor.extract %w[%i0, %r1, %r2] : tensor<3x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<3x3x3xf32>
  %e = tensor.empty() : tensor<1x3x6x6xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x3x6x6xf32>) -> tensor<1x3x6x6xf32>
  %dx = linalg.depthwise_conv_2d_nchw_chw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%ins, %flip : tensor<1x3x8x8xf32>, tensor<3x3x3xf32>) outs(%f : tensor<1x3x6x6xf32>) -> tensor<1x3x6x6xf32>
  return %dx : tensor<1x3x6x6xf32>
}

// A bf16 data gradient (3-D, NCDHW, stride 1 in depth) accumulating in f32,
// truncated once; the kernel flipped in one linalg.generic.
// CHECK-LABEL: func.func @dgrad_3d_bf16(
// CHECK: convgrad.conv_backward_data %{{.*}}, %{{.*}} strides = [1, 2, 2] padding = [1, 1, 1, 1, 0, 0] dilations = [1, 1, 1] : (tensor<1x2x3x2x2xbf16>, tensor<2x2x3x3x3xbf16>) -> tensor<1x2x3x4x4xbf16>
func.func @dgrad_3d_bf16(%dy: tensor<1x2x3x2x2xbf16>, %w: tensor<2x2x3x3x3xbf16>) -> tensor<1x2x3x4x4xbf16> {
  %zero = arith.constant 0.0 : bf16
  %zero32 = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x2x5x6x6xbf16>
  %zt = linalg.fill ins(%zero : bf16) outs(%ez : tensor<1x2x5x6x6xbf16>) -> tensor<1x2x5x6x6xbf16>
  %p = tensor.insert_slice %dy into %zt[0, 0, 1, 1, 1] [1, 2, 3, 2, 2] [1, 1, 1, 2, 2] : tensor<1x2x3x2x2xbf16> into tensor<1x2x5x6x6xbf16>
  %ef = tensor.empty() : tensor<2x2x3x3x3xbf16>
  %flip = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      outs(%ef : tensor<2x2x3x3x3xbf16>) {
  ^bb0(%out: bf16):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %i4 = linalg.index 4 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %r4 = arith.subi %c2, %i4 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %r3, %r4] : tensor<2x2x3x3x3xbf16>
    linalg.yield %v : bf16
  } -> tensor<2x2x3x3x3xbf16>
  %et = tensor.empty() : tensor<2x2x3x3x3xbf16>
  %wt = linalg.transpose ins(%flip : tensor<2x2x3x3x3xbf16>) outs(%et : tensor<2x2x3x3x3xbf16>) permutation = [1, 0, 2, 3, 4]
  %e = tensor.empty() : tensor<1x2x3x4x4xf32>
  %f = linalg.fill ins(%zero32 : f32) outs(%e : tensor<1x2x3x4x4xf32>) -> tensor<1x2x3x4x4xf32>
  %acc = linalg.conv_3d_ncdhw_fcdhw {dilations = dense<1> : tensor<3xi64>, strides = dense<1> : tensor<3xi64>}
      ins(%p, %wt : tensor<1x2x5x6x6xbf16>, tensor<2x2x3x3x3xbf16>) outs(%f : tensor<1x2x3x4x4xf32>) -> tensor<1x2x3x4x4xf32>
  %e16 = tensor.empty() : tensor<1x2x3x4x4xbf16>
  %dx = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>, affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3, d4)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel"]}
      ins(%acc : tensor<1x2x3x4x4xf32>) outs(%e16 : tensor<1x2x3x4x4xbf16>) {
  ^bb0(%in: f32, %out: bf16):
    %t = arith.truncf %in : f32 to bf16
    linalg.yield %t : bf16
  } -> tensor<1x2x3x4x4xbf16>
  return %dx : tensor<1x2x3x4x4xbf16>
}

// An f16 filter gradient in the direct generic form, 1-D, dilation 2,
// accumulating in f32.
// CHECK-LABEL: func.func @wgrad_1d_f16(
// CHECK: convgrad.conv_backward_filter %{{.*}}, %{{.*}} strides = [1] padding = [0, 0] dilations = [2] : (tensor<2x3x9xf16>, tensor<2x4x5xf16>) -> tensor<4x3x3xf16>
func.func @wgrad_1d_f16(%x: tensor<2x3x9xf16>, %dy: tensor<2x4x5xf16>) -> tensor<4x3x3xf16> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x3x3xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x3x3xf32>) -> tensor<4x3x3xf32>
  %acc = linalg.generic {indexing_maps = [
      affine_map<(f, c, k, n, o) -> (n, c, k * 2 + o)>,
      affine_map<(f, c, k, n, o) -> (n, f, o)>,
      affine_map<(f, c, k, n, o) -> (f, c, k)>],
      iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %dy : tensor<2x3x9xf16>, tensor<2x4x5xf16>) outs(%f : tensor<4x3x3xf32>) {
  ^bb0(%a: f16, %b: f16, %out: f32):
    %a32 = arith.extf %a : f16 to f32
    %b32 = arith.extf %b : f16 to f32
    %m = arith.mulf %a32, %b32 : f32
    %s = arith.addf %out, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x3x3xf32>
  %e16 = tensor.empty() : tensor<4x3x3xf16>
  %dw = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d0, d1, d2)>, affine_map<(d0, d1, d2) -> (d0, d1, d2)>],
      iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%acc : tensor<4x3x3xf32>) outs(%e16 : tensor<4x3x3xf16>) {
  ^bb0(%in: f32, %out: f16):
    %t = arith.truncf %in : f32 to f16
    linalg.yield %t : f16
  } -> tensor<4x3x3xf16>
  return %dw : tensor<4x3x3xf16>
}

// A channels-last bias gradient as a linalg.generic (NDHWC).
// CHECK-LABEL: func.func @bgrad_ndhwc(
// CHECK: convgrad.conv_backward_bias %{{.*}} layout = channels_last : (tensor<2x2x3x3x5xf32>) -> tensor<5xf32>
func.func @bgrad_ndhwc(%dy: tensor<2x2x3x3x5xf32>) -> tensor<5xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<5xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<5xf32>) -> tensor<5xf32>
  %db = linalg.generic {indexing_maps = [affine_map<(n, d, h, w, c) -> (n, d, h, w, c)>, affine_map<(n, d, h, w, c) -> (c)>],
      iterator_types = ["reduction", "reduction", "reduction", "reduction", "parallel"]}
      ins(%dy : tensor<2x2x3x3x5xf32>) outs(%f : tensor<5xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %s = arith.addf %acc, %in : f32
    linalg.yield %s : f32
  } -> tensor<5xf32>
  return %db : tensor<5xf32>
}

// torch-mlir's direct linalg.generic filter gradient of a grouped convolution
// (groups = 2): the group split out of the channels of x and dy by
// expand_shape, the batch contracted, the result collapsed back to [G*Fg, Cg, K...].
// CHECK-LABEL: func.func @torch_wgrad_grouped_generic(
// CHECK-NEXT: convgrad.conv_backward_filter %arg0, %arg1 strides = [2, 2] padding = [1, 1, 1, 1] dilations = [1, 1] groups = 2 : (tensor<2x4x7x7xf32>, tensor<2x6x4x4xf32>) -> tensor<6x2x3x3xf32>
// CHECK-NEXT: return
func.func @torch_wgrad_grouped_generic(%x: tensor<2x4x7x7xf32>, %dy: tensor<2x6x4x4xf32>) -> tensor<6x2x3x3xf32> {
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
      affine_map<(g, f, c, kh, kw, n, oh, ow) -> (n, g, c, kh + oh * 2, kw + ow * 2)>,
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

// The data gradient of torch_dgrad_generic cropped afterwards (rows 1..5,
// columns 0..5): the data gradient of the cropped window (low padding 1).
// CHECK-LABEL: func.func @dgrad_cropped(
// CHECK-NEXT: convgrad.conv_backward_data %arg0, %arg1 strides = [2, 2] padding = [1, 0, 1, 1] dilations = [1, 1] : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x5x6xf32>
// CHECK-NEXT: return
func.func @dgrad_cropped(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x5x6xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x4x9x9xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
  %ins = tensor.insert_slice %dy into %z[0, 0, 2, 2] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x9x9xf32>
  %ef = tensor.empty() : tensor<4x2x3x3xf32>
  %flip = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%ef : tensor<4x2x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %r3] : tensor<4x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<4x2x3x3xf32>
  %e = tensor.empty() : tensor<1x2x7x7xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  %dx = linalg.generic {indexing_maps = [
      affine_map<(n, c, h, w, f, kh, kw) -> (n, f, h + kh, w + kw)>,
      affine_map<(n, c, h, w, f, kh, kw) -> (f, c, kh, kw)>,
      affine_map<(n, c, h, w, f, kh, kw) -> (n, c, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%ins, %flip : tensor<1x4x9x9xf32>, tensor<4x2x3x3xf32>) outs(%f : tensor<1x2x7x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x7x7xf32>
  %crop = tensor.extract_slice %dx[0, 0, 1, 0] [1, 2, 5, 6] [1, 1, 1, 1] : tensor<1x2x7x7xf32> to tensor<1x2x5x6xf32>
  return %crop : tensor<1x2x5x6xf32>
}

// ... and padded with a zero row and column that no tap reaches.
// CHECK-LABEL: func.func @dgrad_padded(
// CHECK-NEXT: convgrad.conv_backward_data %arg0, %arg1 strides = [2, 2] padding = [0, 0, 0, 0] dilations = [1, 1] : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x8x8xf32>
// CHECK-NEXT: return
func.func @dgrad_padded(%dy: tensor<1x4x3x3xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : index
  %ez = tensor.empty() : tensor<1x4x9x9xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ez : tensor<1x4x9x9xf32>) -> tensor<1x4x9x9xf32>
  %ins = tensor.insert_slice %dy into %z[0, 0, 2, 2] [1, 4, 3, 3] [1, 1, 2, 2] : tensor<1x4x3x3xf32> into tensor<1x4x9x9xf32>
  %ef = tensor.empty() : tensor<4x2x3x3xf32>
  %flip = linalg.generic {indexing_maps = [#id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      outs(%ef : tensor<4x2x3x3xf32>) {
  ^bb0(%out: f32):
    %i0 = linalg.index 0 : index
    %i1 = linalg.index 1 : index
    %i2 = linalg.index 2 : index
    %i3 = linalg.index 3 : index
    %r2 = arith.subi %c2, %i2 : index
    %r3 = arith.subi %c2, %i3 : index
    %v = tensor.extract %w[%i0, %i1, %r2, %r3] : tensor<4x2x3x3xf32>
    linalg.yield %v : f32
  } -> tensor<4x2x3x3xf32>
  %e = tensor.empty() : tensor<1x2x7x7xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<1x2x7x7xf32>) -> tensor<1x2x7x7xf32>
  %dx = linalg.generic {indexing_maps = [
      affine_map<(n, c, h, w, f, kh, kw) -> (n, f, h + kh, w + kw)>,
      affine_map<(n, c, h, w, f, kh, kw) -> (f, c, kh, kw)>,
      affine_map<(n, c, h, w, f, kh, kw) -> (n, c, h, w)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%ins, %flip : tensor<1x4x9x9xf32>, tensor<4x2x3x3xf32>) outs(%f : tensor<1x2x7x7xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x2x7x7xf32>
  %pad = tensor.pad %dx low[0, 0, 0, 0] high[0, 0, 1, 1] {
  ^bb0(%i: index, %j: index, %k: index, %l: index):
    tensor.yield %zero : f32
  } : tensor<1x2x7x7xf32> to tensor<1x2x8x8xf32>
  return %pad : tensor<1x2x8x8xf32>
}
