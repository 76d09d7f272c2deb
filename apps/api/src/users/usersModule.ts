import { Module } from '@nestjs/common';
import { CreateUserHandler } from './createUserHandler';
import { EraseUserHandler } from './eraseUserHandler';
import { IssueTokenHandler } from './issueTokenHandler';
import { RevokeTokenHandler } from './revokeTokenHandler';
import { UsersController } from './usersController';

@Module({
  controllers: [UsersController],
  providers: [CreateUserHandler, EraseUserHandler, IssueTokenHandler, RevokeTokenHandler],
})
export class UsersModule {}
