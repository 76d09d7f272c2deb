import type { DomainEvent } from '../shared/domainEvent';

export const ENROLLMENT_TYPES = [
  'StudentEnrollment',
  'TeacherEnrollment',
  'TaEnrollment',
  'ObserverEnrollment',
  'DesignerEnrollment',
] as const;
export type EnrollmentType = (typeof ENROLLMENT_TYPES)[number];

export const ENROLLMENT_STATES = ['active', 'invited', 'inactive'] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export type CourseCreated = DomainEvent<
  'CourseCreated',
  {
    courseId: string;
    name: string;
    courseCode: string;
    /** `unpublished` unless created with `offer=true`, as in Canvas. */
    workflowState: 'unpublished' | 'available';
    createdAt: string;
  }
>;

export type UserEnrolled = DomainEvent<
  'UserEnrolled',
  {
    courseId: string;
    enrollmentId: string;
    userId: string;
    type: EnrollmentType;
    enrollmentState: EnrollmentState;
    createdAt: string;
  }
>;

export type CourseEvent = CourseCreated | UserEnrolled;

export type GroupCreated = DomainEvent<
  'GroupCreated',
  { groupId: string; name: string; createdAt: string }
>;

export type GroupMembershipAdded = DomainEvent<
  'GroupMembershipAdded',
  { groupId: string; membershipId: string; userId: string; createdAt: string }
>;

export type GroupEvent = GroupCreated | GroupMembershipAdded;
