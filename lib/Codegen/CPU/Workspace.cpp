//===- Workspace.cpp - Temporaries in a caller-provided workspace ---------===//
//
// The workspace calling convention (--convgrad-cpu-workspace): each kernel
// takes one buffer for all its temporaries, sized by a companion function,
// so no call allocates. Temporaries whose lifetimes do not overlap share
// bytes. See the pass description in Codegen/CPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "convgrad/Codegen/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/DataLayoutInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <algorithm>
#include <limits>

namespace mlir {
namespace convgrad {
#define GEN_PASS_DEF_CONVGRADCPUWORKSPACE
#include "convgrad/Codegen/CPU/Passes.h.inc"
} // namespace convgrad
} // namespace mlir

using namespace mlir;

namespace {

constexpr StringLiteral kSizeFunctionSuffix = "_workspace_size";
constexpr int64_t kPageBytes = 4096;

/// A temporary of a kernel that moves into the workspace.
struct Temporary {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  /// Positions in the entry block of the allocation and of the last op that
  /// uses the buffer or a view of it: the lifetime.
  int64_t begin = 0, end = 0;
  /// Bytes of one element times the static dimensions.
  int64_t staticBytes = 0;
  /// Placement of a temporary without dynamic sizes (aligned bytes, offset).
  bool isStatic = true;
  int64_t alignedBytes = 0, offset = 0;
  /// A temporary of a parallel loop's body has one place per iteration that
  /// may run at once (`slots` of `slotBytes` each, all in `alignedBytes`);
  /// null for a temporary outside parallel loops.
  scf::ForallOp parallelLoop;
  int64_t slots = 1, slotBytes = 0;
};

int64_t alignTo(int64_t bytes, int64_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

/// Position in the entry block of the last op that uses `alloc`'s buffer,
/// following every memref an op derives from it (views, casts, reshapes),
/// or nullopt if the buffer escapes (returned). Ops with regions that take
/// the buffer keep it alive until they end; a buffer passed into a region
/// as a block argument would be followed there too, so it counts as alive
/// to the end of the function.
std::optional<int64_t> lastUse(memref::AllocOp alloc,
                               const DenseMap<Operation *, int64_t> &position,
                               Block &entry) {
  int64_t end = position.lookup(alloc);
  SmallVector<Value> worklist = {alloc.getResult()};
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (isa<memref::DeallocOp>(user))
        continue;
      // Returned, or yielded out of a region: it escapes.
      if (user->hasTrait<OpTrait::IsTerminator>())
        return std::nullopt;
      Operation *ancestor = entry.findAncestorOpInBlock(*user);
      if (!ancestor)
        return std::nullopt;
      end = std::max(end, position.lookup(ancestor));
      for (Value result : user->getResults())
        if (isa<BaseMemRefType>(result.getType()))
          worklist.push_back(result);
      for (Region &region : user->getRegions())
        for (Block &block : region)
          if (llvm::any_of(block.getArgumentTypes(), [](Type t) {
                return isa<BaseMemRefType>(t);
              }))
            end = std::numeric_limits<int64_t>::max();
    }
  }
  return end;
}

/// Whether every op around `op` up to `ancestor` (exclusive) is a sequential
/// loop or a branch.
bool isSequentialUpTo(Operation *op, Operation *ancestor) {
  for (Operation *parent = op->getParentOp(); parent != ancestor;
       parent = parent->getParentOp())
    if (!isa<scf::ForOp, scf::IfOp, scf::WhileOp>(parent))
      return false;
  return true;
}

/// The parallel loop whose body `op` is in: an `scf.forall` without results,
/// with only sequential loops and branches between it and `op` and between
/// it and `func`. Null if `op` runs at most once at a time (sequential code
/// only around it); failure for other nests, whose temporaries stay on the
/// heap.
FailureOr<scf::ForallOp> enclosingParallelLoop(Operation *op,
                                               func::FuncOp func) {
  if (isSequentialUpTo(op, func))
    return scf::ForallOp();
  auto loop = op->getParentOfType<scf::ForallOp>();
  if (!loop || !loop.getOutputs().empty() || !isSequentialUpTo(op, loop) ||
      !isSequentialUpTo(loop, func))
    return failure();
  return loop;
}

