import { connect as tcpConnect, type Socket } from 'node:net';
import type { Job } from '../../contract/job.js';
import { Refused } from './tls.js';
import { whenAborted } from './abort.js';

/** A TCP connection, or an error: refused, unreachable, or the job's deadline reached while `what`. */
export function openTcp(host: string, port: number, signal: AbortSignal, what = 'connecting'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port });
    const onAbort = (): void => {
      socket.destroy();
      reject(new Refused(`timed out ${what}`));
    };
    const stop = whenAborted(signal, onAbort);
    socket.once('connect', () => {
      stop();
      resolve(socket);
    });
    socket.once('error', (err) => {
      stop();
      reject(err);
    });
  });
}

/** A TCP connection to the job's server: CONFORM_ADDR when given (the name then only for TLS), else CONFORM_HOST. */
export function connectTcp(job: Job, signal: AbortSignal): Promise<Socket> {
  return openTcp(job.addr || job.host, job.port, signal, 'connecting');
}
