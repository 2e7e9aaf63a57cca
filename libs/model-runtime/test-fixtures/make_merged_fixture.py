#!/usr/bin/python3
"""Builds test-fixtures/merged-tiny/: models/tiny-random re-wrapped in the layout of Optimum's older merged export
(decoder_model_merged.onnx: one graph, a `use_cache_branch` bool input and an If node choosing the with-past branch or
the no-past branch). The no-past branch really ignores the past (it slices it to length 0), so a runtime that sends the
wrong flag on a decoding step gets other tokens and fails the parity check.

Run: /usr/bin/python3 libs/model-runtime/test-fixtures/make_merged_fixture.py  (needs the `onnx` package)"""
import json
import shutil
from pathlib import Path

import onnx
from onnx import TensorProto, helper

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "models" / "tiny-random"
OUT = HERE / "merged-tiny"


def branch(graph: onnx.GraphProto, prefix: str, drop_past: bool) -> onnx.GraphProto:
    outer = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    rename = {}
    nodes = []
    if drop_past:
        zero = helper.make_tensor(f"{prefix}zero", TensorProto.INT64, [1], [0])
        axis = helper.make_tensor(f"{prefix}axis", TensorProto.INT64, [1], [2])
        nodes.append(helper.make_node("Constant", [], [f"{prefix}zero"], value=zero))
        nodes.append(helper.make_node("Constant", [], [f"{prefix}axis"], value=axis))
        for inp in graph.input:
            if inp.name.startswith("past_key_values."):
                empty = f"{prefix}{inp.name}.empty"
                nodes.append(helper.make_node("Slice", [inp.name, f"{prefix}zero", f"{prefix}zero", f"{prefix}axis"], [empty]))
                rename[inp.name] = empty
    for node in graph.node:
        for out in node.output:
            rename[out] = prefix + out
    for node in graph.node:
        copy = onnx.NodeProto()
        copy.CopyFrom(node)
        copy.name = prefix + node.name
        del copy.input[:]
        copy.input.extend([rename.get(n, n) if (n not in outer or n in rename) else n for n in node.input])
        del copy.output[:]
        copy.output.extend([rename[n] for n in node.output])
        nodes.append(copy)
    outputs = []
    for out in graph.output:
        info = onnx.ValueInfoProto()
        info.CopyFrom(out)
        info.name = rename[out.name]
        outputs.append(info)
    return helper.make_graph(nodes, f"{prefix}branch", [], outputs)


def main() -> None:
    model = onnx.load(str(SOURCE / "model.onnx"))
    graph = model.graph
    with_past = branch(graph, "with_past/", drop_past=False)
    no_past = branch(graph, "no_past/", drop_past=True)
    use_cache = helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])
    if_node = helper.make_node("If", ["use_cache_branch"], [o.name for o in graph.output], name="optimum::if",
                               then_branch=with_past, else_branch=no_past)
    merged = helper.make_graph([if_node], "decoder_model_merged", list(graph.input) + [use_cache], list(graph.output),
                               initializer=list(graph.initializer))
    out_model = helper.make_model(merged, opset_imports=model.opset_import, producer_name="radflow-merged-fixture")
    out_model.ir_version = model.ir_version
    onnx.checker.check_model(out_model)
    OUT.mkdir(exist_ok=True)
    onnx.save(out_model, str(OUT / "decoder_model_merged.onnx"))
    for name in ["tokenizer.json", "tokenizer_config.json", "config.json", "parity.json"]:
        shutil.copy(SOURCE / name, OUT / name)
    manifest = json.loads((SOURCE / "radflow-model.json").read_text())
    manifest.update({"name": "radflow-tiny-random-merged", "onnx": {"model": "decoder_model_merged.onnx"},
                     "description": "models/tiny-random in Optimum's merged-decoder layout (test fixture)."})
    (OUT / "radflow-model.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
