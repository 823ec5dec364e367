// RUN: convgrad-opt %s --convgrad-lower-vectors | FileCheck %s

// A register tile as --convgrad-tile-and-vectorize leaves it after
// bufferization: the accumulator block is read and written in every
// iteration of the reduction loop. The pass hoists that pair out of the loop
// (the block becomes a loop-carried vector, i.e. registers) and lowers the
// outer-product contraction to one broadcast and one FMA per row.
// CHECK-LABEL: func.func @tile
// CHECK:         %[[INIT:.*]] = vector.transfer_read %{{.*}} : memref<4x16xf32>, vector<4x16xf32>
// CHECK:         %[[RES:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (vector<4x16xf32>)
// CHECK-NOT:       vector.transfer_write
// CHECK-NOT:       vector.contract
// CHECK-COUNT-4:   vector.fma {{.*}} : vector<16xf32>
// CHECK:           scf.yield
// CHECK:         vector.transfer_write %[[RES]]
func.func @tile(%a: memref<8x4xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = vector.transfer_read %c[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<4x16xf32>, vector<4x16xf32>
    %lhs = vector.transfer_read %a[%k, %c0], %f0 {in_bounds = [true, true]} : memref<8x4xf32>, vector<1x4xf32>
    %rhs = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<8x16xf32>, vector<1x16xf32>
    %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %lhs, %rhs, %acc : vector<1x4xf32>, vector<1x16xf32> into vector<4x16xf32>
    vector.transfer_write %r, %c[%c0, %c0] {in_bounds = [true, true]} : vector<4x16xf32>, memref<4x16xf32>
  }
  return
}

// The accumulator of a stride-2 phase of a data gradient: a view of the
// kernel's output argument with every other pixel (strided<[512, 1]>).
// Upstream's hoisting gives up on views; the kernel's arguments are distinct
// buffers, so the pair is hoisted as for a local allocation.
// CHECK-LABEL: func.func @phase_view_of_argument
// CHECK:         %[[PHASE:.*]] = memref.subview
// CHECK:         %[[INIT:.*]] = vector.transfer_read %[[PHASE]]
// CHECK:         %[[RES:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[INIT]]) -> (vector<2x16xf32>)
// CHECK-NOT:       vector.transfer_write
// CHECK-COUNT-2:   vector.fma {{.*}} : vector<16xf32>
// CHECK:           scf.yield
// CHECK:         vector.transfer_write %[[RES]], %[[PHASE]]
func.func @phase_view_of_argument(%a: memref<8x2xf32>, %b: memref<8x16xf32>, %dx: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f0 = arith.constant 0.0 : f32
  %phase = memref.subview %dx[0, 0] [2, 16] [2, 1] : memref<4x16xf32> to memref<2x16xf32, strided<[32, 1]>>
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = vector.transfer_read %phase[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x16xf32, strided<[32, 1]>>, vector<2x16xf32>
    %lhs = vector.transfer_read %a[%k, %c0], %f0 {in_bounds = [true, true]} : memref<8x2xf32>, vector<1x2xf32>
    %rhs = vector.transfer_read %b[%k, %c0], %f0 {in_bounds = [true, true]} : memref<8x16xf32>, vector<1x16xf32>
    %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %lhs, %rhs, %acc : vector<1x2xf32>, vector<1x16xf32> into vector<2x16xf32>
    vector.transfer_write %r, %phase[%c0, %c0] {in_bounds = [true, true]} : vector<2x16xf32>, memref<2x16xf32, strided<[32, 1]>>
  }
  return
}

// The loop also reads another view of the same argument (here the other
// phase's rows): that read may see the accumulator, so it stays in memory.
// CHECK-LABEL: func.func @phase_view_read_elsewhere
// CHECK:         %[[PHASE:.*]] = memref.subview %{{.*}}[0, 0]
// CHECK:         scf.for
// CHECK-NOT:       iter_args
// CHECK:           vector.transfer_read %[[PHASE]]
// CHECK:           vector.fma
// CHECK:           vector.transfer_write {{.*}}, %[[PHASE]]
// CHECK-NEXT:    {{^ *}}}
func.func @phase_view_read_elsewhere(%a: memref<8x2xf32>, %dx: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f0 = arith.constant 0.0 : f32
  %phase = memref.subview %dx[0, 0] [2, 16] [2, 1] : memref<4x16xf32> to memref<2x16xf32, strided<[32, 1]>>
  %other = memref.subview %dx[1, 0] [2, 16] [2, 1] : memref<4x16xf32> to memref<2x16xf32, strided<[32, 1], offset: 16>>
  scf.for %k = %c0 to %c8 step %c1 {
    %acc = vector.transfer_read %phase[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x16xf32, strided<[32, 1]>>, vector<2x16xf32>
    %lhs = vector.transfer_read %a[%k, %c0], %f0 {in_bounds = [true, true]} : memref<8x2xf32>, vector<1x2xf32>
    %rhs = vector.transfer_read %other[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x16xf32, strided<[32, 1], offset: 16>>, vector<1x16xf32>
    %r = vector.contract {indexing_maps = [affine_map<(m, n, k) -> (k, m)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %lhs, %rhs, %acc : vector<1x2xf32>, vector<1x16xf32> into vector<2x16xf32>
    vector.transfer_write %r, %phase[%c0, %c0] {in_bounds = [true, true]} : vector<2x16xf32>, memref<2x16xf32, strided<[32, 1]>>
  }
  return
}
