// ONNX export of the UNet (own protobuf writer, opset 17, channels-first).
export { exportOnnx, onnxMetadata, type ExportOnnxOptions, type ExportOnnxResult } from './export-onnx.ts';
export { unetToOnnx, kernelToOnnx, ONNX_OPSET, ONNX_IR_VERSION, ONNX_INPUT, ONNX_OUTPUT, type UNetOnnxOptions } from './unet-onnx.ts';
