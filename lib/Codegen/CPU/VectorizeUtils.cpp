//===- VectorizeUtils.cpp - Vectorize tiles and fold their slices ---------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

void mlir::convgrad::foldSlicesIntoTransfers(Operation *root) {
  MLIRContext *ctx = root->getContext();
  RewritePatternSet cleanup(ctx);
  tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(cleanup);
  vector::TransferReadOp::getCanonicalizationPatterns(cleanup, ctx);
  vector::TransferWriteOp::getCanonicalizationPatterns(cleanup, ctx);
  (void)applyPatternsGreedily(root, std::move(cleanup));
}

void mlir::convgrad::vectorizeAndFoldTransfers(RewriterBase &rewriter,
                                               Operation *root,
                                               ArrayRef<linalg::LinalgOp> ops) {
  for (linalg::LinalgOp op : ops) {
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::VectorizationResult> result =
        linalg::vectorize(rewriter, op);
    if (succeeded(result))
      rewriter.replaceOp(op, result->replacements);
  }
  foldSlicesIntoTransfers(root);
}

std::optional<SmallVector<bool>>
mlir::convgrad::getReversedDims(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1)
    return std::nullopt;
  Block *body = generic.getBody();
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || body->getOperations().size() != 1 ||
      yield.getNumOperands() != 1 ||
      yield.getOperand(0) != body->getArgument(0))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return std::nullopt;
  AffineMap inMap =
      generic.getMatchingIndexingMap(generic.getDpsInputOperand(0));
  AffineMap outMap =
      generic.getMatchingIndexingMap(generic.getDpsInitOperand(0));
  if (!outMap.isIdentity() || inMap.getNumResults() != ranges.size())
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  SmallVector<bool> reversed;
  for (auto [i, expr] : llvm::enumerate(inMap.getResults())) {
    AffineExpr dim = getAffineDimExpr(i, ctx);
    if (expr == dim)
      reversed.push_back(false);
    else if (expr == getAffineConstantExpr(ranges[i] - 1, ctx) - dim)
      reversed.push_back(true);
    else
      return std::nullopt;
  }
  if (!llvm::is_contained(reversed, true))
    return std::nullopt;
  return reversed;
}

linalg::GenericOp mlir::convgrad::createReverseInto(OpBuilder &b,
                                                     Location loc,
                                                     Value source, Value init,
                                                     ArrayRef<bool> reversed) {
  auto type = cast<ShapedType>(init.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    AffineExpr dim = b.getAffineDimExpr(d);
    exprs.push_back(reversed[d]
                        ? b.getAffineConstantExpr(type.getDimSize(d) - 1) - dim
                        : dim);
  }
  AffineMap inMap = AffineMap::get(rank, 0, exprs, b.getContext());
  // On tensors the reverse yields its result; on memrefs it writes `init`.
  SmallVector<Type> results;
  if (isa<RankedTensorType>(type))
    results.push_back(type);
  return linalg::GenericOp::create(
      b, loc, results, ValueRange{source}, ValueRange{init},
      ArrayRef<AffineMap>{inMap, b.getMultiDimIdentityMap(rank)},
      SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
      /*doc=*/"", /*libraryCall=*/"",
      [](OpBuilder &nested, Location l, ValueRange args) {
        linalg::YieldOp::create(nested, l, args[0]);
      });
}

Value mlir::convgrad::createReverse(OpBuilder &b, Location loc, Value source,
                                    ArrayRef<bool> reversed) {
  auto type = cast<RankedTensorType>(source.getType());
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  return createReverseInto(b, loc, source, init, reversed)->getResult(0);
}
