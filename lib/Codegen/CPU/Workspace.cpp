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

/// Whether `op` runs at most once at a time: every op around it up to
/// `func` is a sequential loop or a branch. A temporary of a parallel loop's
/// body exists once per running iteration, so it cannot have one place.
bool isSequential(Operation *op, func::FuncOp func) {
  for (Operation *parent = op->getParentOp(); parent != func;
       parent = parent->getParentOp())
    if (!isa<scf::ForOp, scf::IfOp, scf::WhileOp>(parent))
      return false;
  return true;
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
      bool movable = isSequential(alloc, func) && t.dealloc && end &&
                     type.getLayout().isIdentity() &&
                     alloc.getSymbolOperands().empty();
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
      t.alignedBytes = alignTo(t.staticBytes, alignment);
      temporaries.push_back(t);
    });
    return temporaries;
  }

  LogicalResult convert(ModuleOp module, func::FuncOp func) {
    std::string sizeName = (func.getSymName() + kSizeFunctionSuffix).str();
    if (SymbolTable::lookupSymbolIn(module, sizeName))
      return func.emitOpError("cannot get a workspace: '")
             << sizeName << "' already exists";
    Location loc = func.getLoc();
    MLIRContext *ctx = &getContext();
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
    Value workspace = func.getArgument(index);
    Block &entry = func.getBody().front();
    b.setInsertionPointToStart(&entry);
    IRMapping identity;
    for (BlockArgument arg : entry.getArguments())
      identity.map(arg, arg);
    Layout layout =
        emitLayout(b, loc, temporaries, staticTotal, alignment, identity);
    if (!temporaries.empty()) {
      Value available = memref::DimOp::create(b, loc, workspace, 0);
      Value enough = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                           available, layout.total);
      cf::AssertOp::create(b, loc, enough,
                           ("convgrad: the workspace of '" +
                            func.getSymName() + "' is smaller than " +
                            sizeName + "() says")
                               .str());
    }
    for (auto [t, offset] : llvm::zip(temporaries, layout.offsets)) {
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
          << alignment;
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
