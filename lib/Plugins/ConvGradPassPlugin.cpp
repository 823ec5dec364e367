//===- ConvGradPassPlugin.cpp - convgrad passes as an mlir-opt plugin -----===//
//
//   mlir-opt --load-dialect-plugin=ConvGradDialectPlugin.so \
//            --load-pass-plugin=ConvGradPassPlugin.so --convgrad-to-linalg x.mlir
//
// Registers --convgrad-decompose, --convgrad-to-linalg and
// --convgrad-cpu-pipeline. Parsing convgrad ops needs the dialect plugin too.
//
//===----------------------------------------------------------------------===//

#include "convgrad/InitAll.h"

#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "ConvGradPasses", LLVM_VERSION_STRING, []() {
            mlir::convgrad::registerAllPasses();
          }};
}
