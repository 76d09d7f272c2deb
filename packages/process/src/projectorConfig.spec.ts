import { ConfigError, loadConfig, ProjectorConfig } from './projectorConfig';

describe('ProjectorConfig', () => {
  it('keeps Comms records the 7 days the Comms API promises unless told otherwise', () => {
    expect(loadConfig(ProjectorConfig, {}).COMMS_RETENTION_SECONDS).toBe(604800);
    expect(loadConfig(ProjectorConfig, {}).commsRetentionMs).toBe(604_800_000);
    const short = loadConfig(ProjectorConfig, { COMMS_RETENTION_SECONDS: '3' });
    expect(short.commsRetentionMs).toBe(3000);
  });

  it('refuses a retention that is not a whole number of seconds, with one line naming it', () => {
    for (const bad of ['0', '-5', '1.5', 'week']) {
      let error: unknown;
      try {
        loadConfig(ProjectorConfig, { COMMS_RETENTION_SECONDS: bad });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(
        new RegExp(`^invalid configuration: COMMS_RETENTION_SECONDS="${bad}" [^\\n]+$`),
      );
    }
  });
});
