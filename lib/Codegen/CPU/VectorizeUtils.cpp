//===- VectorizeUtils.cpp - Vectorize tiles and fold their slices ---------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
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

namespace {
/// A vector of partial sums: lanes [i * segment, (i + 1) * segment) add up
/// to the sum of input vector owners[i].
struct PartialSums {
  Value value;
  SmallVector<int64_t> owners;
  int64_t segment;
  int64_t width() const { return owners.size() * segment; }
};
} // namespace

/// The mask of the first (`upper` false) or second halves of the segments
/// of `a` and then of those of `b` (which starts at lane a.width() of the
/// shuffle's operands; none if null).
static SmallVector<int64_t> halvesMask(const PartialSums &a,
                                       const PartialSums *b, bool upper) {
  SmallVector<int64_t> mask;
  int64_t half = a.segment / 2;
  auto add = [&](const PartialSums &p, int64_t base) {
    for (size_t i = 0; i < p.owners.size(); ++i)
      for (int64_t l = 0; l < half; ++l)
        mask.push_back(base + int64_t(i) * p.segment + (upper ? half : 0) + l);
  };
  add(a, 0);
  if (b)
    add(*b, a.width());
  return mask;
}

Value mlir::convgrad::createLaneSums(OpBuilder &b, Location loc,
                                     ArrayRef<Value> vectors) {
  assert(!vectors.empty() && "no vectors to sum");
  auto type = cast<VectorType>(vectors.front().getType());
  int64_t lanes = type.getNumElements();
  assert(type.getRank() == 1 && "1-D vectors");
  auto flags = arith::FastMathFlags::reassoc;
  // Lanes that do not halve down to one (a vector-bits option of 384): one
  // reduction per vector.
  if (!llvm::isPowerOf2_64(lanes)) {
    SmallVector<Value> sums;
    for (Value v : vectors)
      sums.push_back(vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, v, flags));
    return vector::FromElementsOp::create(
        b, loc,
        VectorType::get({int64_t(vectors.size())}, type.getElementType()),
        sums);
  }
  SmallVector<PartialSums> parts;
  for (auto [i, v] : llvm::enumerate(vectors))
    parts.push_back({v, {int64_t(i)}, lanes});
  // Halve the segments of every part per level: parts of one width in
  // pairs, an unpaired one on its own (then half as wide).
  while (parts.front().segment > 1) {
    SmallVector<PartialSums> next;
    for (size_t i = 0; i < parts.size(); ++i) {
      const PartialSums &p = parts[i];
      const PartialSums *q = nullptr;
      if (i + 1 < parts.size() && parts[i + 1].width() == p.width())
        q = &parts[++i];
      Value other = q ? q->value : p.value;
      Value lo = vector::ShuffleOp::create(b, loc, p.value, other,
                                           halvesMask(p, q, false));
      Value hi = vector::ShuffleOp::create(b, loc, p.value, other,
                                           halvesMask(p, q, true));
      PartialSums sum{arith::AddFOp::create(b, loc, lo, hi, flags), p.owners,
                      p.segment / 2};
      if (q)
        sum.owners.append(q->owners);
      next.push_back(std::move(sum));
    }
    parts = std::move(next);
  }
  // Concatenate the parts, then put the sums in the order of `vectors`.
  Value all = parts.front().value;
  SmallVector<int64_t> owners = parts.front().owners;
  for (const PartialSums &p : ArrayRef(parts).drop_front()) {
    SmallVector<int64_t> concat =
        llvm::to_vector(llvm::seq<int64_t>(0, owners.size() + p.width()));
    all = vector::ShuffleOp::create(b, loc, all, p.value, concat);
    owners.append(p.owners);
  }
  SmallVector<int64_t> order(owners.size());
  for (auto [lane, owner] : llvm::enumerate(owners))
    order[owner] = lane;
  if (!llvm::equal(order, llvm::seq<int64_t>(0, order.size())))
    all = vector::ShuffleOp::create(b, loc, all, all, order);
  return all;
}
