// The stock mlir-opt runs convgrad's passes through the pass plugin (the
// dialect plugin parses the input). mlir-opt registers plugin passes while it
// parses its command line, too late for the `--convgrad-to-linalg` flag
// form: name them in --pass-pipeline.
// REQUIRES: plugins
// RUN: mlir-opt %s --load-dialect-plugin=%convgrad_lib_dir/ConvGradDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%convgrad_lib_dir/ConvGradPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(convgrad-to-linalg)" | FileCheck %s --check-prefix=LINALG
// RUN: mlir-opt %s --load-dialect-plugin=%convgrad_lib_dir/ConvGradDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%convgrad_lib_dir/ConvGradPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(convgrad-decompose)" | FileCheck %s --check-prefix=DECOMPOSE
// RUN: mlir-opt %s --load-dialect-plugin=%convgrad_lib_dir/ConvGradDialectPlugin%shlibext \
// RUN:   --load-pass-plugin=%convgrad_lib_dir/ConvGradPassPlugin%shlibext \
// RUN:   --pass-pipeline="builtin.module(convgrad-cpu-pipeline)" | FileCheck %s --check-prefix=LLVM
// RUN: mlir-opt --load-pass-plugin=%convgrad_lib_dir/ConvGradPassPlugin%shlibext --help \
// RUN:   | FileCheck %s --check-prefix=HELP

// LINALG-LABEL: func.func @dgrad
// LINALG-NOT:   convgrad.
// LINALG:       tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 0] [1, 8, 4, 4] [1, 1, 2, 2]
// LINALG:       linalg.conv_2d_nchw_fchw
// LINALG-SAME:    -> tensor<1x4x7x7xf32>
// LINALG-NOT:   convgrad.

// DECOMPOSE-LABEL: func.func @dgrad
// DECOMPOSE:       convgrad.insert_zeros %{{.*}} strides = [1, 1, 2, 2]
// DECOMPOSE:       convgrad.reverse %{{.*}} dimensions = [2, 3]
// DECOMPOSE:       convgrad.conv
// DECOMPOSE-NOT:   convgrad.conv_backward_data

// LLVM-LABEL: llvm.func @dgrad
// LLVM-NOT:   convgrad.

// HELP-DAG: --convgrad-decompose
// HELP-DAG: --convgrad-to-linalg
// HELP-DAG: --convgrad-cpu-pipeline

func.func @dgrad(%dy: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2] padding = [1, 1, 1, 1]
      : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %dx : tensor<1x4x7x7xf32>
}
