//===- UpstreamPipeline.cpp - MLIR 22's own TOSA path to LLVM -------------===//
//
// The reference lowering convgrad is compared with. Every stage is an
// upstream pass created with its typed options; keep it that way (no
// convgrad rewrite may change what the peer computes or how fast).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Pipelines/UpstreamPipeline.h"

#include "convgrad/Pipelines/Pipelines.h"

#include "UpstreamCodegen.h"

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/VectorToSCF/VectorToSCF.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Dialect/Tosa/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::convgrad;

void mlir::convgrad::buildUpstreamCPUPipeline(
    OpPassManager &pm, const UpstreamCPUPipelineOptions &options) {
  bool openmp = options.numThreads != 1;

  // TOSA -> linalg, tensor and arith on tensors, as upstream's
  // tosa-to-linalg-pipeline orders them: the named ops (convolutions,
  // matmul, pooling) before the elementwise ones.
  OpPassManager &funcPm = pm.nest<func::FuncOp>();
  if (options.tosaDecompositions)
    funcPm.addPass(tosa::createTosaOptionalDecompositionsPass());
  TosaToLinalgNamedOptions named;
  named.preferConv2DKernelLayoutHWCF = options.vectorize;
  funcPm.addPass(tosa::createTosaToLinalgNamed(named));
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(tosa::createTosaToLinalg());
  funcPm.addPass(createTosaToTensorPass());
  funcPm.addPass(createTosaToArithPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  if (options.vectorize) {
    pm.addNestedPass<func::FuncOp>(createUpstreamTileAndVectorizeConvsPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  // Bufferization across function boundaries with identity layouts (the
  // ABI of the callers' memref descriptors), then deallocation.
  // (its only non-upstream pass: strided copies as linalg.copy loops
  // rather than calls into libmlir_c_runner_utils, as in convgrad's.)
  buildBufferizeForCallers(pm);
  if (options.vectorize) {
    pm.addPass(createLoopInvariantCodeMotionPass());
    pm.addNestedPass<func::FuncOp>(createUpstreamLowerVectorsPass());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
  }

  // linalg -> loops: with threads, the tile loops (scf.forall) and every
  // parallel dimension of the other ops OpenMP work-sharing loops (nested
  // regions run sequentially); plain loops without.
  OpPassManager &loopPm = pm.nest<func::FuncOp>();
  if (openmp) {
    loopPm.addPass(createForallToParallelLoopPass());
    loopPm.addPass(createConvertLinalgToParallelLoopsPass());
    ConvertSCFToOpenMPPassOptions omp;
    omp.numThreads = options.numThreads;
    pm.addPass(createConvertSCFToOpenMPPass(omp));
  } else {
    loopPm.addPass(createForallToForLoopPass());
    loopPm.addPass(createConvertLinalgToLoopsPass());
  }
  if (options.vectorize) {
    pm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll()));
  }

  // LLVM, as convgrad's pipeline ends too (upstream passes only).
  buildLoopsToLLVM(pm, options.vectorize, openmp);
}

void mlir::convgrad::registerUpstreamCPUPipeline() {
  PassPipelineRegistration<UpstreamCPUPipelineOptions>(
      "convgrad-upstream-cpu-pipeline",
      "MLIR 22's own path from TOSA (or linalg on tensors) to the LLVM "
      "dialect for CPUs, without convgrad: the peer convgrad is compared with",
      buildUpstreamCPUPipeline);
}
