import { describe, expectTypeOf, test } from 'vitest';
import type { NewUser, Paging, User } from '#exercise/03-endpoints';

describe('TODO 2: the types derived from the schemas', () => {
  test('NewUser, the body of POST and PUT, has exactly name and email', () => {
    expectTypeOf<NewUser>().toEqualTypeOf<{ name: string; email: string }>();
  });

  test('a User is the body plus a numeric id', () => {
    expectTypeOf<User>().toExtend<{ id: number; name: string; email: string }>();
  });

  test('Paging holds numbers, not the strings of the query, and neither is optional', () => {
    expectTypeOf<Paging>().toEqualTypeOf<{ offset: number; limit: number }>();
  });
});
