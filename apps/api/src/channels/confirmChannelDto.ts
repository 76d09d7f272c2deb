import { IsOptional, IsString } from 'class-validator';

/** `POST .../communication_channels/:id/confirm` (a Missive extension): `code`. */
export class ConfirmChannelDto {
  @IsOptional()
  @IsString()
  code?: string;
}
