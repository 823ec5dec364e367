//===- convgrad-lsp-server.cpp - MLIR LSP server with convgrad ------------===//
//
// mlir-lsp-server with every upstream dialect and extension plus the convgrad
// dialect and its transform ops: diagnostics, hover, go-to-definition and
// completion for .mlir files that use convgrad. Point the editor's MLIR
// extension at this binary (VS Code: "mlir.server_path").
//
//===----------------------------------------------------------------------===//

#include "convgrad/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Tools/mlir-lsp-server/MlirLspServerMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::convgrad::registerAllDialects(registry);
  return mlir::failed(mlir::MlirLspServerMain(argc, argv, registry));
}
