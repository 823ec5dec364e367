//===- my-opt.cpp - an mlir-opt that embeds convgrad ----------------------===//
//
// Registers every upstream dialect, extension and pass, then convgrad's
// dialect, passes and pipeline next to them. Built against an installed
// convgrad through find_package(ConvGrad).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Conversion/Passes.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Pipelines/Pipelines.h"
#include "convgrad/Transforms/Passes.h"
#ifdef MY_OPT_HAS_TRANSFORM_OPS
#include "convgrad/TransformOps/ConvGradTransformOps.h"
#endif

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  // Upstream first, then convgrad.
  mlir::registerAllPasses();
  mlir::convgrad::registerConvGradTransformsPasses();  // --convgrad-decompose
  mlir::convgrad::registerConvGradConversionPasses();  // --convgrad-to-linalg
  mlir::convgrad::registerConvGradPipelines();         // --convgrad-cpu-pipeline

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::convgrad::ConvGradDialect>();
#ifdef MY_OPT_HAS_TRANSFORM_OPS
  mlir::convgrad::registerTransformDialectExtension(registry);
#endif
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "my-opt: upstream MLIR + convgrad\n", registry));
}
