import { Module } from '@nestjs/common';
import { CreateUserHandler } from './createUserHandler';
import { IssueTokenHandler } from './issueTokenHandler';
import { RevokeTokenHandler } from './revokeTokenHandler';
import { UsersController } from './usersController';

@Module({
  controllers: [UsersController],
  providers: [CreateUserHandler, IssueTokenHandler, RevokeTokenHandler],
})
export class UsersModule {}
