// The one way into @peculiar/x509, so that its two preconditions always hold:
// it resolves algorithms through tsyringe, which refuses to load without a
// Reflect metadata polyfill evaluated first; and it must sign with Node's own
// WebCrypto (no polyfill; ECDSA with SHA-1 works, which sha1-signature needs).
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
