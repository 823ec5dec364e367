// Executed comparison: every function below is foreign linalg in the form
// torch-mlir, StableHLO-to-linalg or TOSA-to-linalg emit. @main runs each on
// inputs on a dyadic grid (multiples of 1/4 in [-2, 2], so every product and
// sum is exact in f32) and prints every element. The ORIGINAL linalg through
// upstream's lowering (bufferize, linalg to loops) and the RAISED convgrad
// ops through --convgrad-cpu-pipeline must print the same text.

// RUN: mlir-opt %s --pass-pipeline="builtin.module(func.func(convert-elementwise-to-linalg),one-shot-bufferize{bufferize-function-boundaries},func.func(convert-linalg-to-loops),expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-cf-to-llvm,convert-vector-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)" \
// RUN: | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | sed "s/base@ = 0x[0-9a-f]*//" > %t.upstream
// RUN: convgrad-opt %s --convgrad-raise-linalg --convert-elementwise-to-linalg --convgrad-cpu-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | sed "s/base@ = 0x[0-9a-f]*//" > %t.raised
// RUN: diff %t.upstream %t.raised
// RUN: FileCheck %s --check-prefix=OUT < %t.raised
// The raise happened (the comparison is not linalg against itself):
// RUN: convgrad-opt %s --convgrad-raise-linalg | FileCheck %s

// OUT-COUNT-13: Unranked Memref
// OUT-NOT: nan

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

