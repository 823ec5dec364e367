//===- ConvGradTransformOps.td - convgrad transform ops ----*- tablegen -*-===//
//
// Pattern descriptor ops for `transform.apply_patterns`, the MLIR 22 idiom for
// exposing a pattern set to the transform dialect (like
// `transform.apply_patterns.linalg.*`):
//
//   transform.apply_patterns to %func {
//     transform.apply_patterns.convgrad.decompose
//     transform.apply_patterns.convgrad.to_linalg
//   } : !transform.any_op
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TRANSFORMOPS_CONVGRADTRANSFORMOPS_TD
#define CONVGRAD_TRANSFORMOPS_CONVGRADTRANSFORMOPS_TD

include "mlir/Dialect/Transform/IR/TransformDialect.td"
include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.td"
include "mlir/IR/OpBase.td"

class ConvGrad_PatternsOp<string name, string doc>
    : Op<Transform_Dialect, "apply_patterns.convgrad." # name,
         [DeclareOpInterfaceMethods<PatternDescriptorOpInterface>]> {
  let cppNamespace = "::mlir::convgrad";
  let description = doc;
  let assemblyFormat = "attr-dict";
}

def ApplyDecomposePatternsOp : ConvGrad_PatternsOp<"decompose", [{
    Collects the patterns of `--convgrad-decompose`
    (`populateDecomposeConvBackwardPatterns`): `convgrad.conv_backward_data`,
    `convgrad.conv_backward_filter` and `convgrad.conv_backward_bias` become
    forward `convgrad.conv` ops over `tensor.pad`, `convgrad.insert_zeros`,
    `convgrad.reverse` and `linalg.transpose` (and a `linalg.generic`
    reduction for the bias gradient).
  }]> {
  let summary = "Rewrite convolution gradients as forward convolutions";
}

def ApplyToLinalgPatternsOp : ConvGrad_PatternsOp<"to_linalg", [{
    Collects the lowering patterns of `--convgrad-to-linalg`
    (`populateConvGradToLinalgPatterns`): `convgrad.conv`,
    `convgrad.insert_zeros` and `convgrad.reverse` become upstream `linalg`
    named convolutions, `tensor` and `arith` ops. The backward ops are not
    matched: put `transform.apply_patterns.convgrad.decompose` in the same
    `transform.apply_patterns` region to lower them too.
  }]> {
  let summary = "Lower convgrad's forward and data movement ops to linalg";
}

#endif // CONVGRAD_TRANSFORMOPS_CONVGRADTRANSFORMOPS_TD
