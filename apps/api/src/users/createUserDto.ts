import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { ChannelParams } from '../channels/createChannelDto';

export class UserParams {
  @IsOptional()
  @IsString()
  name?: string;

  @IsOptional()
  @IsString()
  short_name?: string;
}

export class PseudonymParams {
  @IsOptional()
  @IsString()
  unique_id?: string;
}

/** `POST /api/v1/accounts/self/users`: `user[name]`, `user[short_name]`, `pseudonym[unique_id]`. */
export class CreateUserDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => UserParams)
  user?: UserParams;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => PseudonymParams)
  pseudonym?: PseudonymParams;

  /** `communication_channel[type|address|skip_confirmation]`: the user's first channel. */
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ChannelParams)
  communication_channel?: ChannelParams;
}
