/*===- Dialects.h - C API of the convgrad dialect -----------------*- C -*-===*\
|*                                                                            *|
|* The convgrad dialect for C (and for Python/other bindings built on the     *|
|* upstream mlir-c API):                                                      *|
|*                                                                            *|
|*   MlirDialectHandle h = mlirGetDialectHandle__convgrad__();                *|
|*   mlirDialectHandleRegisterDialect(h, ctx);   // or InsertDialect(registry)*|
|*   mlirDialectHandleLoadDialect(h, ctx);                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef CONVGRAD_C_DIALECTS_H
#define CONVGRAD_C_DIALECTS_H

#include "mlir-c/IR.h"
#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(ConvGrad, convgrad);

/// The tensor layout of a convolution (`#convgrad.layout<...>`).
typedef enum MlirConvGradLayout {
  /// Input `N, C, S...`, filter `F, C/G, K...` (PyTorch's default).
  MlirConvGradLayoutChannelsFirst = 0,
  /// Input `N, S..., C`, filter `F, K..., C/G`.
  MlirConvGradLayoutChannelsLast = 1,
} MlirConvGradLayout;

/// Returns `#convgrad.layout<channels_first>` or `<channels_last>`. The
/// convgrad dialect must be loaded in `ctx`.
MLIR_CAPI_EXPORTED MlirAttribute
mlirConvGradLayoutAttrGet(MlirContext ctx, MlirConvGradLayout layout);

/// Whether `attr` is a `#convgrad.layout`.
MLIR_CAPI_EXPORTED bool mlirAttributeIsAConvGradLayoutAttr(MlirAttribute attr);

/// The layout of a `#convgrad.layout` attribute.
MLIR_CAPI_EXPORTED MlirConvGradLayout
mlirConvGradLayoutAttrGetValue(MlirAttribute attr);

#ifdef __cplusplus
}
#endif

#endif /* CONVGRAD_C_DIALECTS_H */
