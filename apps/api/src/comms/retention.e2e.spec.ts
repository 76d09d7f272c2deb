import { encodeUlid } from '@missive/domain';
import { randomBytes } from 'node:crypto';
import {
  asEventData,
  commsMessageCreated,
  deliveryEvents,
  operationCreated,
} from '../../../../packages/read-models/src/comms/testing/commsEvents';
import { TestApp } from '../testing/testApp';
import { COMMS_ENV, CommsClient } from './testing/commsClient';

const DAY = 86_400_000;

describe('Comms retention: records older than 7 days are no longer returned', () => {
  let app: TestApp;
  let comms: CommsClient;

  beforeAll(async () => {
    app = await TestApp.start(COMMS_ENV);
    comms = new CommsClient(app);
  });
  afterAll(async () => {
    await app.stop();
  });

  /** An operation with one delivered message, as if sent `ageMs` ago. */
  async function sentAgo(ageMs: number, scheduledAgoMs?: number) {
    const createdMs = Date.now() - ageMs;
    const createdAt = new Date(createdMs).toISOString();
    const scheduledFor =
      scheduledAgoMs === undefined ? null : new Date(Date.now() - scheduledAgoMs).toISOString();
    const operationId = encodeUlid(createdMs, randomBytes(10));
    const outboundId = encodeUlid(createdMs, randomBytes(10));
    await app.store.append(
      `operation-${operationId}`,
      asEventData([operationCreated(operationId, { createdAt, scheduledFor })]),
    );
    await app.store.append(
      `outbound-${outboundId}`,
      asEventData([
        commsMessageCreated({ outboundId, operationId, createdAt, scheduledFor }),
        ...(scheduledFor
          ? [{ type: 'OutboundMessageQueued', data: { outboundId, queuedAt: scheduledFor } }]
          : []),
        ...deliveryEvents(outboundId, 'delivered', createdAt),
      ]),
    );
    return {
      operationId: `comms_operation_${operationId}`,
      id: `comms_message_${outboundId}`,
      sid: `SM${outboundId}`,
    };
  }

  it('hides expired messages and operations from list, fetch and seek; keeps recent ones', async () => {
    const expired = await sentAgo(8 * DAY);
    const recent = await sentAgo(6 * DAY);
    const scheduledLate = await sentAgo(8 * DAY, 2 * DAY);
    // A send through the API answers after the projection has passed everything before it.
    await comms.send({
      to: [{ address: '+14155550100', channel: 'PHONE' }],
      content: { text: 'x' },
    });

    const listed = (await comms.get('/v1/Messages?pageSize=1000')).body.messages.map(
      (m: { id: string }) => m.id,
    );
    expect(listed).not.toContain(expired.id);
    expect(listed).toEqual(expect.arrayContaining([recent.id, scheduledLate.id]));
    expect((await comms.get(`/v1/Messages/${expired.id}`)).status).toBe(404);
    expect((await comms.seek(expired.sid)).status).toBe(404);
    expect((await comms.get(`/v1/Messages/Operations/${expired.operationId}`)).status).toBe(404);
    const operations = (
      await comms.get('/v1/Messages/Operations?pageSize=1000')
    ).body.operations.map((o: { id: string }) => o.id);
    expect(operations).not.toContain(expired.operationId);
    expect(operations).toContain(recent.operationId);

    expect((await comms.get(`/v1/Messages/${recent.id}`)).body.status).toBe('DELIVERED');
    expect((await comms.seek(recent.sid)).status).toBe(301);
    // Counted from its send time, a message scheduled two days ago has five days left.
    expect((await comms.get(`/v1/Messages/${scheduledLate.id}`)).status).toBe(200);
  });
});
