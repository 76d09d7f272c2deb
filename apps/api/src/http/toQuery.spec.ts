import { toQuery } from './toQuery';

describe('toQuery (Rails Hash#to_query)', () => {
  it('sorts encoded pairs and keeps array order', () => {
    expect(toQuery({ scope: 'unread', filter: ['user_2', 'course_1'] })).toBe(
      'filter%5B%5D=user_2&filter%5B%5D=course_1&scope=unread',
    );
  });

  it('escapes like CGI.escape and nests objects', () => {
    expect(toQuery({ q: 'a b&c', user: { name: "O'Hara" } })).toBe(
      'q=a+b%26c&user%5Bname%5D=O%27Hara',
    );
  });
});
