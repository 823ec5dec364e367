//===- ConvGradDialect.cpp - convgrad dialect -----------------------------===//

#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::convgrad;

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOpsDialect.cpp.inc"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "convgrad/Dialect/ConvGrad/IR/ConvGradAttrs.cpp.inc"

void ConvGradDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "convgrad/Dialect/ConvGrad/IR/ConvGradAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.cpp.inc"
      >();
}

Operation *ConvGradDialect::materializeConstant(OpBuilder &builder,
                                                Attribute value, Type type,
                                                Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}
