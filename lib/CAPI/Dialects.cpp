//===- Dialects.cpp - C API of the convgrad dialect -----------------------===//

#include "convgrad-c/Dialects.h"

#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"

using namespace mlir;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(ConvGrad, convgrad,
                                      mlir::convgrad::ConvGradDialect)

static convgrad::Layout unwrapLayout(MlirConvGradLayout layout) {
  return layout == MlirConvGradLayoutChannelsLast
             ? convgrad::Layout::ChannelsLast
             : convgrad::Layout::ChannelsFirst;
}

MlirAttribute mlirConvGradLayoutAttrGet(MlirContext ctx,
                                        MlirConvGradLayout layout) {
  return wrap(convgrad::LayoutAttr::get(unwrap(ctx), unwrapLayout(layout)));
}

bool mlirAttributeIsAConvGradLayoutAttr(MlirAttribute attr) {
  return isa<convgrad::LayoutAttr>(unwrap(attr));
}

MlirConvGradLayout mlirConvGradLayoutAttrGetValue(MlirAttribute attr) {
  return cast<convgrad::LayoutAttr>(unwrap(attr)).getValue() ==
                 convgrad::Layout::ChannelsLast
             ? MlirConvGradLayoutChannelsLast
             : MlirConvGradLayoutChannelsFirst;
}
