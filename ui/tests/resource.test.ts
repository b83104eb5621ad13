// The resource helper drops stale answers itself: an answer for inputs that changed since,
// an answer older than the one shown, and a next page asked for before a refetch.
import { describe, expect, it } from 'vitest';
import { Resource } from '../src/lib/resource.svelte';

/** A fetch whose answers the test releases one by one. */
function held<K>() {
  const waiting: { key: K; answer: (value: string) => void; fail: (e: unknown) => void }[] = [];
  const fetch = (key: K) =>
    new Promise<string>((answer, fail) => {
      waiting.push({ key, answer, fail });
    });
  return { waiting, fetch };
}

describe('resource', () => {
  it('drops the answer for inputs that changed since it was asked for', async () => {
    const { waiting, fetch } = held<string>();
    const r = new Resource<string, string>({ fetch });
    const first = r.load('door-a');
    const second = r.load('door-b');
    waiting[1]!.answer('rows of b');
    await second;
    waiting[0]!.answer('rows of a');
    await first;
    expect(r.current).toBe('rows of b');
    expect(r.loading).toBe(false);
  });

  it('shows a newer answer for the same inputs, and drops an older one', async () => {
    const { waiting, fetch } = held<null>();
    const r = new Resource<null, string>({ fetch });
    const load = r.load(null);
    waiting[0]!.answer('v1');
    await load;
    const a = r.refetch();
    const b = r.refetch();
    const c = r.refetch();
    waiting[1]!.answer('v2');
    await a;
    expect(r.current).toBe('v2');
    waiting[3]!.answer('v4');
    await c;
    waiting[2]!.answer('v3');
    await b;
    expect(r.current).toBe('v4');
  });

  it('drops a next page asked for before a refetch, and a failure older than an answer', async () => {
    const { waiting, fetch } = held<null>();
    const r = new Resource<null, string>({ fetch });
    const load = r.load(null);
    waiting[0]!.answer('head');
    await load;
    let answerMore: (v: string) => void = () => {};
    const more = r.extend(
      () => new Promise<string>((a) => (answerMore = a)),
      (page, current) => `${current} + ${page}`,
    );
    const again = r.refetch();
    answerMore('page 2');
    await more;
    expect(r.current).toBe('head');
    const failing = r.refetch();
    waiting[2]!.answer('new head');
    await failing;
    waiting[1]!.fail(new Error('offline'));
    await again;
    expect(r.current).toBe('new head');
    expect(r.error).toBeNull();
  });
});
