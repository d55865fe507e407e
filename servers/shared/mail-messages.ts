/**
 * The messages a mail store holds (POP3's maildrop, IMAP's INBOX), as stored:
 * RFC 5322, CRLF line endings, 8-bit UTF-8 text. Message 1 is the one a client
 * retrieves; each protocol fills it with lines its own framing must survive
 * (POP3: lines that begin with a dot; IMAP: lines that read like responses).
 */
const CRLF = '\r\n';

/** How many messages, and whether message 1 is the standard one or about 1 MiB. */
export interface MessageSet {
  count: number;
  message: 'standard' | 'large';
}

/** What makes one protocol's messages its own. */
export interface MessageStyle {
  /** The receiving host's first label in the Received: header (`pop`, `imap`). */
  host: string;
  /** Message-ID: `<${idPrefix}${n}@conform.test>`. */
  idPrefix: string;
  /** Subject of message 1, and of the others with `${n}`. */
  subject: { first: string; other: (n: number) => string };
  /** Message 1's opening sentence, two lines. */
  intro: readonly [string, string];
  /** The lines the protocol's framing must carry unchanged. */
  tricky: readonly string[];
  /** One more line of the same kind, mid-sentence. */
  oddLine: string;
}

const headers = (style: MessageStyle, n: number, subject: string): string[] => [
  'Return-Path: <sender@conform.test>',
  `Received: from mx.conform.test (mx.conform.test [192.0.2.25]) by ${style.host}.conform.test with ESMTPS id c0nf0rm${n}; Mon, 6 May 2024 09:30:0${n} +0000`,
  `Date: Mon, 6 May 2024 09:30:0${n} +0000`,
  'From: Conform Sender <sender@conform.test>',
  'To: Conform User <user@conform.test>',
  `Subject: ${subject}`,
  `Message-ID: <${style.idPrefix}${n}@conform.test>`,
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
];

function standardBody(style: MessageStyle): string[] {
  return [
    'Hello,',
    '',
    ...style.intro,
    ...style.tricky,
    style.oddLine,
    'Non-ASCII survives as bytes: Grüße, naïve, 東京.',
    '',
    '-- ',
    'Conform',
  ];
}

/** About 1 MiB: numbered lines and the tricky ones, many times over. */
function largeBody(style: MessageStyle): string[] {
  const lines: string[] = [];
  for (let i = 0; lines.length < 16_384; i++) {
    lines.push(`Line ${i.toString().padStart(6, '0')} of the large message, padded to a typical width for mail.`);
    lines.push(style.tricky[i % style.tricky.length]!);
  }
  return lines;
}

/** The messages, each exactly as stored (and as a client must deliver it). */
export function makeMessages(set: MessageSet, style: MessageStyle): Buffer[] {
  const messages: Buffer[] = [];
  for (let n = 1; n <= set.count; n++) {
    const body =
      n === 1
        ? set.message === 'large'
          ? largeBody(style)
          : standardBody(style)
        : [`This is message ${n}, not the one to retrieve.`];
    const subject = n === 1 ? style.subject.first : style.subject.other(n);
    messages.push(Buffer.from([...headers(style, n, subject), '', ...body].join(CRLF) + CRLF, 'utf8'));
  }
  return messages;
}
