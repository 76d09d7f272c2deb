import { availableParallelism } from 'node:os';
import { AppConfig, ConfigError, loadConfig as load } from './appConfig';

const loadConfig = (env: NodeJS.ProcessEnv) => load(AppConfig, env);

describe('loadConfig', () => {
  it('applies the embedded defaults', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.RUN_PROJECTORS).toBe(true);
    expect(config.eventStoreUrl).toMatch(/^sqlite:.*data\/events\.db$/);
    expect(config.readModelUrl).toMatch(/^sqlite:.*data\/read-models\.db$/);
  });

  it('serves from one HTTP worker per core on the embedded default, one process elsewhere', () => {
    expect(loadConfig({}).apiWorkers).toBe(availableParallelism());
    expect(loadConfig({ EVENT_STORE_URL: 'esdb://localhost:2113' }).apiWorkers).toBe(1);
    expect(loadConfig({ EVENT_STORE_URL: 'postgres://localhost/missive' }).apiWorkers).toBe(1);
    expect(loadConfig({ API_WORKERS: '1' }).apiWorkers).toBe(1);
    expect(
      loadConfig({ EVENT_STORE_URL: 'esdb://localhost:2113', API_WORKERS: '3' }).apiWorkers,
    ).toBe(3);
    expect(() => loadConfig({ API_WORKERS: '0' })).toThrow(ConfigError);
  });

  it('names every bad variable on its own line', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', EVENT_STORE_URL: 'mysql://x', ADMIN_TOKEN: 'short' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split('=')[0]).sort()).toEqual([
      'invalid configuration: ADMIN_TOKEN',
      'invalid configuration: EVENT_STORE_URL',
      'invalid configuration: PORT',
    ]);
  });

  it('accepts production URLs', () => {
    const config = loadConfig({
      EVENT_STORE_URL: 'esdb://eventstore:2113?tls=false',
      READ_MODEL_URL: 'postgres://missive@postgres:5432/missive',
      PORT: '8080',
      RUN_PROJECTORS: 'false',
    });
    expect(config.eventStoreUrl).toBe('esdb://eventstore:2113?tls=false');
    expect(config.PORT).toBe(8080);
    expect(config.RUN_PROJECTORS).toBe(false);
    for (const url of ['postgres://pg/missive', 'postgresql://u@pg:5432/missive?schema=events']) {
      expect(loadConfig({ EVENT_STORE_URL: url, READ_MODEL_URL: url }).eventStoreUrl).toBe(url);
    }
  });

  it('defaults the rate limits to Canvas and refuses a maximum below the high-water mark', () => {
    expect(loadConfig({}).rateLimit).toEqual({
      highWaterMark: 600,
      maximum: 800,
      outflowPerSec: 10,
      upfrontCost: 50,
    });
    expect(
      loadConfig({ RATE_LIMIT_HIGH_WATER_MARK: '100', RATE_LIMIT_UPFRONT_COST: '12.5' }).rateLimit,
    ).toMatchObject({ highWaterMark: 100, upfrontCost: 12.5 });
    expect(() =>
      loadConfig({ RATE_LIMIT_HIGH_WATER_MARK: '900', RATE_LIMIT_OUTFLOW_PER_SEC: 'fast' }),
    ).toThrow(
      /^invalid configuration: RATE_LIMIT_MAXIMUM=undefined must be at least RATE_LIMIT_HIGH_WATER_MARK\ninvalid configuration: RATE_LIMIT_OUTFLOW_PER_SEC="fast" .*$/,
    );
  });
});
