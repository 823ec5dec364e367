//===- UpstreamPipeline.cpp - MLIR 22's own TOSA path to LLVM -------------===//
//
// The reference lowering convgrad is compared with. Every stage is an
// upstream pass created with its typed options; keep it that way (no
// convgrad rewrite may change what the peer computes or how fast).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Pipelines/UpstreamPipeline.h"

#include "convgrad/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Conversion/TosaToArith/TosaToArith.h"
#include "mlir/Conversion/TosaToLinalg/TosaToLinalg.h"
#include "mlir/Conversion/TosaToTensor/TosaToTensor.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
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
  funcPm.addPass(tosa::createTosaToLinalgNamed());
  funcPm.addPass(createCanonicalizerPass());
  funcPm.addPass(tosa::createTosaToLinalg());
  funcPm.addPass(createTosaToTensorPass());
  funcPm.addPass(createTosaToArithPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  // Bufferization across function boundaries with identity layouts (the
  // ABI of the callers' memref descriptors), then deallocation.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(memref::createFoldMemRefAliasOpsPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  // Strided copies (into padded buffers) would call memrefCopy of
  // libmlir_c_runner_utils; as linalg.copy they become the same loops inline.
  pm.addPass(createConvGradCopyToLinalg());

  // linalg -> loops: every parallel dimension of every op an OpenMP
  // work-sharing loop with threads, plain loops without.
  OpPassManager &loopPm = pm.nest<func::FuncOp>();
  if (openmp) {
    loopPm.addPass(createConvertLinalgToParallelLoopsPass());
    ConvertSCFToOpenMPPassOptions omp;
    omp.numThreads = options.numThreads;
    pm.addPass(createConvertSCFToOpenMPPass(omp));
  } else {
    loopPm.addPass(createConvertLinalgToLoopsPass());
  }

  // LLVM. finalize-memref-to-llvm runs before convert-scf-to-cf so that the
  // OpenMP regions stay single-block (as in convgrad's pipeline).
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true; // no compiler-rt helper for bf16 truncation
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  if (openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::convgrad::registerUpstreamCPUPipeline() {
  PassPipelineRegistration<UpstreamCPUPipelineOptions>(
      "convgrad-upstream-cpu-pipeline",
      "MLIR 22's own path from TOSA (or linalg on tensors) to the LLVM "
      "dialect for CPUs, without convgrad: the peer convgrad is compared with",
      buildUpstreamCPUPipeline);
}
