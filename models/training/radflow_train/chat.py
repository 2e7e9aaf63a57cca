"""The base model's chat format (ChatML) for the Rad-Phi2 task prompts.

libs/prompts builds `<instruct>{instruction}\\n<output>` and swaps the markers for the model manifest's
`specialTokens`; these are the strings radflow-cxr's manifest gives, so the TypeScript side builds byte-identical
prompts: `<|im_start|>user\\n{instruction}\\n<|im_end|>\\n<|im_start|>assistant\\n`, answer, `<|im_end|>`.
"""
from __future__ import annotations

from . import prompts

SPECIAL_TOKENS = {
    "instruct": "<|im_start|>user\n",
    "output": "<|im_end|>\n<|im_start|>assistant\n",
    "endOfText": "<|im_end|>",
    "pad": "<|endoftext|>",
}
END_ID = 2  # <|im_end|>
PAD_ID = 0  # <|endoftext|>


def chat_prompt(task: str, **inputs: str) -> str:
    """The task prompt in ChatML (inputs are stripped of the catalog's and ChatML's control strings)."""
    for key, value in inputs.items():
        for control in ("<|im_start|>", "<|im_end|>", "<|endoftext|>"):
            value = value.replace(control, " ")
        inputs[key] = value
    return to_chat(prompts.build_prompt(task, **inputs))


def to_chat(catalog_prompt: str) -> str:
    specials = prompts.special_tokens()
    return catalog_prompt.replace(specials["instruct"], SPECIAL_TOKENS["instruct"], 1).replace(
        specials["output"], SPECIAL_TOKENS["output"], 1)
