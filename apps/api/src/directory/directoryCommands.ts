import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  IdGenerator,
  addGroupMember,
  createCourse,
  createGroup,
  enrollUser,
  evolveCourse,
  evolveGroup,
  streams,
} from '@missive/domain';
import type { EventStore } from '@missive/event-store';
import type { CommandContext } from '@missive/command-handling';
import { execute } from '@missive/command-handling';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { EVENT_STORE } from '../infrastructure/tokens';

export class CreateCourseCommand {
  constructor(
    readonly params: { name?: string; courseCode?: string; offer?: boolean },
    readonly ctx: CommandContext,
  ) {}
}

export class EnrollUserCommand {
  constructor(
    readonly courseId: string,
    readonly params: { userId: string; type?: string; enrollmentState?: string },
    readonly ctx: CommandContext,
  ) {}
}

export class CreateGroupCommand {
  constructor(
    readonly name: string | undefined,
    readonly ctx: CommandContext,
  ) {}
}

export class AddGroupMemberCommand {
  constructor(
    readonly groupId: string,
    readonly userId: string,
    readonly ctx: CommandContext,
  ) {}
}

/** Directory writes; each answers once the directory read model shows the change. */
abstract class DirectoryHandler {
  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    protected readonly ids: IdGenerator,
    protected readonly readYourWrites: ReadYourWrites,
  ) {}
}

@CommandHandler(CreateCourseCommand)
export class CreateCourseHandler
  extends DirectoryHandler
  implements ICommandHandler<CreateCourseCommand, string>
{
  async execute({ params, ctx }: CreateCourseCommand): Promise<string> {
    const courseId = this.ids.next();
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.course(courseId),
      evolveCourse,
      (s) => createCourse(s, { courseId, ...params, createdAt }),
      ctx,
    );
    await this.readYourWrites.waitFor('directory', result?.position);
    return courseId;
  }
}

@CommandHandler(EnrollUserCommand)
export class EnrollUserHandler
  extends DirectoryHandler
  implements ICommandHandler<EnrollUserCommand, void>
{
  async execute({ courseId, params, ctx }: EnrollUserCommand): Promise<void> {
    const enrollmentId = this.ids.next();
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.course(courseId),
      evolveCourse,
      (s) => enrollUser(s, { enrollmentId, ...params, createdAt }),
      ctx,
    );
    await this.readYourWrites.waitFor('directory', result?.position);
  }
}

@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler
  extends DirectoryHandler
  implements ICommandHandler<CreateGroupCommand, string>
{
  async execute({ name, ctx }: CreateGroupCommand): Promise<string> {
    const groupId = this.ids.next();
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.group(groupId),
      evolveGroup,
      (s) => createGroup(s, { groupId, name, createdAt }),
      ctx,
    );
    await this.readYourWrites.waitFor('directory', result?.position);
    return groupId;
  }
}

@CommandHandler(AddGroupMemberCommand)
export class AddGroupMemberHandler
  extends DirectoryHandler
  implements ICommandHandler<AddGroupMemberCommand, void>
{
  async execute({ groupId, userId, ctx }: AddGroupMemberCommand): Promise<void> {
    const membershipId = this.ids.next();
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.group(groupId),
      evolveGroup,
      (s) => addGroupMember(s, { membershipId, userId, createdAt }),
      ctx,
    );
    await this.readYourWrites.waitFor('directory', result?.position);
  }
}
