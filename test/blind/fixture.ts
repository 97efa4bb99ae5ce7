/** A configuration for blind tests: the sample, with a regulator in scope of `civil` and a basis to translate tax ⇄ civil. */
import { devConfig } from '../helpers/service.js';

export const BLIND_BASIS = 'BLIND-TEST-BASIS';

export function blindConfig(
  rateLimits: Record<string, unknown> = { defaults: {}, clients: {} },
): Record<string, unknown> {
  const config = devConfig() as {
    clients: Array<{ id: string; sectors: string[] }>;
    legalBases: unknown[];
  } & Record<string, unknown>;
  const clients = config.clients.map((c) =>
    c.id === 'regulator-cndp' ? { ...c, sectors: [...c.sectors, 'civil'] } : c,
  );
  const legalBases = [
    ...config.legalBases,
    {
      id: BLIND_BASIS,
      title: 'Test basis: translation between tax and the blind civil sector',
      reference: 'test',
      acts: ['translate', 'reverse'],
      sectors: ['civil'],
      sectorPairs: [
        ['tax', 'civil'],
        ['civil', 'tax'],
      ],
      dualControl: false,
    },
  ];
  return { ...config, clients, legalBases, rateLimits };
}
