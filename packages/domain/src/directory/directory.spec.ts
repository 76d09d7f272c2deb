import { spec } from '../testing/givenWhenThen';
import { createCourse, enrollUser, evolveCourse, type CourseState } from './course';
import type {
  CourseCreated,
  CourseEvent,
  GroupCreated,
  GroupEvent,
  UserEnrolled,
} from './directoryEvents';
import { addGroupMember, createGroup, evolveGroup, type GroupState } from './group';

const at = '2026-01-01T00:00:00.000Z';
const course = spec<CourseState, CourseEvent>(evolveCourse);
const group = spec<GroupState, GroupEvent>(evolveGroup);

const created: CourseCreated = {
  type: 'CourseCreated',
  data: {
    courseId: '5',
    name: 'Biology',
    courseCode: 'BIO-101',
    workflowState: 'unpublished',
    createdAt: at,
  },
};
const enrolled: UserEnrolled = {
  type: 'UserEnrolled',
  data: {
    courseId: '5',
    enrollmentId: '50',
    userId: '7',
    type: 'StudentEnrollment',
    enrollmentState: 'active',
    createdAt: at,
  },
};

describe('Course', () => {
  it('is created unpublished unless offered, with Canvas defaults for blank names', () => {
    course
      .given()
      .when((s) =>
        createCourse(s, { courseId: '5', name: 'Biology', courseCode: 'BIO-101', createdAt: at }),
      )
      .then([created]);
    const [offered] = createCourse(null, { courseId: '6', offer: true, createdAt: at });
    expect(offered!.data).toMatchObject({
      name: 'Unnamed Course',
      courseCode: 'Unnamed Course',
      workflowState: 'available',
    });
  });

  it('trims the name and code it is given', () => {
    course
      .given()
      .when((s) =>
        createCourse(s, {
          courseId: '5',
          name: ' Biology ',
          courseCode: ' BIO-101 ',
          createdAt: at,
        }),
      )
      .then([created]);
  });

  it('is created once', () => {
    course
      .given(created)
      .when((s) => createCourse(s, { courseId: '5', name: 'Biology', createdAt: at }))
      .thenThrows({ kind: 'conflict', attribute: 'course', message: 'course already exists' });
  });

  it('takes a name and a code of 255 characters and refuses 256', () => {
    const long = 'x'.repeat(255);
    const [course255] = createCourse(null, { courseId: '5', name: long, createdAt: at });
    expect(course255!.data).toMatchObject({ name: long, courseCode: long });
    course
      .given()
      .when((s) => createCourse(s, { courseId: '5', name: `${long}x`, createdAt: at }))
      .thenThrows({ kind: 'invalid', attribute: 'name', message: 'too_long' });
    course
      .given()
      .when((s) =>
        createCourse(s, { courseId: '5', name: 'Biology', courseCode: `${long}x`, createdAt: at }),
      )
      .thenThrows({ kind: 'invalid', attribute: 'course_code', message: 'too_long' });
  });

  it('enrolls a user once per type; a repeat decides nothing', () => {
    course
      .given(created)
      .when((s) =>
        enrollUser(s, {
          enrollmentId: '50',
          userId: '7',
          type: 'StudentEnrollment',
          enrollmentState: 'active',
          createdAt: at,
        }),
      )
      .then([enrolled]);
    course
      .given(created, enrolled)
      .when((s) =>
        enrollUser(s, {
          enrollmentId: '51',
          userId: '7',
          type: 'StudentEnrollment',
          createdAt: at,
        }),
      )
      .then([]);
    const [teacher] = enrollUser(evolveCourse(evolveCourse(null, created), enrolled), {
      enrollmentId: '52',
      userId: '7',
      type: 'TeacherEnrollment',
      createdAt: at,
    });
    expect(teacher!.data).toMatchObject({ type: 'TeacherEnrollment', enrollmentState: 'invited' });
  });

  it('refuses unknown enrollment types and states, and unknown courses', () => {
    course
      .given(created)
      .when((s) =>
        enrollUser(s, { enrollmentId: '1', userId: '7', type: 'KingEnrollment', createdAt: at }),
      )
      .thenThrows({ kind: 'invalid', attribute: 'type', message: 'invalid' });
    course
      .given(created)
      .when((s) =>
        enrollUser(s, { enrollmentId: '1', userId: '7', enrollmentState: 'asleep', createdAt: at }),
      )
      .thenThrows({ kind: 'invalid', attribute: 'enrollment_state', message: 'invalid' });
    course
      .given()
      .when((s) => enrollUser(s, { enrollmentId: '1', userId: '7', createdAt: at }))
      .thenThrows({
        kind: 'not_found',
        attribute: 'course',
        message: 'The specified resource does not exist.',
      });
  });
});

describe('Group', () => {
  const groupCreated: GroupCreated = {
    type: 'GroupCreated',
    data: { groupId: '9', name: 'Lab A', createdAt: at },
  };

  it('needs a name, trimmed, of at most 255 characters', () => {
    const blank = { kind: 'invalid', attribute: 'name', message: 'blank' } as const;
    group
      .given()
      .when((s) => createGroup(s, { groupId: '9', name: ' ', createdAt: at }))
      .thenThrows(blank);
    group
      .given()
      .when((s) => createGroup(s, { groupId: '9', createdAt: at }))
      .thenThrows(blank);
    group
      .given()
      .when((s) => createGroup(s, { groupId: '9', name: ' Lab A ', createdAt: at }))
      .then([groupCreated]);
    const long = 'x'.repeat(255);
    group
      .given()
      .when((s) => createGroup(s, { groupId: '9', name: long, createdAt: at }))
      .then([{ ...groupCreated, data: { ...groupCreated.data, name: long } }]);
    group
      .given()
      .when((s) => createGroup(s, { groupId: '9', name: `${long}x`, createdAt: at }))
      .thenThrows({ kind: 'invalid', attribute: 'name', message: 'too_long' });
  });

  it('is created once', () => {
    group
      .given(groupCreated)
      .when((s) => createGroup(s, { groupId: '9', name: 'Lab A', createdAt: at }))
      .thenThrows({ kind: 'conflict', attribute: 'group', message: 'group already exists' });
  });

  it('adds a member once', () => {
    const added = {
      type: 'GroupMembershipAdded' as const,
      data: { groupId: '9', membershipId: '90', userId: '7', createdAt: at },
    };
    group
      .given(groupCreated)
      .when((s) => addGroupMember(s, { membershipId: '90', userId: '7', createdAt: at }))
      .then([added]);
    group
      .given(groupCreated, added)
      .when((s) => addGroupMember(s, { membershipId: '91', userId: '7', createdAt: at }))
      .then([]);
    group
      .given()
      .when((s) => addGroupMember(s, { membershipId: '91', userId: '7', createdAt: at }))
      .thenThrows({
        kind: 'not_found',
        attribute: 'group',
        message: 'The specified resource does not exist.',
      });
  });
});
