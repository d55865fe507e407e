/**
 * The event log is the evidence: servers record, in order, what crossed their
 * sockets, and the judge reads nothing else about the conversation. Events are
 * plain data (JSON-serializable) so they travel into reports and shard blobs.
 */
import type { Capture } from './capture.js';

/** Whether bytes crossed in the clear or inside an established TLS session. */
export type Layer = 'plaintext' | 'tls';

interface Base {
  /** Position in the log, from 0; the order the judge relies on. */
  seq: number;
  /** Milliseconds since the log was created. */
  t: number;
  /** Which server recorded it (e.g. `https`, `ftps-data`). */
  server: string;
  /** Connection id, unique within the log; absent for server-wide events. */
  conn?: number;
}

/** Each kind of event with its own fields. Adding a kind: add it here and to EVENT_TYPES. */
export interface EventFields {
  listening: { host: string; port: number; tls: 'implicit' | 'explicit' | 'none' };
  connect: { remote: string };
  close: { by: 'client' | 'server' | 'reset'; reason?: string };
  /** First bytes on a port that expects a TLS ClientHello were not one. */
  'plaintext-on-tls-port': { preview: string };
  'client-hello': {
    sni: string | null;
    alpn: string[];
    /** Highest legacy version and supported_versions, as names (`TLSv1.2`). */
    versions: string[];
    /** Cipher suites by IANA code, hex (`0x1301`). */
    ciphers: string[];
    /** Cipher suites by name where known (`TLS_AES_128_GCM_SHA256`). */
    cipherNames: string[];
    /** Groups of the key_share extension, by OpenSSL's names (`X25519`, `P-256`); absent before TLS 1.3. */
    keyShares?: string[];
  };
  'tls-established': {
    version: string;
    cipher: string;
    resumed: boolean;
    alpn: string | null;
    clientCert: string | null;
  };
  'tls-failed': { error: string; alert?: string };
  /** Bytes that arrived after an upgrade command and before the go-ahead (STARTTLS-style protocols). */
  'pipelined-before-tls': { by: 'client'; bytes: number; preview: string; tlsRecord: boolean };
  /**
   * TLS was shut down on a connection that goes on in plaintext (FTP's CCC,
   * RFC 4217 §5); `closeNotify`: the client answered with its own close_notify.
   */
  'tls-cleared': { closeNotify: boolean };
  /** A client sent plaintext after its ClientHello (it thinks it is in TLS but is not). */
  'plaintext-after-hello': { preview: string };
  /** An application-level request or command (HTTP request line, SMTP verb …). */
  command: {
    layer: Layer;
    verb: string;
    args: string;
    raw: string /** IMAP: the command's tag (RFC 9051 §2.2.1). */;
    tag?: string;
  };
  /** The server's answer to a command. */
  reply: { layer: Layer; code: string; text: string };
  /** Credentials received; `secret` is never printed in reports. */
  credentials: { layer: Layer; mechanism: string; user: string };
  /** The server finished sending a payload (body, file, message). */
  'payload-sent': { layer: Layer; bytes: number; sha256: string; complete: boolean };
  /** The server received a payload (upload, mail). */
  'payload-received': { layer: Layer; bytes: number; sha256: string };
  /**
   * A client asked for the certificate's status in its ClientHello
   * (status_request, RFC 6066 §8); `stapled`: the server sent a response.
   */
  'ocsp-staple': { stapled: boolean };
  /** A client fetched revocation data from the case's responder: the CRL (`crl`) or an OCSP answer (`ocsp`). */
  'revocation-fetch': { what: 'crl' | 'ocsp'; method: string; path: string };
  /** A scripted misbehaviour was carried out. */
  fault: { name: string; explain: string };
  /** Server-side trouble that is not the client's fault. */
  'server-error': { code: string; message: string };
}

export type EventType = keyof EventFields;

export const EVENT_TYPES = [
  'listening',
  'connect',
  'close',
  'plaintext-on-tls-port',
  'client-hello',
  'tls-established',
  'tls-failed',
  'pipelined-before-tls',
  'tls-cleared',
  'plaintext-after-hello',
  'command',
  'reply',
  'credentials',
  'payload-sent',
  'payload-received',
  'ocsp-staple',
  'revocation-fetch',
  'fault',
  'server-error',
] as const satisfies readonly EventType[];

export type ServerEvent = {
  [K in EventType]: Base & { type: K } & EventFields[K];
}[EventType];

export type EventOf<K extends EventType> = Extract<ServerEvent, { type: K }>;

/** An event a machine asks its shell to record (the shell adds time, server and connection). */
export type RecordedEvent = { [K in EventType]: { type: K; fields: EventFields[K] } }[EventType];

export type Listener = (event: ServerEvent) => void;

/** One log per case; every server of the case writes into it. */
export class EventLog {
  readonly events: ServerEvent[] = [];
  /** When set, every connection's raw bytes are recorded too (for packet captures). */
  capture?: Capture;
  private readonly start = performance.now();
  private nextConn = 1;
  private readonly listeners = new Set<Listener>();

  /** A fresh connection id, unique across all servers of the case. */
  connection(): number {
    return this.nextConn++;
  }

  record<K extends EventType>(server: string, type: K, fields: EventFields[K], conn?: number): void {
    const event = {
      seq: this.events.length,
      t: Math.round((performance.now() - this.start) * 10) / 10,
      server,
      ...(conn === undefined ? {} : { conn }),
      type,
      ...fields,
    } as unknown as ServerEvent;
    this.events.push(event);
    for (const listener of this.listeners) listener(event);
  }

  /** Live view of events (the `serve` command streams them). */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ofType<K extends EventType>(type: K): EventOf<K>[] {
    return this.events.filter((e): e is EventOf<K> => e.type === type);
  }
}

/** A printable, bounded preview of bytes for transcripts: never raw control bytes. */
export function preview(bytes: Buffer, max = 64): string {
  const slice = bytes.subarray(0, max);
  let out = '';
  for (const b of slice) {
    if (b === 0x0d) out += '\\r';
    else if (b === 0x0a) out += '\\n';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > max ? `${out}…` : out;
}
