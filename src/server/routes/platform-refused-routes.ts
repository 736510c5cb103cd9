import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { notImplemented } from '../not-implemented.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A known mem0 route engram leaves out: its methods, path, what calls it, and why it is left out. */
interface Refused {
  methods: Method[];
  path: string;
  /** The MemoryClient method (or route) named in the answer; a function when one route serves several. */
  name: string | ((c: Context<AppEnv>) => Promise<string>);
  why: string;
}

const PROFILES =
  "engram generates no user profiles (a model-written summary per user); search or list the user's memories instead";
const ORGS =
  'engram has no organisations or members: each tenant is one project, and its API keys are managed with engram keys (POST /keys)';
const FEED =
  'engram keeps no project-wide event feed; a queued add is GET /v1/event/{event_id}/, a memory its history';
const ENTITIES = 'a user, agent or run exists in engram while it has memories: add one to create it';
const SERVER_AUTH =
  'engram authenticates with API keys only (Authorization or X-API-Key); manage them with /keys';

const REFUSED: Refused[] = [
  {
    methods: ['get'],
    path: '/v2/entities/:type/:id/profile/',
    name: 'MemoryClient.getProfile',
    why: PROFILES,
  },
  {
    methods: ['post'],
    path: '/v2/profiles/jobs/',
    name: async (c) =>
      (await c.req.json().catch(() => null))?.operation === 'sample'
        ? 'MemoryClient.sampleProfiles'
        : 'MemoryClient.generateProfile',
    why: PROFILES,
  },
  { methods: ['get'], path: '/v2/profiles/jobs/:id/', name: 'MemoryClient.getProfileJob', why: PROFILES },
  {
    methods: ['get'],
    path: '/v2/profiles/settings/',
    name: 'MemoryClient.getProfileSettings',
    why: PROFILES,
  },
  {
    methods: ['post'],
    path: '/v2/profiles/settings/',
    name: 'MemoryClient.updateProfileSettings',
    why: PROFILES,
  },
  { methods: ['get'], path: '/v1/events/', name: 'GET /v1/events/', why: FEED },
  { methods: ['get'], path: '/v1/memories/events/', name: 'GET /v1/memories/events/', why: FEED },
  {
    methods: ['get'],
    path: '/v1/entities/filters/',
    name: 'GET /v1/entities/filters/',
    why: 'list the entities with GET /v1/entities/',
  },
  ...['users', 'agents', 'apps', 'runs'].map(
    (kind): Refused => ({
      methods: ['post'],
      path: `/v1/${kind}/`,
      name: `POST /v1/${kind}/`,
      why: ENTITIES,
    }),
  ),
  {
    methods: ['get'],
    path: '/v1/stats/',
    name: 'GET /v1/stats/',
    why: 'engram counts usage per scope, not per project (engram usage)',
  },
  {
    methods: ['post'],
    path: '/v1/summary/',
    name: 'POST /v1/summary/',
    why: 'engram writes no model summaries of memories',
  },
  { methods: ['get', 'post'], path: '/api/v1/orgs/organizations/', name: 'organizations', why: ORGS },
  { methods: ['get', 'delete'], path: '/api/v1/orgs/organizations/:org/', name: 'organizations', why: ORGS },
  {
    methods: ['get', 'post', 'put', 'delete'],
    path: '/api/v1/orgs/organizations/:org/members/',
    name: 'organization members',
    why: ORGS,
  },
  {
    methods: ['get', 'post'],
    path: '/api/v1/orgs/organizations/:org/projects/',
    name: 'projects',
    why: ORGS,
  },
  {
    methods: ['delete'],
    path: '/api/v1/orgs/organizations/:org/projects/:project/',
    name: 'deleting a project',
    why: 'a project is a tenant; erase its memories with POST /reset (admin)',
  },
  {
    methods: ['get', 'post', 'put', 'delete'],
    path: '/api/v1/orgs/organizations/:org/projects/:project/members/',
    name: 'project members',
    why: ORGS,
  },
  // mem0's self-hosted server.
  {
    methods: ['post'],
    path: '/generate-instructions',
    name: 'POST /generate-instructions',
    why: 'write custom_instructions yourself and send them to POST /configure',
  },
  ...[
    ['get', '/auth/setup-status'],
    ['post', '/auth/register'],
    ['post', '/auth/login'],
    ['post', '/auth/refresh'],
    ['get', '/auth/me'],
    ['patch', '/auth/me'],
    ['post', '/auth/change-password'],
    ['post', '/auth/onboarding-complete'],
    ['get', '/api-keys'],
    ['post', '/api-keys'],
    ['delete', '/api-keys/:id'],
    ['get', '/requests'],
  ].map(
    ([method, path]): Refused => ({
      methods: [method as Method],
      path: path!,
      name: `${method!.toUpperCase()} ${path}`,
      why: SERVER_AUTH,
    }),
  ),
];

/** Every known mem0 route engram leaves out answers 501 naming it; none is a 404. */
export function platformRefusedRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const refused of REFUSED) {
    for (const method of refused.methods) {
      app.on(method.toUpperCase(), refused.path, async (c) => {
        const name = typeof refused.name === 'string' ? refused.name : await refused.name(c);
        throw notImplemented(name, `${method.toUpperCase()} ${refused.path}`, refused.why);
      });
    }
  }
  return app;
}
