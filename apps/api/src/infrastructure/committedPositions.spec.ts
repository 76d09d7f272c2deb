import type { Position } from '@missive/event-store';
import { CommittedPositions } from './committedPositions';

const at = (n: number): Position => ({ commit: BigInt(n), prepare: BigInt(n) });

async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('CommittedPositions', () => {
  it('answers a wait once its projection reports a commit at or past the target', async () => {
    const committed = new CommittedPositions();
    const wait = committed.wait('conversations', at(10));
    committed.record('conversations', at(9));
    committed.record('users', at(50));
    expect(await settled(wait.passed)).toBe(false);
    committed.record('conversations', at(10));
    expect(await settled(wait.passed)).toBe(true);
  });

  it('answers at once when the commit was reported before the wait', async () => {
    const committed = new CommittedPositions();
    committed.record('channels', at(7));
    committed.record('channels', at(3)); // a late report never moves it back
    expect(await settled(committed.wait('channels', at(7)).passed)).toBe(true);
    expect(await settled(committed.wait('channels', at(8)).passed)).toBe(false);
  });

  it('forgets a cancelled wait', async () => {
    const committed = new CommittedPositions();
    const wait = committed.wait('progress', at(5));
    wait.cancel();
    committed.record('progress', at(5));
    expect(await settled(wait.passed)).toBe(false);
  });
});
