// A promise with a deadline: it settles as `p` does, or fails with "<what>: no answer in
// <ms> ms" when `ms` pass first. The timer is cleared either way.
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`${what}: no answer in ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
