// npm 11 here writes only this platform's optional native bindings into package-lock.json, and
// then its own `npm ci` refuses the lock ("Missing: … from lock file"). This adds the missing
// entries from the registry's metadata; where the registry here has no such version (it serves
// this platform's only), from the platform in the package's name, which is all npm needs to skip it.
// Run after regenerating the lock: node scripts/lock-add-optional.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key] || lock.packages[`${path}/node_modules/${name}`]) continue;
    const meta = registryMeta(name, version) ?? platformOf(name, version);
    lock.packages[key] = {
      version: meta.version,
      ...(meta.dist ? { integrity: meta.dist.integrity } : {}),
      ...(meta.cpu ? { cpu: meta.cpu } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(meta.libc ? { libc: meta.libc } : {}),
      ...(meta.license ? { license: meta.license } : {}),
      optional: true,
      ...(meta.os ? { os: meta.os } : {}),
      ...(meta.dependencies ? { dependencies: meta.dependencies } : {}),
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added} optional entries`);

function registryMeta(name, version) {
  try {
    return JSON.parse(
      execFileSync('npm', ['view', `${name}@${version}`, '--json'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
  } catch {
    return undefined;
  }
}

function platformOf(name, version) {
  const os = [
    'android',
    'darwin',
    'freebsd',
    'linux',
    'openharmony',
    'win32',
    'sunos',
    'aix',
    'netbsd',
    'openbsd',
  ].find((o) => name.includes(`-${o}-`));
  const cpu = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'wasm32'].find((c) =>
    name.includes(`-${c}`),
  );
  const libc = name.includes('-musl') ? ['musl'] : name.includes('-gnu') && os === 'linux' ? ['glibc'] : undefined;
  return { version, ...(os ? { os: [os] } : {}), ...(cpu ? { cpu: [cpu] } : {}), ...(libc ? { libc } : {}) };
}
