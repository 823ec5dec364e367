// Real foreign IR: upstream's TOSA lowering (MLIR 22's own passes) of TOSA
// convolutions, then --convgrad-raise-linalg. The raise recovers a convgrad
// op for every convolution, and the raised IR through --convgrad-cpu-pipeline
// prints the same values as the TOSA lowering through upstream's lowering
// (inputs on a dyadic grid: every sum is exact).

// RUN: mlir-opt %s --pass-pipeline="builtin.module(func.func(tosa-optional-decompositions,tosa-to-linalg-named,tosa-to-linalg,tosa-to-tensor,tosa-to-arith))" -o %t.linalg.mlir
// RUN: convgrad-opt %t.linalg.mlir --convgrad-raise-linalg | FileCheck %s
// RUN: mlir-opt %t.linalg.mlir --pass-pipeline="builtin.module(func.func(convert-elementwise-to-linalg),one-shot-bufferize{bufferize-function-boundaries},func.func(convert-linalg-to-loops),expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-cf-to-llvm,convert-vector-to-llvm,convert-arith-to-llvm,convert-index-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)" \
// RUN: | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | sed "s/base@ = 0x[0-9a-f]*//" > %t.upstream
// RUN: convgrad-opt %t.linalg.mlir --convgrad-raise-linalg --convert-elementwise-to-linalg --convgrad-cpu-pipeline \
// RUN: | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | sed "s/base@ = 0x[0-9a-f]*//" > %t.raised
// RUN: diff %t.upstream %t.raised
// RUN: FileCheck %s --check-prefix=OUT < %t.raised
// OUT-COUNT-5: Unranked Memref

// CHECK-LABEL: func.func @conv2d(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [2, 2] padding = [1, 1, 0, 1] dilations = [1, 1] layout = channels_last : (tensor<1x8x7x4xf32>, tensor<6x3x3x4xf32>, tensor<6xf32>) -> tensor<1x4x4x6xf32>
// CHECK-NOT: linalg.conv
func.func @conv2d(%x: tensor<1x8x7x4xf32>, %w: tensor<6x3x3x4xf32>, %b: tensor<6xf32>) -> tensor<1x4x4x6xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 0, 1, 1>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<1x8x7x4xf32>, tensor<6x3x3x4xf32>, tensor<6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x6xf32>
  return %r : tensor<1x4x4x6xf32>
}

// CHECK-LABEL: func.func @conv2d_bf16(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 1] padding = [0, 0, 0, 0] dilations = [2, 1] layout = channels_last : (tensor<1x7x5x2xbf16>, tensor<3x2x3x2xbf16>, tensor<3xbf16>) -> tensor<1x5x3x3xbf16>
func.func @conv2d_bf16(%x: tensor<1x7x5x2xbf16>, %w: tensor<3x2x3x2xbf16>, %b: tensor<3xbf16>) -> tensor<1x5x3x3xbf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xbf16>}> : () -> tensor<1xbf16>
  %r = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, dilation = array<i64: 2, 1>} : (tensor<1x7x5x2xbf16>, tensor<3x2x3x2xbf16>, tensor<3xbf16>, tensor<1xbf16>, tensor<1xbf16>) -> tensor<1x5x3x3xbf16>
  return %r : tensor<1x5x3x3xbf16>
}

// CHECK-LABEL: func.func @depthwise(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 1] padding = [1, 1, 1, 1] dilations = [1, 1] groups = 4 layout = channels_last
// CHECK-NOT: linalg.depthwise
func.func @depthwise(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x2xf32>, %b: tensor<8xf32>) -> tensor<1x6x6x8xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x6x6x4xf32>, tensor<3x3x4x2xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x8xf32>
  return %r : tensor<1x6x6x8xf32>
}

// CHECK-LABEL: func.func @conv3d(
// CHECK: convgrad.conv %{{.*}}, %{{.*}}, %{{.*}} strides = [1, 2, 1] padding = [1, 0, 1, 1, 1, 1] dilations = [1, 1, 1] layout = channels_last
func.func @conv3d(%x: tensor<1x4x6x4x2xf32>, %w: tensor<3x3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x4x3x4x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.conv3d %x, %w, %b, %zp, %zp {acc_type = f32, pad = array<i64: 1, 1, 0, 1, 1, 1>, stride = array<i64: 1, 2, 1>, dilation = array<i64: 1, 1, 1>} : (tensor<1x4x6x4x2xf32>, tensor<3x3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x4x3xf32>
  return %r : tensor<1x4x3x4x3xf32>
}

// A strided transpose_conv2d: tosa-optional-decompositions splits the kernel
// into stride^2 sub-kernels of one stride-1 conv2d (no inserted zeros) and
// interleaves the outputs; that convolution is raised, the interleave stays.
// CHECK-LABEL: func.func @transpose_conv2d(
// CHECK: convgrad.conv %{{.*}}, %{{.*}} strides = [1, 1] padding = [1, 1, 1, 1] dilations = [1, 1] layout = channels_last : (tensor<1x3x3x2xf32>, tensor<12x2x2x2xf32>) -> tensor<1x4x4x12xf32>
// CHECK-NOT: linalg.conv
func.func @transpose_conv2d(%x: tensor<1x3x3x2xf32>, %w: tensor<3x3x3x2xf32>, %b: tensor<3xf32>) -> tensor<1x7x7x3xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %r = tosa.transpose_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x3x3x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x7x7x3xf32>
  return %r : tensor<1x7x7x3xf32>
}

