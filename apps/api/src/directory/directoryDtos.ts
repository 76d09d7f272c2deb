import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateNested,
} from 'class-validator';
import { toBoolean } from '../conversations/createConversationDto';

export class CourseParams {
  @IsOptional()
  @IsString()
  name?: string;

  @IsOptional()
  @IsString()
  course_code?: string;
}

/** `POST /api/v1/accounts/self/courses`: `course[name]`, `course[course_code]`, `offer`. */
export class CreateCourseDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CourseParams)
  course?: CourseParams;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  offer?: boolean;
}

export class EnrollmentParams {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @Matches(/^\d{1,16}$/)
  user_id?: string;

  @IsOptional()
  @IsString()
  type?: string;

  @IsOptional()
  @IsString()
  enrollment_state?: string;
}

/** `POST /api/v1/courses/:course_id/enrollments`: `enrollment[user_id]`, `[type]`, `[enrollment_state]`. */
export class EnrollUserDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => EnrollmentParams)
  enrollment?: EnrollmentParams;
}

/** `POST /api/v1/groups`: `name`. */
export class CreateGroupDto {
  @IsOptional()
  @IsString()
  name?: string;
}

/** `POST /api/v1/groups/:group_id/memberships`: `user_id`. */
export class AddMembershipDto {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @Matches(/^\d{1,16}$/)
  user_id?: string;
}
