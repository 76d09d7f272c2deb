import { Body, Controller, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { CanvasExceptionFilter } from '../http/canvasExceptionFilter';
import { isCanvasId } from '../http/canvasId';
import { CommandBus } from '@nestjs/cqrs';
import type { DomainError } from '@missive/domain';
import { DirectoryQueries, UserQueries, type UserRecord } from '@missive/read-models';
import { CurrentUser, RequestContext } from '../auth/currentUser';
import type { CommandContext } from '@missive/event-store';
import { CanvasError } from '../http/canvasError';
import { canvasValidationPipe, modelErrors } from '../http/canvasValidationPipe';
import {
  AddGroupMemberCommand,
  CreateCourseCommand,
  CreateGroupCommand,
  EnrollUserCommand,
} from './directoryCommands';
import { AddMembershipDto, CreateCourseDto, CreateGroupDto, EnrollUserDto } from './directoryDtos';
import { courseJson, enrollmentJson, groupJson, membershipJson } from './directoryJson';

/** A course's refusals nest under `course`, as ActiveModel words a nested object's errors. */
function courseError(err: DomainError): CanvasError {
  if (err.kind === 'not_found') return CanvasError.notFound();
  const entry = [{ attribute: err.attribute, type: err.type, message: err.message }];
  return CanvasError.model({ course: { [err.attribute]: entry } });
}

/** Courses, enrollments, groups and memberships: site admins only, as issue 3 scopes it. */
@Controller('api/v1')
export class DirectoryController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryQueries,
    private readonly users: UserQueries,
  ) {}

  @Post('accounts/self/courses')
  @HttpCode(200)
  @UseFilters(new CanvasExceptionFilter(courseError))
  async createCourse(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(modelErrors)) body: CreateCourseDto,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const id = await this.commands.execute<CreateCourseCommand, string>(
      new CreateCourseCommand(
        { name: body.course?.name, courseCode: body.course?.course_code, offer: body.offer },
        ctx,
      ),
    );
    return courseJson((await this.directory.course(id))!);
  }

  @Post('courses/:course_id/enrollments')
  @HttpCode(200)
  async enroll(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('course_id') courseId: string,
    @Body(canvasValidationPipe(modelErrors)) body: EnrollUserDto,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    if (!isCanvasId(courseId) || !(await this.directory.course(courseId)))
      throw CanvasError.notFound();
    const userId = body.enrollment?.user_id;
    if (!userId) throw CanvasError.missing('enrollment[user_id]');
    const user = await this.users.findById(userId);
    if (!user) throw CanvasError.notFound();
    const type = body.enrollment?.type ?? 'StudentEnrollment';
    await this.commands.execute(
      new EnrollUserCommand(
        courseId,
        { userId, type, enrollmentState: body.enrollment?.enrollment_state },
        ctx,
      ),
    );
    return enrollmentJson((await this.directory.enrollment(courseId, userId, type))!, user);
  }

  @Post('groups')
  @HttpCode(200)
  async createGroup(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(modelErrors)) body: CreateGroupDto,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const id = await this.commands.execute<CreateGroupCommand, string>(
      new CreateGroupCommand(body.name, ctx),
    );
    return groupJson((await this.directory.group(id))!);
  }

  @Post('groups/:group_id/memberships')
  @HttpCode(200)
  async addMember(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Param('group_id') groupId: string,
    @Body(canvasValidationPipe(modelErrors)) body: AddMembershipDto,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    if (!isCanvasId(groupId) || !(await this.directory.group(groupId)))
      throw CanvasError.notFound();
    if (!body.user_id) throw CanvasError.missing('user_id');
    if (!(await this.users.findById(body.user_id))) throw CanvasError.notFound();
    await this.commands.execute(new AddGroupMemberCommand(groupId, body.user_id!, ctx));
    return membershipJson((await this.directory.membership(groupId, body.user_id))!);
  }
}
