//===- CPUPipeline.cpp - convgrad to LLVM for CPUs ------------------------===//

#include "convgrad/Pipelines/Pipelines.h"

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Conversion/Passes.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::convgrad;

namespace {
bool isVector(const CPUPipelineOptions &options) {
  return options.codegen == Codegen::Vector;
}
bool isOpenMP(const CPUPipelineOptions &options) {
  return options.numThreads != 1;
}
void addCleanup(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}
} // namespace

void mlir::convgrad::buildConvGradToLinalgStage(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  ConvGradCPUSetTargetOptions target;
  target.targetCpu = options.targetCpu;
  target.targetFeatures = options.targetFeatures;
  target.vectorBits = options.vectorBits;
  target.vectorRegisters = options.vectorRegisters;
  target.threads = options.numThreads;
  pm.addPass(createConvGradCPUSetTarget(target));
  // Taps that read only padding (dilations larger than the input) would
  // make every later stage materialize the padding.
  pm.addPass(createConvGradCropPaddingTaps());
  // Before any layout change of the vector path: a strided layer's
  // transposes then move only the input elements its windows read.
  if (isVector(options))
    pm.addPass(createConvGradSubsampleStridedInput());
  if (options.wgradStrategy == WgradStrategy::Gemm) {
    ConvGradCPUWgradToGemmOptions gemm;
    gemm.parallelTasks = options.wgradParallelTasks;
    gemm.blockBytes = options.wgradBlockBytes;
    pm.addPass(createConvGradCPUWgradToGemm(gemm));
  }
  // Channels-last depthwise gradients (and grouped gradients of few
  // channels per group, channels-first grouped filter gradients between
  // transposes) with vectors along the channels, before the decomposition
  // pads dy and turns the filter gradient into a convolution by dy; first,
  // so that the grouped ones it declines go plane by plane.
  if (isVector(options))
    pm.addPass(createConvGradCPUDepthwiseChannelsLast());
  // Channels-first depthwise ops (and the channels-last grouped ops left)
  // are computed plane by plane where the data is (forward, data gradients,
  // filter gradients), before the decomposition: its phase convolutions of
  // strided data gradients would be interleaved by strided inserts, element
  // by element in channels-first.
  if (isVector(options))
    pm.addPass(createConvGradCPUDepthwisePlanes());
  ConvGradDecomposeOptions decompose;
  decompose.dgradStrategy = options.dgradStrategy;
  pm.addPass(createConvGradDecompose(decompose));
  // The vector path computes every other convolution in channels-last
  // (transposes around channels-first ones) and ungrouped.
  if (isVector(options)) {
    // Channels-first 1x1 convolutions (pointwise layers, the phase of a
    // strided 1x1 layer's data gradient) as GEMMs along the positions,
    // where x and the output are contiguous: no layout change.
    pm.addPass(createConvGradCPUPointwiseConvAsGemm());
    pm.addPass(createConvGradConvertToChannelsLast());
    pm.addPass(createConvGradCPUNarrowConvsToChannelsFirst());
    pm.addPass(createConvGradSplitGroups());
  }
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createConvGradToLinalg());
  addCleanup(pm);
}

void mlir::convgrad::buildTileAndVectorizeStage(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  if (!isVector(options))
    return;
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createConvGradTileAndVectorize());
  func.addPass(createConvGradTileAndVectorizeContractions());
  // Each convolution task transposes its own channels-last tile into the
  // channels-first result, instead of a pass over the whole result after.
  func.addPass(createConvGradCPUFuseResultTransposes());
  // The zeros of a strided data gradient between its products are filled by
  // the tasks that write the products, not by a pass over the whole result.
  func.addPass(createConvGradCPUFuseFillIntoTasks());
  // The task loops of a data gradient's stride phases read the same output
  // gradient: one loop, so that each task reads its rows once from memory.
  func.addPass(createConvGradCPUFuseSiblingTasks());
  // The stride phases of one task, now in one loop, cover a box of the
  // result: its transpose moves into the tasks too.
  func.addPass(createConvGradCPUFuseResultTransposes());
  // Layout transposes then write into their padded buffers (bufferized
  // next), rather than into a temporary copied there.
  func.addPass(createConvGradCPUPadInPlace());
  addCleanup(pm);
}

