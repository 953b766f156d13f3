// Request decompression with a hard limit on the *decompressed* size, so a small compression
// bomb cannot make the server allocate gigabytes. Corrupt data is the client's error.
import { promisify } from "node:util";
import * as zlib from "node:zlib";
import { Code, ConnectError } from "@connectrpc/connect";
import { resourceExhausted } from "../errors.js";

const gunzip = promisify(zlib.gunzip);
const brotliDecompress = promisify(zlib.brotliDecompress);

/** The request encodings we accept besides identity. */
export const supportedEncodings = ["gzip", "br"] as const;

export function isSupportedEncoding(name: string): boolean {
  return name === "identity" || (supportedEncodings as readonly string[]).includes(name);
}

export async function decompress(encoding: string, data: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  if (encoding === "identity" || data.length === 0) return data;
  try {
    const out = encoding === "gzip"
      ? await gunzip(data, { maxOutputLength: maxBytes })
      : await brotliDecompress(data, { maxOutputLength: maxBytes });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    if ((e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) {
      throw resourceExhausted(`message is larger than ${maxBytes} bytes after decompression`);
    }
    throw new ConnectError(`request body is not valid ${encoding} data`, Code.InvalidArgument);
  }
}
