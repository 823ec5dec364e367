// The IR shape of --convgrad-decompose, as docs/conv-backward-math.md predicts.
// Notation per spatial dim: H input, K kernel, s stride, d dilation, lo/hi
// padding, Ke = (K-1)*d + 1, O = floor((H+lo+hi-Ke)/s) + 1,
// r = (H+lo+hi-Ke) mod s.
// dgrad: insert_zeros (s > 1), re-pad low Ke-1-lo, high Ke-1-hi+r (negative:
//   crop), filter [G,Fg,Cg,K] -> [G,Cg,Fg,K] and reversed, stride-1 conv with
//   dilation d and groups G.
// wgrad: pad x by lo / hi-r, batch <-> channel, conv with strides = d and
//   dilations = s, result [Cg,F,K] -> [F,Cg,K].

// The seed: 3x3 input, 2x2 kernel, stride 1, no padding.
// Ke = 2, O = 2, r = 0: pad low Ke-1-0 = 1, high Ke-1-0+0 = 1 -> 2+1+1 = 4.
func.func @dgrad_seed(%dy: tensor<1x1x2x2xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32> {
  %dx = convgrad.conv_backward_data %dy, %w : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  return %dx : tensor<1x1x3x3xf32>
}

