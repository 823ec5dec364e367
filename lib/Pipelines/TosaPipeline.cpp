//===- TosaPipeline.cpp - TOSA programs through convgrad ------------------===//

#include "convgrad/Pipelines/TosaPipeline.h"

#include "convgrad/Conversion/TosaToConvGrad/TosaToConvGrad.h"

#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::convgrad;

void mlir::convgrad::buildTosaCPUPipeline(OpPassManager &pm,
                                          const CPUPipelineOptions &options) {
  pm.addPass(createConvGradImportTosa());
  // The rest of the program, in the order of upstream's
  // tosa-to-linalg-pipeline (named ops first). No
  // tosa-optional-decompositions: the transposed convolutions it rewrites
  // are convgrad's now.
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  funcPm.addPass(tosa::createTosaToLinalgNamed());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(tosa::createTosaToLinalg());
  funcPm.addPass(createTosaToTensorPass());
  funcPm.addPass(createTosaToArithPass());
  buildCPUPipeline(pm, options);
}

void mlir::convgrad::registerTosaCPUPipeline() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "convgrad-tosa-cpu-pipeline",
      "Lower a TOSA program to the LLVM dialect for CPUs with convgrad "
      "compiling its convolutions: convgrad-import-tosa, upstream's TOSA "
      "lowering for the other ops, then --convgrad-cpu-pipeline (same options)",
      buildTosaCPUPipeline);
}
