// A merchant's site on its own origin (http://localhost:4000) that embeds checkout.js.
// Its backend creates checkout sessions with the secret API key; the browser only ever sees the
// publishable key. No dependencies: `node examples/merchant/server.mjs`.
//
//   npm run cli -- dev:seed                      # prints a secret key and a publishable key
//   CHECKOUT_ALLOWED_ORIGINS=http://localhost:3000,http://localhost:4000 npm start
//   SECRET_KEY=sk_live_… PUBLISHABLE_KEY=pk_test_… node examples/merchant/server.mjs
//   open http://localhost:4000
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const BACKEND = process.env.BACKEND_URL ?? 'http://localhost:3000';
const PORT = Number(process.env.PORT ?? 4000);
const { SECRET_KEY, PUBLISHABLE_KEY } = process.env;
if (!SECRET_KEY || !PUBLISHABLE_KEY) {
  console.error('Set SECRET_KEY and PUBLISHABLE_KEY (npm run cli -- dev:seed prints both).');
  process.exit(1);
}

const page = readFileSync(new URL('./index.html', import.meta.url), 'utf8')
  .replaceAll('{{BACKEND}}', BACKEND)
  .replaceAll('{{PUBLISHABLE_KEY}}', PUBLISHABLE_KEY);
const script = readFileSync(new URL('./shop.js', import.meta.url));

createServer(async (req, res) => {
  if (req.method === 'POST' && req.url === '/session') {
    // The price is the server's, never the browser's.
    const answer = await fetch(`${BACKEND}/api/v1/checkout/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': SECRET_KEY },
      body: JSON.stringify({ amount: 250000, currency: 'NGN', metadata: { sku: 'mug-01' } }),
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(await answer.text());
    return;
  }
  if (req.url === '/shop.js') {
    res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
}).listen(PORT, () => console.log(`merchant example on http://localhost:${PORT}`));
