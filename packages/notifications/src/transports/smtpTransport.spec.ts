import { classify } from './smtpTransport';

describe('classify (SMTP errors as send outcomes)', () => {
  it('blames the address only for a permanent refusal of the recipient', () => {
    expect(
      classify({ responseCode: 550, command: 'RCPT TO', response: '550 no such user' }),
    ).toEqual({
      outcome: 'bounced',
      reason: '550 no such user',
    });
    expect(classify({ responseCode: 554, command: 'DATA', response: '554 spam' })).toEqual({
      outcome: 'failed',
      transient: false,
      error: { code: 'smtp_554', message: '554 spam' },
    });
  });

  it('retries 4xx anywhere and connection trouble', () => {
    expect(classify({ responseCode: 421, command: 'CONN', response: '421 busy' })).toMatchObject({
      outcome: 'failed',
      transient: true,
    });
    expect(classify({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' })).toEqual({
      outcome: 'failed',
      transient: true,
      error: { code: 'econnection', message: 'connect ECONNREFUSED' },
    });
  });

  it('does not retry an address the client refuses before talking to a server', () => {
    expect(classify({ code: 'EENVELOPE', message: 'Invalid recipient' })).toMatchObject({
      outcome: 'failed',
      transient: false,
      error: { code: 'invalid_address' },
    });
  });
});
