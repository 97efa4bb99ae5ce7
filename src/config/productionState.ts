/**
 * Production keeps its legally required audit log where it outlives the process, under a name that
 * stays the same: `serve` refuses, in one line, a production start that leaves either to a default.
 * A host name changes with each container, so the chain would silently start anew each time; a
 * default audit directory inside the package (in the image, `/app/audit`) lives in the container's
 * own layer, which `docker rm` deletes. Other commands (keys, clients) write no audit and are not
 * concerned.
 */
import { relative, resolve, sep } from 'node:path';
import { PACKAGE_ROOT, type Settings } from './env.js';
import { ConfigError } from './schema.js';

const inside = (dir: string, root: string): boolean => {
  const rel = relative(resolve(root), resolve(dir));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
};

export function requireNamedState(env: NodeJS.ProcessEnv, settings: Settings): void {
  if (!settings.production) return;
  if (!env.SECTOKEN_INSTANCE_ID?.trim())
    throw new ConfigError(
      "production needs SECTOKEN_INSTANCE_ID: this instance's name in the audit log, the same across restarts and new containers (the host name would start a new chain each time), e.g. SECTOKEN_INSTANCE_ID=sectoken-1",
    );
  if (!env.SECTOKEN_AUDIT_DIR?.trim())
    throw new ConfigError(
      'production needs SECTOKEN_AUDIT_DIR: the directory of the audit log, named, on storage that outlives the process (in a container, a mounted directory)',
    );
  if (inside(settings.auditDir, PACKAGE_ROOT))
    throw new ConfigError(
      `SECTOKEN_AUDIT_DIR ${settings.auditDir} is inside the package (${PACKAGE_ROOT}): production keeps the audit log on storage of its own (in a container, a mounted directory such as /var/lib/sectoken/audit)`,
    );
}
