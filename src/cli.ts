#!/usr/bin/env node
/** The `sectoken` command line: serve, keys, clients, audit, bulk. Mistakes print one line and exit 1. */
import { Command } from 'commander';
import { auditCommand } from './cli/audit.js';
import { bulkCommand } from './cli/bulk.js';
import { blindTokenCommand } from './cli/blindToken.js';
import { clientsCommand } from './cli/clients.js';
import { keysCommand } from './cli/keys.js';
import { SETTINGS_DOC } from './config/env.js';
import { OperatorError } from './errors.js';
import { serve } from './server.js';
import { VERSION } from './service.js';

// Positional options: the program's -V/--version counts only before the command, so a command's
// own mistyped --version is refused instead of printing the version and doing nothing.
const program = new Command('sectoken')
  .version(VERSION, '-V, --version')
  .enablePositionalOptions()
  .description('Sector tokens for a national digital-identity trusted third party');
program
  .command('serve')
  .description('run the HTTP service')
  .addHelpText(
    'after',
    '\nEnvironment:\n' + SETTINGS_DOC.map((s) => `  ${s.env.padEnd(18)} ${s.doc} (default: ${s.fallback})`).join('\n'),
  )
  .action(serve);
program.addCommand(keysCommand());
program.addCommand(clientsCommand());
program.addCommand(auditCommand());
program.addCommand(bulkCommand());
program.addCommand(blindTokenCommand());

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof OperatorError) {
    process.stderr.write(`sectoken: ${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
