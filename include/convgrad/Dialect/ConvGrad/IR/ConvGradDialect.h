//===- ConvGradDialect.h - convgrad dialect ---------------------*- C++ -*-===//

#ifndef CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADDIALECT_H
#define CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADDIALECT_H

#include "mlir/IR/Dialect.h"

#include "convgrad/Dialect/ConvGrad/IR/ConvGradOpsDialect.h.inc"

#endif // CONVGRAD_DIALECT_CONVGRAD_IR_CONVGRADDIALECT_H
