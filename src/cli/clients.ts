/**
 * `sectoken clients add`: a new client in the configuration file; its API key is printed once.
 * `sectoken clients remove`: a client taken out of it, so that its key (leaked, or no longer
 * needed) is refused by the running service after its next reload (SIGHUP).
 */
import { Command } from 'commander';
import { hashApiKey, newApiKey } from '../access/apiKeys.js';
import { ROLES } from '../config/schema.js';
import { checkClientFlags, clientsConfigPath } from './clientsTarget.js';
import { readRawConfig, rewriteConfig } from './configFile.js';
import { CliError } from './errors.js';

/** What a running service needs to take a change in: said after every change. */
const TAKE_IT_IN = 'send the running service SIGHUP (kill -HUP <pid>, the pid of its start banner) to take it in';

export function clientsCommand(): Command {
  const clients = new Command('clients').description('manage API clients in the configuration file (SECTOKEN_CONFIG)');
  clients
    .command('add')
    .description('add a client and print its new API key once (only its SHA-256 is stored)')
    .requiredOption('--id <id>', 'client id')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--sectors <list>', 'comma-separated sector ids the client may use', '')
    .option('--description <text>', 'free text for people')
    .option('--person <name>', 'the accountable person who holds the key (required of regulators)')
    .option('--organisation <name>', 'the organisation that person acts for (required of regulators)')
    .option(
      '--config <path>',
      `the configuration file to change (default: SECTOKEN_CONFIG; the development sample only when named here)`,
    )
    .action(
      (opts: {
        id: string;
        role: string;
        sectors: string;
        description?: string;
        person?: string;
        organisation?: string;
        config?: string;
      }) => {
        const configPath = clientsConfigPath(opts.config);
        const raw = readRawConfig(configPath);
        const sectors = opts.sectors
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        checkClientFlags({ ...opts, sectors }, raw, configPath);
        const apiKey = newApiKey();
        const client = {
          id: opts.id,
          ...(opts.description ? { description: opts.description } : {}),
          role: opts.role,
          ...(opts.person !== undefined ? { person: opts.person } : {}),
          ...(opts.organisation !== undefined ? { organisation: opts.organisation } : {}),
          sectors,
          apiKeySha256: hashApiKey(apiKey),
        };
        // Refuses an unknown role or sector, a duplicate id, a second spelling of a person.
        rewriteConfig(configPath, { ...raw, clients: [...(raw.clients ?? []), client] });
        process.stderr.write(
          `added client "${opts.id}" (${opts.role}) to ${configPath} (${TAKE_IT_IN}); its API key, shown only now:\n`,
        );
        process.stdout.write(apiKey + '\n');
      },
    );
  clients
    .command('remove')
    .description(
      'remove a client, and with it its API key and its own rate limits (revocation: then SIGHUP the service)',
    )
    .requiredOption('--id <id>', 'client id')
    .option(
      '--config <path>',
      'the configuration file to change (default: SECTOKEN_CONFIG; the development sample only when named here)',
    )
    .action((opts: { id: string; config?: string }) => {
      const configPath = clientsConfigPath(opts.config);
      const raw = readRawConfig(configPath);
      const list = (raw.clients ?? []) as { id?: unknown }[];
      if (!list.some((c) => c.id === opts.id)) {
        const ids = list.map((c) => String(c.id)).join(', ');
        throw new CliError(`no client "${opts.id}" in ${configPath} (its clients: ${ids || 'none'})`);
      }
      // Its own rate limits go with it: the configuration refuses limits of an unknown client.
      const rateLimits = raw.rateLimits as { clients?: Record<string, unknown> } | undefined;
      const { [opts.id]: _own, ...otherLimits } = rateLimits?.clients ?? {};
      rewriteConfig(configPath, {
        ...raw,
        clients: list.filter((c) => c.id !== opts.id),
        ...(rateLimits?.clients ? { rateLimits: { ...rateLimits, clients: otherLimits } } : {}),
      });
      process.stderr.write(
        `removed client "${opts.id}" from ${configPath}; its key works until the service reloads: ${TAKE_IT_IN}\n`,
      );
    });
  return clients;
}
