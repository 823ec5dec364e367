
// A splat reads the same in any order: the reverse should fold to the
// constant. FIXME: ReverseOp::fold returns the splat attribute, but the
// convgrad dialect has no constant materializer, so the fold is dropped and
// the op stays (/work/research/bugs-h3/02-reverse-splat-fold-no-materializer.mlir).
// The expected output is kept under the disabled prefix SPLAT; enable it by
// adding --check-prefixes=CHECK,SPLAT to the RUN line once that is fixed.
// SPLAT-NOT: convgrad.reverse
// SPLAT: %[[C:.*]] = arith.constant dense<1.500000e+00> : tensor<4x8x3x3xf32>
// SPLAT-NOT: convgrad.reverse
// SPLAT: return %[[C]] : tensor<4x8x3x3xf32>
func.func @reverse_splat() -> tensor<4x8x3x3xf32> {
  %c = arith.constant dense<1.5> : tensor<4x8x3x3xf32>
  %0 = convgrad.reverse %c dimensions = [2, 3] : tensor<4x8x3x3xf32>
  return %0 : tensor<4x8x3x3xf32>
}