func.func @main() {
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  %c7 = arith.constant 7 : index
  %c8 = arith.constant 8 : index
  %g1d = call @grid4(%c1, %c8, %c7, %c4, %c1) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g1 = tensor.cast %g1d : tensor<?x?x?x?xf32> to tensor<1x8x7x4xf32>
  %g2d = call @grid4(%c6, %c3, %c3, %c4, %c2) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g2 = tensor.cast %g2d : tensor<?x?x?x?xf32> to tensor<6x3x3x4xf32>
  %g3d = call @grid1(%c6, %c3) : (index, index) -> tensor<?xf32>
  %g3 = tensor.cast %g3d : tensor<?xf32> to tensor<6xf32>
  %r4 = call @conv2d(%g1, %g2, %g3) : (tensor<1x8x7x4xf32>, tensor<6x3x3x4xf32>, tensor<6xf32>) -> tensor<1x4x4x6xf32>
  %u5 = tensor.cast %r4 : tensor<1x4x4x6xf32> to tensor<*xf32>
  call @printMemrefF32(%u5) : (tensor<*xf32>) -> ()
  %g6d = call @grid4(%c1, %c7, %c5, %c2, %c4) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g6 = tensor.cast %g6d : tensor<?x?x?x?xf32> to tensor<1x7x5x2xf32>
  %h7 = arith.truncf %g6 : tensor<1x7x5x2xf32> to tensor<1x7x5x2xbf16>
  %g8d = call @grid4(%c3, %c2, %c3, %c2, %c5) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g8 = tensor.cast %g8d : tensor<?x?x?x?xf32> to tensor<3x2x3x2xf32>
  %h9 = arith.truncf %g8 : tensor<3x2x3x2xf32> to tensor<3x2x3x2xbf16>
  %g10d = call @grid1(%c3, %c6) : (index, index) -> tensor<?xf32>
  %g10 = tensor.cast %g10d : tensor<?xf32> to tensor<3xf32>
  %h11 = arith.truncf %g10 : tensor<3xf32> to tensor<3xbf16>
  %r12 = call @conv2d_bf16(%h7, %h9, %h11) : (tensor<1x7x5x2xbf16>, tensor<3x2x3x2xbf16>, tensor<3xbf16>) -> tensor<1x5x3x3xbf16>
  %e13 = arith.extf %r12 : tensor<1x5x3x3xbf16> to tensor<1x5x3x3xf32>
  %u14 = tensor.cast %e13 : tensor<1x5x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u14) : (tensor<*xf32>) -> ()
  %g15d = call @grid4(%c1, %c6, %c6, %c4, %c7) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g15 = tensor.cast %g15d : tensor<?x?x?x?xf32> to tensor<1x6x6x4xf32>
  %g16d = call @grid4(%c3, %c3, %c4, %c2, %c1) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g16 = tensor.cast %g16d : tensor<?x?x?x?xf32> to tensor<3x3x4x2xf32>
  %g17d = call @grid1(%c8, %c2) : (index, index) -> tensor<?xf32>
  %g17 = tensor.cast %g17d : tensor<?xf32> to tensor<8xf32>
  %r18 = call @depthwise(%g15, %g16, %g17) : (tensor<1x6x6x4xf32>, tensor<3x3x4x2xf32>, tensor<8xf32>) -> tensor<1x6x6x8xf32>
  %u19 = tensor.cast %r18 : tensor<1x6x6x8xf32> to tensor<*xf32>
  call @printMemrefF32(%u19) : (tensor<*xf32>) -> ()
  %g20d = call @grid5(%c1, %c4, %c6, %c4, %c2, %c3) : (index, index, index, index, index, index) -> tensor<?x?x?x?x?xf32>
  %g20 = tensor.cast %g20d : tensor<?x?x?x?x?xf32> to tensor<1x4x6x4x2xf32>
  %g21d = call @grid5(%c3, %c3, %c3, %c3, %c2, %c4) : (index, index, index, index, index, index) -> tensor<?x?x?x?x?xf32>
  %g21 = tensor.cast %g21d : tensor<?x?x?x?x?xf32> to tensor<3x3x3x3x2xf32>
  %g22d = call @grid1(%c3, %c5) : (index, index) -> tensor<?xf32>
  %g22 = tensor.cast %g22d : tensor<?xf32> to tensor<3xf32>
  %r23 = call @conv3d(%g20, %g21, %g22) : (tensor<1x4x6x4x2xf32>, tensor<3x3x3x3x2xf32>, tensor<3xf32>) -> tensor<1x4x3x4x3xf32>
  %u24 = tensor.cast %r23 : tensor<1x4x3x4x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u24) : (tensor<*xf32>) -> ()
  %g25d = call @grid4(%c1, %c3, %c3, %c2, %c6) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g25 = tensor.cast %g25d : tensor<?x?x?x?xf32> to tensor<1x3x3x2xf32>
  %g26d = call @grid4(%c3, %c3, %c3, %c2, %c7) : (index, index, index, index, index) -> tensor<?x?x?x?xf32>
  %g26 = tensor.cast %g26d : tensor<?x?x?x?xf32> to tensor<3x3x3x2xf32>
  %g27d = call @grid1(%c3, %c1) : (index, index) -> tensor<?xf32>
  %g27 = tensor.cast %g27d : tensor<?xf32> to tensor<3xf32>
  %r28 = call @transpose_conv2d(%g25, %g26, %g27) : (tensor<1x3x3x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>) -> tensor<1x7x7x3xf32>
  %u29 = tensor.cast %r28 : tensor<1x7x7x3xf32> to tensor<*xf32>
  call @printMemrefF32(%u29) : (tensor<*xf32>) -> ()
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