func.func @main() {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  %c12 = arith.constant 12 : index

  %x1d = call @grid4(%c2, %c3, %c7, %c6, %c1) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x1 = tensor.cast %x1d : tensor<?x?x?x?xf32> to tensor<2x3x7x6xf32>
  %w1d = call @grid4(%c4, %c3, %c3, %c3, %c2) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %w1 = tensor.cast %w1d : tensor<?x?x?x?xf32> to tensor<4x3x3x3xf32>
  %b1d = call @grid1(%c4, %c3) : (index, index) -> tensor<?xf32>
  %b1 = tensor.cast %b1d : tensor<?xf32> to tensor<4xf32>
  %y1 = call @torch_nchw_bias(%x1, %w1, %b1) : (tensor<2x3x7x6xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<2x4x4x3xf32>
  %y1u = tensor.cast %y1 : tensor<2x4x4x3xf32> to tensor<*xf32>
  call @printMemrefF32(%y1u) : (tensor<*xf32>) -> ()

  %x2d = call @grid4(%c1, %c4, %c6, %c6, %c4) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x2 = tensor.cast %x2d : tensor<?x?x?x?xf32> to tensor<1x4x6x6xf32>
  %w2d = call @grid4(%c6, %c2, %c3, %c3, %c5) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %w2 = tensor.cast %w2d : tensor<?x?x?x?xf32> to tensor<6x2x3x3xf32>
  %y2 = call @torch_grouped(%x2, %w2) : (tensor<1x4x6x6xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  %y2u = tensor.cast %y2 : tensor<1x6x6x6xf32> to tensor<*xf32>
  call @printMemrefF32(%y2u) : (tensor<*xf32>) -> ()

  %x3d = call @grid4(%c1, %c5, %c5, %c3, %c6) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x3 = tensor.cast %x3d : tensor<?x?x?x?xf32> to tensor<1x5x5x3xf32>
  %w3d = call @grid4(%c3, %c3, %c3, %c2, %c7) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %w3 = tensor.cast %w3d : tensor<?x?x?x?xf32> to tensor<3x3x3x2xf32>
  %b3d = call @grid1(%c6, %c1) : (index, index) -> tensor<?xf32>
  %b3 = tensor.cast %b3d : tensor<?xf32> to tensor<6xf32>
  %y3 = call @tosa_depthwise_multiplier(%x3, %w3, %b3) : (tensor<1x5x5x3xf32>, tensor<3x3x3x2xf32>, tensor<6xf32>) -> tensor<1x5x5x6xf32>
  %y3u = tensor.cast %y3 : tensor<1x5x5x6xf32> to tensor<*xf32>
  call @printMemrefF32(%y3u) : (tensor<*xf32>) -> ()

  %x4d = call @grid4(%c1, %c3, %c7, %c7, %c2) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x4 = tensor.cast %x4d : tensor<?x?x?x?xf32> to tensor<1x3x7x7xf32>
  %w4d = call @grid3(%c3, %c3, %c3, %c4) : (index, index, index, index) -> tensor<?x?x?xf32>
  %w4 = tensor.cast %w4d : tensor<?x?x?xf32> to tensor<3x3x3xf32>
  %y4 = call @depthwise_nchw(%x4, %w4) : (tensor<1x3x7x7xf32>, tensor<3x3x3xf32>) -> tensor<1x3x3x3xf32>
  %y4u = tensor.cast %y4 : tensor<1x3x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%y4u) : (tensor<*xf32>) -> ()

  %x5d = call @grid3(%c2, %c3, %c12, %c5) : (index, index, index, index) -> tensor<?x?x?xf32>
  %x5 = tensor.cast %x5d : tensor<?x?x?xf32> to tensor<2x3x12xf32>
  %w5d = call @grid3(%c4, %c3, %c3, %c6) : (index, index, index, index) -> tensor<?x?x?xf32>
  %w5 = tensor.cast %w5d : tensor<?x?x?xf32> to tensor<4x3x3xf32>
  %y5 = call @conv1d_ncw(%x5, %w5) : (tensor<2x3x12xf32>, tensor<4x3x3xf32>) -> tensor<2x4x4xf32>
  %y5u = tensor.cast %y5 : tensor<2x4x4xf32> to tensor<*xf32>
  call @printMemrefF32(%y5u) : (tensor<*xf32>) -> ()

  %x6d = call @grid5(%c1, %c4, %c4, %c4, %c2, %c7) : (index, index, index, index, index, index) -> tensor<?x?x?x?x?xf32>
  %x6 = tensor.cast %x6d : tensor<?x?x?x?x?xf32> to tensor<1x4x4x4x2xf32>
  %w6d = call @grid5(%c3, %c3, %c3, %c2, %c3, %c1) : (index, index, index, index, index, index) -> tensor<?x?x?x?x?xf32>
  %w6 = tensor.cast %w6d : tensor<?x?x?x?x?xf32> to tensor<3x3x3x2x3xf32>
  %y6 = call @conv3d_ndhwc(%x6, %w6) : (tensor<1x4x4x4x2xf32>, tensor<3x3x3x2x3xf32>) -> tensor<1x4x4x4x3xf32>
  %y6u = tensor.cast %y6 : tensor<1x4x4x4x3xf32> to tensor<*xf32>
  call @printMemrefF32(%y6u) : (tensor<*xf32>) -> ()

  %x7d = call @grid4(%c1, %c5, %c5, %c2, %c3) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x7 = tensor.cast %x7d : tensor<?x?x?x?xf32> to tensor<1x5x5x2xf32>
  %w7d = call @grid4(%c3, %c3, %c3, %c2, %c4) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %w7 = tensor.cast %w7d : tensor<?x?x?x?xf32> to tensor<3x3x3x2xf32>
  %b7d = call @grid1(%c3, %c5) : (index, index) -> tensor<?xf32>
  %b7 = tensor.cast %b7d : tensor<?xf32> to tensor<3xf32>
  %x7h = arith.truncf %x7 : tensor<1x5x5x2xf32> to tensor<1x5x5x2xf16>
  %w7h = arith.truncf %w7 : tensor<3x3x3x2xf32> to tensor<3x3x3x2xf16>
  %b7h = arith.truncf %b7 : tensor<3xf32> to tensor<3xf16>
  %y7h = call @tosa_f16(%x7h, %w7h, %b7h) : (tensor<1x5x5x2xf16>, tensor<3x3x3x2xf16>, tensor<3xf16>) -> tensor<1x3x3x3xf16>
  %y7 = arith.extf %y7h : tensor<1x3x3x3xf16> to tensor<1x3x3x3xf32>
  %y7u = tensor.cast %y7 : tensor<1x3x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%y7u) : (tensor<*xf32>) -> ()

  %x8d = call @grid4(%c1, %c2, %c7, %c7, %c6) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x8 = tensor.cast %x8d : tensor<?x?x?x?xf32> to tensor<1x2x7x7xf32>
  %w8d = call @grid4(%c3, %c2, %c2, %c2, %c7) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %w8 = tensor.cast %w8d : tensor<?x?x?x?xf32> to tensor<3x2x2x2xf32>
  %y8 = call @generic_conv(%x8, %w8) : (tensor<1x2x7x7xf32>, tensor<3x2x2x2xf32>) -> tensor<1x3x3x5xf32>
  %y8u = tensor.cast %y8 : tensor<1x3x3x5xf32> to tensor<*xf32>
  call @printMemrefF32(%y8u) : (tensor<*xf32>) -> ()

  %dyd = call @grid4(%c1, %c4, %c3, %c3, %c1) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %dy = tensor.cast %dyd : tensor<?x?x?x?xf32> to tensor<1x4x3x3xf32>
  %w9d = call @grid4(%c4, %c2, %c3, %c3, %c3) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %w9 = tensor.cast %w9d : tensor<?x?x?x?xf32> to tensor<4x2x3x3xf32>
  %dx = call @torch_dgrad(%dy, %w9) : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x6x6xf32>
  %dxu = tensor.cast %dx : tensor<1x2x6x6xf32> to tensor<*xf32>
  call @printMemrefF32(%dxu) : (tensor<*xf32>) -> ()

  %g10d = call @grid4(%c2, %c4, %c4, %c3, %c5) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g10 = tensor.cast %g10d : tensor<?x?x?x?xf32> to tensor<2x4x4x3xf32>
  %db = call @bgrad(%g10) : (tensor<2x4x4x3xf32>) -> tensor<4xf32>
  %dbu = tensor.cast %db : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%dbu) : (tensor<*xf32>) -> ()
  %x11d = call @grid4(%c2, %c3, %c7, %c7, %c3) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x11 = tensor.cast %x11d : tensor<?x?x?x?xf32> to tensor<2x3x7x7xf32>
  %dy11d = call @grid4(%c2, %c4, %c4, %c4, %c6) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %dy11 = tensor.cast %dy11d : tensor<?x?x?x?xf32> to tensor<2x4x4x4xf32>
  %dw11 = call @torch_wgrad_generic(%x11, %dy11) : (tensor<2x3x7x7xf32>, tensor<2x4x4x4xf32>) -> tensor<4x3x3x3xf32>
  %dw11u = tensor.cast %dw11 : tensor<4x3x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%dw11u) : (tensor<*xf32>) -> ()

  %x12d = call @grid4(%c2, %c6, %c6, %c3, %c4) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %x12 = tensor.cast %x12d : tensor<?x?x?x?xf32> to tensor<2x6x6x3xf32>
  %dy12d = call @grid4(%c2, %c2, %c2, %c4, %c5) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %dy12 = tensor.cast %dy12d : tensor<?x?x?x?xf32> to tensor<2x2x2x4xf32>
  %dw12 = call @stablehlo_wgrad_nhwc(%x12, %dy12) : (tensor<2x6x6x3xf32>, tensor<2x2x2x4xf32>) -> tensor<4x3x3x3xf32>
  %dw12u = tensor.cast %dw12 : tensor<4x3x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%dw12u) : (tensor<*xf32>) -> ()

  %dy13d = call @grid4(%c1, %c4, %c3, %c3, %c7) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %dy13 = tensor.cast %dy13d : tensor<?x?x?x?xf32> to tensor<1x4x3x3xf32>
  %w13d = call @grid4(%c4, %c2, %c3, %c3, %c1) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %w13 = tensor.cast %w13d : tensor<?x?x?x?xf32> to tensor<4x2x3x3xf32>
  %dx13 = call @torch_dgrad_generic(%dy13, %w13) : (tensor<1x4x3x3xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  %dx13u = tensor.cast %dx13 : tensor<1x2x7x7xf32> to tensor<*xf32>
  call @printMemrefF32(%dx13u) : (tensor<*xf32>) -> ()
  return
}

