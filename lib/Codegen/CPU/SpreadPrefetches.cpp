//===- SpreadPrefetches.cpp - Marked prefetch loops, spread over FMAs -----===//
//
// A loop of prefetches run as such only waits on memory: the prefetches
// fill the core's miss buffers and stall like the loads they would save.
// Spread over the iterations of a loop nest of FMAs, a few per iteration,
// their misses overlap the arithmetic. The staged filter gradients
// (DecomposeWgradAsGemm.cpp) mark such loops: the rows of the next work
// item, which its transposes would otherwise read from memory with the
// FMA units idle. See the pass description (Passes.td).
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"
#include "convgrad/Codegen/CPU/TilingStrategy.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUSPREADPREFETCHES
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;
using namespace mlir::convgrad;

namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::optional<int64_t> constantIndex(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

struct SpreadPrefetchesPass
    : public convgrad::impl::ConvGradCPUSpreadPrefetchesBase<
          SpreadPrefetchesPass> {
  void runOnOperation() override {
    FailureOr<cpu::CPUTarget> target = getCPUTarget(getOperation());
    if (failed(target))
      return signalPassFailure();
    vectorBits = std::max<int64_t>(1, target->vectorBits);
    SmallVector<scf::ForOp> marked;
    getOperation().walk([&](scf::ForOp loop) {
      if (loop->hasAttr(kSpreadPrefetchesAttrName))
        marked.push_back(loop);
    });
    // The prefetches of all the marked loops before each nest (its first
    // FMA): the FMAs per prefetch are those of all of them.
    for (scf::ForOp loop : marked)
      if (vector::FMAOp fma = nextFma(loop))
        if (std::optional<int64_t> ub = constantIndex(loop.getUpperBound()))
          prefetchesBefore[fma] += *ub;
    for (scf::ForOp loop : marked)
      spread(loop);
  }

  /// The FMA instructions of the target's vector width that one iteration
  /// of `loop` issues (loops inside it of static trip counts).
  int64_t fmasPerIteration(scf::ForOp loop) {
    int64_t fmas = 0;
    loop.getBody()->walk([&](vector::FMAOp fma) {
      VectorType type = fma.getVectorType();
      int64_t bits = type.getNumElements() *
                     type.getElementType().getIntOrFloatBitWidth();
      int64_t times = 1;
      for (Operation *parent = fma->getParentOp(); parent && parent != loop;
           parent = parent->getParentOp())
        if (auto inner = dyn_cast<scf::ForOp>(parent))
          if (std::optional<APInt> trips = inner.getStaticTripCount())
            times *= trips->getSExtValue();
      fmas += ceilDiv(bits, vectorBits) * times;
    });
    return fmas;
  }

  /// The first FMA of the ops after `marked` in its block.
  static vector::FMAOp nextFma(scf::ForOp marked) {
    vector::FMAOp fma;
    for (Operation *op = marked->getNextNode(); op && !fma;
         op = op->getNextNode())
      op->walk([&](vector::FMAOp f) {
        fma = f;
        return WalkResult::interrupt();
      });
    return fma;
  }

  int64_t vectorBits = 1;
  DenseMap<Operation *, int64_t> prefetchesBefore;

  void spread(scf::ForOp marked) {
    std::optional<int64_t> lb = constantIndex(marked.getLowerBound());
    std::optional<int64_t> ub = constantIndex(marked.getUpperBound());
    std::optional<int64_t> step = constantIndex(marked.getStep());
    vector::FMAOp fma = nextFma(marked);
    // The loops from the FMA's innermost one out to the marked loop's block,
    // all of static trip counts.
    SmallVector<scf::ForOp> loops;
    bool valid = fma && lb == 0 && step == 1 && ub && *ub > 0 &&
                 marked.getInitArgs().empty();
    for (Operation *op = fma ? fma->getParentOp() : nullptr; valid && op;
         op = op->getBlock() == marked->getBlock() ? nullptr
                                                   : op->getParentOp()) {
      auto loop = dyn_cast<scf::ForOp>(op);
      if (!loop)
        continue;
      std::optional<int64_t> lower = constantIndex(loop.getLowerBound());
      std::optional<int64_t> upper = constantIndex(loop.getUpperBound());
      std::optional<int64_t> stride = constantIndex(loop.getStep());
      if (!lower || !upper || !stride || *stride <= 0 || *upper <= *lower) {
        valid = false;
        break;
      }
      loops.push_back(loop);
    }
    if (!valid || loops.empty()) {
      marked.erase();
      return;
    }
    // Where they go (cpu::planSpreadPrefetches): the loop of the chain and
    // the prefetches per iteration, or nowhere.
    SmallVector<scf::ForOp> chain(llvm::reverse(loops));
    auto trips = [](scf::ForOp loop) {
      return ceilDiv(*constantIndex(loop.getUpperBound()) -
                         *constantIndex(loop.getLowerBound()),
                     *constantIndex(loop.getStep()));
    };
    std::vector<int64_t> chainTrips, chainFmas;
    for (scf::ForOp loop : chain) {
      chainTrips.push_back(trips(loop));
      chainFmas.push_back(fmasPerIteration(loop));
    }
    int64_t count = *ub;
    cpu::SpreadPrefetchPlan plan = cpu::planSpreadPrefetches(
        count, prefetchesBefore.lookup(fma), chainTrips, chainFmas);
    if (plan.level < 0) {
      marked.erase();
      return;
    }
    chain.resize(plan.level + 1);
    int64_t iterations = 1;
    for (int64_t t : ArrayRef(chainTrips).take_front(chain.size()))
      iterations *= t;
    int64_t perIteration = plan.perIteration;
    scf::ForOp inner = chain.back();
    OpBuilder b(inner.getBody(), inner.getBody()->begin());
    Location loc = marked.getLoc();
    // Constants where the marked loop was (they dominate the nest).
    OpBuilder constants(marked);
    auto constant = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(constants, loc, v);
    };
    // Per loop of the chain, its iteration number from 0; `linear`, theirs
    // in the nest's order.
    Value linear, index;
    for (scf::ForOp loop : chain) {
      int64_t lower = *constantIndex(loop.getLowerBound());
      int64_t upper = *constantIndex(loop.getUpperBound());
      int64_t stride = *constantIndex(loop.getStep());
      index = loop.getInductionVar();
      if (lower != 0)
        index = arith::SubIOp::create(b, loc, index, constant(lower));
      if (stride != 1)
        index = arith::DivUIOp::create(b, loc, index, constant(stride));
      if (!linear) {
        linear = index;
        continue;
      }
      linear = arith::AddIOp::create(
          b, loc,
          arith::MulIOp::create(
              b, loc, linear,
              constant(ceilDiv(upper - lower, stride))),
          index);
    }
    // Every plan.every-th iteration of the innermost loop only: the others
    // would compute the address of a line an earlier one prefetched.
    // (`index` is the innermost loop's, the chain's last.)
    if (plan.every > 1) {
      Value issues = arith::CmpIOp::create(
          b, loc, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, loc, index, constant(plan.every)),
          constant(0));
      auto when = scf::IfOp::create(b, loc, issues, /*withElseRegion=*/false);
      b.setInsertionPointToStart(&when.getThenRegion().front());
      linear = arith::DivUIOp::create(b, loc, linear, constant(plan.every));
      iterations /= plan.every;
    }
    Value scaled = arith::MulIOp::create(b, loc, linear, constant(perIteration));
    for (int64_t q = 0; q < perIteration; ++q) {
      Value k = q == 0 ? scaled
                       : arith::AddIOp::create(b, loc, scaled, constant(q))
                             .getResult();
      Value j = arith::DivUIOp::create(
          b, loc, arith::MulIOp::create(b, loc, k, constant(count)),
          constant(iterations * perIteration));
      IRMapping map;
      map.map(marked.getInductionVar(), j);
      for (Operation &op : marked.getBody()->without_terminator())
        b.clone(op, map);
    }
    marked.erase();
  }
};

} // namespace
