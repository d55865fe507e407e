import type { Socket } from 'node:net';
import {
  readTlsClientHello,
  getExtensionData,
  isGREASE,
  CIPHER_SUITES,
  type TlsClientHelloMessage,
} from 'read-tls-client-hello';
import type { EventFields } from './events.js';
import { versionName } from './tls-names.js';
import { keyShareGroups } from './key-share.js';

/** The first bytes of a TLS connection are a handshake record (content type 22). */
export const TLS_HANDSHAKE_RECORD = 0x16;

/**
 * Resolves with the first chunk a client sends (left unread in the socket), or
 * null if it closes first. Lets a TLS port tell a ClientHello from plaintext.
 */
export function peekFirstBytes(socket: Socket): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const onData = (chunk: Buffer): void => {
      cleanup();
      socket.pause();
      socket.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
    };
    socket.on('data', onData);
    // A caller that paused the socket (to stop its line reader) must not stall us.
    socket.resume();
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onEnd);
  });
}

/** Reads (without consuming) and summarizes the ClientHello for the event log. */
export async function captureClientHello(socket: Socket): Promise<EventFields['client-hello']> {
  // The reader puts the hello's bytes back with unshift(); they are seen there, for what it does not parse (key_share).
  let raw: Buffer | undefined;
  const unshift = socket.unshift;
  socket.unshift = function (this: Socket, chunk: Buffer, encoding?: BufferEncoding) {
    raw ??= Buffer.from(chunk);
    return unshift.call(this, chunk, encoding);
  };
  try {
    const hello = await readTlsClientHello(socket);
    const keyShares = raw ? keyShareGroups(raw) : [];
    return { ...summarize(hello), ...(keyShares.length ? { keyShares } : {}) };
  } finally {
    socket.unshift = unshift;
  }
}

function summarize(hello: TlsClientHelloMessage): EventFields['client-hello'] {
  const sni = getExtensionData(hello, 'sni');
  const alpn = getExtensionData(hello, 'alpn');
  const supported = getExtensionData(hello, 'supported_versions');
  const legacy = hello.version;
  const versionCodes = supported?.versions?.length ? supported.versions.filter((v: number) => !isGREASE(v)) : [legacy];
  const ciphers = hello.cipherSuites.filter((id) => !isGREASE(id));
  return {
    sni: sni?.serverName ?? null,
    alpn: alpn?.protocols ?? [],
    versions: versionCodes.map(versionName),
    ciphers: ciphers.map((id) => `0x${id.toString(16).padStart(4, '0')}`),
    cipherNames: ciphers.map(
      (id) => (CIPHER_SUITES as Record<number, string | undefined>)[id] ?? `0x${id.toString(16)}`,
    ),
  };
}
