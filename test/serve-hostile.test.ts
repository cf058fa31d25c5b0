import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importHashes, lib, tempDb } from './serve-helpers.js';

const H1 = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';

describe('hostile multipart bodies', () => {
  const { db } = tempDb();
  let app: any;
  beforeAll(async () => {
    await importHashes(db, 'L', 'pdq', [H1]);
    app = await lib.createServer({ dbPath: db, workers: 1, auth: false });
    await app.hashsieve.index.idle();
  });
  afterAll(async () => app?.close());

  const bodies: Array<[string, string]> = [
    ['no parts at all', 'garbage--xx--'],
    ['truncated part', '--xx\r\nContent-Disposition: form-data; name="photo"; filename="x"\r\n\r\nabc'],
    ['empty body', ''],
  ];
  for (const route of ['/h/hash', '/m/lookup', '/c/bank/L/content']) {
    for (const [what, payload] of bodies) {
      test(`${route}: ${what} is a 400, and the service still answers`, async () => {
        const r = await app.inject({ method: 'POST', url: route, headers: { 'content-type': 'multipart/form-data; boundary=xx' }, payload });
        expect(r.statusCode).toBe(400);
        expect(r.json().message).toBeTypeOf('string');
        const ok = await app.inject({ method: 'GET', url: `/m/raw_lookup?signal_type=pdq&signal=${H1}` });
        expect(ok.json()).toEqual({ matches: [expect.any(Number)] });
      });
    }
  }
});
