import { grownMap } from '../shared/grow';
import { DomainError } from '../shared/domainError';
import type { GroupCreated, GroupEvent, GroupMembershipAdded } from './directoryEvents';

export interface GroupState {
  readonly groupId: string;
  readonly name: string;
  /** Membership id per member user id. */
  readonly members: ReadonlyMap<string, string>;
}

export const MAX_GROUP_NAME_LENGTH = 255;

export function evolveGroup(state: GroupState | null, event: GroupEvent): GroupState | null {
  switch (event.type) {
    case 'GroupCreated':
      return { groupId: event.data.groupId, name: event.data.name, members: new Map() };
    case 'GroupMembershipAdded': {
      if (!state) return state;
      return {
        ...state,
        members: grownMap(state.members, event.data.userId, event.data.membershipId),
      };
    }
  }
}

export function createGroup(
  state: GroupState | null,
  cmd: { groupId: string; name?: string | null; createdAt: string },
): GroupCreated[] {
  if (state) throw new DomainError('conflict', 'group', 'group already exists');
  const name = cmd.name?.trim() ?? '';
  if (!name) throw new DomainError('invalid', 'name', 'blank', 'blank');
  if (name.length > MAX_GROUP_NAME_LENGTH)
    throw new DomainError('invalid', 'name', 'too_long', 'too_long');
  return [{ type: 'GroupCreated', data: { groupId: cmd.groupId, name, createdAt: cmd.createdAt } }];
}

/** Adding a member twice decides nothing: the existing membership stands. */
export function addGroupMember(
  state: GroupState | null,
  cmd: { membershipId: string; userId: string; createdAt: string },
): GroupMembershipAdded[] {
  if (!state) throw new DomainError('not_found', 'group', 'The specified resource does not exist.');
  if (state.members.has(cmd.userId)) return [];
  return [
    {
      type: 'GroupMembershipAdded',
      data: {
        groupId: state.groupId,
        membershipId: cmd.membershipId,
        userId: cmd.userId,
        createdAt: cmd.createdAt,
      },
    },
  ];
}
