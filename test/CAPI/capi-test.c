/*===- capi-test.c - the convgrad C API, end to end ---------------*- C -*-===*\
|*                                                                            *|
|* Creates a context, registers convgrad (and func), parses a module with a  *|
|* data gradient, runs convgrad-to-linalg through the C pass manager API and *|
|* prints the result. Run by test/CAPI/capi-test.test.                        *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "convgrad-c/Dialects.h"
#include "convgrad-c/Passes.h"

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/Dialect/Func.h"
#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "mlir-c/Support.h"

#include <stdio.h>
#include <stdlib.h>

static const char *kModule =
    "func.func @dgrad(%dy: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>)\n"
    "    -> tensor<1x4x7x7xf32> {\n"
    "  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2]\n"
    "      padding = [1, 1, 1, 1]\n"
    "      : (tensor<1x8x4x4xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x7x7xf32>\n"
    "  return %dx : tensor<1x4x7x7xf32>\n"
    "}\n";

/* The same op with a grad_output that no 8x8 input produces. */
static const char *kInvalidModule =
    "func.func @bad(%dy: tensor<1x8x5x5xf32>, %w: tensor<8x4x3x3xf32>)\n"
    "    -> tensor<1x4x8x8xf32> {\n"
    "  %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2]\n"
    "      padding = [1, 1, 1, 1]\n"
    "      : (tensor<1x8x5x5xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x8x8xf32>\n"
    "  return %dx : tensor<1x4x8x8xf32>\n"
    "}\n";

static void printToStdout(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

static MlirLogicalResult printDiagnostic(MlirDiagnostic diagnostic,
                                         void *userData) {
  (void)userData;
  printf("diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printToStdout, NULL);
  printf("\n");
  return mlirLogicalResultSuccess();
}

static int fail(const char *what) {
  fprintf(stderr, "capi-test: %s\n", what);
  return 1;
}

int main(void) {
  MlirContext ctx = mlirContextCreate();
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);

  /* Registration through the dialect handle. */
  MlirDialectHandle convgrad = mlirGetDialectHandle__convgrad__();
  mlirDialectHandleRegisterDialect(mlirGetDialectHandle__func__(), ctx);
  mlirDialectHandleRegisterDialect(convgrad, ctx);
  MlirDialect dialect = mlirDialectHandleLoadDialect(convgrad, ctx);
  MlirStringRef ns = mlirDialectGetNamespace(dialect);
  printf("dialect: %.*s\n", (int)ns.length, ns.data);

  /* Attribute helpers. */
  MlirAttribute layout =
      mlirConvGradLayoutAttrGet(ctx, MlirConvGradLayoutChannelsLast);
  printf("layout: ");
  mlirAttributePrint(layout, printToStdout, NULL);
  printf(" isa=%d channels_last=%d\n", mlirAttributeIsAConvGradLayoutAttr(layout),
         mlirConvGradLayoutAttrGetValue(layout) == MlirConvGradLayoutChannelsLast);
  printf("unit isa=%d\n",
         mlirAttributeIsAConvGradLayoutAttr(mlirUnitAttrGet(ctx)));

  /* An invalid op is rejected with the verifier's message. */
  MlirModule invalid =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kInvalidModule));
  printf("invalid module parsed: %d\n", !mlirModuleIsNull(invalid));

  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  if (mlirModuleIsNull(module))
    return fail("cannot parse the module");
  MlirOperation moduleOp = mlirModuleGetOperation(module);

  /* Pass by name, through the textual pipeline. */
  mlirConvGradRegisterPasses();
  MlirPassManager pm = mlirPassManagerCreate(ctx);
  MlirLogicalResult parsed = mlirParsePassPipeline(
      mlirPassManagerGetAsOpPassManager(pm),
      mlirStringRefCreateFromCString("builtin.module(convgrad-to-linalg)"),
      printToStdout, NULL);
  if (mlirLogicalResultIsFailure(parsed))
    return fail("cannot parse the pass pipeline");
  printf("pipeline: ");
  mlirPrintPassPipeline(mlirPassManagerGetAsOpPassManager(pm), printToStdout,
                        NULL);
  printf("\n");
  if (mlirLogicalResultIsFailure(mlirPassManagerRunOnOp(pm, moduleOp)))
    return fail("convgrad-to-linalg failed");
  printf("// ----- lowered\n");
  mlirOperationPrint(moduleOp, printToStdout, NULL);
  printf("\n");
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);

  /* Pass object, added to a pass manager. */
  module = mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  if (mlirModuleIsNull(module))
    return fail("cannot parse the module");
  pm = mlirPassManagerCreate(ctx);
  mlirPassManagerAddOwnedPass(pm, mlirConvGradCreateDecomposePass());
  if (mlirLogicalResultIsFailure(
          mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module))))
    return fail("convgrad-decompose failed");
  printf("// ----- decomposed\n");
  mlirOperationPrint(mlirModuleGetOperation(module), printToStdout, NULL);
  printf("\n");
  mlirPassManagerDestroy(pm);
  mlirModuleDestroy(module);

  mlirContextDestroy(ctx);
  printf("done\n");
  return 0;
}
