// What `npm test` needs of the machine beyond `npm ci`, checked before any test runs: each missing
// one is a line saying what to install, instead of a test failing far into the run. (.ci/run
// installs them on Debian.) Run by `npm test` first; alone: node scripts/test-prerequisites.mjs
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;

/** @type {[name: string, present: () => boolean, why: string][]} */
const NEEDS = [
  [
    'redis-server',
    () => has('redis-server') && has('redis-cli'),
    'redis-server and redis-cli (Debian: apt-get install redis-server): the Redis, cluster and outage tests start their own',
  ],
  [
    'chromium',
    () => existsSync('/usr/bin/chromium'),
    "Debian's chromium at /usr/bin/chromium (apt-get install chromium): the console's browser tests",
  ],
  [
    'gcc',
    () => has('gcc') && existsSync('/usr/include/stdio.h'),
    'gcc and libc6-dev (apt-get install gcc libc6-dev): the audit fault tests build an LD_PRELOAD shim that makes fsync fail',
  ],
  [
    'root',
    () => process.getuid?.() === 0,
    'root: the audit fault tests mount a small tmpfs (ENOSPC) and change file owners',
  ],
  [
    'mount, prlimit',
    () => has('mount') && has('prlimit'),
    'mount and prlimit (util-linux): the ENOSPC and EFBIG fault tests',
  ],
  ['curl', () => has('curl'), "curl (apt-get install curl): the README's walk-through is run as printed"],
  [
    'softhsm2',
    () => existsSync('/usr/lib/softhsm/libsofthsm2.so') && has('softhsm2-util'),
    'SoftHSM2 (apt-get install softhsm2): the PKCS#11 key-encryption-key tests',
  ],
  [
    'opensc',
    () =>
      has('pkcs11-tool') &&
      ['x86_64', 'aarch64'].some((arch) => existsSync(`/usr/lib/${arch}-linux-gnu/pkcs11/pkcs11-spy.so`)),
    'OpenSC (apt-get install opensc): the PKCS#11 tests make keys with pkcs11-tool and count logins with pkcs11-spy',
  ],
];

const missing = NEEDS.filter(([, present]) => !present());
for (const [name, , why] of missing) process.stderr.write(`npm test needs ${name}: ${why}\n`);
if (missing.length > 0) process.exit(1);
