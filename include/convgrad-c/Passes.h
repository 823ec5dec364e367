/*===- Passes.h - C API of the convgrad passes --------------------*- C -*-===*\
|*                                                                            *|
|* Registration and creation of the convgrad passes, for use with the        *|
|* upstream mlir-c pass manager API (mlir-c/Pass.h).                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef CONVGRAD_C_PASSES_H
#define CONVGRAD_C_PASSES_H

#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Registers --convgrad-decompose, --convgrad-to-linalg and the
/// --convgrad-cpu-pipeline pipeline in the global pass registry, so that
/// mlirParsePassPipeline / mlirOpPassManagerAddPipeline accept their names.
MLIR_CAPI_EXPORTED void mlirConvGradRegisterPasses(void);

/// Creates a --convgrad-decompose pass.
MLIR_CAPI_EXPORTED MlirPass mlirConvGradCreateDecomposePass(void);

/// Creates a --convgrad-to-linalg pass.
MLIR_CAPI_EXPORTED MlirPass mlirConvGradCreateToLinalgPass(void);

/// Adds the CPU pipeline (convgrad or linalg on tensors -> LLVM dialect) to
/// `pm`, which must run on `builtin.module`. `codegen` is "loops" or
/// "vector" (see --convgrad-cpu-pipeline); an empty string means "loops".
MLIR_CAPI_EXPORTED void mlirConvGradBuildCPUPipeline(MlirOpPassManager pm,
                                                     MlirStringRef codegen);

#ifdef __cplusplus
}
#endif

#endif /* CONVGRAD_C_PASSES_H */
