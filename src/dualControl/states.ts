/** What a dual-control request shows of its life, and the form of its id: node-free, for the HTTP contract and the console's types. */
export const PUBLIC_STATES = ['pending', 'approved', 'released', 'denied', 'expired'] as const;
export type PublicState = (typeof PUBLIC_STATES)[number];
/** A request id: 128 random bits, base64url (src/dualControl/requestLife.ts newRequestId). */
export const REQUEST_ID = /^[A-Za-z0-9_-]{22}$/;