/// The iterations of `loop`, if its bounds are constants.
std::optional<int64_t> staticTripCount(scf::ForallOp loop) {
  int64_t count = 1;
  for (auto [lb, ub, step] :
       llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                 loop.getMixedStep())) {
    std::optional<int64_t> l = getConstantIntValue(lb),
                           u = getConstantIntValue(ub),
                           s = getConstantIntValue(step);
    if (!l || !u || !s || *s <= 0)
      return std::nullopt;
    count *= std::max<int64_t>(0, llvm::divideCeil(*u - *l, *s));
  }
  return count;
}

/// Rewrites `loop` as `threads` parallel iterations that each run one
/// contiguous chunk of its iterations in order, as OpenMP's static schedule
/// would: a temporary of its body then needs one place per thread instead
/// of one per iteration, and each thread reuses its place (warm in its
/// cache) from one iteration to the next.
void chunkParallelLoop(scf::ForallOp loop, int64_t threads) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  Operation *previous = loop->getPrevNode();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  auto value = [&](OpFoldResult ofr) {
    return getValueOrCreateConstantIndexOp(b, loc, ofr);
  };
  SmallVector<Value> lbs, steps, counts;
  Value total = index(1);
  for (auto [lb, ub, step] :
       llvm::zip(loop.getMixedLowerBound(), loop.getMixedUpperBound(),
                 loop.getMixedStep())) {
    lbs.push_back(value(lb));
    steps.push_back(value(step));
    Value extent = b.createOrFold<arith::MaxSIOp>(
        loc, b.createOrFold<arith::SubIOp>(loc, value(ub), lbs.back()),
        index(0));
    counts.push_back(
        b.createOrFold<arith::CeilDivSIOp>(loc, extent, steps.back()));
    total = b.createOrFold<arith::MulIOp>(loc, total, counts.back());
  }
  Value chunk = b.createOrFold<arith::CeilDivUIOp>(loc, total, index(threads));
  auto chunked = scf::ForallOp::create(b, loc, {b.getIndexAttr(threads)},
                                       ValueRange(), std::nullopt);
  b.setInsertionPoint(chunked.getBody()->getTerminator());
  Value thread = chunked.getInductionVar(0);
  Value begin = arith::MulIOp::create(b, loc, thread, chunk);
  Value end = arith::MinUIOp::create(
      b, loc, arith::AddIOp::create(b, loc, begin, chunk), total);
  auto inner = scf::ForOp::create(b, loc, begin, end, index(1));
  b.setInsertionPoint(inner.getBody()->getTerminator());
  // The original induction variables of iteration `inner`, row-major.
  IRMapping mapping;
  Value rest = inner.getInductionVar();
  for (int64_t k = counts.size() - 1; k >= 0; --k) {
    Value position =
        k == 0 ? rest : arith::RemUIOp::create(b, loc, rest, counts[k]);
    if (k != 0)
      rest = arith::DivUIOp::create(b, loc, rest, counts[k]);
    Value iv = b.createOrFold<arith::AddIOp>(
        loc, lbs[k], b.createOrFold<arith::MulIOp>(loc, position, steps[k]));
    mapping.map(loop.getInductionVar(k), iv);
  }
  for (Operation &op : loop.getBody()->without_terminator())
    b.clone(op, mapping);
  loop.erase();
  // The constants and sizes above that folded away.
  for (Operation *op = chunked->getPrevNode(); op != previous;) {
    Operation *prev = op->getPrevNode();
    if (isOpTriviallyDead(op))
      op->erase();
    op = prev;
  }
}

/// The position of the running iteration of `loop` among its iterations,
/// row-major, at the start of its body (its bounds are constants).
Value emitIterationIndex(scf::ForallOp loop) {
  OpBuilder b = OpBuilder::atBlockBegin(loop.getBody());
  Location loc = loop.getLoc();
  auto index = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  Value linear;
  for (auto [iv, lb, ub, step] :
       llvm::zip(loop.getInductionVars(), loop.getMixedLowerBound(),
                 loop.getMixedUpperBound(), loop.getMixedStep())) {
    int64_t l = *getConstantIntValue(lb), s = *getConstantIntValue(step);
    int64_t count =
        std::max<int64_t>(0, llvm::divideCeil(*getConstantIntValue(ub) - l, s));
    Value position = iv;
    if (l != 0)
      position = arith::SubIOp::create(b, loc, position, index(l));
    if (s != 1)
      position = arith::DivUIOp::create(b, loc, position, index(s));
    linear = linear ? arith::AddIOp::create(
                          b, loc,
                          arith::MulIOp::create(b, loc, linear, index(count)),
                          position)
                    : position;
  }
  return linear;
}

