import { connect as tcpConnect, type Socket } from 'node:net';
import type { Job } from '../../contract/job.js';
import { Refused } from './tls.js';

/** A TCP connection, or an error: refused, unreachable, or the job's deadline reached while `what`. */
export function openTcp(host: string, port: number, signal: AbortSignal, what = 'connecting'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(new Refused(`timed out ${what}`));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (err) => {
      signal.removeEventListener('abort', onAbort);
      reject(err);
    });
  });
}

/** A TCP connection to the job's server: CONFORM_ADDR when given (the name then only for TLS), else CONFORM_HOST. */
export function connectTcp(job: Job, signal: AbortSignal): Promise<Socket> {
  return openTcp(job.addr || job.host, job.port, signal, 'connecting');
}
