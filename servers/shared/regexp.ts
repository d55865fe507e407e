/** Whether a suite's pattern compiles: schemas refuse a bad one at load time, with its field. */
export function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}
