//===- Passes.cpp - C API of the convgrad passes --------------------------===//

#include "convgrad-c/Passes.h"

#include "convgrad/Conversion/Passes.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"
#include "convgrad/InitAll.h"
#include "convgrad/Pipelines/Pipelines.h"

#include "mlir/CAPI/Pass.h"
#include "mlir/CAPI/Support.h"
#include "mlir/Pass/PassManager.h"

using namespace mlir;

void mlirConvGradRegisterPasses(void) {
  convgrad::registerAllPasses();
}

MlirPass mlirConvGradCreateDecomposePass(void) {
  return wrap(convgrad::createConvGradDecompose().release());
}

MlirPass mlirConvGradCreateToLinalgPass(void) {
  return wrap(convgrad::createConvGradToLinalg().release());
}

void mlirConvGradBuildCPUPipeline(MlirOpPassManager pm, MlirStringRef codegen) {
  convgrad::CPUPipelineOptions options;
  if (codegen.length != 0) {
    std::unique_ptr<convgrad::CPUPipelineOptions> parsed =
        convgrad::CPUPipelineOptions::createFromString(
            ("codegen=" + unwrap(codegen)).str());
    if (!parsed)
      return;
    options.codegen = parsed->codegen.getValue();
  }
  convgrad::buildCPUPipeline(*unwrap(pm), options);
}
