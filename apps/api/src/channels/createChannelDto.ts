import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';

/** Rails' value_to_boolean for the values clients send; anything else is false. */
export function canvasBoolean({ value }: { value: unknown }): unknown {
  if (value === undefined || typeof value === 'boolean') return value;
  if (typeof value !== 'string') return value;
  return ['1', 'true', 't', 'on', 'yes'].includes(value.trim().toLowerCase());
}

export class ChannelParams {
  @IsOptional()
  @IsString()
  address?: string;

  @IsOptional()
  @IsString()
  type?: string;

  /** Push only: the device token from the push provider. */
  @IsOptional()
  @IsString()
  token?: string;

  @IsOptional()
  @Transform(canvasBoolean)
  @IsBoolean()
  skip_confirmation?: boolean;
}

/**
 * `POST /api/v1/users/:user_id/communication_channels`: `communication_channel[address|type|token]`
 * and `skip_confirmation` (also accepted nested, as the user-creation endpoint sends it).
 */
export class CreateChannelDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ChannelParams)
  communication_channel?: ChannelParams;

  @IsOptional()
  @Transform(canvasBoolean)
  @IsBoolean()
  skip_confirmation?: boolean;
}
