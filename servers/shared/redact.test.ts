import { describe, expect, it } from 'vitest';
import { redactCommandLine } from './redact.js';

describe('redacting command lines', () => {
  it('keeps verbs and mechanisms, never secrets', () => {
    expect(redactCommandLine('PASS hunter2')).toBe('PASS (redacted)');
    expect(redactCommandLine('AUTH PLAIN AGFsaWNlAHNlY3JldA==')).toBe('AUTH PLAIN (redacted)');
    expect(redactCommandLine('AGFsaWNlAHNlY3JldA==')).toBe('(base64, redacted)');
    expect(redactCommandLine('AUTH LOGIN')).toBe('AUTH LOGIN');
    expect(redactCommandLine('EHLO client.example')).toBe('EHLO client.example');
  });
});
