import { build } from '../scripts/build.mjs';

/** Tests spawn the compiled CLI and reference client, so build them first. */
export default async function setup(): Promise<void> {
  await build();
}
