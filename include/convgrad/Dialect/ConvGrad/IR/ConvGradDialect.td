//===- ConvGradDialect.td - convgrad dialect definition ----*- tablegen -*-===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADDIALECT_TD
#define CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADDIALECT_TD

include "mlir/IR/OpBase.td"

def ConvGrad_Dialect : Dialect {
  let name = "convgrad";
  let cppNamespace = "::mlir::convgrad";
  let summary = "Convolution forward and backward (data, filter, bias gradients)";
  let description = [{
    The `convgrad` dialect states a convolution and its three gradients at the
    level of PyTorch's `convolution_backward`: stride, asymmetric padding,
    dilation, groups, 1-D/2-D/3-D, channels-first and channels-last layouts,
    and f16/bf16/f32/f64 elements (f16 and bf16 accumulate in f32 and round
    once at the end).

    The forward op is `convgrad.conv`; its gradients are
    `convgrad.conv_backward_data` (dgrad), `convgrad.conv_backward_filter`
    (wgrad) and `convgrad.conv_backward_bias` (bgrad). Each backward op carries
    the attributes of the forward convolution it differentiates, so one set of
    attributes describes the whole training step.

    `--convgrad-decompose` rewrites the backward ops into forward convolutions
    over explicit data movement (`tensor.pad`, `convgrad.insert_zeros`,
    `convgrad.reverse`, transposes); `--convgrad-to-linalg` then produces
    upstream `linalg` named convolutions.
  }];
  let useDefaultAttributePrinterParser = 1;
  // Folders return constants (a reversed splat); they become arith.constant.
  let hasConstantMaterializer = 1;
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  let usePropertiesForAttributes = 1;
}

#endif // CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADDIALECT_TD
