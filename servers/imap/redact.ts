/** What an IMAP command line may show in reports: the shared redaction knows IMAP's LOGIN and AUTHENTICATE (a tag first). */
export { redactCommandLine as redactImapLine } from '../shared/redact.js';
