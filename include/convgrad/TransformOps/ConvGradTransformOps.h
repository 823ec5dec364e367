//===- ConvGradTransformOps.h - convgrad transform ops ----------*- C++ -*-===//

#ifndef CONVGRAD_TRANSFORMOPS_CONVGRADTRANSFORMOPS_H
#define CONVGRAD_TRANSFORMOPS_CONVGRADTRANSFORMOPS_H

#include "mlir/Dialect/Transform/IR/TransformDialect.h"
#include "mlir/Dialect/Transform/Interfaces/TransformInterfaces.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"

#define GET_OP_CLASSES
#include "convgrad/TransformOps/ConvGradTransformOps.h.inc"

namespace mlir {
class DialectRegistry;

namespace convgrad {
/// Registers `transform.apply_patterns.convgrad.decompose` and
/// `transform.apply_patterns.convgrad.to_linalg` as an extension of the
/// transform dialect.
void registerTransformDialectExtension(DialectRegistry &registry);
} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_TRANSFORMOPS_CONVGRADTRANSFORMOPS_H
