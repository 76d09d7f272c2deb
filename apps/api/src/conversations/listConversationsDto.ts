import { IsOptional, IsString } from 'class-validator';

/** `GET /api/v1/conversations` query; unknown scopes fall back to the inbox as Canvas does. */
export class ListConversationsDto {
  @IsOptional()
  @IsString()
  scope?: string;

  @IsOptional()
  page?: string;

  @IsOptional()
  per_page?: string;
}
