import { toCloudEvent, isPublicEvent } from './cloudEvent';

describe('toCloudEvent', () => {
  const recorded = {
    id: '7b0c3f4e-2c1d-4a8e-9f00-1234567890ab',
    type: 'ChannelBounced',
    streamId: 'channel-9',
    revision: 3,
    position: { commit: 41n, prepare: 41n },
    data: { channelId: '9', userId: '7', bounceCount: 1, lastBounceAt: '2026-11-23T10:00:00Z' },
    metadata: {
      schemaVersion: 1,
      occurredAt: '2026-11-23T10:00:00.000Z',
      correlationId: 'c1',
      causationId: 'e0',
    },
    created: new Date('2026-11-23T10:00:01.000Z'),
  };

  it('wraps a stored event as a structured CloudEvent 1.0', () => {
    expect(toCloudEvent(recorded)).toEqual({
      specversion: '1.0',
      id: recorded.id,
      source: '/missive',
      type: 'com.missive.ChannelBounced',
      subject: 'channel-9',
      time: '2026-11-23T10:00:00.000Z',
      datacontenttype: 'application/json',
      dataschema: 'urn:missive:events:ChannelBounced:v1',
      data: recorded.data,
      position: '41/41',
      schemaversion: 1,
      correlationid: 'c1',
      causationid: 'e0',
    });
  });

  it('uses only lowercase alphanumeric extension names, as CloudEvents requires', () => {
    for (const key of Object.keys(toCloudEvent(recorded))) expect(key).toMatch(/^[a-z0-9]{1,20}$/);
  });

  it('knows which events are public', () => {
    expect(isPublicEvent('MessageAdded')).toBe(true);
    expect(isPublicEvent('AccessTokenIssued')).toBe(false);
    expect(isPublicEvent('Nope')).toBe(false);
  });
});
