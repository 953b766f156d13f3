"""Codec peer for test/codec-matrix.spec.ts: Python's protobuf as an independent implementation.

Reads JSON lines from stdin and writes one JSON line per case to stdout, in input order.

Input lines:
  {"descriptorSet": "<base64 FileDescriptorSet>"}   optional, before the cases: extra types
      (the matrix's probe file) added to the default pool; files already there are skipped.
  {"id": "...", "type": "gitpod.v1.Foo", "binary": "<base64>", "json": "<text>", "protoJson": "<text>",
   "mixedJson": "<text>"}
      binary: protobuf-es's encoding; json / protoJson: protobuf-es's JSON (camelCase JSON
      names / proto field names); mixedJson: the same with both kinds of names mixed. Each of
      them is optional.

Output lines, with whatever succeeded (an operation that raised is under "errors" instead):
  {"id": ..., "binary": <base64 of ParseFromString(binary).SerializeToString(deterministic=True)>,
   "json": MessageToJson(parsed), "protoJson": MessageToJson(parsed, preserving_proto_field_name=True),
   "fromJson": <base64 of json_format.Parse(json).SerializeToString(deterministic=True)>,
   "fromProtoJson", "fromMixedJson": <the same for protoJson, mixedJson>,
   "errors": {operation: message}}

Run with Debian's /usr/bin/python3 (python3-protobuf) and the schema compiled by protoc on
PYTHONPATH (test/support/python-schema.ts does both).
"""

import base64
import glob
import importlib
import json
import os
import sys

from google.protobuf import (  # noqa: F401  (imported for their types in the default pool)
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    empty_pb2,
    field_mask_pb2,
    json_format,
    message_factory,
    struct_pb2,
    symbol_database,
    timestamp_pb2,
    wrappers_pb2,
)


def import_schema():
    """Imports every gitpod/v1/*_pb2 module found on sys.path, registering its types."""
    count = 0
    for entry in sys.path:
        for path in sorted(glob.glob(os.path.join(entry, "gitpod", "v1", "*_pb2.py"))):
            importlib.import_module("gitpod.v1." + os.path.basename(path)[: -len(".py")])
            count += 1
    if count == 0:
        raise SystemExit("codec_peer.py: no gitpod/v1/*_pb2.py on PYTHONPATH")


POOL = descriptor_pool.Default()
DATABASE = symbol_database.Default()
FACTORY = message_factory.MessageFactory(POOL)
CLASSES = {}


def add_descriptor_set(encoded):
    file_set = descriptor_pb2.FileDescriptorSet.FromString(base64.b64decode(encoded))
    for file_proto in file_set.file:
        try:
            POOL.FindFileByName(file_proto.name)
            continue  # a well-known type, already there
        except KeyError:
            pass
        POOL.Add(file_proto)


def message_class(full_name):
    cls = CLASSES.get(full_name)
    if cls is None:
        try:
            cls = DATABASE.GetSymbol(full_name)
        except KeyError:
            cls = FACTORY.GetPrototype(POOL.FindMessageTypeByName(full_name))
        CLASSES[full_name] = cls
    return cls


def b64(data):
    return base64.b64encode(data).decode("ascii")


def run_case(case):
    out = {"id": case.get("id")}
    errors = {}

    def attempt(key, fn):
        try:
            out[key] = fn()
        except Exception as e:  # noqa: BLE001  (every failure is reported to the test)
            errors[key] = "%s: %s" % (type(e).__name__, e)

    try:
        cls = message_class(case["type"])
    except Exception as e:  # noqa: BLE001
        out["errors"] = {"type": "%s: %s" % (type(e).__name__, e)}
        return out

    if "binary" in case:
        parsed = cls()
        try:
            parsed.ParseFromString(base64.b64decode(case["binary"]))
        except Exception as e:  # noqa: BLE001
            errors["parse"] = "%s: %s" % (type(e).__name__, e)
            parsed = None
        if parsed is not None:
            attempt("binary", lambda: b64(parsed.SerializeToString(deterministic=True)))
            attempt("json", lambda: json_format.MessageToJson(parsed, preserving_proto_field_name=False, indent=None))
            attempt("protoJson", lambda: json_format.MessageToJson(parsed, preserving_proto_field_name=True, indent=None))
    for source, key in (("json", "fromJson"), ("protoJson", "fromProtoJson"), ("mixedJson", "fromMixedJson")):
        if source in case:
            attempt(key, lambda: b64(json_format.Parse(case[source], cls()).SerializeToString(deterministic=True)))
    if errors:
        out["errors"] = errors
    return out


def main():
    import_schema()
    write = sys.stdout.write
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        case = json.loads(line)
        if "descriptorSet" in case:
            add_descriptor_set(case["descriptorSet"])
            continue
        write(json.dumps(run_case(case)) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
