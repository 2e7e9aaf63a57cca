"""
Reads every *.hl7 file in a folder with hl7apy (an HL7 v2 library independent of radflow) in STRICT validation
mode and prints one JSON object: for each file, the errors and warnings hl7apy reports (structure, cardinality,
datatypes, table values, lengths) and every segment as hl7apy placed it (group path, then each field by
position: repetitions, each as its components). The vitest conformance test asserts fields by these positions.

Usage: python3 hl7apy_check.py <folder>        (needs hl7apy: libs/hl7/conformance/requirements.txt)
Messages may hold patient data: this prints them to stdout for the calling test only, never to a log.
"""
import json
import os
import re
import sys
import tempfile

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.exceptions import InvalidName
from hl7apy.parser import get_message_info, parse_segments
from hl7apy.validation import Validator

POSITION = re.compile(r"_(\d+)$")


def position(name):
    match = POSITION.search(name or "")
    return int(match.group(1)) if match else None


def components(rep):
    """A field repetition as its components by position (1-based, gaps as ''), each in ER7 with subcomponents."""
    kids = [c for c in rep.children if c.classname == "Component"]
    if not kids:
        return [rep.to_er7()]
    out = {}
    for kid in kids:
        pos = position(kid.name)
        if pos is not None:
            out[pos] = kid.to_er7()
    return [out.get(i, "") for i in range(1, max(out) + 1)] if out else [rep.to_er7()]


def segment_json(segment, path):
    fields = {}
    for field in segment.children:
        pos = position(field.name)
        if pos is None:
            continue
        fields.setdefault(str(pos), []).append({"er7": field.to_er7(), "components": components(field)})
    return {"name": segment.name, "path": "/".join(path + [segment.name]), "fields": fields}


def walk(element, path, out):
    for child in element.children:
        if child.classname == "Segment":
            out.append(segment_json(child, path))
        elif child.classname == "Group":
            walk(child, path + [child.name], out)


def parse_strict(text):
    """
    hl7apy's parse_message in STRICT mode, with one correction: hl7apy names the structure from MSH-9.3, else
    MSH-9.1 + "_" + MSH-9.2. Before v2.3.1 MSH-9 has no structure component and every general acknowledgment
    (ACK^<any trigger>) has the structure ACK (HL7 table 0354), which that guess (e.g. "ACK_R01") misses.
    """
    text = text.lstrip()
    encoding_chars, structure, version = get_message_info(text)
    msh9 = text.split("\r", 1)[0].split(text[3])[8:9]
    if msh9 and msh9[0].split(encoding_chars["COMPONENT"])[0] == "ACK" and structure not in ("ACK",):
        structure = "ACK"
    level = VALIDATION_LEVEL.STRICT
    try:
        message = Message(name=structure, version=version, validation_level=level, encoding_chars=encoding_chars)
    except InvalidName:
        message = Message(version=version, validation_level=level, encoding_chars=encoding_chars)
    message.children = parse_segments(text, message.version, encoding_chars, level, message.reference, True)
    return message


def check(text):
    result = {"errors": [], "warnings": [], "structure": None, "segments": []}
    try:
        message = parse_strict(text)
    except Exception as error:  # noqa: BLE001 - any parse failure is a finding
        result["errors"].append(f"parse: {type(error).__name__}: {error}")
        return result
    result["structure"] = message.name
    walk(message, [], result["segments"])
    with tempfile.NamedTemporaryFile("r", suffix=".txt", delete=False) as report:
        report_path = report.name
    try:
        try:
            Validator.validate(message, report_file=report_path)
        except Exception:  # noqa: BLE001 - the report file holds every error, not only the first
            pass
        with open(report_path, encoding="utf-8") as report:
            for line in report:
                line = line.rstrip("\n")
                if line.startswith("Error: "):
                    result["errors"].append(line[len("Error: "):])
                elif line.startswith("Warning: "):
                    result["warnings"].append(line[len("Warning: "):])
    finally:
        os.unlink(report_path)
    return result


def main():
    folder = sys.argv[1]
    results = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".hl7"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8", newline="") as handle:
            results[name] = check(handle.read())
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
