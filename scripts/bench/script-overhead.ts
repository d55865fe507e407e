/**
 * What a script costs per line (issue 13: a matched rule costs no more than a
 * named fault; target <= 0.1 ms per line): an SMTP session of NOOPs fed to the
 * machine alone, then through a 20-rule script none of whose rules matches
 * them (the worst case: every rule is tried on every line), in process.
 */
import { SmtpMachine } from '../../servers/smtp/machine.js';
import { SmtpOptionsSchema } from '../../servers/smtp/options.js';
import { ScriptedMachine } from '../../servers/shared/script/engine.js';
import { ScriptSchema } from '../../servers/shared/script/schema.js';
import type { LineMachine } from '../../servers/shared/line-session.js';

const LINES = 20_000;
const RULES = 20;

function perLineMs(make: () => LineMachine): number {
  // Sessions of 150 lines (the server allows 200 commands), as many as it takes.
  const started = performance.now();
  for (let done = 0; done < LINES; ) {
    const m = make();
    m.start();
    m.line('EHLO bench');
    for (let i = 0; i < 150 && done < LINES; i++, done++) m.line('NOOP');
  }
  return (performance.now() - started) / LINES;
}

export function scriptOverhead(): { plainMs: number; scriptedMs: number; overheadMs: number; rules: number } {
  const options = SmtpOptionsSchema.parse({});
  const script = ScriptSchema.parse(
    Array.from({ length: RULES }, (_, i) => ({
      on: { command: 'NOOP', args: `^never-${i}$` },
      do: [{ reply: `250 rule ${i}` }],
    })),
  );
  const machine = () => {
    const m = new SmtpMachine(options, { message: null }, false);
    const line = m.line.bind(m);
    // Each line its own chunk, as over a socket with a client that waits for replies.
    m.line = (l: string) => (m.newChunk(), line(l));
    return m;
  };
  const scripted = () => new ScriptedMachine({ machine: machine(), shadow: machine(), script, implicitTls: false });
  perLineMs(machine);
  perLineMs(scripted); // warm-up
  const plainMs = Math.min(perLineMs(machine), perLineMs(machine));
  const scriptedMs = Math.min(perLineMs(scripted), perLineMs(scripted));
  return { plainMs, scriptedMs, overheadMs: scriptedMs - plainMs, rules: RULES };
}
