/**
 * Seeded pseudo-random numbers. Every random step in salescast takes one of these so that the same
 * seed gives the same result on every machine. The generator is xoshiro128** (32-bit state words,
 * exact in JavaScript integer arithmetic), seeded through splitmix32.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal, N(0, 1). */
  normal(): number;
  /** Poisson-distributed count with mean `lambda` (≥ 0). */
  poisson(lambda: number): number;
  /** Gamma(shape, 1) variate, shape > 0. */
  gamma(shape: number): number;
  /** A new generator whose stream is independent of this one's, derived deterministically. */
  fork(): Rng;
  /** Fisher–Yates shuffle in place. */
  shuffle<T>(values: T[] | Uint32Array | Int32Array): void;
}

function splitmix32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x9e3779b9) >>> 0;
    let z = a;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Xoshiro128 implements Rng {
  // The four state words as int32 bits. In a typed array they stay untagged 32-bit integers; as
  // number fields above 2^31 they were heap numbers, and a draw took about 25 ns instead of 2.
  private readonly s = new Int32Array(4);
  private spareNormal: number | undefined;

  constructor(seed: number) {
    const sm = splitmix32(seed);
    const s = this.s;
    for (let k = 0; k < 4; k++) s[k] = sm();
    if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  }

  private nextU32(): number {
    const s = this.s;
    const s0 = s[0];
    const s1 = s[1];
    const m = Math.imul(s1, 5);
    const result = Math.imul(rotl(m, 7), 9) >>> 0;
    const s2 = s[2] ^ s0;
    const s3 = s[3] ^ s1;
    s[1] = s1 ^ s2;
    s[0] = s0 ^ s3;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return result;
  }

  next(): number {
    return this.nextU32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  normal(): number {
    if (this.spareNormal !== undefined) {
      const v = this.spareNormal;
      this.spareNormal = undefined;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda < 30) {
      // Knuth's multiplication method: exact and fast for small means.
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    // Large means: normal approximation with continuity correction is accurate to well under 1%.
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
  }

  gamma(shape: number): number {
    // Marsaglia and Tsang (2000); shape < 1 is boosted by U^(1/shape).
    if (shape < 1) return this.gamma(shape + 1) * this.next() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.next();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  fork(): Rng {
    return new Xoshiro128(this.nextU32() ^ 0x5bd1e995);
  }

  shuffle<T>(values: T[] | Uint32Array | Int32Array): void {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp as never;
    }
  }
}

/** The 32 bits of `x` rotated left by `k`, as int32 bits. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A generator for `seed` (any finite number; it is reduced to 32 bits). */
export function createRng(seed: number): Rng {
  return new Xoshiro128(Math.trunc(seed) >>> 0);
}
