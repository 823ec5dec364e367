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

/// Whether `op` is a linalg.generic copy of static loop ranges whose output
/// map is the identity: one input, one output, the body yields the input.
static bool isStaticIdentityOutputCopy(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumDpsInputs() != 1 ||
      generic.getNumDpsInits() != 1)
    return false;
  Block *body = generic.getBody();
  auto yield = dyn_cast<linalg::YieldOp>(body->getTerminator());
  if (!yield || body->getOperations().size() != 1 ||
      yield.getNumOperands() != 1 ||
      yield.getOperand(0) != body->getArgument(0))
    return false;
  if (llvm::any_of(op.getStaticLoopRanges(), ShapedType::isDynamic))
    return false;
  return generic.getMatchingIndexingMap(generic.getDpsInitOperand(0))
      .isIdentity();
}

std::optional<SmallVector<bool>>
mlir::convgrad::getReversedDims(linalg::LinalgOp op) {
  if (!isStaticIdentityOutputCopy(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  if (inMap.getNumResults() != ranges.size())
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

std::optional<mlir::convgrad::ReversedTranspose>
mlir::convgrad::getReversedTranspose(linalg::LinalgOp op) {
  if (!isStaticIdentityOutputCopy(op))
    return std::nullopt;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t rank = ranges.size();
  AffineMap inMap = op.getMatchingIndexingMap(op.getDpsInputOperand(0));
  if (inMap.getNumResults() != rank || inMap.getNumDims() != rank)
    return std::nullopt;
  MLIRContext *ctx = op.getContext();
  ReversedTranspose result;
  result.permutation.assign(rank, -1);
  result.reversed.assign(rank, false);
  // Input dim k is read as expr k: d_i or range_i - 1 - d_i.
  for (auto [k, expr] : llvm::enumerate(inMap.getResults())) {
    int64_t i = -1;
    bool backwards = false;
    if (auto dim = dyn_cast<AffineDimExpr>(expr)) {
      i = dim.getPosition();
    } else {
      for (int64_t j = 0; j < rank && i < 0; ++j)
        if (expr == getAffineConstantExpr(ranges[j] - 1, ctx) -
                        getAffineDimExpr(j, ctx))
          i = j;
      backwards = true;
    }
    if (i < 0 || result.permutation[i] != -1)
      return std::nullopt;
    result.permutation[i] = k;
    result.reversed[i] = backwards;
  }
  if (!llvm::is_contained(result.reversed, true) ||
      llvm::equal(result.permutation, llvm::seq<int64_t>(0, rank)))
    return std::nullopt;
  return result;
}

linalg::GenericOp mlir::convgrad::createReversedTransposeInto(
    OpBuilder &b, Location loc, Value source, Value init,
    ArrayRef<int64_t> permutation, ArrayRef<bool> reversed) {
  auto type = cast<ShapedType>(init.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> exprs(rank);
  for (int64_t i = 0; i < rank; ++i) {
    AffineExpr dim = b.getAffineDimExpr(i);
    exprs[permutation[i]] =
        reversed[i] ? b.getAffineConstantExpr(type.getDimSize(i) - 1) - dim
                    : dim;
  }
  AffineMap inMap = AffineMap::get(rank, 0, exprs, b.getContext());
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

linalg::GenericOp mlir::convgrad::createReverseInto(OpBuilder &b, Location loc,
                                                    Value source, Value init,
                                                    ArrayRef<bool> reversed) {
  int64_t rank = cast<ShapedType>(init.getType()).getRank();
  return createReversedTransposeInto(
      b, loc, source, init, llvm::to_vector(llvm::seq<int64_t>(0, rank)),
      reversed);
}

Value mlir::convgrad::createReverse(OpBuilder &b, Location loc, Value source,
                                    ArrayRef<bool> reversed) {
  auto type = cast<RankedTensorType>(source.getType());
  Value init = tensor::EmptyOp::create(b, loc, type.getShape(),
                                       type.getElementType());
  return createReverseInto(b, loc, source, init, reversed)->getResult(0);
}
