/**
 * ONNX export and import of Fovea models. {@link dev.fovea.interop.onnx.OnnxExport} writes a
 * model as an ONNX graph (opset 17) whose input is channels-last, {@code (N, H, W, C)}, with one
 * Transpose to ONNX's NCHW inside, and the preprocessing, class names and layout in its metadata;
 * {@link dev.fovea.interop.onnx.OnnxImport} reads the common CNN operator set of opsets 11–21 back
 * into Fovea's channels-last layers. The protobuf is read and written with the {@code OnnxMl}
 * classes generated from onnx-ml.proto (tribuo-util-onnx); ONNX Runtime is used in tests only.
 */
package dev.fovea.interop.onnx;
