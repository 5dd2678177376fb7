/**
 * Turning response bytes into text. eLicznik sends its CSV with a bogus `Content-Encoding: UTF-8`
 * header (§2.4), so the client takes the raw bytes itself; the text is UTF-8, possibly with a byte
 * order mark, and one parser of a 2026 variant also met Windows-1250.
 */
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const CP1250 = new TextDecoder('windows-1250');

/**
 * Decodes bytes as UTF-8 (a leading BOM removed), or as Windows-1250 when they are not valid
 * UTF-8.
 */
export function decodeText(bytes: Uint8Array): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    text = CP1250.decode(bytes);
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Undoes a real compression named by `Content-Encoding` (gzip, deflate, br). Anything else, such as
 * the CSV's `UTF-8`, means the bytes are as sent. Bytes that fail to decompress are returned as
 * they are (a server that labels plain bytes `gzip` exists too).
 */
export function decompressBody(bytes: Buffer, contentEncoding: string | undefined): Buffer {
  const enc = (contentEncoding ?? '').trim().toLowerCase();
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(bytes);
    if (enc === 'deflate') return inflateSync(bytes);
    if (enc === 'br') return brotliDecompressSync(bytes);
  } catch {
    return bytes;
  }
  return bytes;
}
