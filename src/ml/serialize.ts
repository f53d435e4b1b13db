/**
 * The versioned binary artifact format shared by every learner, and the registry that turns an
 * artifact back into a learner without the caller knowing which kind it is.
 *
 * Layout (all integers little-endian u32 unless noted):
 *   "SCML" magic (4 bytes) · format version · total byte length ·
 *   learner name (length + UTF-8) · JSON {params, meta} (length + UTF-8) · array count ·
 *   per array: name (length + UTF-8), type code (u8), element count, padding to 8 bytes, payload.
 * Payloads are 8-byte aligned so that a little-endian host can copy them with one `slice`.
 */

import { SalescastError } from '../core/errors.js';
import type { Regressor } from './estimator.js';

/** The current format version; decoders reject any other. */
export const ARTIFACT_FORMAT_VERSION = 1;

const MAGIC = [0x53, 0x43, 0x4d, 0x4c]; // "SCML"

export type ArtifactArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

interface ArrayConstructor {
  new (length: number): ArtifactArray;
  new (buffer: ArrayBuffer): ArtifactArray;
  readonly BYTES_PER_ELEMENT: number;
}

// The code is the on-disk identity of an element type: never renumber, only append.
const ARRAY_TYPES: readonly ArrayConstructor[] = [
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
];

/** What a learner puts into an artifact. `params` and `meta` must be JSON-representable. */
export interface ArtifactContent {
  readonly learner: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly arrays?: Readonly<Record<string, ArtifactArray>>;
  readonly meta?: Readonly<Record<string, unknown>>;
}

/** A decoded artifact; arrays are fresh copies that do not alias the input bytes. */
export interface Artifact {
  readonly version: number;
  readonly learner: string;
  readonly params: Record<string, unknown>;
  readonly arrays: Readonly<Record<string, ArtifactArray>>;
  readonly meta: Record<string, unknown>;
}

const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes a learner's state as an artifact. */
export function encodeArtifact(content: ArtifactContent): Uint8Array {
  const enc = new TextEncoder();
  const learner = enc.encode(content.learner);
  const json = enc.encode(JSON.stringify({ params: content.params, meta: content.meta ?? {} }));
  const arrays = Object.entries(content.arrays ?? {}).map(([name, arr]) => {
    const code = ARRAY_TYPES.findIndex((T) => arr instanceof T);
    if (code < 0) throw new TypeError(`artifact array '${name}' has an unsupported type`);
    return { name: enc.encode(name), code, arr };
  });

  let size = 4 + 4 + 4 + 4 + learner.length + 4 + json.length + 4;
  for (const a of arrays) size = align8(size + 4 + a.name.length + 1 + 4) + a.arr.byteLength;

  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let pos = 0;
  const u32 = (v: number) => {
    view.setUint32(pos, v, true);
    pos += 4;
  };
  const raw = (b: Uint8Array) => {
    bytes.set(b, pos);
    pos += b.length;
  };
  raw(Uint8Array.from(MAGIC));
  u32(ARTIFACT_FORMAT_VERSION);
  u32(size);
  u32(learner.length);
  raw(learner);
  u32(json.length);
  raw(json);
  u32(arrays.length);
  for (const { name, code, arr } of arrays) {
    u32(name.length);
    raw(name);
    bytes[pos++] = code;
    u32(arr.length);
    pos = align8(pos);
    writeLittleEndian(view, pos, arr);
    pos += arr.byteLength;
  }
  return bytes;
}

/**
 * Decodes an artifact. Throws `SalescastError('INVALID_ARTIFACT')` on bad magic, an unsupported
 * version, truncation, trailing bytes, or malformed sections.
 */
export function decodeArtifact(bytes: Uint8Array): Artifact {
  const r = new Reader(bytes);
  const version = readPrelude(r);
  const learner = r.string('learner name');
  const header = parseJson(r.string('header'));
  const count = r.u32('array count');
  // No prototype: an array named like an Object.prototype member ('__proto__') stays a plain entry.
  const arrays: Record<string, ArtifactArray> = Object.create(null);
  for (let k = 0; k < count; k++) {
    const name = r.string('array name');
    if (Object.hasOwn(arrays, name)) invalid(`array '${name}' appears twice`);
    const code = r.u8(`type of array '${name}'`);
    const T = ARRAY_TYPES[code];
    if (T === undefined) invalid(`array '${name}' has unknown element type ${code}`);
    const length = r.u32(`length of array '${name}'`);
    r.pos = align8(r.pos);
    r.need(length * T.BYTES_PER_ELEMENT, `payload of array '${name}'`);
    arrays[name] = readLittleEndian(bytes, r.pos, T, length);
    r.pos += length * T.BYTES_PER_ELEMENT;
  }
  if (r.pos !== bytes.length) invalid(`${bytes.length - r.pos} unexpected bytes after the last array`);
  return { version, learner, params: header.params, meta: header.meta, arrays };
}

