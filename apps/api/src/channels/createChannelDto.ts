import { Transform, Type } from 'class-transformer';
import { toBoolean } from '../conversations/createConversationDto';
import { IsBoolean, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';

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
  @Transform(toBoolean)
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
  @Transform(toBoolean)
  @IsBoolean()
  skip_confirmation?: boolean;
}
