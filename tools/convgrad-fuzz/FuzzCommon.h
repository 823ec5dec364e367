//===- FuzzCommon.h - The path every convgrad fuzz input takes -*- C++ -*-===//
//
// Shared by convgrad-fuzz (arbitrary bytes as MLIR text) and
// convgrad-fuzz-gen (bytes as the choices of a generator of near-valid
// convgrad ops): parse with the convgrad, func, arith and tensor dialects,
// verify, and on success run --convgrad-to-linalg, --convgrad-raise-linalg on
// a copy of its output, and the CPU pipeline
// (mlir::convgrad::buildCPUPipeline). Diagnostics are captured, never printed,
// unless CONVGRAD_FUZZ_VERBOSE is set in the environment.
//
// A finding is a crash (ASan, UBSan, an assertion in our code) or one of the
// checks below, which abort:
//  - a pass of ours succeeds but leaves IR that does not verify (the raise
//    must always succeed);
//  - with CONVGRAD_FUZZ_STRICT=1: --convgrad-to-linalg succeeds on a verified
//    module but the rest of the CPU pipeline fails.
//
//===----------------------------------------------------------------------===//

#ifndef CONVGRAD_TOOLS_FUZZ_FUZZCOMMON_H
#define CONVGRAD_TOOLS_FUZZ_FUZZCOMMON_H

#include "llvm/ADT/StringRef.h"

namespace convgrad_fuzz {

/// Registers passes and pipelines; call once (LLVMFuzzerInitialize).
void initialize();

/// How far an input got (for statistics and tests).
enum class Stage { ParseFailed, VerifyFailed, LoweringFailed, PipelineFailed,
                   Compiled };

/// Runs one input through parse, verify, --convgrad-to-linalg and the CPU
/// pipeline in a fresh single-threaded MLIRContext.
Stage runInput(llvm::StringRef text);

/// Prints per-stage counts to stderr at exit when CONVGRAD_FUZZ_STATS is set
/// (convgrad-fuzz and convgrad-fuzz-gen call it from LLVMFuzzerInitialize).
void enableStatsAtExit();

} // namespace convgrad_fuzz

#endif // CONVGRAD_TOOLS_FUZZ_FUZZCOMMON_H
