// A probe schema for the codec matrix: the scalar types and well-known types that the Gitpod v1
// schema does not use today (int64 and its siblings, float, double, sint/fixed encodings, maps
// with non-string keys, Struct/Value/ListValue, Any, wrappers, FieldMask, Empty, json_name), so
// their JSON and binary forms are compared with Python as well — the day a field of such a type
// joins the schema, its divergences are already known. Compiled by Debian's protoc (the one the
// Python peer uses) into a FileDescriptorSet that both sides load: protobuf-es with
// createFileRegistry, Python with descriptor_pool.Add.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFileRegistry, fromBinary, type DescMessage, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

export const probeProto = `syntax = "proto3";
package codec.probe;

import "google/protobuf/any.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/empty.proto";
import "google/protobuf/field_mask.proto";
import "google/protobuf/struct.proto";
import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";

enum ProbeEnum {
  PROBE_ENUM_UNSPECIFIED = 0;
  PROBE_ENUM_ONE = 1;
  PROBE_ENUM_NEGATIVE = -1;
}

// Every scalar type, with implicit and explicit presence, repeated (packed and not), in a oneof.
message Scalars {
  double f_double = 1;
  float f_float = 2;
  int64 f_int64 = 3;
  uint64 f_uint64 = 4;
  int32 f_int32 = 5;
  fixed64 f_fixed64 = 6;
  fixed32 f_fixed32 = 7;
  bool f_bool = 8;
  string f_string = 9;
  bytes f_bytes = 12;
  uint32 f_uint32 = 13;
  ProbeEnum f_enum = 14;
  sfixed32 f_sfixed32 = 15;
  sfixed64 f_sfixed64 = 16;
  sint32 f_sint32 = 17;
  sint64 f_sint64 = 18;

  optional double o_double = 21;
  optional float o_float = 22;
  optional int64 o_int64 = 23;
  optional uint64 o_uint64 = 24;
  optional int32 o_int32 = 25;
  optional sint64 o_sint64 = 26;
  optional bool o_bool = 28;
  optional string o_string = 29;
  optional bytes o_bytes = 32;
  optional ProbeEnum o_enum = 34;

  repeated double r_double = 41;
  repeated float r_float = 42;
  repeated int64 r_int64 = 43;
  repeated uint64 r_uint64 = 44;
  repeated int32 r_int32 = 45;
  repeated fixed64 r_fixed64 = 46;
  repeated fixed32 r_fixed32 = 47;
  repeated bool r_bool = 48;
  repeated string r_string = 49;
  repeated bytes r_bytes = 52;
  repeated uint32 r_uint32 = 53;
  repeated ProbeEnum r_enum = 54;
  repeated sfixed32 r_sfixed32 = 55;
  repeated sfixed64 r_sfixed64 = 56;
  repeated sint32 r_sint32 = 57;
  repeated sint64 r_sint64 = 58;
  repeated int32 r_int32_unpacked = 59 [packed = false];

  oneof choice {
    int64 c_int64 = 61;
    string c_string = 62;
    Scalars c_message = 63;
    ProbeEnum c_enum = 64;
    float c_float = 65;
  }

  int32 with_json_name = 70 [json_name = "customJsonName"];
  string snake_case_2_digits = 71;
}

// Maps with every key type.
message Maps {
  map<int32, string> k_int32 = 1;
  map<int64, string> k_int64 = 2;
  map<uint32, string> k_uint32 = 3;
  map<uint64, string> k_uint64 = 4;
  map<sint32, string> k_sint32 = 5;
  map<sint64, string> k_sint64 = 6;
  map<fixed32, string> k_fixed32 = 7;
  map<fixed64, string> k_fixed64 = 8;
  map<sfixed32, string> k_sfixed32 = 9;
  map<sfixed64, string> k_sfixed64 = 10;
  map<bool, string> k_bool = 11;
  map<string, double> v_double = 12;
  map<string, float> v_float = 13;
  map<string, bytes> v_bytes = 14;
  map<string, ProbeEnum> v_enum = 15;
  map<string, Scalars> v_message = 16;
  map<string, int64> v_int64 = 17;
}

// Every well-known type with a JSON form of its own.
message WellKnown {
  google.protobuf.Timestamp timestamp = 1;
  google.protobuf.Duration duration = 2;
  google.protobuf.Struct struct = 3;
  google.protobuf.Value value = 4;
  google.protobuf.ListValue list_value = 5;
  google.protobuf.Any any = 6;
  google.protobuf.FieldMask field_mask = 7;
  google.protobuf.Empty empty = 8;
  google.protobuf.DoubleValue double_value = 9;
  google.protobuf.FloatValue float_value = 10;
  google.protobuf.Int64Value int64_value = 11;
  google.protobuf.UInt64Value uint64_value = 12;
  google.protobuf.Int32Value int32_value = 13;
  google.protobuf.UInt32Value uint32_value = 14;
  google.protobuf.BoolValue bool_value = 15;
  google.protobuf.StringValue string_value = 16;
  google.protobuf.BytesValue bytes_value = 17;
  repeated google.protobuf.Value values = 18;
  repeated google.protobuf.Any anys = 19;
  map<string, google.protobuf.Value> value_map = 20;
  repeated google.protobuf.Timestamp timestamps = 21;
  repeated google.protobuf.Duration durations = 22;
}
`;

export interface Probe {
  registry: FileRegistry;
  messages: DescMessage[];
  /** The FileDescriptorSet (with imports), for the Python peer. */
  descriptorSet: Uint8Array;
}

let probe: Probe | undefined;

/** The probe compiled by `protoc` (the well-known types from `wellKnownIncludes`). */
export function loadProbe(protoc = "/usr/bin/protoc", wellKnownIncludes = "/usr/include"): Probe {
  if (probe) return probe;
  const dir = mkdtempSync(join(tmpdir(), "codec-probe-"));
  try {
    writeFileSync(join(dir, "probe.proto"), probeProto);
    const out = join(dir, "probe.binpb");
    execFileSync(protoc, [`-I${dir}`, `-I${wellKnownIncludes}`, "--include_imports", `--descriptor_set_out=${out}`, join(dir, "probe.proto")], { stdio: "pipe" });
    const descriptorSet = new Uint8Array(readFileSync(out));
    const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
    const file = registry.getFile("probe.proto");
    if (!file) throw new Error("probe.proto missing from its descriptor set");
    probe = { registry, messages: [...file.messages], descriptorSet };
    return probe;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
