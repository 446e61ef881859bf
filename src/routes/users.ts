/** /users: Moneyhub's registered users (use case 2), for the app backend only. */
import { Hono } from 'hono/tiny'
import { describeRoute, type ResponsesWithResolver } from 'hono-openapi'
import * as v from 'valibot'
import { requireBackend } from '../http/auth'
import type { AppEnv } from '../http/context'
import { note } from '../http/log'
import { errorAnswers, ErrorSchema, jsonAnswer, RegisteredUserSchema } from '../http/openapi'
import { userId } from '../http/schemas'
import { requireJson, validate } from '../http/validation'
import { object, strictObject } from '../util/valibot'
import { createUser, deleteUser, getUser } from '../users/registeredUsers'

const CreateUserBody = strictObject({ clientUserId: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(128))) })
const UserIdParam = object({ userId })
const backendOnly = { tags: ['users'], security: [{ backendKey: [] }] }
const noSuchUser: ResponsesWithResolver = OPENAPI_BUILD ? { 404: jsonAnswer(ErrorSchema, 'no such user at Moneyhub') } : {}

export const users = new Hono<AppEnv>()
  .use(requireBackend)
  .post(
    '/',
    describeRoute(
      OPENAPI_BUILD
        ? {
            ...backendOnly,
            summary: 'Register a Moneyhub user (client credentials user:create)',
            responses: { 201: jsonAnswer(RegisteredUserSchema, "Moneyhub's new user"), ...errorAnswers(400, 401, 415, 502) },
          }
        : {},
    ),
    requireJson,
    validate('json', CreateUserBody),
    async (c) => {
      const user = await createUser(c.get('config'), c.req.valid('json'))
      note(c, 'user_created', 'info', { userId: user.userId })
      c.header('cache-control', 'no-store')
      return c.json(user, 201)
    },
  )
  .get(
    '/:userId',
    describeRoute(
      OPENAPI_BUILD
        ? {
            ...backendOnly,
            summary: 'Read a registered user (client credentials user:read)',
            responses: { 200: jsonAnswer(RegisteredUserSchema, "Moneyhub's user"), ...errorAnswers(400, 401, 502), ...noSuchUser },
          }
        : {},
    ),
    validate('param', UserIdParam),
    async (c) => {
      c.header('cache-control', 'no-store')
      return c.json(await getUser(c.get('config'), c.req.valid('param').userId))
    },
  )
  .delete(
    '/:userId',
    describeRoute(
      OPENAPI_BUILD
        ? {
            ...backendOnly,
            summary: 'Delete a registered user (client credentials user:delete)',
            responses: { 204: { description: 'deleted at Moneyhub' }, ...errorAnswers(400, 401, 502), ...noSuchUser },
          }
        : {},
    ),
    validate('param', UserIdParam),
    async (c) => {
      const { userId } = c.req.valid('param')
      await deleteUser(c.get('config'), userId)
      note(c, 'user_deleted', 'info', { userId })
      return c.body(null, 204)
    },
  )
