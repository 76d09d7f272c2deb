import { plainToInstance } from 'class-transformer';
import type { CommsSettings } from './commsSettings';
import { SendMessagesDto } from './sendMessagesDto';
import { DomainError } from '@missive/domain';
import { planSend, renderVariables, sendError } from './sendPlan';

const settings: CommsSettings = {
  credentials: [],
  baseUrl: undefined,
  rateLimit: { perSecond: 1, burst: 1 },
  webhookToken: undefined,
  defaultSenders: { sms: '+15005550006', whatsapp: '+15005550007' },
};
const now = new Date('2026-11-23T10:00:00.000Z');
const dto = (body: object) => plainToInstance(SendMessagesDto, body);
const profile = {
  profileId: 'mem_profile_01h9krwprkeee8fzqspvwy6nq7',
  memoryStoreId: 'mem_store_0',
};

describe('planSend', () => {
  it('uses each channel’s default sender when the send names none', () => {
    const plan = planSend(
      dto({
        to: [
          { address: '+14155550100', channel: 'PHONE' },
          { address: '+14155550101', channel: 'WHATSAPP' },
        ],
        content: { text: 'Hi', media: [{ url: 'https://e.com/a.png' }] },
      }),
      settings,
      now,
    );
    expect(plan).toEqual({
      recipients: 2,
      unaddressable: 0,
      scheduledFor: null,
      tags: {},
      text: 'Hi',
      media: ['https://e.com/a.png'],
      messages: [
        {
          channel: 'phone',
          to: '+14155550100',
          from: '+15005550006',
          text: 'Hi',
          media: ['https://e.com/a.png'],
        },
        {
          channel: 'whatsapp',
          to: '+14155550101',
          from: '+15005550007',
          text: 'Hi',
          media: ['https://e.com/a.png'],
        },
      ],
    });
  });

  it('pairs a given sender only with the recipients its channel reaches', () => {
    const to = [
      { address: '+14155550100', channel: 'PHONE' },
      { address: '+14155550101', channel: 'WHATSAPP' },
      {
        addresses: [
          { address: '+14155550102', channel: 'PHONE' },
          { address: '+14155550103', channel: 'WHATSAPP' },
        ],
      },
      profile,
    ];
    const whatsapp = planSend(
      dto({ to, from: { address: '+14155550999', channel: 'WHATSAPP' }, content: { text: 'x' } }),
      settings,
      now,
    );
    expect(whatsapp.messages.map((m) => m.to)).toEqual(['+14155550101', '+14155550103']);
    expect(whatsapp).toMatchObject({ recipients: 4, unaddressable: 2 });
    const rcs = planSend(
      dto({ to, from: { address: '+14155550999', channel: 'RCS' }, content: { text: 'x' } }),
      settings,
      now,
    );
    expect(rcs).toMatchObject({ messages: [], unaddressable: 4 });
  });

  it('schedules at the first sendAt, and refuses a time in the past or beyond 30 days', () => {
    const body = (sendAt: string[]) =>
      dto({ to: [profile], content: { text: 'x' }, schedule: { sendAt } });
    expect(planSend(body(['2026-11-24T10:00:00Z', 'ignored']), settings, now).scheduledFor).toBe(
      '2026-11-24T10:00:00.000Z',
    );
    const refusals = [
      ['2026-11-23T09:59:59Z', 'sendAt must be in the future'],
      ['2026-12-24T10:00:00Z', 'sendAt must be at most 30 days ahead'],
    ] as const;
    for (const [bad, message] of refusals) {
      let refusal: unknown;
      try {
        planSend(body([bad]), settings, now);
      } catch (err) {
        refusal = err;
      }
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal).toMatchObject({ kind: 'invalid', attribute: 'schedule.sendAt', message });
      // What the Comms filter answers with: a 400 pointing at the list's first item.
      expect(sendError(refusal as DomainError)).toMatchObject({
        status: 400,
        errors: [expect.objectContaining({ context: '$.schedule.sendAt[0]' })],
      });
    }
  });
});

describe('planSend with variables', () => {
  it('keeps each recipient’s variables beside its rendered text, for a resumed fan-out', () => {
    const plan = planSend(
      dto({
        to: [
          { address: '+14155550100', channel: 'PHONE', variables: { name: 'Ann' } },
          { address: '+14155550101', channel: 'PHONE' },
        ],
        content: { text: 'Hi {{ name }}' },
      }),
      settings,
      now,
    );
    expect(plan.text).toBe('Hi {{ name }}');
    expect(plan.messages.map((m) => [m.text, m.variables])).toEqual([
      ['Hi Ann', { name: 'Ann' }],
      ['Hi {{ name }}', undefined],
    ]);
  });
});

describe('renderVariables', () => {
  it('fills the recipient’s variables into Liquid output tags and leaves the rest alone', () => {
    expect(
      renderVariables('Hi {{ firstName }}{{x}} {{ other }} {{ a | upcase }}', {
        firstName: 'Ada',
        x: '!',
      }),
    ).toBe('Hi Ada! {{ other }} {{ a | upcase }}');
    expect(renderVariables('Hi {{ firstName }}', undefined)).toBe('Hi {{ firstName }}');
    expect(renderVariables('{{ constructor }}', {})).toBe('{{ constructor }}');
  });
});
