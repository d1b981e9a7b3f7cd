import express from 'express';
import { describe, expectTypeOf, test } from 'vitest';
import type { z } from 'zod';
import {
  postJson,
  ProcessRequest,
  respond,
  UserCreate,
  UserPublic,
  validateBody,
} from '#exercise/04-request-response';

describe('TODO 1: the body schema, ProcessRequest', () => {
  test('ProcessRequest is { a: number; b: number }', () => {
    expectTypeOf<z.infer<typeof ProcessRequest>>().toEqualTypeOf<{ a: number; b: number }>();
  });
});

describe('TODO 2: the response model, UserPublic', () => {
  test('UserCreate has name, email and password; UserPublic has id, name and email, and no password', () => {
    expectTypeOf<z.infer<typeof UserCreate>>().toEqualTypeOf<{ name: string; email: string; password: string }>();
    expectTypeOf<z.infer<typeof UserPublic>>().toEqualTypeOf<{ id: number; name: string; email: string }>();
    expectTypeOf<z.infer<typeof UserPublic>>().not.toHaveProperty('password');
  });
});

describe('TODO 3: validateBody types the handler that follows it', () => {
  test('the handler after validateBody(ProcessRequest) sees req.body as { a: number; b: number }', () => {
    const app = express();
    app.post('/process', validateBody(ProcessRequest), (req, res) => {
      expectTypeOf(req.body).toEqualTypeOf<{ a: number; b: number }>();
      res.json({ result: req.body.a + req.body.b });
    });
  });
});

describe('TODO 4: respond is typed by its schema', () => {
  test('respond refuses a value missing a field of the response model', () => {
    const app = express();
    app.get('/me', (_req, res) => {
      respond(res, 200, UserPublic, { id: 1, name: 'Ada', email: 'ada@example.com' });
      // @ts-expect-error: email is missing, so this is not a UserPublic
      respond(res, 200, UserPublic, { id: 1, name: 'Ada' });
    });
  });
});

describe('TODO 8: postJson is typed by its schema', () => {
  test('postJson resolves to what the response schema parses to', () => {
    const created = postJson('http://127.0.0.1:1/users', { name: 'Ada', email: 'ada@example.com', password: 'long enough' }, UserPublic);
    expectTypeOf(created).resolves.toEqualTypeOf<{ id: number; name: string; email: string }>();
  });
});
