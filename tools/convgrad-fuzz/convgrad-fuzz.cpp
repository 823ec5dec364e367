//===- convgrad-fuzz.cpp - libFuzzer target: bytes as convgrad MLIR -------===//
//
// Feeds arbitrary bytes to the MLIR parser with the convgrad, func, arith and
// tensor dialects, verifies, and lowers what verifies through
// --convgrad-to-linalg, --convgrad-raise-linalg and the CPU pipeline (see
// FuzzCommon.h). Seed it with fuzz/corpus (scripts/fuzz.sh,
// fuzz/make-corpus.sh) and the dictionary fuzz/convgrad.dict.
//
//===----------------------------------------------------------------------===//

#include "FuzzCommon.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  convgrad_fuzz::initialize();
  convgrad_fuzz::enableStatsAtExit();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The parser wants a null-terminated buffer: StringRef over a copy.
  std::string text(reinterpret_cast<const char *>(data), size);
  convgrad_fuzz::runInput(text);
  return 0;
}
