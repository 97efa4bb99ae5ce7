/**
 * Single requests of one event-loop turn are derived together (src/acts/tokens/derivationQueue.ts): one
 * tokenizeMany per tokenizer and sector, each caller its own token, a failure only its group's.
 */
import { parseConfig } from '../../src/config/schema.js';
import { createDerivationQueue } from '../../src/acts/tokens/derivationQueue.js';
import { createTokenizer, type Tokenizer } from '../../src/derivation/tokenizer.js';
import { generateKeyring } from '../../src/keys/keyring.js';
import { devConfig } from '../helpers/service.js';

const config = parseConfig(devConfig(), 'sample');
const newTokenizer = (): Tokenizer => createTokenizer(config, generateKeyring(Object.keys(config.sectors), false));

/** The tokenizer, with every tokenizeMany call's sector and IDs recorded. */
function watched(tokenizer: Tokenizer): { tokenizer: Tokenizer; calls: [string, readonly string[]][] } {
  const calls: [string, readonly string[]][] = [];
  return {
    calls,
    tokenizer: {
      ...tokenizer,
      tokenizeMany: (sector, ids) => {
        calls.push([sector, [...ids]]);
        return tokenizer.tokenizeMany(sector, ids);
      },
    },
  };
}

describe('the derivation queue', () => {
  it('derives the requests of one turn in one call per sector, each answered with its own token', async () => {
    const { tokenizer, calls } = watched(newTokenizer());
    const queue = createDerivationQueue();
    const asked: [string, string][] = [
      ['tax', 'AB123456'],
      ['social', 'CD000001'],
      ['tax', 'EF654321'],
      ['tax', 'A1'],
      ['social', 'ZZ999999'],
    ];
    const tokens = await Promise.all(asked.map(([sector, id]) => queue.token(tokenizer, sector, id)));
    expect(tokens).toEqual(asked.map(([sector, id]) => tokenizer.tokenize(sector, id).token));
    expect(calls.slice(0, 2)).toEqual([
      ['tax', ['AB123456', 'EF654321', 'A1']],
      ['social', ['CD000001', 'ZZ999999']],
    ]);
  });

  it('answers a request alone in its turn, and the next turn is a batch of its own', async () => {
    const { tokenizer, calls } = watched(newTokenizer());
    const queue = createDerivationQueue();
    expect(await queue.token(tokenizer, 'health', 'AB123456')).toBe(tokenizer.tokenize('health', 'AB123456').token);
    await Promise.all([queue.token(tokenizer, 'health', 'B2'), queue.token(tokenizer, 'health', 'C3')]);
    expect(calls).toEqual([
      ['health', ['AB123456']],
      ['health', ['B2', 'C3']],
    ]);
  });

  it('keeps tokenizers apart (a reload swapped mid-turn): each request gets the token of the tokenizer it came with', async () => {
    const before = newTokenizer();
    const after = newTokenizer();
    const queue = createDerivationQueue();
    const [old, fresh] = await Promise.all([
      queue.token(before, 'tax', 'AB123456'),
      queue.token(after, 'tax', 'AB123456'),
    ]);
    expect(old).toBe(before.tokenize('tax', 'AB123456').token);
    expect(fresh).toBe(after.tokenize('tax', 'AB123456').token);
    expect(old).not.toBe(fresh);
  });

  it('fails only the group whose derivation threw', async () => {
    const good = newTokenizer();
    const broken: Tokenizer = {
      ...good,
      tokenizeMany: () => {
        throw new Error('broken keyring');
      },
    };
    const queue = createDerivationQueue();
    const results = await Promise.allSettled([
      queue.token(broken, 'tax', 'AB123456'),
      queue.token(good, 'tax', 'AB123456'),
      queue.token(broken, 'tax', 'CD1'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseFulfilledResult<string>).value).toBe(good.tokenize('tax', 'AB123456').token);
  });
});
