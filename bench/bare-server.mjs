// The baseline of the HTTP bench: express 5 with the same JSON body parsing as sectoken and one
// HMAC-SHA256 per request (node:crypto createHmac), and nothing else: no auth, validation, logs,
// metrics, FF1 or cache. PORT and HOST from the environment.
import { createHmac, randomBytes } from 'node:crypto';
import express from 'express';

const key = randomBytes(32);
const app = express();
app.disable('x-powered-by');
app.get('/healthz', (_req, res) => res.json({ status: 'ok' }));
app.use(express.json({ limit: 256 * 1024 }));
app.post('/v1/tokens', (req, res) => {
  const token = createHmac('sha256', key).update(String(req.body?.nationalId)).digest('base64url').slice(0, 20);
  res.json({ sector: req.body?.sector, token, keyVersion: 1, schemeVersion: 1 });
});
app.listen(Number(process.env.PORT ?? 8081), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
