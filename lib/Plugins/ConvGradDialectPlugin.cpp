//===- ConvGradDialectPlugin.cpp - convgrad as an mlir-opt dialect plugin -===//
//
//   mlir-opt --load-dialect-plugin=ConvGradDialectPlugin.so x.mlir
//
// Registers the convgrad dialect (and its transform dialect extension) with
// the host tool's DialectRegistry.
//
//===----------------------------------------------------------------------===//

#include "convgrad/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "ConvGradDialect", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::convgrad::registerAllDialects(*registry);
          }};
}
