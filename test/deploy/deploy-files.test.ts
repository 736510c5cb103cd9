import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { RESERVED_ENVIRONMENT } from '../../src/config/environment-names.js';

/**
 * The deployment files cannot be run here (no container engine, no cluster), so their structure
 * is checked instead: everything parses, every variable they set is one engram reads, probes and
 * ports are the server's, replicas > 1 only with the PostgreSQL store, the image runs unprivileged.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(entry.name) ? [path] : [];
  });
}

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, walked by hand; each assertion checks the shape it reads.
type Doc = Record<string, any>;

function documents(path: string): Doc[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${relative(ROOT, path)}: ${doc.errors[0]!.message}`);
  }
  return docs.map((doc) => doc.toJS() as Doc).filter((doc) => doc !== null);
}

const manifests = yamlFiles(join(ROOT, 'deploy', 'k8s')).flatMap((path) =>
  documents(path).map((doc) => ({ path: relative(ROOT, path), doc })),
);
const ofKind = (kind: string) => manifests.filter((m) => m.doc.kind === kind);

describe('deployment files', () => {
  it('parse, and every Kubernetes manifest names its kind and apiVersion', () => {
    expect(manifests.length).toBeGreaterThan(8);
    for (const { path, doc } of manifests) {
      expect(typeof doc.apiVersion, path).toBe('string');
      expect(typeof doc.kind, path).toBe('string');
    }
    expect(documents(join(ROOT, 'compose.yaml'))).toHaveLength(1);
  });

  it('every file a kustomization lists exists and parses', () => {
    for (const { path, doc } of ofKind('Kustomization')) {
      const dir = join(ROOT, path, '..');
      for (const resource of doc.resources as string[]) {
        const target = join(dir, resource);
        const files = resource.endsWith('.yaml') ? [target] : [join(target, 'kustomization.yaml')];
        for (const file of files) expect(() => documents(file), `${path} → ${resource}`).not.toThrow();
      }
    }
  });

  it('sets only environment variables engram reads', () => {
    const known = new Set<string>(RESERVED_ENVIRONMENT);
    const set: { where: string; name: string }[] = [];
    for (const { path, doc } of ofKind('ConfigMap')) {
      for (const name of Object.keys(doc.data ?? {})) set.push({ where: path, name });
    }
    for (const { path, doc } of ofKind('Secret')) {
      for (const name of Object.keys(doc.stringData ?? doc.data ?? {})) set.push({ where: path, name });
    }
    const compose = documents(join(ROOT, 'compose.yaml'))[0]!;
    for (const [service, spec] of Object.entries(compose.services as Record<string, Doc>)) {
      if (!String(service).startsWith('engram')) continue;
      for (const name of Object.keys(spec.environment ?? {}))
        set.push({ where: `compose.yaml ${service}`, name });
    }
    expect(set.length).toBeGreaterThan(5);
    expect(set.filter((s) => !known.has(s.name))).toEqual([]);
  });

  it('probes the server’s own routes on the port it listens on, unprivileged', () => {
    const [deployment] = ofKind('Deployment').filter((m) => m.doc.metadata.name === 'engram');
    const pod = deployment!.doc.spec.template.spec;
    const container = pod.containers[0];
    const port = Number(container.args[container.args.indexOf('--port') + 1]);
    expect(container.args.slice(0, 3)).toEqual(['serve', '--host', '0.0.0.0']);
    expect(container.ports[0].containerPort).toBe(port);
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    const routes = readFileSync(join(ROOT, 'src/server/routes/ops-routes.ts'), 'utf8');
    expect(routes).toContain("app.get('/ready'");
    expect(routes).toContain("app.get('/health'");
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.resources.requests).toBeDefined();
    expect(ofKind('PodDisruptionBudget')).toHaveLength(1);
  });

  it('runs more than one replica only on the PostgreSQL store', () => {
    const [deployment] = ofKind('Deployment').filter((m) => m.doc.metadata.name === 'engram');
    const [config] = ofKind('ConfigMap');
    if (deployment!.doc.spec.replicas > 1) expect(config!.doc.data.ENGRAM_STORE).toBe('postgres');
    const compose = documents(join(ROOT, 'compose.yaml'))[0]!;
    for (const [service, spec] of Object.entries(compose.services as Record<string, Doc>)) {
      const replicas = spec.deploy?.replicas ?? 1;
      if (replicas > 1) expect(spec.environment.ENGRAM_STORE, service).toBe('postgres');
      if (spec.environment?.ENGRAM_STORE === 'postgres')
        expect(spec.environment.ENGRAM_PG_URL, service).toBeDefined();
    }
  });

  it('an engram with a derived index reaches an index service started in the same profile', () => {
    const compose = documents(join(ROOT, 'compose.yaml'))[0]!;
    const services = compose.services as Record<string, Doc>;
    const withIndex = Object.entries(services).filter(([, spec]) => spec.environment?.ENGRAM_INDEX);
    expect(withIndex.map(([name]) => name)).toEqual(['engram-qdrant']);
    for (const [name, spec] of withIndex) {
      const host = new URL(spec.environment.ENGRAM_INDEX_URL).hostname;
      const target = services[host] as Doc;
      expect(target, `${name} → ${host}`).toBeDefined();
      expect(target.image).toMatch(new RegExp(spec.environment.ENGRAM_INDEX));
      for (const profile of spec.profiles) expect(target.profiles).toContain(profile);
      expect(spec.depends_on).toContain(host);
    }
  });

  it('the Dockerfile builds in one stage and runs the production files unprivileged in another', () => {
    const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    const INSTRUCTIONS = new Set([
      'FROM',
      'RUN',
      'CMD',
      'LABEL',
      'EXPOSE',
      'ENV',
      'ADD',
      'COPY',
      'ENTRYPOINT',
      'VOLUME',
      'USER',
      'WORKDIR',
      'ARG',
      'ONBUILD',
      'STOPSIGNAL',
      'HEALTHCHECK',
      'SHELL',
    ]);
    for (const line of lines) expect(INSTRUCTIONS, line).toContain(line.split(/\s+/)[0]);
    const stages = lines.filter((line) => line.startsWith('FROM'));
    expect(stages).toHaveLength(2);
    const runtime = lines.slice(lines.lastIndexOf(stages[1]!));
    expect(runtime).toContain('USER node');
    expect(runtime.some((line) => line.startsWith('HEALTHCHECK') && line.includes('/health'))).toBe(true);
    // No install in the runtime stage: dependencies come pruned from the build stage.
    expect(runtime.some((line) => /npm (ci|install)/.test(line))).toBe(false);
    expect(lines.some((line) => line.includes('npm prune --omit=dev'))).toBe(true);
    const cmd = JSON.parse(runtime.find((line) => line.startsWith('CMD'))!.slice(3)) as string[];
    const expose = Number(runtime.find((line) => line.startsWith('EXPOSE'))!.split(/\s+/)[1]);
    expect(cmd.slice(0, 3)).toEqual(['serve', '--host', '0.0.0.0']);
    expect(Number(cmd[cmd.indexOf('--port') + 1])).toBe(expose);
    // Every path the image copies from the build context exists.
    for (const line of lines.filter((l) => l.startsWith('COPY') && !l.includes('--from'))) {
      const parts = line.split(/\s+/).slice(1, -1);
      for (const part of parts) expect(() => readFileSync(join(ROOT, part)), part).not.toThrow(/ENOENT/);
    }
  });
});

describe('RESERVED_ENVIRONMENT', () => {
  it('names exactly the variables the source reads', () => {
    const names = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (path.endsWith('.ts') && !path.endsWith('environment-names.ts')) {
          for (const m of readFileSync(path, 'utf8').matchAll(
            /'((?:ENGRAM|OLLAMA|OPENAI|MEM0|ANTHROPIC|DATABASE)_[A-Z0-9_]+)'/g,
          ))
            names.add(m[1]!);
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect([...names].sort()).toEqual([...RESERVED_ENVIRONMENT].sort());
  });
});
