import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SalescastError } from '../core/errors.js';
import type { Regressor } from './estimator.js';
import {
  ARTIFACT_FORMAT_VERSION,
  artifactArray,
  decodeArtifact,
  decodeLearnerArtifact,
  deserializeLearner,
  encodeArtifact,
  peekLearner,
  registerLearner,
} from './serialize.js';

function bytesOf(a: ArrayBufferView): number[] {
  return Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

function artifactError(f: () => unknown): SalescastError {
  try {
    f();
  } catch (e) {
    if (e instanceof SalescastError) return e;
    throw e;
  }
  throw new Error('expected an INVALID_ARTIFACT error');
}

const SAMPLE = {
  learner: 'Test',
  params: { alpha: 0.5, mode: 'x', limit: null },
  meta: { nFeatures: 3, names: ['a', 'b', 'c'] },
  arrays: {
    // Values whose bits a decimal round trip would not preserve.
    coef: new Float64Array([0.1 + 0.2, -0, Number.NaN, Number.MIN_VALUE, -Infinity, 1 / 3]),
    f32: new Float32Array([Math.PI, -1.5]),
    idx: new Int32Array([-7, 0, 2 ** 31 - 1]),
    u32: new Uint32Array([2 ** 32 - 1]),
    i16: new Int16Array([-32768]),
    u16: new Uint16Array([65535, 1]),
    i8: new Int8Array([-128, 127]),
    bins: new Uint8Array([0, 255, 7]),
    empty: new Float64Array(0),
  },
};

describe('encodeArtifact / decodeArtifact', () => {
  it('round-trips every array type bit-identically, with params and meta', () => {
    const bytes = encodeArtifact(SAMPLE);
    expect(Array.from(bytes.subarray(0, 4), (b) => String.fromCharCode(b)).join('')).toBe('SCML');
    const a = decodeArtifact(bytes);
    expect(a.version).toBe(ARTIFACT_FORMAT_VERSION);
    expect(a.learner).toBe('Test');
    expect(a.params).toEqual(SAMPLE.params);
    expect(a.meta).toEqual(SAMPLE.meta);
    expect(Object.keys(a.arrays)).toEqual(Object.keys(SAMPLE.arrays));
    for (const [name, arr] of Object.entries(SAMPLE.arrays)) {
      expect(a.arrays[name].constructor).toBe(arr.constructor);
      expect(bytesOf(a.arrays[name])).toEqual(bytesOf(arr));
    }
  });

  it('stores payloads little-endian at 8-byte aligned offsets', () => {
    const bytes = encodeArtifact({ learner: 'L', params: {}, arrays: { x: new Float64Array([1]) } });
    const payload = bytes.subarray(bytes.length - 8);
    expect(Array.from(payload)).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect((bytes.length - 8) % 8).toBe(0);
  });

  it('reads arrays from a view at a non-zero byte offset and does not alias the input', () => {
    const bytes = encodeArtifact(SAMPLE);
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const a = decodeArtifact(shifted.subarray(3));
    expect(bytesOf(a.arrays.coef)).toEqual(bytesOf(SAMPLE.arrays.coef));
    shifted.fill(0);
    expect(a.arrays.idx[0]).toBe(-7);
  });

  it('encodes subarray views by their visible elements only', () => {
    const big = new Float64Array([1, 2, 3, 4]);
    const a = decodeArtifact(encodeArtifact({ learner: 'L', params: {}, arrays: { v: big.subarray(1, 3) } }));
    expect(Array.from(a.arrays.v)).toEqual([2, 3]);
  });

  it('rejects bad magic', () => {
    const bytes = encodeArtifact(SAMPLE);
    bytes[0] = 0x58;
    const e = artifactError(() => decodeArtifact(bytes));
    expect(e.code).toBe('INVALID_ARTIFACT');
    expect(e.message).toContain('bad magic');
  });

  it('rejects an unknown version', () => {
    const bytes = encodeArtifact(SAMPLE);
    new DataView(bytes.buffer).setUint32(4, 99, true);
    expect(artifactError(() => decodeArtifact(bytes)).message).toContain('unsupported format version 99');
  });

  it('rejects truncation at every length and trailing bytes', () => {
    const bytes = encodeArtifact(SAMPLE);
    for (const n of [0, 3, 8, 11, 12, 20, bytes.length - 1]) {
      const e = artifactError(() => decodeArtifact(bytes.subarray(0, n)));
      expect(e.code).toBe('INVALID_ARTIFACT');
      expect(e.message).toMatch(/truncated/);
    }
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(artifactError(() => decodeArtifact(longer)).message).toContain('unexpected bytes');
  });

  it('rejects a lying length field inside the artifact', () => {
    const bytes = encodeArtifact({ learner: 'L', params: {}, arrays: { x: new Float64Array([1, 2]) } });
    // Layout: …name 'x' (1 byte), type code (1 byte), then the u32 element count.
    const countPos = bytes.indexOf(0x78, 12) + 2;
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(countPos, true)).toBe(2);
    view.setUint32(countPos, 3, true);
    expect(artifactError(() => decodeArtifact(bytes)).message).toContain("payload of array 'x'");
  });

  it('rejects an unknown element type and a malformed header', () => {
    const bytes = encodeArtifact({ learner: 'L', params: {}, arrays: { x: new Uint8Array([1]) } });
    // Layout: …name 'x' (1 byte), then the type code byte, then the u32 count.
    const typePos = bytes.indexOf(0x78, 12) + 1;
    bytes[typePos] = 42;
    expect(artifactError(() => decodeArtifact(bytes)).message).toContain('unknown element type 42');

    const good = encodeArtifact({ learner: 'L', params: { a: 1 } });
    const brace = good.indexOf(0x7b); // first '{' of the JSON header
    good[brace] = 0x5b; // '['
    expect(artifactError(() => decodeArtifact(good)).message).toContain('not valid JSON');
  });

  it("keeps an array named '__proto__' as a plain entry and rejects duplicate names", () => {
    const arrays = Object.defineProperty({}, '__proto__', { value: new Int32Array([5]), enumerable: true });
    const a = decodeArtifact(encodeArtifact({ learner: 'L', params: {}, arrays }));
    expect(Object.keys(a.arrays)).toEqual(['__proto__']);
    expect(artifactArray(a, '__proto__', Int32Array, 1)[0]).toBe(5);

    const twice = encodeArtifact({
      learner: 'L',
      params: {},
      arrays: { a: new Uint8Array([1]), b: new Uint8Array([2]) },
    });
    twice[twice.indexOf(0x62, 12)] = 0x61; // rename 'b' to 'a'
    expect(artifactError(() => decodeArtifact(twice)).message).toContain("array 'a' appears twice");
  });

  it('peeks the learner name without decoding arrays', () => {
    expect(peekLearner(encodeArtifact(SAMPLE))).toBe('Test');
  });
});

