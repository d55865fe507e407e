/**
 * Issue #13: every named fault of HTTPS is expressible with the script layer.
 * For each of the 7 (and each variant the catalogue uses: every alert, every
 * `after` of stall), a catalogue case that uses the fault is run twice, once
 * as written and once with the fault replaced by its script, against the
 * reference client and the flawed clients the case names as fail witnesses.
 * Both runs must give the same verdict and the same wire (tests/support/equivalence.ts).
 *
 * What the faults do is said with the script's own means: a ClientHello
 * answered with an alert, a plaintext response or a hang-up (`client-hello`),
 * a body cut short with its framing announcing all of it (`normal: { cut }`,
 * cut 0: the head alone), TCP ended under TLS (`close-without-notify`), and a
 * redirect to the cleartext twin the server starts for `{http-url}`.
 */
import { HttpsOptionsSchema } from '../servers/https/options.js';
import { provePairs, type Pair } from './support/equivalence.js';

/** A plain HTTP server's answer to a ClientHello, as the plain-http fault writes it (simpleResponse). */
const PLAIN_400 =
  'HTTP/1.1 400 Bad Request\\r\\nContent-Type: text/plain\\r\\nContent-Length: 27\\r\\nConnection: close\\r\\n\\r\\nThis is a plain HTTP server';
const alert = (name: string): unknown[] => [{ on: 'client-hello', do: [{ alert: name }, 'close'] }];

const PAIRS: Pair[] = [
  {
    fault: 'https plain-http',
    caseId: 'https.plaintext.server-answers-in-clear',
    script: [
      { on: 'client-hello', do: [{ send: PLAIN_400 }, 'close'] },
      // A client that falls back to plaintext on the same port is served by the plain server.
      {
        on: 'request',
        do: [{ send: 'HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n' }],
        optional: true,
      },
    ],
  },
  {
    fault: 'https close-after-hello',
    caseId: 'https.plaintext.no-fallback-after-close',
    script: [{ on: 'client-hello', do: ['close'] }],
  },
  {
    fault: 'https close-after-hello (robustness)',
    caseId: 'https.robustness.close-after-hello',
    script: [{ on: 'client-hello', do: ['close'] }],
  },
  {
    fault: 'https handshake-alert internal_error',
    caseId: 'https.plaintext.no-fallback-after-alert',
    script: alert('internal_error'),
  },
  {
    fault: 'https handshake-alert (default handshake_failure)',
    caseId: 'https.robustness.handshake-alert',
    script: alert('handshake_failure'),
  },
  {
    fault: 'https handshake-alert handshake_failure',
    caseId: 'https.version.no-fallback-after-failure',
    script: alert('handshake_failure'),
  },
  {
    fault: 'https truncate-body',
    caseId: 'https.integrity.truncated-content-length',
    script: [{ on: 'request', do: [{ normal: { cut: 0.5 } }, 'close'] }],
  },
  {
    fault: 'https truncate-body (chunked)',
    caseId: 'https.integrity.truncated-chunked',
    script: [{ on: 'request', do: [{ normal: { cut: 0.5 } }, 'close'] }],
  },
  {
    fault: 'https no-close-notify + truncate-body',
    caseId: 'https.integrity.close-delimited-no-close-notify',
    script: [{ on: 'request', do: [{ normal: { cut: 0.5 } }, 'close-without-notify'] }],
  },
  {
    fault: 'https no-close-notify',
    caseId: 'https.integrity.length-delimited-no-close-notify',
    script: [{ on: 'request', do: ['normal', 'close-without-notify'] }],
  },
  {
    fault: 'https stall hello',
    caseId: 'https.robustness.stall-before-handshake',
    script: [{ on: 'client-hello', do: ['stall'] }],
  },
  {
    fault: 'https stall request',
    caseId: 'https.robustness.stall-after-request',
    script: [{ on: 'request', do: ['stall'] }],
  },
  {
    fault: 'https stall headers',
    caseId: 'https.robustness.stall-mid-response',
    script: [{ on: 'request', do: [{ normal: { cut: 0 } }, 'stall'] }],
  },
  {
    fault: 'https redirect-plain-http',
    caseId: 'https.plaintext.redirect-to-http',
    script: [
      {
        on: 'request',
        do: [
          {
            reply: [
              'HTTP/1.1 302 Found',
              'Content-Type: text/plain',
              'Content-Length: 0',
              'Connection: close',
              'Location: {http-url}',
              '',
            ],
          },
        ],
      },
    ],
  },
];

provePairs(PAIRS, (script) => HttpsOptionsSchema.shape.script.parse(script));
