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

  /** `filter[]=course_5` or a single `filter=user_7`. */
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @IsString({ each: true })
  filter?: string[];

  /** Checked by the controller: Canvas answers a bad mode with its own bare-array error. */
  @IsOptional()
  filter_mode?: unknown;

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? [value] : value))
  @IsArray()
  @IsIn(['participant_avatars'], { each: true })
  include?: string[];
}
