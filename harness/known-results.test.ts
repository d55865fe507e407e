import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindKnownResults, loadKnownResultsSet } from './known-results.js';

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'conform-expect-'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

describe('expectations bound to the clients they describe', () => {
  it("merges a profile's files from a directory and binds them by profile, leaving other clients alone", async () => {
    const dir = await folder({
      'curl.yaml': 'client: curl 8\nfail:\n  https.a: why a\n',
      'curl.socks5.yaml': 'client: curl 8\nskip:\n  socks5.b: why b\n',
      'wget.yaml': 'client: wget 1\nfail:\n  https.c: why c\n',
    });
    const bound = bindKnownResults(await loadKnownResultsSet([dir]), ['curl', 'python']);
    expect(bound.get('curl')).toMatchObject({ fail: { 'https.a': 'why a' }, skip: { 'socks5.b': 'why b' } });
    expect(bound.has('python')).toBe(false);
  });

  it("binds a file by its profile: field, and one file to the run's one client whatever its name", async () => {
    const dir = await folder({
      'mine.yaml': 'client: my client 1.0\nprofile: reference --flaw skip-verify\nfail:\n  https.a: why\n',
      'own.yaml': 'client: my client 1.0\nfail:\n  https.b: why\n',
    });
    const byField = bindKnownResults(await loadKnownResultsSet([join(dir, 'mine.yaml')]), [
      'reference --flaw skip-verify',
      'curl',
    ]);
    expect(byField.get('reference --flaw skip-verify')?.fail).toEqual({ 'https.a': 'why' });
    const single = bindKnownResults(await loadKnownResultsSet([join(dir, 'own.yaml')]), ['python3 my_client.py']);
    expect(single.get('python3 my_client.py')?.fail).toEqual({ 'https.b': 'why' });
  });

  it('refuses a named file that fits no client, and a case listed twice for one profile', async () => {
    const dir = await folder({
      'wget.yaml': 'client: wget 1\nfail:\n  https.c: why c\n',
      'curl.yaml': 'client: curl 8\nfail:\n  https.a: one\n',
      'curl.https.yaml': 'client: curl 8\nskip:\n  https.a: two\n',
    });
    expect(() =>
      bindKnownResults(
        {
          byProfile: new Map([
            ['wget', { expectations: { client: 'w', fail: {}, skip: {} }, files: ['wget.yaml'], named: true }],
          ]),
        },
        ['curl', 'python'],
      ),
    ).toThrow(/expectations for "wget" \(wget\.yaml\) fit no client of this run \(curl, python\)/);
    await expect(loadKnownResultsSet([join(dir, 'curl.yaml'), join(dir, 'curl.https.yaml')])).rejects.toThrow(
      /case https\.a is already listed for curl/,
    );
    await expect(loadKnownResultsSet([join(dir, 'nope')])).rejects.toThrow(/does not exist/);
  });
});
