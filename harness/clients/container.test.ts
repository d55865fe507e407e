import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { containerClient, containerPackagePreflight } from './container.js';

const engineHere =
  Boolean(process.env.DOCKER_HOST) || ['/var/run/docker.sock', '/run/podman/podman.sock'].some((s) => existsSync(s));

describe.skipIf(engineHere)('--client-image without a container engine', () => {
  it('fails in milliseconds with a message that says why and what to do', () => {
    const started = performance.now();
    let error: unknown;
    try {
      containerClient('alpine:3', 'sh -c "exit 0"');
    } catch (err) {
      error = err;
    }
    expect(performance.now() - started).toBeLessThan(50);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).code).toBe('CLIENT_UNAVAILABLE');
    expect((error as Error).message).toMatch(/needs a container engine, and none is reachable here/);
    expect((error as Error).message).toMatch(
      /Start Docker or Podman \(or set DOCKER_HOST\), or run the client directly with --client-cmd/,
    );
  });
});

describe('--client-image without the optional testcontainers package', () => {
  it('says how to install it', () => {
    const missing = (name: string): string => {
      throw new Error(`Cannot find package '${name}'`);
    };
    expect(() => containerPackagePreflight(missing)).toThrow(
      /needs the optional package testcontainers, which is not installed: npm install --save-dev testcontainers@12/,
    );
  });

  it('finds it where it is installed (here, as a development dependency)', () => {
    expect(() => containerPackagePreflight()).not.toThrow();
  });
});
