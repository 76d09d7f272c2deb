import { grownMap } from '../shared/grow';
import { DomainError } from '../shared/domainError';
import {
  ENROLLMENT_STATES,
  ENROLLMENT_TYPES,
  type CourseCreated,
  type CourseEvent,
  type EnrollmentState,
  type EnrollmentType,
  type UserEnrolled,
} from './directoryEvents';

export interface CourseState {
  readonly courseId: string;
  readonly name: string;
  /** Enrollment id per `<userId>/<type>`: one enrollment of each type per user. */
  readonly enrollments: ReadonlyMap<string, string>;
}

export const MAX_COURSE_NAME_LENGTH = 255;

export function evolveCourse(state: CourseState | null, event: CourseEvent): CourseState | null {
  switch (event.type) {
    case 'CourseCreated':
      return { courseId: event.data.courseId, name: event.data.name, enrollments: new Map() };
    case 'UserEnrolled': {
      if (!state) return state;
      return {
        ...state,
        enrollments: grownMap(
          state.enrollments,
          `${event.data.userId}/${event.data.type}`,
          event.data.enrollmentId,
        ),
      };
    }
  }
}

export interface CreateCourse {
  courseId: string;
  name?: string | null;
  courseCode?: string | null;
  offer?: boolean;
  createdAt: string;
}

export function createCourse(state: CourseState | null, cmd: CreateCourse): CourseCreated[] {
  if (state) throw new DomainError('conflict', 'course', 'course already exists');
  // Canvas names an unnamed course "Unnamed Course" and reuses the name as the code.
  const name = cmd.name?.trim() || 'Unnamed Course';
  if (name.length > MAX_COURSE_NAME_LENGTH)
    throw new DomainError('invalid', 'name', 'too_long', 'too_long');
  const courseCode = cmd.courseCode?.trim() || name;
  if (courseCode.length > MAX_COURSE_NAME_LENGTH) {
    throw new DomainError('invalid', 'course_code', 'too_long', 'too_long');
  }
  return [
    {
      type: 'CourseCreated',
      data: {
        courseId: cmd.courseId,
        name,
        courseCode,
        workflowState: cmd.offer ? 'available' : 'unpublished',
        createdAt: cmd.createdAt,
      },
    },
  ];
}

export interface EnrollUser {
  enrollmentId: string;
  userId: string;
  type?: string | null;
  enrollmentState?: string | null;
  createdAt: string;
}

/**
 * Enrolls a user. Enrolling the same user with the same type again decides nothing (Canvas
 * returns the existing enrollment), so retries are safe.
 */
export function enrollUser(state: CourseState | null, cmd: EnrollUser): UserEnrolled[] {
  if (!state)
    throw new DomainError('not_found', 'course', 'The specified resource does not exist.');
  const type = (cmd.type ?? 'StudentEnrollment') as EnrollmentType;
  if (!ENROLLMENT_TYPES.includes(type))
    throw new DomainError('invalid', 'type', 'invalid', 'invalid');
  const enrollmentState = (cmd.enrollmentState ?? 'invited') as EnrollmentState;
  if (!ENROLLMENT_STATES.includes(enrollmentState)) {
    throw new DomainError('invalid', 'enrollment_state', 'invalid', 'invalid');
  }
  if (state.enrollments.has(`${cmd.userId}/${type}`)) return [];
  return [
    {
      type: 'UserEnrolled',
      data: {
        courseId: state.courseId,
        enrollmentId: cmd.enrollmentId,
        userId: cmd.userId,
        type,
        enrollmentState,
        createdAt: cmd.createdAt,
      },
    },
  ];
}
