//===- build-and-lower.cpp - build a convgrad op in C++ and lower it ------===//
//
// Builds
//
//   func.func @dgrad(%dy: tensor<1x8x4x4xf32>, %w: tensor<8x4x3x3xf32>)
//       -> tensor<1x4x7x7xf32> {
//     %dx = convgrad.conv_backward_data %dy, %w strides = [2, 2]
//         padding = [1, 1, 1, 1] dilations = [1, 1] ...
//     return %dx
//   }
//
// with the C++ builders, verifies and prints it, applies
// populateDecomposeConvBackwardPatterns + populateConvGradToLinalgPatterns
// with the greedy driver, verifies and prints the result (upstream linalg,
// tensor and arith only).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Conversion/ConvGradToLinalg/ConvGradToLinalg.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradDialect.h"
#include "convgrad/Dialect/ConvGrad/IR/ConvGradOps.h"
#include "convgrad/Dialect/ConvGrad/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

int main() {
  MLIRContext context;
  // The patterns create arith, linalg and tensor ops: load those dialects
  // up front (a pass would declare them as dependent dialects).
  context.loadDialect<func::FuncDialect, convgrad::ConvGradDialect,
                      arith::ArithDialect, linalg::LinalgDialect,
                      tensor::TensorDialect>();

  OpBuilder builder(&context);
  Location loc = builder.getUnknownLoc();
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  builder.setInsertionPointToEnd(module->getBody());

  // The data gradient of a stride-2, padding-1 3x3 convolution of a 7x7
  // input with 4 input and 8 output channels (channels-first).
  Type f32 = builder.getF32Type();
  auto gradOutputType = RankedTensorType::get({1, 8, 4, 4}, f32);
  auto filterType = RankedTensorType::get({8, 4, 3, 3}, f32);
  auto gradInputType = RankedTensorType::get({1, 4, 7, 7}, f32);

  auto func = func::FuncOp::create(
      builder, loc, "dgrad",
      builder.getFunctionType({gradOutputType, filterType}, {gradInputType}));
  Block *entry = func.addEntryBlock();
  builder.setInsertionPointToStart(entry);

  auto dgrad = convgrad::ConvBackwardDataOp::create(
      builder, loc, gradInputType, /*gradOutput=*/entry->getArgument(0),
      /*filter=*/entry->getArgument(1),
      /*strides=*/builder.getDenseI64ArrayAttr({2, 2}),
      /*padding=*/builder.getDenseI64ArrayAttr({1, 1, 1, 1}),
      /*dilations=*/builder.getDenseI64ArrayAttr({1, 1}),
      /*groups=*/builder.getI64IntegerAttr(1),
      /*layout=*/
      convgrad::LayoutAttr::get(&context, convgrad::Layout::ChannelsFirst));
  func::ReturnOp::create(builder, loc, dgrad.getResult());

  if (failed(verify(*module))) {
    llvm::errs() << "error: the built module does not verify\n";
    return 1;
  }
  llvm::outs() << "// ----- built\n";
  module->print(llvm::outs());
  llvm::outs() << "\n";

  RewritePatternSet patterns(&context);
  convgrad::populateDecomposeConvBackwardPatterns(patterns);
  convgrad::populateConvGradToLinalgPatterns(patterns);
  if (failed(applyPatternsGreedily(*module, std::move(patterns)))) {
    llvm::errs() << "error: the greedy rewrite did not converge\n";
    return 1;
  }
  if (failed(verify(*module))) {
    llvm::errs() << "error: the lowered module does not verify\n";
    return 1;
  }
  llvm::outs() << "// ----- lowered\n";
  module->print(llvm::outs());
  llvm::outs() << "\n";
  return 0;
}
