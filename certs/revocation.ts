// Revocation data for a leaf issued by the Conform root: the pointers in the
// leaf (a CRL distribution point, an OCSP responder, the TLS feature that
// asks for a staple), the CRL the root publishes, and the OCSP response it
// signs. DER from der.ts, each structure with its section; the root is its
// own CRL issuer and OCSP responder (RFC 6960 §4.2.2.2: "the CA who issued
// the certificate in question"), so no delegated signer is needed.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { bitString, children, explicit, implicit, nul, octets, oid, read, seq, tlv, uint } from './der.js';
import { authorityKeyIdentifierValue, type Extension } from './certificate.js';

/** Where a case's revocation responder listens: the URLs written into the leaf. */
export interface RevocationUrls {
  /** HTTP URL the CRL is served at (the leaf's cRLDistributionPoints). */
  crl: string;
  /** HTTP URL of the OCSP responder (the leaf's authorityInfoAccess). */
  ocsp: string;
}

/** What a revocation profile says of its leaf. */
export interface RevocationSetting {
  /** The leaf is on the CRL and the OCSP responder answers `revoked`. */
  readonly revoked: boolean;
  /** The server staples the responder's answer when the client asks (RFC 6066 §8). */
  readonly staple: boolean;
  /** The leaf carries the TLS feature status_request (RFC 7633, "OCSP must-staple"). */
  readonly mustStaple?: boolean;
}

/** The signer of CRLs and OCSP responses: the leaf's issuer. */
export interface RevocationSigner {
  subject: Buffer;
  keyId: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Its certificate (DER), sent in the OCSP response so a client can find the signer. */
  cert: Buffer;
}

const GENERAL_NAME_URI = 6;

/** RFC 5280 §4.2.1.13: one distribution point whose fullName is the URI. */
export function crlDistributionPoints(url: string): Extension {
  const uri = implicit(GENERAL_NAME_URI, Buffer.from(url, 'ascii'));
  // DistributionPoint { distributionPoint [0] DistributionPointName { fullName [0] GeneralNames } }
  return { oid: '2.5.29.31', critical: false, value: seq(seq(explicit(0, implicit(0, uri, true)))) };
}

/** RFC 5280 §4.2.2.1: id-ad-ocsp with the responder's URI. */
export function authorityInfoAccess(ocspUrl: string): Extension {
  const access = seq(oid('1.3.6.1.5.5.7.48.1'), implicit(GENERAL_NAME_URI, Buffer.from(ocspUrl, 'ascii')));
  return { oid: '1.3.6.1.5.5.7.1.1', critical: false, value: seq(access) };
}

/** RFC 7633 §4.1: the TLS feature extension listing status_request (5), "OCSP must-staple". */
export function mustStaple(): Extension {
  return { oid: '1.3.6.1.5.5.7.1.24', critical: false, value: seq(uint(5)) };
}

/** GeneralizedTime, whole seconds (RFC 6960 and RFC 5280 §4.1.2.5.2). */
function generalizedTime(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:T]/g, '');
  return tlv(0x18, Buffer.from(text, 'ascii'));
}

/** UTCTime (the CRL's times: RFC 5280 §5.1.2.4 wants UTCTime through 2049). */
function utcTime(date: Date): Buffer {
  const text = date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:T]/g, '')
    .slice(2);
  return tlv(0x17, Buffer.from(text, 'ascii'));
}

/** ECDSA with SHA-256 (every Conform authority has a P-256 key). */
function signed(tbs: Buffer, signer: RevocationSigner): { algorithm: Buffer; signature: Buffer } {
  if (signer.privateKey.asymmetricKeyType !== 'ec') throw new Error('revocation data is signed by an EC authority');
  return { algorithm: seq(oid('1.2.840.10045.4.3.2')), signature: bitString(sign('sha256', tbs, signer.privateKey)) };
}

const HOUR_MS = 3_600_000;

/**
 * RFC 5280 §5.1: a v2 CRL of the issuer, valid from an hour ago for a day,
 * listing `revoked` (serial contents) as revoked an hour ago, with the two
 * extensions a conforming CA includes (authority key identifier, CRL number).
 */
