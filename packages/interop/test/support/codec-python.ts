// Runs codec cases through python/codec_peer.py: one Python process for the whole batch.
import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";
import { runPython } from "./python-schema.js";

export interface PeerInput {
  id: string;
  /** The full name of the message type. */
  type: string;
  /** protobuf-es's binary, which Python parses, re-encodes and writes as JSON. */
  binary?: Uint8Array;
  /** protobuf-es's JSON texts (JSON names, proto names, both mixed), which Python parses and encodes. */
  json?: string;
  protoJson?: string;
  mixedJson?: string;
}

export interface PeerOutput {
  id: string;
  /** `SerializeToString(deterministic=True)` of Python's parse of `binary`. */
  binary?: Uint8Array;
  /** `MessageToJson` of that parse, with JSON names and with proto field names. */
  json?: string;
  protoJson?: string;
  /** `json_format.Parse` of protobuf-es's JSON texts, encoded (deterministic). */
  fromJson?: Uint8Array;
  fromProtoJson?: Uint8Array;
  fromMixedJson?: Uint8Array;
  /** Operations that raised in Python, with the exception. */
  errors?: Record<string, string>;
}

interface RawOutput {
  id: string;
  binary?: string;
  json?: string;
  protoJson?: string;
  fromJson?: string;
  fromProtoJson?: string;
  fromMixedJson?: string;
  errors?: Record<string, string>;
}

const decode = (s: string | undefined) => (s === undefined ? undefined : base64Decode(s));

/** Sends every input through one `codec_peer.py` process; the answers by id. */
export async function runCodecPeer(inputs: readonly PeerInput[], descriptorSet?: Uint8Array): Promise<Map<string, PeerOutput>> {
  const lines: string[] = [];
  if (descriptorSet) lines.push(JSON.stringify({ descriptorSet: base64Encode(descriptorSet) }));
  for (const i of inputs) {
    const binary = i.binary === undefined ? undefined : base64Encode(i.binary);
    lines.push(JSON.stringify({ id: i.id, type: i.type, binary, json: i.json, protoJson: i.protoJson, mixedJson: i.mixedJson }));
  }
  const result = await runPython("codec_peer.py", [], lines.join("\n") + "\n", 120_000);
  if (result.code !== 0) throw new Error(`codec_peer.py exited with ${result.code}: ${result.stderr}`);
  const outputs = new Map<string, PeerOutput>();
  for (const line of result.stdout.split("\n")) {
    if (!line) continue;
    const raw = JSON.parse(line) as RawOutput;
    outputs.set(raw.id, {
      id: raw.id,
      binary: decode(raw.binary),
      json: raw.json,
      protoJson: raw.protoJson,
      fromJson: decode(raw.fromJson),
      fromProtoJson: decode(raw.fromProtoJson),
      fromMixedJson: decode(raw.fromMixedJson),
      errors: raw.errors,
    });
  }
  if (outputs.size !== inputs.length) throw new Error(`codec_peer.py answered ${outputs.size} of ${inputs.length} cases: ${result.stderr}`);
  return outputs;
}
