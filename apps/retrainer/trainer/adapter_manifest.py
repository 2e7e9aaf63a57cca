"""The parts of an adapter manifest (adapter-manifest.json) that every trainer writes the same way: which base it sits
on, which feedback it learnt from (hashes and counts, never text) and how merged/ is rebuilt."""
from __future__ import annotations

from pathlib import Path

from radflow_train.gguf_base import file_sha256

KIND = "radflow-lora-adapter.v1"


def base_model_facts(base: Path, base_manifest: dict) -> dict:
    return {"name": base_manifest["name"], "version": base_manifest["version"],
            "onnxSha256": file_sha256(base / base_manifest["onnx"]["model"])}


def feedback_facts(feedback_hashes: list[dict]) -> dict:
    counts: dict[str, int] = {}
    for h in feedback_hashes:
        counts[h["task"]] = counts.get(h["task"], 0) + 1
    return {"count": len(feedback_hashes), "countsPerTask": dict(sorted(counts.items())), "examples": feedback_hashes,
            "hash": "sha256 of each data set line (JSON, as written)"}


def merged_facts(merged_dir: str, base_manifest: dict) -> dict:
    return {"path": merged_dir, "derived": True,
            "rebuild": f"finetune.py --rebuild <this folder> --base <{base_manifest['name']} "
                       f"{base_manifest['version']} model directory>"}
