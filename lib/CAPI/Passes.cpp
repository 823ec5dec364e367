//===- Passes.cpp - C API of the convgrad passes --------------------------===//

#include "convgrad-c/Passes.h"

#include "convgrad/Conversion/Passes.h"
#include "convgrad/Pipelines/Pipelines.h"
#include "convgrad/Transforms/Passes.h"

#include "mlir/CAPI/Pass.h"
#include "mlir/CAPI/Support.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

void mlirConvGradRegisterPasses(void) {
  convgrad::registerConvGradTransformsPasses();
  convgrad::registerConvGradConversionPasses();
  convgrad::registerConvGradPipelines();
}

MlirPass mlirConvGradCreateDecomposePass(void) {
  return wrap(convgrad::createConvGradDecompose().release());
}

MlirPass mlirConvGradCreateToLinalgPass(void) {
  return wrap(convgrad::createConvGradToLinalg().release());
}

void mlirConvGradBuildCPUPipeline(MlirOpPassManager pm, MlirStringRef codegen) {
  convgrad::CPUPipelineOptions options;
  if (codegen.length != 0)
    options.codegen = unwrap(codegen).str();
  convgrad::buildCPUPipeline(*unwrap(pm), options);
}
