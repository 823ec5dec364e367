// --convgrad-cpu-wgrad-to-gemm at 2 threads on AVX2 (znver3): a channel split
// of the rows is taken only when its tasks' register blocks cost no more
// cycles in all than the single GEMM's (cpu::planWgradGemm). The 3x3
// stride-2 64 -> 128 layer (28 positions per output row): 64 rows are 10
// blocks of 6 and one of 4; 2 tasks of 32 rows would be 5 of 6 and one of 2
// each, so the tasks split the 128 lanes instead, 64 rows x 64 lanes each.
// The batch is dynamic: with a static one, whose work items split evenly,
// each task's copy of these filter gradients (288 and 432 KiB) fits the
// 512 KiB L2 and the tasks would split the work items instead.
// RUN: convgrad-opt %s -split-input-file --convgrad-cpu-set-target="target-cpu=znver3 threads=2" --convgrad-cpu-wgrad-to-gemm --canonicalize | FileCheck %s

// CHECK-LABEL: func.func @stride2_64_to_128
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}}) -> (tensor<1152x64xf32>)
// CHECK:   linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x7x28x64xf32>, tensor<1x7x28x64xf32>) outs(%{{.*}} : tensor<64x64xf32>) attrs =  {convgrad.gemm_tiling = array<i64: 6, 16, 7, 60, 0>}
func.func @stride2_64_to_128(%x: tensor<?x56x56x64xf32>, %dy: tensor<?x28x28x128xf32>) -> tensor<128x3x3x64xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last : (tensor<?x56x56x64xf32>, tensor<?x28x28x128xf32>) -> tensor<128x3x3x64xf32>
  return %dw : tensor<128x3x3x64xf32>
}

// -----

// 96 rows are 16 blocks of 6, 48 per task 8: the rows split (x, along the
// rows, has more elements per image than dy).
// CHECK-LABEL: func.func @stride2_96_to_128
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}}) -> (tensor<864x128xf32>)
// CHECK:   linalg.generic {{.*}} outs(%{{.*}} : tensor<48x128xf32>) attrs =  {convgrad.gemm_tiling = array<i64: 6, 16, 7>}
func.func @stride2_96_to_128(%x: tensor<?x56x56x96xf32>, %dy: tensor<?x28x28x128xf32>) -> tensor<128x3x3x96xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last : (tensor<?x56x56x96xf32>, tensor<?x28x28x128xf32>) -> tensor<128x3x3x96xf32>
  return %dw : tensor<128x3x3x96xf32>
}

// -----

// The first layer at N = 8: 32 work items (8 images x 4 blocks of 7 rows)
// split evenly, and a task's copy of the filter gradient (288 KiB) fits
// the 512 KiB L2: each task runs the single-task GEMMs (64 rows x 128
// lanes) on 16 work items, reading only its own images of x, where the
// Lanes split has both tasks read all of x.
// CHECK-LABEL: func.func @stride2_64_to_128_work_items
// CHECK: scf.forall (%{{.*}}) in (2) shared_outs(%{{.*}}) -> (tensor<1152x128xf32>)
// CHECK:   scf.for %{{.*}} = %c0 to %c16
// CHECK:     linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x7x28x64xf32>, tensor<1x7x28x128xf32>) outs(%{{.*}} : tensor<64x128xf32>) attrs =  {convgrad.gemm_tiling = array<i64: 6, 16, 7, 60, 0>}
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<576x128xf32>, tensor<576x128xf32>)
// CHECK:   arith.addf
func.func @stride2_64_to_128_work_items(%x: tensor<8x56x56x64xf32>, %dy: tensor<8x28x28x128xf32>) -> tensor<128x3x3x64xf32> {
  %dw = convgrad.conv_backward_filter %x, %dy strides = [2, 2] padding = [1, 1, 1, 1] layout = channels_last : (tensor<8x56x56x64xf32>, tensor<8x28x28x128xf32>) -> tensor<128x3x3x64xf32>
  return %dw : tensor<128x3x3x64xf32>
}
