// The user's original derivation (docs/seed-conv-derivation.zh.md): a 3x3
// input, a 2x2 kernel, stride 1, no padding. Every gradient is compiled with
// --convgrad-cpu-pipeline, run with mlir-runner, and checked value for value
// against the element formulas of the derivation:
//   y11 = w11 x11 + w12 x12 + w21 x21 + w22 x22 + b, ...
//   dx11 = dy11 w11, dx12 = dy11 w12 + dy12 w11, ..., dx22 = dy11 w22 + dy12 w21 + dy21 w12 + dy22 w11
//   dw11 = dy11 x11 + dy12 x12 + dy21 x21 + dy22 x22, ...
//   db = dy11 + dy12 + dy21 + dy22
// with x = [1..9], w = [[1, 2], [3, 4]], b = 0.5, dy = [[1, -1], [2, 0.5]].


func.func @main() {
  %x = arith.constant dense<[[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]]> : tensor<1x1x3x3xf32>
  %w = arith.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %b = arith.constant dense<[0.5]> : tensor<1xf32>
  %dy = arith.constant dense<[[[[1.0, -1.0], [2.0, 0.5]]]]> : tensor<1x1x2x2xf32>

  // y11 = 1 + 4 + 12 + 20 + 0.5 = 37.5; y12 = 2 + 6 + 15 + 24 + 0.5 = 47.5
  // y21 = 4 + 10 + 21 + 32 + 0.5 = 67.5; y22 = 5 + 12 + 24 + 36 + 0.5 = 77.5
  // CHECK-LABEL: forward
  // CHECK:      [37.5,   47.5],
  // CHECK-NEXT: [67.5,   77.5]
  %y = convgrad.conv %x, %w, %b : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  vector.print str "forward\n"
  call @print(%y) : (tensor<1x1x2x2xf32>) -> ()

  // dx11 = 1*1 = 1;              dx12 = 1*2 + (-1)*1 = 1;      dx13 = (-1)*2 = -2
  // dx21 = 1*3 + 2*1 = 5;        dx22 = 1*4 + (-1)*3 + 2*2 + 0.5*1 = 5.5
  // dx23 = (-1)*4 + 0.5*2 = -3;  dx31 = 2*3 = 6;  dx32 = 2*4 + 0.5*3 = 9.5;  dx33 = 0.5*4 = 2
  // CHECK-LABEL: dgrad
  // CHECK:      [1,   1,   -2],
  // CHECK-NEXT: [5,   5.5,   -3],
  // CHECK-NEXT: [6,   9.5,   2]
  %dx = convgrad.conv_backward_data %dy, %w : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x3x3xf32>
  vector.print str "dgrad\n"
  %dxp = tensor.cast %dx : tensor<1x1x3x3xf32> to tensor<*xf32>
  call @printMemrefF32(%dxp) : (tensor<*xf32>) -> ()

  // dw11 = 1*1 - 1*2 + 2*4 + 0.5*5 = 9.5;  dw12 = 1*2 - 1*3 + 2*5 + 0.5*6 = 12
  // dw21 = 1*4 - 1*5 + 2*7 + 0.5*8 = 17;   dw22 = 1*5 - 1*6 + 2*8 + 0.5*9 = 19.5
  // CHECK-LABEL: wgrad
  // CHECK:      [9.5,   12],
  // CHECK-NEXT: [17,   19.5]
  %dw = convgrad.conv_backward_filter %x, %dy : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  vector.print str "wgrad\n"
  call @print(%dw) : (tensor<1x1x2x2xf32>) -> ()

  // db = 1 - 1 + 2 + 0.5 = 2.5
  // CHECK-LABEL: bgrad
  // CHECK: [2.5]
  %db = convgrad.conv_backward_bias %dy : (tensor<1x1x2x2xf32>) -> tensor<1xf32>
  vector.print str "bgrad\n"
  %dbp = tensor.cast %db : tensor<1xf32> to tensor<*xf32>
  call @printMemrefF32(%dbp) : (tensor<*xf32>) -> ()
  return
}

func.func @print(%t: tensor<1x1x2x2xf32>) {
  %u = tensor.cast %t : tensor<1x1x2x2xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func private @printMemrefF32(tensor<*xf32>)