void mlir::convgrad::buildBufferizationStage(
    OpPassManager &pm, const CPUPipelineOptions &options) {
  // eliminate-empty-tensors lets the last op of a function write straight
  // into the caller's buffer (materialize_in_destination).
  buildBufferizeForCallers(pm);
  if (isVector(options)) {
    pm.nest<func::FuncOp>().addPass(createConvGradVectorizeDataMovement());
    pm.addPass(createLoopInvariantCodeMotionPass());
    pm.nest<func::FuncOp>().addPass(createConvGradLowerVectors());
    addCleanup(pm);
    // On the loads LowerVectors leaves: the rows of the reduction loops'
    // planes, which no hardware prefetcher follows.
    if (options.prefetchStridedRows)
      pm.nest<func::FuncOp>().addPass(createConvGradCPUPrefetchStridedRows());
  }
  // The prefetches of a staged filter gradient's next work item, between
  // the FMAs of its current one (erased where there are no FMAs).
  pm.nest<func::FuncOp>().addPass(createConvGradCPUSpreadPrefetches());
  // Last: the hoisting of tile accumulators above must see the temporaries
  // as separate buffers (views of one workspace may alias).
  if (options.temporaries == Temporaries::Workspace) {
    ConvGradCPUWorkspaceOptions workspace;
    workspace.threads = options.numThreads;
    pm.addPass(createConvGradCPUWorkspace(workspace));
  }
}

void mlir::convgrad::buildBufferizeForCallers(OpPassManager &pm) {
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  addCleanup(pm);
  pm.addPass(memref::createFoldMemRefAliasOpsPass());
  pm.addPass(createCanonicalizerPass());
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createConvGradCopyToLinalg());
}

void mlir::convgrad::buildLowerToLLVMStage(OpPassManager &pm,
                                           const CPUPipelineOptions &options) {
  // Parallel tiles: OpenMP, or sequential loops.
  if (isOpenMP(options)) {
    pm.addPass(createForallToParallelLoopPass());
    ConvertSCFToOpenMPPassOptions openmp;
    openmp.numThreads = options.numThreads;
    pm.addPass(createConvertSCFToOpenMPPass(openmp));
  } else {
    pm.addPass(createForallToForLoopPass());
  }
  pm.addPass(createConvertLinalgToLoopsPass());
  if (isVector(options))
    pm.addPass(createConvertVectorToSCFPass(
        VectorTransferToSCFOptions().enableFullUnroll(true)));
  buildLoopsToLLVM(pm, isVector(options), isOpenMP(options));
  pm.addPass(createConvGradCPUApplyLLVMTarget());
}

void mlir::convgrad::buildLoopsToLLVM(OpPassManager &pm, bool vector,
                                      bool openmp) {
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createSCFToControlFlowPass());
  addCleanup(pm);
  if (vector)
    pm.addPass(createConvertVectorToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  if (openmp)
    pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createConvertToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::convgrad::buildCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &options) {
  buildConvGradToLinalgStage(pm, options);
  buildTileAndVectorizeStage(pm, options);
  buildBufferizationStage(pm, options);
  buildLowerToLLVMStage(pm, options);
}

void mlir::convgrad::registerConvGradPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "convgrad-cpu-pipeline",
      "Lower convgrad (or linalg on tensors) to the LLVM dialect for a CPU "
      "(the host, or target-cpu): convgrad to linalg, tiling and "
      "vectorization sized for the target's registers and caches, one-shot "
      "bufferization across function boundaries, deallocation, OpenMP or "
      "sequential loops, LLVM",
      buildCPUPipeline);
}
