// gRPC and gRPC-web length-prefixed messages ("envelopes"): 1 flag byte, 4 bytes big-endian
// length, then the data. Splitting is strict: a truncated frame or an unknown flag is the
// client's error (invalid_argument), never a hang or an internal error.
import { Code, ConnectError } from "@connectrpc/connect";

export interface Envelope {
  flags: number;
  data: Uint8Array;
}

/** Flag bit of a compressed message. */
export const compressedFlag = 0b0000_0001;

export function splitEnvelopes(bytes: Uint8Array): Envelope[] {
  const frames: Envelope[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < 5) {
      throw new ConnectError("incomplete message frame: fewer than 5 header bytes", Code.InvalidArgument);
    }
    const flags = bytes[offset]!;
    const length =
      ((bytes[offset + 1]! << 24) >>> 0) + (bytes[offset + 2]! << 16) + (bytes[offset + 3]! << 8) + bytes[offset + 4]!;
    if ((flags & ~compressedFlag) !== 0) {
      throw new ConnectError(`message frame has unsupported flags 0x${flags.toString(16)}`, Code.InvalidArgument);
    }
    if (bytes.length - offset - 5 < length) {
      throw new ConnectError(
        `incomplete message frame: header announces ${length} bytes, ${bytes.length - offset - 5} present`,
        Code.InvalidArgument,
      );
    }
    frames.push({ flags, data: bytes.subarray(offset + 5, offset + 5 + length) });
    offset += 5 + length;
  }
  return frames;
}

export function joinEnvelopes(frames: readonly Envelope[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + 5 + f.data.length, 0));
  let offset = 0;
  for (const f of frames) {
    out[offset] = f.flags;
    new DataView(out.buffer, out.byteOffset + offset + 1, 4).setUint32(0, f.data.length);
    out.set(f.data, offset + 5);
    offset += 5 + f.data.length;
  }
  return out;
}
