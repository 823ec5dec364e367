// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-cpu-pad-in-place | FileCheck %s --check-prefix=AVX2
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-cpu-pad-in-place | FileCheck %s --check-prefix=AVX512
// RUN: convgrad-opt %s --convgrad-cpu-pad-in-place | FileCheck %s --check-prefix=NOTARGET

// The channels-last dy of the RGB stem's data gradient, transposed into a
// padded channels-first buffer (1 low, 2 high columns around rows of 112):
// with a CPU target the buffer's rows start their interior on a vector
// boundary (column 8 of 128 on AVX2), so the transpose stores aligned
// vectors; the convolution reads the original padded tensor as a slice
// from column 7. AVX-512 would need rows of 144, a fifth of each row extra:
// unchanged.
// AVX2-LABEL:   func.func @stem_dy
// AVX2:           %[[T:.*]] = linalg.transpose
// AVX2:           %[[I:.*]] = tensor.insert_slice %[[T]] into %{{.*}}[0, 0, 1, 8] [8, 64, 112, 112] [1, 1, 1, 1] : tensor<8x64x112x112xf32> into tensor<8x64x115x128xf32>
// AVX2:           tensor.extract_slice %[[I]][0, 0, 0, 7] [8, 64, 115, 115] [1, 1, 1, 1] : tensor<8x64x115x128xf32> to tensor<8x64x115x115xf32>
// AVX512-LABEL: func.func @stem_dy
// AVX512-NOT:     115x144
// AVX512:         tensor.insert_slice %{{.*}}[0, 0, 1, 1] [8, 64, 112, 112] [1, 1, 1, 1] : tensor<8x64x112x112xf32> into tensor<8x64x115x115xf32>
// NOTARGET-LABEL: func.func @stem_dy
// NOTARGET-NOT:   115x128
// NOTARGET:       tensor.insert_slice %{{.*}}[0, 0, 1, 1] [8, 64, 112, 112] [1, 1, 1, 1] : tensor<8x64x112x112xf32> into tensor<8x64x115x115xf32>
func.func @stem_dy(%dy: tensor<8x112x112x64xf32>) -> tensor<8x64x115x115xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x64x112x112xf32>
  %t = linalg.transpose ins(%dy : tensor<8x112x112x64xf32>) outs(%e : tensor<8x64x112x112xf32>) permutation = [0, 3, 1, 2]
  %p = tensor.pad %t low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<8x64x112x112xf32> to tensor<8x64x115x115xf32>
  return %p : tensor<8x64x115x115xf32>
}

// A channels-first argument copied into its padded buffer keeps the
// layout (its copy is bandwidth-bound: aligned rows measured no gain).
// AVX2-LABEL:   func.func @argument_copy
// AVX2-NOT:       115x128
// AVX2:           return
func.func @argument_copy(%dy: tensor<8x64x112x112xf32>) -> tensor<8x64x115x115xf32> {
  %zero = arith.constant 0.0 : f32
  %p = tensor.pad %dy low[0, 0, 1, 1] high[0, 0, 2, 2] {
  ^bb0(%a: index, %b: index, %c: index, %d: index):
    tensor.yield %zero : f32
  } : tensor<8x64x112x112xf32> to tensor<8x64x115x115xf32>
  return %p : tensor<8x64x115x115xf32>
}