/** The learner name of an artifact, read without decoding its arrays. */
export function peekLearner(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  readPrelude(r);
  return r.string('learner name');
}

/**
 * The array `name` of an artifact, checked to be of type `T` (and of `length` when given).
 * Learners use this in `deserialize` so a corrupt artifact fails with INVALID_ARTIFACT, not a crash.
 */
export function artifactArray<A extends ArtifactArray>(
  artifact: Artifact,
  name: string,
  T: { new (length: number): A; readonly name: string },
  length?: number,
): A {
  const arr = Object.hasOwn(artifact.arrays, name) ? artifact.arrays[name] : undefined;
  if (!(arr instanceof T)) invalid(`${artifact.learner} artifact lacks ${T.name} '${name}'`);
  if (length !== undefined && arr.length !== length) {
    invalid(`${artifact.learner} artifact array '${name}' has ${arr.length} elements; expected ${length}`);
  }
  return arr;
}

/** Decodes `bytes` and checks that the artifact belongs to `learner`. */
export function decodeLearnerArtifact(bytes: Uint8Array, learner: string): Artifact {
  const artifact = decodeArtifact(bytes);
  if (artifact.learner !== learner) {
    invalid(`the artifact holds a ${artifact.learner}, not a ${learner}`);
  }
  return artifact;
}

type Deserializer = (bytes: Uint8Array) => Regressor;
const DESERIALIZERS = new Map<string, Deserializer>();

/**
 * Makes `deserializeLearner` able to read artifacts of `learner`. `src/ml/index.ts` registers every
 * built-in learner; the registry lives here, not in each learner, so that ensembles can restore
 * members of any kind without importing them (which would be an import cycle).
 */
export function registerLearner(learner: string, deserialize: Deserializer): void {
  DESERIALIZERS.set(learner, deserialize);
}

/** Restores any registered learner from its artifact; predictions are bit-identical to the original. */
export function deserializeLearner(bytes: Uint8Array): Regressor {
  const learner = peekLearner(bytes);
  const deserialize = DESERIALIZERS.get(learner);
  if (deserialize === undefined) {
    const known = [...DESERIALIZERS.keys()].join(', ') || 'none';
    invalid(`unknown learner '${learner}' (registered: ${known}; import learners through src/ml/index.js)`);
  }
  return deserialize(bytes);
}

function invalid(why: string): never {
  throw new SalescastError('INVALID_ARTIFACT', `Invalid model artifact: ${why}.`);
}

function align8(n: number): number {
  return (n + 7) & ~7;
}

function readPrelude(r: Reader): number {
  r.need(12, 'header');
  for (let k = 0; k < 4; k++) {
    if (r.bytes[k] !== MAGIC[k]) invalid('bad magic bytes (not a salescast model artifact)');
  }
  r.pos = 4;
  const version = r.u32('format version');
  if (version !== ARTIFACT_FORMAT_VERSION) {
    invalid(`unsupported format version ${version} (this build reads version ${ARTIFACT_FORMAT_VERSION})`);
  }
  const total = r.u32('total length');
  if (total > r.bytes.length) invalid(`truncated: ${r.bytes.length} of ${total} bytes`);
  if (total < r.bytes.length) invalid(`${r.bytes.length - total} unexpected bytes after the artifact`);
  return version;
}

function parseJson(text: string): { params: Record<string, unknown>; meta: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    invalid('the params header is not valid JSON');
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(parsed) || !isObject(parsed.params) || !isObject(parsed.meta)) {
    invalid('the params header lacks params or meta');
  }
  return { params: parsed.params, meta: parsed.meta };
}

function writeLittleEndian(view: DataView, pos: number, arr: ArtifactArray): void {
  const out = new Uint8Array(view.buffer, view.byteOffset + pos, arr.byteLength);
  const src = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  if (isLittleEndianHost || arr.BYTES_PER_ELEMENT === 1) {
    out.set(src);
    return;
  }
  // Big-endian host: reverse the bytes of each element.
  const w = arr.BYTES_PER_ELEMENT;
  for (let i = 0; i < arr.length; i++) for (let b = 0; b < w; b++) out[i * w + b] = src[i * w + (w - 1 - b)];
}

function readLittleEndian(
  bytes: Uint8Array,
  pos: number,
  T: ArrayConstructor,
  length: number,
): ArtifactArray {
  const w = T.BYTES_PER_ELEMENT;
  const copy = bytes.slice(pos, pos + length * w);
  if (!isLittleEndianHost && w > 1) {
    for (let i = 0; i < length; i++) copy.subarray(i * w, (i + 1) * w).reverse();
  }
  return new T(copy.buffer);
}

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) invalid(`truncated while reading the ${what}`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  string(what: string): string {
    const n = this.u32(what);
    this.need(n, what);
    let s: string;
    try {
      s = new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(this.pos, this.pos + n));
    } catch {
      invalid(`the ${what} is not valid UTF-8`);
    }
    this.pos += n;
    return s;
  }
}
