//===- CopyToLinalg.cpp - memref.copy as linalg.copy ----------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCOPYTOLINALG
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {
struct ConvGradCopyToLinalgPass
    : public convgrad::impl::ConvGradCopyToLinalgBase<
          ConvGradCopyToLinalgPass> {
  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation()->walk([&](memref::CopyOp copy) {
      rewriter.setInsertionPoint(copy);
      linalg::CopyOp::create(rewriter, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      rewriter.eraseOp(copy);
    });
  }
};
} // namespace
