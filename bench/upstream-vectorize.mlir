// The best upstream MLIR 22 code generation assembled for the raise
// benchmark (scripts/bench-raise.sh): transform-dialect tiling,
// decomposition and vectorization of the NCHW convolutions that torch-mlir
// emits, with no convgrad pass. Each linalg.conv_2d_nchw_fchw is tiled to
// one image, 16 filters, one output row (every column), one input channel
// and one kernel row; the 2-D tile is decomposed into a
// linalg.conv_1d_ncw_fcw, which linalg's vectorizer turns into vector
// contractions over the kernel columns (with transposes to NWC). The rest
// (pads, zero insertion, reverses, grouped and depthwise convolutions) goes
// to loops. Vectorizing the other ops of the function too
// (vectorize_children_and_apply_patterns) gave wrong results on the padded
// inputs in MLIR 22.1, so only the convolutions are vectorized.
module attributes {transform.with_named_sequence} {
  transform.named_sequence @__transform_main(%root: !transform.any_op {transform.readonly}) {
    %convs = transform.structured.match ops{["linalg.conv_2d_nchw_fchw"]} in %root
      : (!transform.any_op) -> !transform.any_op
    %tiled, %loops:5 = transform.structured.tile_using_for %convs tile_sizes [1, 16, 1, 0, 1, 1, 0]
      : (!transform.any_op) -> (!transform.any_op, !transform.any_op, !transform.any_op,
                                !transform.any_op, !transform.any_op, !transform.any_op)
    %conv1d = transform.structured.decompose %tiled : (!transform.any_op) -> !transform.any_op
    // A tile that is not static (fewer filters than the tile, e.g. the 3
    // channels of the stem's data gradient) cannot be vectorized: it stays
    // a loop nest, the others are vectorized.
    transform.foreach %conv1d : !transform.any_op {
    ^bb0(%one: !transform.any_op):
      transform.sequence %one : !transform.any_op failures(suppress) {
      ^bb1(%c: !transform.any_op):
        transform.structured.vectorize %c : !transform.any_op
      }
    }
    transform.yield
  }
}
