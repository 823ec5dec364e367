//===- convgrad-opt.cpp - mlir-opt with the convgrad dialect --------------===//

#include "convgrad/Conversion/Passes.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Pipelines/Pipelines.h"
#include "convgrad/Pipelines/TosaPipeline.h"
#include "convgrad/Pipelines/UpstreamPipeline.h"
#include "convgrad/TransformOps/ConvGradTransformOps.h"
#include "convgrad/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::convgrad::registerConvGradTransformsPasses();
  mlir::convgrad::registerConvGradConversionPasses();
  mlir::convgrad::registerConvGradPipelines();
  mlir::convgrad::registerUpstreamCPUPipeline();
  mlir::convgrad::registerTosaCPUPipeline();
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::convgrad::ConvGradDialect>();
  mlir::convgrad::registerTransformDialectExtension(registry);
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "convgrad optimizer driver\n", registry));
}
