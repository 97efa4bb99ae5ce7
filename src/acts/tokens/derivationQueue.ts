/**
 * Single tokenize requests that arrive in the same turn of the event loop are derived together,
 * as one batch: each FF1 round once for all of them (src/crypto/ff1.ts encryptInts). One token on
 * its own takes two FF1 calls of ten AES calls each; under load, sockets deliver several requests
 * per turn, and each then costs a fraction of that. A request alone waits one setImmediate.
 */
import type { Tokenizer } from '../../derivation/tokenizer.js';

export interface DerivationQueue {
  /** The token of a canonical national ID in a sector under the tokenizer's current key version. */
  token(tokenizer: Tokenizer, sector: string, canonicalId: string): Promise<string>;
}

interface Waiting {
  tokenizer: Tokenizer;
  sector: string;
  canonicalId: string;
  resolve: (token: string) => void;
  reject: (err: unknown) => void;
}

export function createDerivationQueue(): DerivationQueue {
  let waiting: Waiting[] = [];

  const deriveTogether = (group: Waiting[]): void => {
    const { tokenizer, sector } = group[0]!;
    try {
      const tokens = tokenizer.tokenizeMany(
        sector,
        group.map((w) => w.canonicalId),
      );
      group.forEach((w, i) => w.resolve(tokens[i]!));
    } catch (err) {
      group.forEach((w) => w.reject(err));
    }
  };

  const flush = (): void => {
    const turn = waiting;
    waiting = [];
    // One batch per tokenizer (a SIGHUP reload may swap it mid-turn) and sector, in arrival order.
    const groups = new Map<Tokenizer, Map<string, Waiting[]>>();
    for (const w of turn) {
      let bySector = groups.get(w.tokenizer);
      if (!bySector) groups.set(w.tokenizer, (bySector = new Map<string, Waiting[]>()));
      const group = bySector.get(w.sector);
      if (group) group.push(w);
      else bySector.set(w.sector, [w]);
    }
    for (const bySector of groups.values()) for (const group of bySector.values()) deriveTogether(group);
  };

  return {
    token(tokenizer, sector, canonicalId) {
      if (waiting.length === 0) setImmediate(flush);
      return new Promise((resolve, reject) => waiting.push({ tokenizer, sector, canonicalId, resolve, reject }));
    },
  };
}
