import { Module } from '@nestjs/common';
import { CreateUserHandler } from './createUserHandler';
import { IssueTokenHandler } from './issueTokenHandler';
import { UsersController } from './usersController';

@Module({
  controllers: [UsersController],
  providers: [CreateUserHandler, IssueTokenHandler],
})
export class UsersModule {}
