/**
 * Download a signed checkpoint of a chain's head (this instance's, or another worker's chain in the
 * same audit directory when there are several), and show the fingerprint of the key that signed it
 * (SHA-256 of the raw Ed25519 public key), to compare with the key pinned elsewhere.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { useState } from 'preact/hooks';
import type { Checkpoint } from './api.js';
import { formatTime } from './format.js';
import { useI18n } from './i18n.js';

function base64urlBytes(text: string): Uint8Array {
  const b64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export const fingerprint = (publicKey: string): string =>
  Array.from(sha256(base64urlBytes(publicKey)), (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .replace(/(.{4})(?!$)/g, '$1 ');

function download(checkpoint: Checkpoint): void {
  const blob = new Blob([JSON.stringify(checkpoint, null, 2) + '\n'], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `checkpoint-${checkpoint.instance}-${checkpoint.size}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `instances`: the chains of the directory, this instance's first; a choice is offered when there are several. */
export function CheckpointPanel({
  instances,
  take,
}: {
  instances: string[];
  take: (instance: string | undefined) => Promise<Checkpoint | undefined>;
}) {
  const { lang, t } = useI18n();
  const [checkpoint, setCheckpoint] = useState<Checkpoint | null>(null);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const instance = chosen !== undefined && instances.includes(chosen) ? chosen : instances[0];
  const onClick = async () => {
    const cp = await take(instance);
    if (!cp) return;
    setCheckpoint(cp);
    download(cp);
  };
  return (
    <section aria-labelledby="checkpoint-title" class="panel">
      <h2 id="checkpoint-title">{t('audit.checkpoint')}</h2>
      <p>{t('audit.checkpointIntro')}</p>
      {instances.length > 1 && (
        <p>
          <label for="cp-instance">{t('audit.checkpointOf')}</label>{' '}
          <select id="cp-instance" value={instance} onChange={(e) => setChosen(e.currentTarget.value)}>
            {instances.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </p>
      )}
      <button type="button" class="primary" onClick={() => void onClick()}>
        {t('audit.download')}
      </button>
      {checkpoint && (
        <dl class="facts stacked" data-testid="checkpoint">
          <dt>{t('audit.fingerprint')}</dt>
          <dd class="mono" data-testid="fingerprint">
            {fingerprint(checkpoint.publicKey)}
          </dd>
          <dt>{t('audit.publicKey')}</dt>
          <dd class="mono">{checkpoint.publicKey}</dd>
          <dt>{t('audit.instance')}</dt>
          <dd>{checkpoint.instance}</dd>
          <dt>{t('audit.size')}</dt>
          <dd>{checkpoint.size}</dd>
          <dt>{t('audit.headHash')}</dt>
          <dd class="mono">{checkpoint.headHash}</dd>
          <dt>{t('audit.time')}</dt>
          <dd>{formatTime(lang, checkpoint.time)}</dd>
        </dl>
      )}
    </section>
  );
}
