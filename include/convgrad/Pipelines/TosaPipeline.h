//===- TosaPipeline.h - TOSA programs through convgrad ----------*- C++ -*-===//

#ifndef CONVGRAD_PIPELINES_TOSAPIPELINE_H
#define CONVGRAD_PIPELINES_TOSAPIPELINE_H

#include "convgrad/Pipelines/Pipelines.h"

namespace mlir {
class OpPassManager;

namespace convgrad {

/// Builds a whole TOSA program -> LLVM dialect with convgrad compiling the
/// convolutions: convgrad-import-tosa, then upstream's tosa-to-linalg-named,
/// tosa-to-linalg, tosa-to-tensor and tosa-to-arith for every other op (and
/// the convolutions the import leaves), then the CPU pipeline with
/// `options`.
void buildTosaCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers `--convgrad-tosa-cpu-pipeline` (the options of
/// `--convgrad-cpu-pipeline`).
void registerTosaCPUPipeline();

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_PIPELINES_TOSAPIPELINE_H
