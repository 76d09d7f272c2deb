import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsString } from 'class-validator';
import { toBoolean } from './createConversationDto';

/** `GET /api/v1/conversations` query; unknown scopes fall back to the inbox as Canvas does. */
export class ListConversationsDto {
  @IsOptional()
  @IsString()
  scope?: string;

  @IsOptional()
  page?: string;

  @IsOptional()
  per_page?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  include_all_conversation_ids?: boolean;

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @IsIn(['participant_avatars'], { each: true })
  include?: string[];
}
