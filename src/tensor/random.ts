/** Seeded random numbers: a Mersenne Twister (mt19937, as PyTorch's CPU generator) behind `torch.manualSeed`. */

/** A seeded generator of uniform and normal samples. */
export class Generator {
  private mt = new Uint32Array(624);
  private index = 625;
  private spareNormal: number | null = null;
  private seedValue = 0;

  constructor(seed = 67280421310721) {
    this.manualSeed(seed);
  }

  /** Re-seeds the generator (like `torch.manual_seed`). */
  manualSeed(seed: number | bigint): this {
    const s = BigInt.asUintN(64, BigInt(seed));
    this.seedValue = Number(s);
    this.mt[0] = Number(s & 0xffffffffn);
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = 624;
    this.spareNormal = null;
    return this;
  }

  /** The seed last set. */
  initialSeed(): number {
    return this.seedValue;
  }

  /** The full state, for checkpoints (`getState`/`setState` round-trip exactly). */
  getState(): Uint8Array {
    const out = new Uint8Array(624 * 4 + 16);
    const view = new DataView(out.buffer);
    this.mt.forEach((v, i) => view.setUint32(i * 4, v, true));
    view.setUint32(2496, this.index, true);
    view.setUint32(2500, this.spareNormal === null ? 0 : 1, true);
    view.setFloat64(2504, this.spareNormal ?? 0, true);
    return out;
  }

  /** Restores a state from `getState`. */
  setState(state: Uint8Array): this {
    if (state.byteLength !== 624 * 4 + 16) throw new Error(`Generator state must be ${624 * 4 + 16} bytes, got ${state.byteLength}`);
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength);
    for (let i = 0; i < 624; i++) this.mt[i] = view.getUint32(i * 4, true);
    this.index = view.getUint32(2496, true);
    this.spareNormal = view.getUint32(2500, true) ? view.getFloat64(2504, true) : null;
    return this;
  }

  /** The next 32 random bits. */
  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform sample in [0, 1) with 53 bits of precision. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** A standard normal sample (Box-Muller). */
  normal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    const u1 = 1 - this.random();
    const u2 = this.random();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [low, high). */
  randint(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low));
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }
}

const defaultGenerator = new Generator();

/** The generator used by `rand`, `randn`, init functions and dropout. */
export function globalGenerator(): Generator {
  return defaultGenerator;
}

/** Seeds the global generator (`torch.manual_seed`). */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** The global generator's state (`torch.get_rng_state`). */
export function getRngState(): Uint8Array {
  return defaultGenerator.getState();
}

/** Restores the global generator's state (`torch.set_rng_state`). */
export function setRngState(state: Uint8Array): void {
  defaultGenerator.setState(state);
}
