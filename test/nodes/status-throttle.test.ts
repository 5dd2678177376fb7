import assert from 'node:assert/strict';
import sinon from 'sinon';
import type { NodeStatus } from 'node-red';
import { StatusThrottle } from '../../nodes/shared/status-throttle';

describe('nodes/shared: StatusThrottle', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  it('shows the first status at once and only the latest one of a burst at the end of the interval', () => {
    const shown: NodeStatus[] = [];
    const throttle = new StatusThrottle((s) => shown.push(s), 250);
    let made = 0;
    const make = (text: string) => () => {
      made++;
      return { text };
    };
    throttle.update(make('1'));
    assert.deepEqual(shown, [{ text: '1' }]);
    for (let i = 2; i <= 100; i++) throttle.update(make(String(i)));
    assert.equal(shown.length, 1);
    clock.tick(250);
    assert.deepEqual(shown, [{ text: '1' }, { text: '100' }]);
    assert.equal(made, 2, 'texts of statuses never shown are not made');
    clock.tick(1000);
    assert.equal(shown.length, 2);
    throttle.update(make('later'));
    assert.deepEqual(shown.at(-1), { text: 'later' }, 'after a quiet interval, at once again');
  });

  it('shows errors at once and drops the update that waits; cancel drops it too', () => {
    const shown: NodeStatus[] = [];
    const throttle = new StatusThrottle((s) => shown.push(s), 250);
    throttle.update(() => ({ text: 'a' }));
    throttle.update(() => ({ text: 'b' }));
    throttle.immediately({ fill: 'red', text: 'error' });
    clock.tick(1000);
    assert.deepEqual(shown, [{ text: 'a' }, { fill: 'red', text: 'error' }]);
    throttle.update(() => ({ text: 'c' })); // within 250 ms of the error? no: 1000 ms passed
    throttle.update(() => ({ text: 'd' }));
    throttle.cancel();
    clock.tick(1000);
    assert.deepEqual(shown.at(-1), { text: 'c' });
  });
});
