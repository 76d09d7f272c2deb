import type { ArgumentMetadata } from '@nestjs/common';
import { ListConversationsDto } from '../conversations/listConversationsDto';
import { canvasValidationPipe, conversationErrors } from './canvasValidationPipe';
import { PlainQueryPipe } from './plainQueryPipe';

const metadata: ArgumentMetadata = { type: 'query', metatype: ListConversationsDto };
const full = canvasValidationPipe(conversationErrors);
const pipe = new PlainQueryPipe(
  ListConversationsDto,
  ['scope', 'page', 'per_page', 'filter_mode'],
  full,
);

async function outcome(transform: () => unknown): Promise<unknown> {
  try {
    return { ok: await transform() };
  } catch (err) {
    return { error: err };
  }
}

describe('PlainQueryPipe', () => {
  it.each([
    [{}],
    [{ page: '2', per_page: '10' }],
    [{ scope: 'unread', page: '', as_user_id: '7', access_token: 'x' }],
    [{ scope: ['a', 'b'] }],
    [{ scope: { nested: 'x' } }],
    [{ page: ['1', '2'] }],
    [{ filter: 'course_5', filter_mode: 'and' }],
    [{ 'filter[]': 'x', filter: ['user_1', 'group_2'] }],
    [{ include: 'participant_avatars', include_all_conversation_ids: 'true' }],
    [{ include: ['nope'] }],
    [{ include_all_conversation_ids: 'maybe', page: '3' }],
    [{ filter_mode: ['x'] }],
  ])('answers %j exactly as the validation pipe does', async (query) => {
    const fast = await outcome(() => pipe.transform({ ...query }, metadata));
    const slow = await outcome(() => full.transform({ ...query }, metadata));
    expect(fast).toEqual(slow);
    const ok = (fast as { ok?: unknown }).ok;
    if (ok !== undefined) expect(ok).toBeInstanceOf(ListConversationsDto);
  });

  it('skips the validators when every declared value is a plain string', () => {
    const spy = jest.spyOn(full, 'transform');
    pipe.transform({ page: '2', scope: 'sent', extra: ['dropped'] }, metadata);
    expect(spy).not.toHaveBeenCalled();
    pipe.transform({ page: '2', include: 'participant_avatars' }, metadata);
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
  });
});