/// Whether `v` is a pure computation from the arguments of `entry`'s
/// function and constants.
bool dependsOnlyOnArguments(Value v, Block &entry) {
  if (auto arg = dyn_cast<BlockArgument>(v))
    return arg.getOwner() == &entry;
  Operation *def = v.getDefiningOp();
  if (def->getNumRegions() != 0 || !isMemoryEffectFree(def))
    return false;
  return llvm::all_of(def->getOperands(), [&](Value operand) {
    return dependsOnlyOnArguments(operand, entry);
  });
}

/// Clones the pure computation of `v` from the function's arguments and
/// constants at the builder's insertion point; the arguments are mapped in
/// `mapping` beforehand. Null if `v` depends on anything else (a load, an
/// op with regions).
Value cloneFromArguments(OpBuilder &b, Value v, IRMapping &mapping) {
  if (Value mapped = mapping.lookupOrNull(v))
    return mapped;
  Operation *def = v.getDefiningOp();
  if (!def || def->getNumRegions() != 0 || !isMemoryEffectFree(def))
    return {};
  for (Value operand : def->getOperands())
    if (!cloneFromArguments(b, operand, mapping))
      return {};
  Operation *clone = b.clone(*def, mapping);
  return clone->getResult(cast<OpResult>(v).getResultNumber());
}

/// The byte offsets of the temporaries and the workspace's total size, as
/// values at the builder's insertion point. Static temporaries sit at their
/// packed offsets below `staticTotal`; dynamic ones follow, one after the
/// other, their sizes computed from the arguments through `mapping`.
struct Layout {
  SmallVector<Value> offsets;
  Value total;
};
Layout emitLayout(OpBuilder &b, Location loc, ArrayRef<Temporary> temporaries,
                  int64_t staticTotal, int64_t alignment, IRMapping &mapping) {
  Layout layout;
  // Bytes used so far by the dynamic temporaries' predecessors; null while
  // that is the constant `staticTotal`.
  Value running;
  DenseMap<int64_t, Value> constants;
  auto constant = [&](int64_t v) -> Value {
    Value &c = constants[v];
    if (!c)
      c = arith::ConstantIndexOp::create(b, loc, v);
    return c;
  };
  for (const Temporary &t : temporaries) {
    if (t.isStatic) {
      layout.offsets.push_back(constant(t.offset));
      continue;
    }
    layout.offsets.push_back(running ? running : constant(staticTotal));
    Value bytes = constant(t.staticBytes);
    memref::AllocOp alloc = t.alloc;
    for (Value size : alloc.getDynamicSizes())
      bytes = arith::MulIOp::create(b, loc, bytes,
                                    cloneFromArguments(b, size, mapping));
    Value align = constant(alignment);
    Value aligned = arith::MulIOp::create(
        b, loc, arith::CeilDivUIOp::create(b, loc, bytes, align), align);
    running = arith::AddIOp::create(b, loc, layout.offsets.back(), aligned);
  }
  layout.total = running ? running : constant(staticTotal);
  return layout;
}

/// Offsets for the static temporaries, first fit in decreasing size: a
/// temporary may reuse bytes of any other whose lifetime it does not
/// overlap. Returns the bytes they span.
int64_t packStatic(MutableArrayRef<Temporary> temporaries) {
  SmallVector<Temporary *> order;
  for (Temporary &t : temporaries)
    if (t.isStatic)
      order.push_back(&t);
  llvm::sort(order, [](const Temporary *a, const Temporary *b) {
    return std::make_pair(-a->alignedBytes, a->begin) <
           std::make_pair(-b->alignedBytes, b->begin);
  });
  int64_t total = 0;
  SmallVector<Temporary *> placed;
  for (Temporary *t : order) {
    SmallVector<Temporary *> live;
    for (Temporary *p : placed)
      if (p->begin <= t->end && t->begin <= p->end)
        live.push_back(p);
    llvm::sort(live, [](const Temporary *a, const Temporary *b) {
      return a->offset < b->offset;
    });
    int64_t offset = 0;
    for (Temporary *p : live) {
      if (offset + t->alignedBytes <= p->offset)
        break;
      offset = std::max(offset, p->offset + p->alignedBytes);
    }
    t->offset = offset;
    total = std::max(total, offset + t->alignedBytes);
    placed.push_back(t);
  }
  return total;
}

