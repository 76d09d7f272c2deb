import { Body, Controller, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { CanvasExceptionFilter, modelDomainError } from '../http/canvasExceptionFilter';
import { CommandBus } from '@nestjs/cqrs';
import type { DomainError } from '@missive/domain';
import type {
  CourseRecord,
  EnrollmentRecord,
  GroupRecord,
  MembershipRecord,
  UserRecord,
} from '@missive/read-models';
import { CurrentUser, RequestContext } from '../auth/currentUser';
import type { CommandContext } from '@missive/command-handling';
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

/** Refusals in ActiveModel's shape; a parameter left out is Canvas's `<name> is missing`. */
function directoryError(err: DomainError): CanvasError {
  if (err.type === 'missing') return CanvasError.missing(err.attribute);
  return modelDomainError(err);
}

/** A course's refusals nest under `course`, as ActiveModel words a nested object's errors. */
function courseError(err: DomainError): CanvasError {
  if (err.kind === 'not_found') return CanvasError.notFound();
  const entry = [{ attribute: err.attribute, type: err.type, message: err.message }];
  return CanvasError.model({ course: { [err.attribute]: entry } });
}

/** Courses, enrollments, groups and memberships: site admins only, as issue 3 scopes it. */
@Controller('api/v1')
@UseFilters(new CanvasExceptionFilter(directoryError))
export class DirectoryController {
  constructor(private readonly commands: CommandBus) {}

  @Post('accounts/self/courses')
  @HttpCode(200)
  @UseFilters(new CanvasExceptionFilter(courseError))
  async createCourse(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(modelErrors)) body: CreateCourseDto,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const course = await this.commands.execute<CreateCourseCommand, CourseRecord>(
      new CreateCourseCommand(
        { name: body.course?.name, courseCode: body.course?.course_code, offer: body.offer },
        ctx,
      ),
    );
    return courseJson(course);
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
    const params = {
      userId: body.enrollment?.user_id || undefined,
      type: body.enrollment?.type ?? 'StudentEnrollment',
      enrollmentState: body.enrollment?.enrollment_state,
    };
    const { enrollment, user } = await this.commands.execute<
      EnrollUserCommand,
      { enrollment: EnrollmentRecord; user: UserRecord }
    >(new EnrollUserCommand(courseId, params, ctx));
    return enrollmentJson(enrollment, user);
  }

  @Post('groups')
  @HttpCode(200)
  async createGroup(
    @CurrentUser() caller: UserRecord,
    @RequestContext() ctx: CommandContext,
    @Body(canvasValidationPipe(modelErrors)) body: CreateGroupDto,
  ) {
    if (!caller.siteAdmin) throw CanvasError.unauthorized();
    const group = await this.commands.execute<CreateGroupCommand, GroupRecord>(
      new CreateGroupCommand(body.name, ctx),
    );
    return groupJson(group);
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
    const membership = await this.commands.execute<AddGroupMemberCommand, MembershipRecord>(
      new AddGroupMemberCommand(groupId, body.user_id || undefined, ctx),
    );
    return membershipJson(membership);
  }
}