describe('artifactArray / decodeLearnerArtifact', () => {
  const artifact = decodeArtifact(encodeArtifact(SAMPLE));

  it('returns a typed array of the requested type and length', () => {
    expect(artifactArray(artifact, 'idx', Int32Array, 3)[2]).toBe(2 ** 31 - 1);
  });

  it('rejects missing arrays, wrong types and wrong lengths as INVALID_ARTIFACT', () => {
    expect(artifactError(() => artifactArray(artifact, 'nope', Float64Array)).message).toContain(
      "lacks Float64Array 'nope'",
    );
    expect(artifactError(() => artifactArray(artifact, 'idx', Float64Array)).code).toBe('INVALID_ARTIFACT');
    expect(artifactError(() => artifactArray(artifact, 'idx', Int32Array, 4)).message).toContain(
      'has 3 elements; expected 4',
    );
  });

  it('checks the learner name', () => {
    expect(artifactError(() => decodeLearnerArtifact(encodeArtifact(SAMPLE), 'Ridge')).message).toContain(
      'holds a Test, not a Ridge',
    );
  });
});

describe('deserializeLearner', () => {
  it('dispatches on the learner name to the registered deserializer', () => {
    const restored: Regressor = {
      name: 'Registered',
      params: {},
      fit() {
        return this;
      },
      predict: () => new Float64Array(0),
      predictRow: () => 42,
      serialize: () => new Uint8Array(0),
    };
    registerLearner('Registered', (bytes) => {
      expect(peekLearner(bytes)).toBe('Registered');
      return restored;
    });
    expect(deserializeLearner(encodeArtifact({ learner: 'Registered', params: {} }))).toBe(restored);
  });

  it('rejects unknown learners, naming the registered ones', () => {
    const e = artifactError(() => deserializeLearner(encodeArtifact({ learner: 'Nope', params: {} })));
    expect(e.code).toBe('INVALID_ARTIFACT');
    expect(e.message).toContain("unknown learner 'Nope'");
  });
});

describe('artifact properties', () => {
  const arrayArb = fc.oneof(
    fc.float64Array({ maxLength: 20 }),
    fc.int32Array({ maxLength: 20 }),
    fc.uint8Array({ maxLength: 20 }),
    fc.float32Array({ maxLength: 20 }),
    fc.uint16Array({ maxLength: 20 }),
  );

  it('round-trips any set of named arrays and JSON params bit-identically', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 12 }),
        fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constant('__proto__')), arrayArb, {
          maxKeys: 5,
        }),
        fc.dictionary(
          fc.string({ maxLength: 8 }),
          fc.oneof(fc.integer(), fc.boolean(), fc.string(), fc.constant(null)),
        ),
        (learner, arrays, params) => {
          const a = decodeArtifact(encodeArtifact({ learner, params, arrays }));
          expect(a.learner).toBe(learner);
          expect(a.params).toEqual(params);
          expect(Object.keys(a.arrays)).toEqual(Object.keys(arrays));
          for (const [name, arr] of Object.entries(arrays)) {
            expect(a.arrays[name].constructor).toBe(arr.constructor);
            expect(bytesOf(a.arrays[name])).toEqual(bytesOf(arr));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never fails on corrupt bytes with anything but INVALID_ARTIFACT', () => {
    const good = encodeArtifact(SAMPLE);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: good.length - 1 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: good.length }),
        (pos, byte, cut) => {
          const bad = good.slice(0, cut);
          if (pos < bad.length) bad[pos] = byte;
          try {
            decodeArtifact(bad);
          } catch (e) {
            expect(e).toBeInstanceOf(SalescastError);
            expect((e as SalescastError).code).toBe('INVALID_ARTIFACT');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
