import { ProjectorConfig } from '@missive/conversations-projector';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';

export { ConfigError, loadConfig } from '@missive/conversations-projector';

/** Environment variables of the API process, validated once at start-up (README has the table). */
export class AppConfig extends ProjectorConfig {
  /** 0 picks a free port (tests). */
  @IsInt()
  @Min(0)
  @Max(65535)
  @Transform(({ value }) => (value === undefined ? 3000 : Number(value)))
  PORT = 3000;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  ADMIN_TOKEN?: string;

  /** Node number (0..63) in generated ids: give each API instance its own. */
  @IsInt()
  @Min(0)
  @Max(63)
  @Transform(({ value }) => (value === undefined ? 0 : Number(value)))
  NODE_ID = 0;

  /** Run the projectors inside the API process (the embedded default). */
  @IsBoolean()
  @Transform(({ value }) => (value === undefined ? true : value === 'true' || value === '1'))
  RUN_PROJECTORS = true;

  /** How long a command waits for its projection before answering (read-your-writes). */
  @IsInt()
  @Min(0)
  @Max(60000)
  @Transform(({ value }) => (value === undefined ? 5000 : Number(value)))
  READ_YOUR_WRITES_TIMEOUT_MS = 5000;
}
