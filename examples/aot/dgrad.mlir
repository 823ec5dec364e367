// A data-gradient kernel for ahead-of-time compilation: a strided, padded,
// grouped 3x3 convolution's dgrad in destination-passing style. The caller
// owns every buffer; the kernel writes the result into `%dx` directly and
// frees its temporaries before returning. `llvm.emit_c_interface` gives it
// the C entry point `_mlir_ciface_dgrad` taking memref descriptors.
func.func @dgrad(%dy: memref<2x8x5x5xf32>, %w: memref<8x2x3x3xf32>,
                 %dx: memref<2x4x10x10xf32>) attributes {llvm.emit_c_interface} {
  %gy = bufferization.to_tensor %dy restrict : memref<2x8x5x5xf32> to tensor<2x8x5x5xf32>
  %f = bufferization.to_tensor %w restrict : memref<8x2x3x3xf32> to tensor<8x2x3x3xf32>
  %gx = convgrad.conv_backward_data %gy, %f strides = [2, 2] padding = [1, 1, 1, 1] groups = 2
      : (tensor<2x8x5x5xf32>, tensor<8x2x3x3xf32>) -> tensor<2x4x10x10xf32>
  bufferization.materialize_in_destination %gx in restrict writable %dx
      : (tensor<2x4x10x10xf32>, memref<2x4x10x10xf32>) -> ()
  return
}
