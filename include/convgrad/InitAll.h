//===- InitAll.h - Register everything convgrad provides --------*- C++ -*-===//
//
// The one place that knows every convgrad dialect, extension, pass and
// pipeline. Tools, plugins, the C API, the test harness and embedders call
// these two functions (plus upstream's mlir/InitAll*.h for upstream's own).
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_INITALL_H
#define CONVGRAD_INITALL_H

namespace mlir {
class DialectRegistry;

namespace convgrad {

/// Adds the convgrad dialect and its extensions (the transform-dialect
/// pattern ops) to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers every convgrad pass (dialect rewrites, conversions, CPU code
/// generation) and pipeline (`--convgrad-cpu-pipeline`) with the global
/// registry, for command lines and textual pipelines. Safe to call more
/// than once.
void registerAllPasses();

} // namespace convgrad
} // namespace mlir

#endif // CONVGRAD_INITALL_H
