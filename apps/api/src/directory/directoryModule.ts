import { Module } from '@nestjs/common';
import {
  AddGroupMemberHandler,
  CreateCourseHandler,
  CreateGroupHandler,
  EnrollUserHandler,
} from './directoryCommands';
import { DirectoryController } from './directoryController';

@Module({
  controllers: [DirectoryController],
  providers: [CreateCourseHandler, EnrollUserHandler, CreateGroupHandler, AddGroupMemberHandler],
})
export class DirectoryModule {}
