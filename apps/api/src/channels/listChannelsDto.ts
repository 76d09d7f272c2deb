import { IsOptional } from 'class-validator';

/** `GET /api/v1/users/:user_id/communication_channels`: Canvas page numbers. */
export class ListChannelsDto {
  @IsOptional()
  page?: string;

  @IsOptional()
  per_page?: string;
}
