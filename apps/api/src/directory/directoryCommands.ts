import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  DomainError,
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
import {
  DirectoryQueries,
  UserQueries,
  type CourseRecord,
  type EnrollmentRecord,
  type GroupRecord,
  type MembershipRecord,
  type UserRecord,
} from '@missive/read-models';
import { ReadYourWrites } from '../infrastructure/readYourWrites';
import { isCanvasId } from '../http/canvasId';
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
    /** `userId` unset: the request named nobody, refused once the course is known. */
    readonly params: { userId?: string; type: string; enrollmentState?: string },
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
    readonly userId: string | undefined,
    readonly ctx: CommandContext,
  ) {}
}

/** A parameter the request left out: refused as Canvas does, `<name> is missing`. */
export function missing(parameter: string): DomainError {
  return new DomainError('invalid', parameter, 'missing', 'missing');
}

function notFound(what: string): DomainError {
  return new DomainError('not_found', 'id', `${what} not found`);
}

/**
 * Directory writes; each answers with what it wrote, once the directory read model shows it.
 * Who is named must exist first: an unknown course, group or user is not found.
 */
abstract class DirectoryHandler {
  constructor(
    @Inject(EVENT_STORE) protected readonly store: EventStore,
    protected readonly ids: IdGenerator,
    protected readonly readYourWrites: ReadYourWrites,
    protected readonly directory: DirectoryQueries,
    protected readonly users: UserQueries,
  ) {}

  protected async userNamed(userId: string | undefined, parameter: string): Promise<UserRecord> {
    if (!userId) throw missing(parameter);
    const user = await this.users.findById(userId);
    if (!user) throw notFound('user');
    return user;
  }
}

@CommandHandler(CreateCourseCommand)
export class CreateCourseHandler
  extends DirectoryHandler
  implements ICommandHandler<CreateCourseCommand, CourseRecord>
{
  async execute({ params, ctx }: CreateCourseCommand): Promise<CourseRecord> {
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
    return (await this.directory.course(courseId))!;
  }
}

@CommandHandler(EnrollUserCommand)
export class EnrollUserHandler
  extends DirectoryHandler
  implements ICommandHandler<EnrollUserCommand, { enrollment: EnrollmentRecord; user: UserRecord }>
{
  async execute({ courseId, params, ctx }: EnrollUserCommand) {
    if (!isCanvasId(courseId) || !(await this.directory.course(courseId))) {
      throw notFound('course');
    }
    const user = await this.userNamed(params.userId, 'enrollment[user_id]');
    const userId = params.userId!;
    const enrollmentId = this.ids.next();
    const createdAt = new Date().toISOString();
    const { result } = await execute(
      this.store,
      streams.course(courseId),
      evolveCourse,
      (s) => enrollUser(s, { enrollmentId, ...params, userId, createdAt }),
      ctx,
    );
    await this.readYourWrites.waitFor('directory', result?.position);
    const enrollment = await this.directory.enrollment(courseId, userId, params.type);
    return { enrollment: enrollment!, user };
  }
}

@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler
  extends DirectoryHandler
  implements ICommandHandler<CreateGroupCommand, GroupRecord>
{
  async execute({ name, ctx }: CreateGroupCommand): Promise<GroupRecord> {
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
    return (await this.directory.group(groupId))!;
  }
}

@CommandHandler(AddGroupMemberCommand)
export class AddGroupMemberHandler
  extends DirectoryHandler
  implements ICommandHandler<AddGroupMemberCommand, MembershipRecord>
{
  async execute({ groupId, userId: named, ctx }: AddGroupMemberCommand) {
    if (!isCanvasId(groupId) || !(await this.directory.group(groupId))) throw notFound('group');
    await this.userNamed(named, 'user_id');
    const userId = named!;
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
    return (await this.directory.membership(groupId, userId))!;
  }
}
