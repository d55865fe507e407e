/**
 * The case's revocation responder over real HTTP on 127.0.0.1: what it
 * serves, what it records, and that hostile requests leave it standing.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from './events.js';
import { startRevocationResponder, type RevocationResponder } from './revocation-responder.js';

let responder: RevocationResponder | undefined;
afterEach(async () => {
  await responder?.stop();
  responder = undefined;
});

async function started(): Promise<{ log: EventLog; responder: RevocationResponder; crl: Buffer; ocsp: Buffer }> {
  const log = new EventLog();
  responder = await startRevocationResponder(log, '127.0.0.1');
  const cert = await openCertStore().revocable('revoked', responder.urls);
  responder.serve(cert);
  return { log, responder, crl: cert.crl, ocsp: cert.ocsp };
}

describe('revocation responder', () => {
  it('serves the CRL at the distribution point and the OCSP answer by POST and GET, recording each fetch', async () => {
    const { log, responder: r, crl, ocsp } = await started();
    const crlRes = await fetch(r.urls.crl);
    expect(crlRes.headers.get('content-type')).toBe('application/pkix-crl');
    expect(Buffer.from(await crlRes.arrayBuffer()).equals(crl)).toBe(true);
    const post = await fetch(r.urls.ocsp, { method: 'POST', body: new Uint8Array([0x30, 0x00]) });
    expect(post.headers.get('content-type')).toBe('application/ocsp-response');
    expect(Buffer.from(await post.arrayBuffer()).equals(ocsp)).toBe(true);
    const get = await fetch(`${r.urls.ocsp}/MAA%3D`);
    expect(Buffer.from(await get.arrayBuffer()).equals(ocsp)).toBe(true);
    expect(log.events.filter((e) => e.type === 'revocation-fetch').map((e) => [e.what, e.method])).toEqual([
      ['crl', 'GET'],
      ['ocsp', 'POST'],
      ['ocsp', 'GET'],
    ]);
  });

  it('answers anything else 404, and nothing before the leaf is issued', async () => {
    const log = new EventLog();
    responder = await startRevocationResponder(log, '127.0.0.1');
    expect((await fetch(responder.urls.crl)).status).toBe(404);
    expect(responder.urls.crl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/root\.crl$/);
    responder.serve(await openCertStore().revocable('revocation-good', responder.urls));
    expect((await fetch(responder.urls.crl.replace('root.crl', 'other'))).status).toBe(404);
    expect(log.events.filter((e) => e.type === 'revocation-fetch')).toEqual([]);
  });

  it('survives garbage and an oversized request body, and goes on serving', async () => {
    const { responder: r } = await started();
    const { port } = new URL(r.urls.ocsp);
    await new Promise<void>((resolve) => {
      const s = connect(Number(port), '127.0.0.1', () => s.end('\x16\x03\x01\x00\x05hello\r\n\r\n'));
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
    await fetch(r.urls.ocsp, { method: 'POST', body: new Uint8Array(64 * 1024) }).catch(() => undefined);
    expect((await fetch(r.urls.crl)).status).toBe(200);
  });
});
