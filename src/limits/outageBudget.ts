/**
 * What a client may still take of `identities` on this instance while the shared limits (Redis)
 * cannot be asked (README "Redis"): per window, at most the smaller of what Redis last said was
 * left of it and a conservative share of the window, counted in process. The share is the whole of
 * a rate window (a minute or less) and 1 % of a longer one (a daily quota): a client past its
 * quota gets nothing more, and an outage never hands out a fresh quota. Reverse, translate and the
 * refusal budget have no outage budget: they fail closed.
 */
export const OUTAGE_SHARE = 0.01;
const RATE_WINDOW_SECONDS = 60;

export interface Window {
  points: number;
  perSeconds: number;
}

export interface OutageBudget {
  /** What Redis answered for `name` (a window of a client and sector): `used` points, the window ends in `msLeft`. */
  note(name: string, window: Window, used: number, msLeft: number): void;
  /** Takes `points` in process; the seconds to wait when they are not there. */
  take(name: string, window: Window, points: number): number | undefined;
}

export const outageShare = (w: Window): number =>
  w.perSeconds <= RATE_WINDOW_SECONDS ? w.points : Math.floor(w.points * OUTAGE_SHARE);

export function outageBudget(now: () => number = Date.now): OutageBudget {
  /** What Redis last said is left, less what was taken here since. */
  const known = new Map<string, { left: number; endsAt: number }>();
  /** What was taken here, per window of our own: at most the share, however often Redis comes and goes. */
  const local = new Map<string, { used: number; endsAt: number }>();
  const current = <T extends { endsAt: number }>(map: Map<string, T>, name: string): T | undefined => {
    const entry = map.get(name);
    return entry && entry.endsAt > now() ? entry : undefined;
  };
  return {
    note(name, window, used, msLeft) {
      known.set(name, { left: Math.max(0, window.points - used), endsAt: now() + msLeft });
    },
    take(name, window, points) {
      const ours = current(local, name) ?? { used: 0, endsAt: now() + window.perSeconds * 1000 };
      local.set(name, ours);
      const redis = current(known, name);
      const left = Math.min(outageShare(window) - ours.used, redis?.left ?? Infinity);
      if (points > left)
        return Math.max(1, Math.ceil((Math.min(ours.endsAt, redis?.endsAt ?? Infinity) - now()) / 1000));
      ours.used += points;
      if (redis) redis.left -= points;
      return undefined;
    },
  };
}
