import { IsOptional, IsString } from 'class-validator';

/** `DELETE /api/v1/users/self/communication_channels/push`: `push_token`. */
export class DeletePushTokenDto {
  @IsOptional()
  @IsString()
  push_token?: string;
}
