//===- InitAll.cpp - Register everything convgrad provides ----------------===//

#include "convgrad/InitAll.h"

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Conversion/Passes.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/Pipelines/Pipelines.h"
#include "convgrad/Pipelines/TosaPipeline.h"
#include "convgrad/Pipelines/UpstreamPipeline.h"
#include "convgrad/TransformOps/ConvGradTransformOps.h"

#include "mlir/IR/DialectRegistry.h"

#include <mutex>

void mlir::convgrad::registerAllDialects(DialectRegistry &registry) {
  registry.insert<ConvGradDialect>();
  registerTransformDialectExtension(registry);
}

void mlir::convgrad::registerAllPasses() {
  // Pipelines may be registered once only.
  static std::once_flag once;
  std::call_once(once, [] {
    registerConvGradTransformsPasses();
    registerConvGradConversionPasses();
    registerConvGradCPUCodegenPasses();
    registerConvGradPipelines();
    registerUpstreamCPUPipeline();
    registerTosaCPUPipeline();
  });
}
