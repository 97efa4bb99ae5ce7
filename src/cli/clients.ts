/** `sectoken clients add`: a new client in the configuration file; its API key is printed once. */
import { Command } from 'commander';
import { hashApiKey, newApiKey } from '../access/apiKeys.js';
import { readSettings } from '../config/env.js';
import { jsonSyntaxError } from '../config/jsonError.js';
import { ConfigError, parseConfig, ROLES } from '../config/schema.js';
import { writeSecretFile } from '../keys/store.js';
import { readNamedFile } from './errors.js';

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
    .action((opts: { id: string; role: string; sectors: string; description?: string; person?: string; organisation?: string }) => {
      const { configPath } = readSettings();
      const text = readNamedFile(configPath, 'configuration');
      let raw: { clients?: unknown[] } & Record<string, unknown>;
      try {
        raw = JSON.parse(text) as typeof raw;
      } catch (err) {
        throw new ConfigError(`configuration ${configPath} is not valid JSON: ${jsonSyntaxError(text, err)}`);
      }
      const apiKey = newApiKey();
      const client = {
        id: opts.id,
        ...(opts.description ? { description: opts.description } : {}),
        role: opts.role,
        ...(opts.person !== undefined ? { person: opts.person } : {}),
        ...(opts.organisation !== undefined ? { organisation: opts.organisation } : {}),
        sectors: opts.sectors.split(',').map((s) => s.trim()).filter(Boolean),
        apiKeySha256: hashApiKey(apiKey),
      };
      const updated = { ...raw, clients: [...(raw.clients ?? []), client] };
      parseConfig(updated, configPath); // refuses an unknown role or sector, a duplicate id
      writeSecretFile(configPath, JSON.stringify(updated, null, 2) + '\n');
      process.stderr.write(`added client "${opts.id}" (${opts.role}) to ${configPath}; its API key, shown only now:\n`);
      process.stdout.write(apiKey + '\n');
    });
  return clients;
}
