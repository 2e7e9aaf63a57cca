"""Prompts filled exactly as libs/prompts/src/build-prompt.ts does, from the shared task file (never copied)."""
from __future__ import annotations

import json
import re
from functools import lru_cache

from . import paths

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@lru_cache(maxsize=1)
def catalog() -> dict:
    return json.loads(paths.TASKS_FILE.read_text())


def task_ids() -> list[str]:
    return list(catalog()["tasks"].keys())


def special_tokens() -> dict[str, str]:
    return dict(catalog()["specialTokens"])


def _strip_specials(text: str) -> str:
    for special in special_tokens().values():
        text = text.replace(special, " ")
    return text


def build_prompt(task: str, **inputs: str) -> str:
    """`<instruct>{instruction}\\n<output>` with placeholders filled in one pass; inputs are trimmed and special
    token strings inside them replaced by a space, as the TypeScript side does."""
    cat = catalog()
    instruction = cat["tasks"][task]["instruction"]

    def fill(m: re.Match) -> str:
        value = inputs.get(m.group(1))
        if value is None or not value.strip():
            raise ValueError(f"task {task} needs non-empty {m.group(1)}")
        return _strip_specials(value.strip())

    filled = _PLACEHOLDER.sub(fill, instruction)
    specials = cat["specialTokens"]
    return cat["format"].replace("<instruct>", specials["instruct"]).replace("<output>", specials["output"]).replace(
        "{instruction}", filled)


def end_of_text() -> str:
    return catalog()["specialTokens"]["endOfText"]
