// RUN: convgrad-opt %s --convgrad-lower-vectors | FileCheck %s
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v4" --convgrad-lower-vectors | FileCheck %s --check-prefixes=MASKED,AVX512
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64-v3" --convgrad-lower-vectors | FileCheck %s --check-prefixes=MASKED,AVX2
// RUN: convgrad-opt %s --convgrad-cpu-set-target="target-cpu=x86-64" --convgrad-lower-vectors | FileCheck %s --check-prefix=SSE

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

// A register tile that starts from zero (its fill tiled with it by
// --convgrad-tile-and-vectorize): the zero block stored before the
// reduction loop is what the hoisted accumulator read returns. The zeros
// are forwarded into the loop-carried vector, and the store, overwritten by
// the block's final store, is erased: no zero block goes through memory.
// CHECK-LABEL: func.func @zero_started_tile
// CHECK:         %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : vector<4x16xf32>
// CHECK-NOT:     vector.transfer_write
// CHECK-NOT:     vector.transfer_read %arg2
// CHECK:         %[[RES:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]]) -> (vector<4x16xf32>)
// CHECK:           scf.yield
// CHECK:         vector.transfer_write %[[RES]], %arg2
// CHECK-NOT:     vector.transfer_write
// CHECK:         return
func.func @zero_started_tile(%a: memref<8x4xf32>, %b: memref<8x16xf32>, %c: memref<4x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f0 = arith.constant 0.0 : f32
  %zero = arith.constant dense<0.0> : vector<4x16xf32>
  vector.transfer_write %zero, %c[%c0, %c0] {in_bounds = [true, true]} : vector<4x16xf32>, memref<4x16xf32>
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

// A register block along an output row of 24 columns, cut into a full
// vector and a partial one (VectorizeConvAlongWidth's pieces): the two
// accumulator pairs differ in size but not overlap, so both are hoisted.
// An access 8 columns on (overlapping the first vector) keeps its pair in
// memory.
// CHECK-LABEL: func.func @row_of_mixed_vectors
// CHECK:         vector.load %{{.*}} : memref<2x64xf32>, vector<16xf32>
// CHECK:         vector.load %{{.*}} : memref<2x64xf32>, vector<8xf32>
// CHECK:         scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<8xf32>)
// CHECK-NOT:       vector.store
// CHECK:           scf.yield
// CHECK:         vector.store
// CHECK:         vector.store
// CHECK-LABEL: func.func @row_of_overlapping_vectors
// CHECK:         scf.for
// CHECK-NOT:       iter_args
// CHECK:           vector.store {{.*}} : memref<2x64xf32>, vector<16xf32>
// CHECK:           vector.store {{.*}} : memref<2x64xf32>, vector<8xf32>
// CHECK-NEXT:    {{^ *}}}
func.func @row_of_mixed_vectors(%in: memref<8x24xf32>, %w: memref<8xf32>, %out: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c16 = arith.constant 16 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c8 step %c1 {
    %acc0 = vector.transfer_read %out[%c1, %c0], %f0 {in_bounds = [true]} : memref<2x64xf32>, vector<16xf32>
    %acc1 = vector.transfer_read %out[%c1, %c16], %f0 {in_bounds = [true]} : memref<2x64xf32>, vector<8xf32>
    %x0 = vector.transfer_read %in[%k, %c0], %f0 {in_bounds = [true]} : memref<8x24xf32>, vector<16xf32>
    %x1 = vector.transfer_read %in[%k, %c16], %f0 {in_bounds = [true]} : memref<8x24xf32>, vector<8xf32>
    %s = memref.load %w[%k] : memref<8xf32>
    %b0 = vector.broadcast %s : f32 to vector<16xf32>
    %b1 = vector.broadcast %s : f32 to vector<8xf32>
    %r0 = vector.fma %b0, %x0, %acc0 : vector<16xf32>
    %r1 = vector.fma %b1, %x1, %acc1 : vector<8xf32>
    vector.transfer_write %r0, %out[%c1, %c0] {in_bounds = [true]} : vector<16xf32>, memref<2x64xf32>
    vector.transfer_write %r1, %out[%c1, %c16] {in_bounds = [true]} : vector<8xf32>, memref<2x64xf32>
  }
  return
}
func.func @row_of_overlapping_vectors(%in: memref<8x24xf32>, %w: memref<8xf32>, %out: memref<2x64xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %f0 = arith.constant 0.0 : f32
  scf.for %k = %c0 to %c8 step %c1 {
    %acc0 = vector.transfer_read %out[%c1, %c0], %f0 {in_bounds = [true]} : memref<2x64xf32>, vector<16xf32>
    %acc1 = vector.transfer_read %out[%c1, %c8], %f0 {in_bounds = [true]} : memref<2x64xf32>, vector<8xf32>
    %x0 = vector.transfer_read %in[%k, %c0], %f0 {in_bounds = [true]} : memref<8x24xf32>, vector<16xf32>
    %x1 = vector.transfer_read %in[%k, %c8], %f0 {in_bounds = [true]} : memref<8x24xf32>, vector<8xf32>
    %s = memref.load %w[%k] : memref<8xf32>
    %b0 = vector.broadcast %s : f32 to vector<16xf32>
    %b1 = vector.broadcast %s : f32 to vector<8xf32>
    %r0 = vector.fma %b0, %x0, %acc0 : vector<16xf32>
    %r1 = vector.fma %b1, %x1, %acc1 : vector<8xf32>
    vector.transfer_write %r0, %out[%c1, %c0] {in_bounds = [true]} : vector<16xf32>, memref<2x64xf32>
    vector.transfer_write %r1, %out[%c1, %c8] {in_bounds = [true]} : vector<8xf32>, memref<2x64xf32>
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

// A transpose tile written into every other column of a channels-first
// data gradient (the interleave of a stride-2 phase). SSE (no masked store
// of 32-bit lanes): element by element. AVX2 and AVX-512: per row one shuffle spreads the
// 4 elements over the 7 columns they span and one masked store writes them
// through a unit-stride view of the same memory (the columns between keep
// the fill or another phase's values).
// SSE-LABEL:   func.func @every_other_column
// SSE-NOT:       vector.maskedstore
// SSE-COUNT-8:   memref.store
// SSE-NOT:       memref.store
// SSE-LABEL:   func.func @one_column_per_vector
// MASKED-LABEL: func.func @every_other_column
// MASKED-SAME:    (%[[V:.*]]: vector<2x4xf32>, %[[DX:.*]]: memref<2x4xf32, strided<[16, 2], offset: ?>>)
// MASKED-DAG:     %[[MASK:.*]] = arith.constant dense<[true, false, true, false, true, false, true]> : vector<7xi1>
// MASKED-DAG:     %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[DX]]
// MASKED:         %[[VIEW:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFFSET]]], sizes: [2, 7], strides: [16, 1]
// MASKED:         %[[ROW0:.*]] = vector.extract %[[V]][0]
// MASKED:         %[[SPREAD0:.*]] = vector.shuffle %[[ROW0]], %{{.*}} [0, 4, 1, 4, 2, 4, 3]
// MASKED:         vector.maskedstore %[[VIEW]][%{{.*}}, %{{.*}}], %[[MASK]], %[[SPREAD0]] : memref<2x7xf32, strided<[16, 1], offset: ?>>, vector<7xi1>, vector<7xf32>
// MASKED:         %[[ROW1:.*]] = vector.extract %[[V]][1]
// MASKED:         %[[SPREAD1:.*]] = vector.shuffle %[[ROW1]], %{{.*}} [0, 4, 1, 4, 2, 4, 3]
// MASKED:         vector.maskedstore %[[VIEW]][%{{.*}}, %{{.*}}], %[[MASK]], %[[SPREAD1]]
// MASKED-NOT:     memref.store
// MASKED:         return
func.func @every_other_column(%v: vector<2x4xf32>, %dx: memref<2x4xf32, strided<[16, 2], offset: ?>>) {
  %c0 = arith.constant 0 : index
  vector.transfer_write %v, %dx[%c0, %c0] {in_bounds = [true, true]} : vector<2x4xf32>, memref<2x4xf32, strided<[16, 2], offset: ?>>
  return
}

// Elements a vector apart: each would take a masked store of its own, so
// they are stored one by one.
// MASKED-LABEL: func.func @one_column_per_vector
// MASKED-NOT:     vector.maskedstore
// MASKED-COUNT-4: memref.store
func.func @one_column_per_vector(%v: vector<4xf32>, %dx: memref<4xf32, strided<[16]>>) {
  %c0 = arith.constant 0 : index
  vector.transfer_write %v, %dx[%c0] {in_bounds = [true]} : vector<4xf32>, memref<4xf32, strided<[16]>>
  return
}

// A transpose tile's read of every other element (the subsampled input of a
// 1x1 stride-2 channels-first layer), as the transpose leaves it. SSE
// (no masked load of 32-bit lanes): element by element. AVX2 and AVX-512:
// per row one masked load of the 13 lanes the 7 elements span, rounded up
// to whole vectors (16 lanes: one AVX-512 vector, two AVX2 ones; the lanes
// past the span are never touched), through a unit-stride view of the same
// memory, and one shuffle that picks out every other lane.
// SSE-LABEL:   func.func @every_other_column_read
// SSE-NOT:       vector.maskedload
// SSE-COUNT-14:  memref.load
// SSE-NOT:       memref.load
// SSE-LABEL:   func.func @one_column_per_vector_read
// MASKED-LABEL: func.func @every_other_column_read
// MASKED-SAME:    (%[[X:.*]]: memref<2x7xf32, strided<[32, 2], offset: ?>>)
// MASKED-DAG:     %[[MASK:.*]] = arith.constant dense<[true, true, true, true, true, true, true, true, true, true, true, true, true, false, false, false]> : vector<16xi1>
// MASKED-DAG:     %[[BASE:.*]], %[[OFFSET:.*]], %{{.*}}:2, %{{.*}}:2 = memref.extract_strided_metadata %[[X]]
// MASKED:         %[[VIEW:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%[[OFFSET]]], sizes: [2, 13], strides: [32, 1]
// MASKED:         %[[SPAN0:.*]] = vector.maskedload %[[VIEW]][%{{.*}}, %{{.*}}], %[[MASK]], %{{.*}} : memref<2x13xf32, strided<[32, 1], offset: ?>>, vector<16xi1>, vector<16xf32> into vector<16xf32>
// MASKED:         %[[ROW0:.*]] = vector.shuffle %[[SPAN0]], %[[SPAN0]] [0, 2, 4, 6, 8, 10, 12] : vector<16xf32>, vector<16xf32>
// MASKED:         %[[SPAN1:.*]] = vector.maskedload %[[VIEW]][%{{.*}}, %{{.*}}], %[[MASK]]
// MASKED:         %[[ROW1:.*]] = vector.shuffle %[[SPAN1]], %[[SPAN1]] [0, 2, 4, 6, 8, 10, 12]
// MASKED-NOT:     memref.load
// MASKED:         return
func.func @every_other_column_read(%x: memref<2x7xf32, strided<[32, 2], offset: ?>>) -> vector<2x7xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %v = vector.transfer_read %x[%c0, %c0], %f0 {in_bounds = [true, true]} : memref<2x7xf32, strided<[32, 2], offset: ?>>, vector<2x7xf32>
  return %v : vector<2x7xf32>
}

// Elements a vector apart: each loaded vector would bring one element, so
// they are loaded one by one.
// MASKED-LABEL: func.func @one_column_per_vector_read
// MASKED-NOT:     vector.maskedload
// MASKED-COUNT-4: memref.load
func.func @one_column_per_vector_read(%x: memref<4xf32, strided<[16]>>) -> vector<4xf32> {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %v = vector.transfer_read %x[%c0], %f0 {in_bounds = [true]} : memref<4xf32, strided<[16]>>, vector<4xf32>
  return %v : vector<4xf32>
}

// An 8 x 8 f32 transpose tile (AVX2's vector square: a channels-last dy
// tile moved into the channels-first form of a narrow data gradient). With
// AVX2 the AVX network, per row pair an unpack of the low and high lanes, then
// shuffles, blends (inline assembly, so that LLVM does not fold the stages
// back into one 64-element shuffle, ~70 instructions and a spill) and lane
// permutes: 32 instructions. AVX-512 (a remainder tile there) and SSE (no
// 256-bit vectors): one 1-D shuffle of the whole tile.
// AVX2-LABEL:   func.func @transpose_8x8_tile
// AVX2:           vector.transfer_read {{.*}} vector<8x8xf32>
// AVX2-COUNT-4:   vector.shuffle {{.*}} [0, 8, 1, 9, 4, 12, 5, 13]
// AVX2-COUNT-4:   vector.shuffle {{.*}} [2, 3, 8, 9, 6, 7, 12, 13]
// AVX2-COUNT-8:   llvm.inline_asm asm_dialect = intel "vblendps
// AVX2-COUNT-4:   vector.shuffle {{.*}} [0, 1, 2, 3, 8, 9, 10, 11]
// AVX2-COUNT-4:   vector.shuffle {{.*}} [4, 5, 6, 7, 12, 13, 14, 15]
// AVX2-NOT:       vector<64xf32>
// AVX2:           vector.transfer_write {{.*}} vector<8x8xf32>
// AVX512-LABEL: func.func @transpose_8x8_tile
// AVX512-NOT:     llvm.inline_asm
// AVX512:         vector.shuffle {{.*}} : vector<64xf32>, vector<64xf32>
// SSE-LABEL:    func.func @transpose_8x8_tile
// SSE-NOT:        llvm.inline_asm
// SSE:            vector.shuffle {{.*}} : vector<64xf32>, vector<64xf32>
func.func @transpose_8x8_tile(%in: memref<8x8xf32, strided<[64, 1], offset: ?>>, %out: memref<8x8xf32, strided<[13225, 1], offset: ?>>) {
  %c0 = arith.constant 0 : index
  %f0 = arith.constant 0.0 : f32
  %v = vector.transfer_read %in[%c0, %c0], %f0 {in_bounds = [true, true], permutation_map = affine_map<(d0, d1) -> (d1, d0)>} : memref<8x8xf32, strided<[64, 1], offset: ?>>, vector<8x8xf32>
  vector.transfer_write %v, %out[%c0, %c0] {in_bounds = [true, true]} : vector<8x8xf32>, memref<8x8xf32, strided<[13225, 1], offset: ?>>
  return
}