struct WorkspacePass
    : public convgrad::impl::ConvGradCPUWorkspaceBase<WorkspacePass> {
  using Base::Base;

  /// The temporaries of `func` that can move into the workspace: allocated
  /// and freed in the entry block, not returned, with sizes computable from
  /// the arguments.
  SmallVector<Temporary> collectTemporaries(func::FuncOp func) {
    Block &entry = func.getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(entry))
      position[&op] = i;
    DataLayout dataLayout = DataLayout::closest(func);
    SmallVector<Temporary> temporaries;
    func.walk([&](memref::AllocOp alloc) {
      Temporary t;
      t.alloc = alloc;
      MemRefType type = alloc.getType();
      for (Operation *user : alloc->getUsers())
        if (auto dealloc = dyn_cast<memref::DeallocOp>(user))
          if (dealloc->getBlock() == alloc->getBlock())
            t.dealloc = dealloc;
      std::optional<int64_t> end = lastUse(alloc, position, entry);
      FailureOr<scf::ForallOp> loop = enclosingParallelLoop(alloc, func);
      bool movable = succeeded(loop) && t.dealloc && end &&
                     type.getLayout().isIdentity() &&
                     alloc.getSymbolOperands().empty();
      // In a parallel loop's body: one place per iteration that may run at
      // once (after chunkParallelLoops, at most `threads`; all of them if
      // the thread count is not known), static sizes only.
      if (movable && *loop && threads != 1) {
        std::optional<int64_t> iterations = staticTripCount(*loop);
        movable = iterations && type.hasStaticShape();
        t.parallelLoop = *loop;
        t.slots = std::max<int64_t>(1, iterations.value_or(1));
      }
      // The dynamic sizes must be computable at the function's start.
      movable = movable && llvm::all_of(alloc.getDynamicSizes(), [&](Value v) {
                  return dependsOnlyOnArguments(v, entry);
                });
      if (!movable) {
        ++numHeapBuffers;
        return;
      }
      t.begin = position.lookup(entry.findAncestorOpInBlock(*alloc));
      t.end = *end;
      t.staticBytes =
          static_cast<int64_t>(dataLayout.getTypeSize(type.getElementType()));
      for (int64_t dim : type.getShape())
        if (!ShapedType::isDynamic(dim))
          t.staticBytes *= dim;
      t.isStatic = type.hasStaticShape();
      t.slotBytes = alignTo(t.staticBytes, alignment);
      // Places of different threads a page apart: the hardware prefetchers
      // stay within a page, so a thread streaming through the end of its
      // place does not pull the lines of the next thread's place into its
      // cache (measured: depthwise dgrad's 7.5 KiB row buffers side by side
      // made two threads 1.4x slower than the heap's separate blocks).
      if (t.slots > 1)
        t.slotBytes += kPageBytes;
      t.alignedBytes = t.slotBytes * t.slots;
      temporaries.push_back(t);
    });
    return temporaries;
  }

  /// The parallel loops whose bodies have temporaries and more iterations
  /// than threads run one chunk of iterations per thread, so that those
  /// temporaries need one place per thread. With the thread count unknown,
  /// `maxPlaces` chunks bound the places (and the workspace) instead of the
  /// trip count.
  void chunkParallelLoops(func::FuncOp func) {
    int64_t chunks = threads == 0 ? maxPlaces.getValue() : threads.getValue();
    if (chunks <= 1)
      return;
    llvm::SetVector<Operation *> loops;
    func.walk([&](memref::AllocOp alloc) {
      FailureOr<scf::ForallOp> loop = enclosingParallelLoop(alloc, func);
      if (failed(loop) || !*loop || !alloc.getType().hasStaticShape())
        return;
      std::optional<int64_t> iterations = staticTripCount(*loop);
      if (!iterations || *iterations > chunks)
        loops.insert(*loop);
    });
    for (Operation *loop : loops)
      chunkParallelLoop(cast<scf::ForallOp>(loop), chunks);
  }

  LogicalResult convert(ModuleOp module, func::FuncOp func) {
    std::string sizeName = (func.getSymName() + kSizeFunctionSuffix).str();
    if (SymbolTable::lookupSymbolIn(module, sizeName))
      return func.emitOpError("cannot get a workspace: '")
             << sizeName << "' already exists";
    Location loc = func.getLoc();
    MLIRContext *ctx = &getContext();
    chunkParallelLoops(func);
    SmallVector<Temporary> temporaries = collectTemporaries(func);
    int64_t staticTotal = packStatic(temporaries);
    FunctionType originalType = func.getFunctionType();

    // The size function: the kernel's arguments in, bytes out.
    OpBuilder b(ctx);
    b.setInsertionPointAfter(func);
    auto sizeFunc = func::FuncOp::create(
        b, loc, sizeName,
        b.getFunctionType(originalType.getInputs(), {b.getIndexType()}));
    if (func->hasAttr("llvm.emit_c_interface"))
      sizeFunc->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    {
      Block *body = sizeFunc.addEntryBlock();
      b.setInsertionPointToStart(body);
      IRMapping mapping;
      for (auto [from, to] : llvm::zip(func.getArguments(), body->getArguments()))
        mapping.map(from, to);
      Layout layout =
          emitLayout(b, loc, temporaries, staticTotal, alignment, mapping);
      func::ReturnOp::create(b, loc, layout.total);
      // Only the total matters here, not the offsets.
      for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*body)))
        if (isOpTriviallyDead(&op))
          op.erase();
    }

    // The kernel: a last argument, the offsets, a size check, and views
    // instead of allocations.
    auto workspaceType = MemRefType::get({ShapedType::kDynamic}, b.getI8Type());
    unsigned index = func.getNumArguments();
    if (failed(func.insertArgument(index, workspaceType, {}, loc)))
      return func.emitOpError("cannot add the workspace argument");
    Value workspaceArg = func.getArgument(index), workspace = workspaceArg;
    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    // The caller's buffer is aligned (the convention), so every view at an
    // aligned offset is: LLVM knows a malloc'ed temporary's alignment, and
    // without this it lowers the same loads to more moves and shuffles
    // (measured: a depthwise stride-2 filter gradient's FMA loop, 112 memory
    // ops and 135 shuffles against the heap build's 85 and 99, 11% slower).
    if (!temporaries.empty())
      workspace = memref::AssumeAlignmentOp::create(
          b, loc, workspace, static_cast<int32_t>(alignment));
    IRMapping identity;
    for (BlockArgument arg : entry.getArguments())
      identity.map(arg, arg);
    Layout layout =
        emitLayout(b, loc, temporaries, staticTotal, alignment, identity);
    if (!temporaries.empty()) {
      Value available = memref::DimOp::create(b, loc, workspaceArg, 0);
      Value enough = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                           available, layout.total);
      cf::AssertOp::create(b, loc, enough,
                           ("convgrad: the workspace of '" +
                            func.getSymName() + "' is smaller than " +
                            sizeName + "() says")
                               .str());
    }
    DenseMap<Operation *, Value> iterationIndex;
    for (auto [t, offset] : llvm::zip(temporaries, layout.offsets)) {
      if (t.parallelLoop) {
        Value &slot = iterationIndex[t.parallelLoop];
        if (!slot)
          slot = emitIterationIndex(t.parallelLoop);
        b.setInsertionPoint(t.alloc);
        offset = arith::AddIOp::create(
            b, t.alloc.getLoc(), offset,
            arith::MulIOp::create(
                b, t.alloc.getLoc(), slot,
                arith::ConstantIndexOp::create(b, t.alloc.getLoc(),
                                               t.slotBytes)));
      }
      b.setInsertionPoint(t.alloc);
      Value view = memref::ViewOp::create(b, t.alloc.getLoc(), t.alloc.getType(),
                                          workspace, offset,
                                          t.alloc.getDynamicSizes());
      t.alloc.replaceAllUsesWith(view);
      t.dealloc.erase();
      t.alloc.erase();
      ++numWorkspaceBuffers;
    }
    return success();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
      module.emitError("convgrad-cpu-workspace: alignment must be a power of "
                       "two, got ")
          << alignment.getValue();
      return signalPassFailure();
    }
    if (threads < 0 || maxPlaces < 1) {
      module.emitError("convgrad-cpu-workspace: threads must be >= 0 and "
                       "max-places >= 1, got threads=")
          << threads.getValue() << " max-places=" << maxPlaces.getValue();
      return signalPassFailure();
    }
    // Kernels: public definitions nobody in the module calls.
    SmallVector<func::FuncOp> kernels;
    for (auto func : module.getOps<func::FuncOp>())
      if (func.isPublic() && !func.isExternal() &&
          SymbolTable::symbolKnownUseEmpty(func, module))
        kernels.push_back(func);
    for (func::FuncOp func : kernels)
      if (failed(convert(module, func)))
        return signalPassFailure();
  }
};

} // namespace
