/**
 * The reference client's OCSP judgement (revocation.ts judgeOcsp) on answers
 * the Conform issuer signs (certs/revocation.ts, checked against `openssl
 * ocsp` in certs/revocation.test.ts): what makes an answer unsatisfactory.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openCertStore, type RevocableCert } from '../../certs/index.js';
import { fromPem } from '../../certs/certificate.js';
import { childrenOf, readElement } from './der-read.js';
import { judgeOcsp } from './revocation.js';

const URLS = { crl: 'http://127.0.0.1:9/root.crl', ocsp: 'http://127.0.0.1:9/ocsp' };
let good: RevocableCert;
let revoked: RevocableCert;

beforeAll(async () => {
  const store = openCertStore();
  [good, revoked] = await Promise.all([store.revocable('revocation-good', URLS), store.revocable('revoked', URLS)]);
});
afterEach(() => vi.useRealTimers());

/** The leaf and its issuer (the intermediate the server sends), DER. */
const chainOf = (c: RevocableCert): [Buffer, Buffer] => fromPem(c.certChainPem) as [Buffer, Buffer];

describe('judgeOcsp', () => {
  it('takes a good answer about the leaf, signed by its issuer', () => {
    expect(judgeOcsp(good.ocsp, ...chainOf(good))).toBeUndefined();
  });

  it('refuses a revoked answer', () => {
    expect(judgeOcsp(revoked.ocsp, ...chainOf(revoked))).toBe('the certificate is revoked');
  });

  it('refuses an answer about another certificate', () => {
    expect(judgeOcsp(revoked.ocsp, ...chainOf(good))).toBe('it says nothing of this certificate');
  });

  it("refuses an answer whose signature is not the issuer's", () => {
    // OCSPResponse → responseBytes → BasicOCSPResponse → its signature BIT STRING: flip a bit of the ECDSA s.
    const bytes = childrenOf(readElement(good.ocsp).content)[1]!;
    const basic = childrenOf(readElement(bytes.content).content)[1]!;
    const signature = childrenOf(readElement(basic.content).content)[2]!;
    const forged = Buffer.from(good.ocsp);
    forged[good.ocsp.indexOf(signature.raw) + signature.raw.length - 1]! ^= 0x01;
    expect(judgeOcsp(forged, ...chainOf(good))).toBe("its signature is not the issuer's");
  });

  it('refuses an answer past its next update, and one not yet valid', () => {
    vi.useFakeTimers({ now: Date.now() + 3 * 86_400_000 });
    expect(judgeOcsp(good.ocsp, ...chainOf(good))).toBe('it is out of date');
    vi.setSystemTime(Date.now() - 6 * 86_400_000);
    expect(judgeOcsp(good.ocsp, ...chainOf(good))).toBe('it is not yet valid');
  });

  it('refuses what is not an OCSP answer, and survives torn bytes', () => {
    expect(judgeOcsp(Buffer.from('30030a0101', 'hex'), ...chainOf(good))).toBe('the responder answered status 1');
    expect(judgeOcsp(good.ocsp.subarray(0, 40), ...chainOf(good))).toMatch(/^unreadable/);
    expect(judgeOcsp(Buffer.alloc(0), ...chainOf(good))).toMatch(/^unreadable/);
  });

  it('cannot judge without the issuer', () => {
    expect(judgeOcsp(good.ocsp, chainOf(good)[0], undefined)).toBe('no issuer certificate to check its signature with');
  });
});
