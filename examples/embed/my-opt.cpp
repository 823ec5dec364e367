//===- my-opt.cpp - an mlir-opt that embeds convgrad ----------------------===//
//
// Registers every upstream dialect, extension and pass, then convgrad's
// dialect, passes and pipeline next to them. Built against an installed
// convgrad through find_package(ConvGrad).
//
//===----------------------------------------------------------------------===//

#include "convgrad/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  // Upstream first, then convgrad.
  mlir::registerAllPasses();
  mlir::convgrad::registerAllPasses(); // --convgrad-*, --convgrad-cpu-pipeline

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::convgrad::registerAllDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "my-opt: upstream MLIR + convgrad\n", registry));
}
