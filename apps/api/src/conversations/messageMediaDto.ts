import { Transform } from 'class-transformer';
import { IsArray, IsIn, IsOptional, IsString } from 'class-validator';

/**
 * What a new message may carry besides its text, in a new conversation and in add_message:
 * attachments and a media comment.
 */
export class MessageMediaDto {
  /** Files are out of scope: any id names an attachment that does not exist. */
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string' || typeof value === 'number' ? [String(value)] : value,
  )
  @IsArray()
  attachment_ids?: unknown[];

  /** Media hosting is out of scope: the id is stored as given. */
  @IsOptional()
  @IsString()
  media_comment_id?: string;

  @IsOptional()
  @IsIn(['audio', 'video'])
  media_comment_type?: 'audio' | 'video';
}
