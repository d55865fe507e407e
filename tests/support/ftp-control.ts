/** An FTP control connection for tests on real sockets: send a line, read one whole reply. */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** The control connection's raw bytes, read one reply (its last line "ddd ") at a time, line ends as sent. */
export class Control {
  private seen = '';
  closed = false;
  constructor(public socket: Socket | TLSSocket) {
    this.listen(socket);
  }
  private listen(socket: Socket | TLSSocket): void {
    socket.on('data', (d: Buffer) => (this.seen += d.toString('latin1')));
    socket.on('close', () => (this.closed = true));
  }
  async reply(): Promise<string> {
    for (let i = 0; i < 300; i++) {
      const m = /^(\d{3}) [^\n]*\n/m.exec(this.seen);
      if (m) {
        const out = this.seen.slice(0, m.index + m[0].length);
        this.seen = this.seen.slice(m.index + m[0].length);
        return out;
      }
      await sleep(10);
    }
    throw new Error(`no reply; got ${JSON.stringify(this.seen)}`);
  }
  async send(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
  swap(socket: TLSSocket): void {
    this.socket.removeAllListeners('data');
    this.socket = socket;
    this.listen(socket);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
