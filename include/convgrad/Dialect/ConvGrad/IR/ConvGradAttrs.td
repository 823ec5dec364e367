//===- ConvGradAttrs.td - convgrad attributes --------------*- tablegen -*-===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADATTRS_TD
#define CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADATTRS_TD

include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def ConvGrad_Layout : I32EnumAttr<"Layout", "order of the dimensions of activations and filters", [
    I32EnumAttrCase<"ChannelsFirst", 0, "channels_first">,
    I32EnumAttrCase<"ChannelsLast", 1, "channels_last">
  ]> {
  let cppNamespace = "::mlir::convgrad";
  let genSpecializedAttr = 0;
}

def ConvGrad_LayoutAttr : EnumAttr<ConvGrad_Dialect, ConvGrad_Layout, "layout"> {
  let summary = "Tensor layout of a convolution";
  let description = [{
    `#convgrad.layout<channels_first>`: input `N, C, S...`, filter
    `F, C/G, K...`, output `N, F, S...` (PyTorch's default, NCHW).

    `#convgrad.layout<channels_last>`: input `N, S..., C`, filter
    `F, K..., C/G`, output `N, S..., F` (NHWC).
  }];
  let assemblyFormat = "`<` $value `>`";
}

#endif // CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADATTRS_TD
