#!/usr/bin/python3
"""Independent check of an exported ONNX file (evaluator:export) with the onnx package's own
checker and shape inference (Debian python3-onnx), outside ONNX Runtime.

Run:  /usr/bin/python3 tools/reference/onnx_check.py model.onnx
Out:  the IR version, opsets, node count, input/output shapes and metadata; exit 1 if the
      checker rejects the file.

The vitest suites run the same files in ONNX Runtime (onnxruntime-web) and compare logits; this
script is the manual second opinion on the protobuf itself (no fixture: it needs no numbers).
"""
import sys

import onnx


def dims(v):
    return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]


def main(path):
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model, full_check=True)
    except onnx.checker.ValidationError as e:
        print(f"{path}: rejected by onnx.checker: {e}")
        return 1
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    out = inferred.graph.output[0]
    print(f"{path}: valid (onnx {onnx.__version__}), IR {model.ir_version}, opset "
          f"{[(o.domain or 'ai.onnx', o.version) for o in model.opset_import]}, {len(model.graph.node)} nodes")
    print(f"  input {model.graph.input[0].name} {dims(model.graph.input[0])} -> output {out.name} {dims(out)}")
    for p in model.metadata_props:
        print(f"  {p.key} = {p.value}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: onnx_check.py MODEL.onnx")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