func.func private @printMemrefF32(tensor<*xf32>)
func.func @grid1(%d0: index, %seed: index) -> tensor<?xf32> {
  %t = tensor.generate %d0 {
  ^bb0(%i0: index):
    %c0 = arith.constant 5 : index
    %m0 = arith.muli %i0, %c0 : index
    %a0 = arith.addi %seed, %m0 : index
    %c17 = arith.constant 17 : index
    %r = arith.remui %a0, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %q = arith.constant 0.25 : f32
    %s = arith.subf %f, %c8 : f32
    %v = arith.mulf %s, %q : f32
    tensor.yield %v : f32
  } : tensor<?xf32>
  return %t : tensor<?xf32>
}
func.func @grid3(%d0: index, %d1: index, %d2: index, %seed: index) -> tensor<?x?x?xf32> {
  %t = tensor.generate %d0, %d1, %d2 {
  ^bb0(%i0: index, %i1: index, %i2: index):
    %c0 = arith.constant 5 : index
    %m0 = arith.muli %i0, %c0 : index
    %a0 = arith.addi %seed, %m0 : index
    %c1 = arith.constant 3 : index
    %m1 = arith.muli %i1, %c1 : index
    %a1 = arith.addi %a0, %m1 : index
    %c2 = arith.constant 7 : index
    %m2 = arith.muli %i2, %c2 : index
    %a2 = arith.addi %a1, %m2 : index
    %c17 = arith.constant 17 : index
    %r = arith.remui %a2, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %q = arith.constant 0.25 : f32
    %s = arith.subf %f, %c8 : f32
    %v = arith.mulf %s, %q : f32
    tensor.yield %v : f32
  } : tensor<?x?x?xf32>
  return %t : tensor<?x?x?xf32>
}
func.func @grid4(%d0: index, %d1: index, %d2: index, %d3: index, %seed: index) -> tensor<?x?x?x?xf32> {
  %t = tensor.generate %d0, %d1, %d2, %d3 {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    %c0 = arith.constant 5 : index
    %m0 = arith.muli %i0, %c0 : index
    %a0 = arith.addi %seed, %m0 : index
    %c1 = arith.constant 3 : index
    %m1 = arith.muli %i1, %c1 : index
    %a1 = arith.addi %a0, %m1 : index
    %c2 = arith.constant 7 : index
    %m2 = arith.muli %i2, %c2 : index
    %a2 = arith.addi %a1, %m2 : index
    %c3 = arith.constant 11 : index
    %m3 = arith.muli %i3, %c3 : index
    %a3 = arith.addi %a2, %m3 : index
    %c17 = arith.constant 17 : index
    %r = arith.remui %a3, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %q = arith.constant 0.25 : f32
    %s = arith.subf %f, %c8 : f32
    %v = arith.mulf %s, %q : f32
    tensor.yield %v : f32
  } : tensor<?x?x?x?xf32>
  return %t : tensor<?x?x?x?xf32>
}
func.func @grid5(%d0: index, %d1: index, %d2: index, %d3: index, %d4: index, %seed: index) -> tensor<?x?x?x?x?xf32> {
  %t = tensor.generate %d0, %d1, %d2, %d3, %d4 {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index, %i4: index):
    %c0 = arith.constant 5 : index
    %m0 = arith.muli %i0, %c0 : index
    %a0 = arith.addi %seed, %m0 : index
    %c1 = arith.constant 3 : index
    %m1 = arith.muli %i1, %c1 : index
    %a1 = arith.addi %a0, %m1 : index
    %c2 = arith.constant 7 : index
    %m2 = arith.muli %i2, %c2 : index
    %a2 = arith.addi %a1, %m2 : index
    %c3 = arith.constant 11 : index
    %m3 = arith.muli %i3, %c3 : index
    %a3 = arith.addi %a2, %m3 : index
    %c4 = arith.constant 13 : index
    %m4 = arith.muli %i4, %c4 : index
    %a4 = arith.addi %a3, %m4 : index
    %c17 = arith.constant 17 : index
    %r = arith.remui %a4, %c17 : index
    %ri = arith.index_cast %r : index to i32
    %f = arith.sitofp %ri : i32 to f32
    %c8 = arith.constant 8.0 : f32
    %q = arith.constant 0.25 : f32
    %s = arith.subf %f, %c8 : f32
    %v = arith.mulf %s, %q : f32
    tensor.yield %v : f32
  } : tensor<?x?x?x?x?xf32>
  return %t : tensor<?x?x?x?x?xf32>
}
