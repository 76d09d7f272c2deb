import { Type } from 'class-transformer';
import {
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

export class TokenParams {
  @IsOptional()
  @IsString()
  @MaxLength(255)
  purpose?: string;

  @IsOptional()
  @IsISO8601()
  expires_at?: string;
}

/** `POST /api/v1/users/:user_id/tokens`: `token[purpose]`, `token[expires_at]`. */
export class CreateTokenDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TokenParams)
  token?: TokenParams;
}