export function buildCrl(signer: RevocationSigner, revoked: readonly Buffer[], now: Date): Buffer {
  const at = (ms: number) => new Date(Math.floor((now.getTime() + ms) / 1000) * 1000);
  const algorithm = seq(oid('1.2.840.10045.4.3.2'));
  const entries = revoked.map((serial) => seq(uint(serial), utcTime(at(-HOUR_MS))));
  const tbs = seq(
    uint(1), // v2
    algorithm,
    signer.subject,
    utcTime(at(-HOUR_MS)),
    utcTime(at(24 * HOUR_MS)),
    ...(entries.length ? [seq(...entries)] : []),
    explicit(
      0,
      seq(
        seq(oid('2.5.29.35'), octets(authorityKeyIdentifierValue(signer.keyId))),
        seq(oid('2.5.29.20'), octets(uint(Math.floor(now.getTime() / 1000)))),
      ),
    ),
  );
  const { signature } = signed(tbs, signer);
  return seq(tbs, algorithm, signature);
}

/** The serial number (INTEGER contents) and issuer-relative parts of a certificate, for a CertID. */
export function serialOf(certDer: Buffer): Buffer {
  const tbs = children(read(certDer).content)[0]!;
  const fields = children(tbs.content);
  // Field 0 is the explicit version in a v3 certificate.
  const serial = fields[0]!.tag === 0xa0 ? fields[1]! : fields[0]!;
  return serial.content;
}

/** RFC 6960 §4.1.1 CertID with SHA-1, as OpenSSL and GnuTLS build it by default. */
function certId(signer: RevocationSigner, serial: Buffer): Buffer {
  const spki = signer.publicKey.export({ type: 'spki', format: 'der' });
  const keyBits = children(read(spki).content)[1]!.content.subarray(1);
  return seq(
    seq(oid('1.3.14.3.2.26'), nul()),
    octets(createHash('sha1').update(signer.subject).digest()),
    octets(createHash('sha1').update(keyBits).digest()),
    uint(serial),
  );
}

/**
 * RFC 6960 §4.2.1: a successful OCSPResponse whose BasicOCSPResponse, signed
 * by the issuer (responder ID by key hash), says `good` or `revoked` of the
 * serial, this update an hour ago and the next in a day.
 */
export function buildOcspResponse(signer: RevocationSigner, serial: Buffer, revoked: boolean, now: Date): Buffer {
  const at = (ms: number) => new Date(Math.floor((now.getTime() + ms) / 1000) * 1000);
  const spki = signer.publicKey.export({ type: 'spki', format: 'der' });
  const keyHash = createHash('sha1')
    .update(children(read(spki).content)[1]!.content.subarray(1))
    .digest();
  // CertStatus: good [0] IMPLICIT NULL, revoked [1] IMPLICIT RevokedInfo { revocationTime }.
  const status = revoked ? implicit(1, generalizedTime(at(-HOUR_MS)), true) : implicit(0, Buffer.alloc(0));
  const single = seq(
    certId(signer, serial),
    status,
    generalizedTime(at(-HOUR_MS)),
    explicit(0, generalizedTime(at(24 * HOUR_MS))),
  );
  const tbs = seq(explicit(2, octets(keyHash)), generalizedTime(at(0)), seq(single));
  const { algorithm, signature } = signed(tbs, signer);
  // The signer's certificate goes with the answer (RFC 6960 §4.2.1 `certs`): OpenSSL's OCSP_basic_verify
  // looks for the signer there and in the server's chain, which holds only the leaf here.
  const basic = seq(tbs, algorithm, signature, explicit(0, seq(signer.cert)));
  // responseStatus successful (0), responseBytes [0] { id-pkix-ocsp-basic, the BasicOCSPResponse }.
  return seq(tlv(0x0a, Buffer.from([0])), explicit(0, seq(oid('1.3.6.1.5.5.7.48.1.1'), octets(basic))));
}

/** A CRL as PEM (what curl's --crlfile, wget's --crl-file and Python's load_verify_locations read). */
export function crlToPem(der: Buffer): string {
  return `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{64}(?=.)/g, '$&\n')}\n-----END X509 CRL-----\n`;
}
